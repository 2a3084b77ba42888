import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, MIN_ROWS } from '../models/data/csv';
import { readCsvFile } from '../models/data/csv-file';

/** n distinct 1D values: 0.5, 1.75, 3, ... */
const values1d = (n: number) => Array.from({ length: n }, (_, i) => (0.5 + 1.25 * i).toString());
/** n distinct 2D rows "x,y" with y = -2x + 1. */
const rows2d = (n: number, sep = ',') => Array.from({ length: n }, (_, i) => `${i * 0.5}${sep}${1 - i}`);

/** Assert parseCsv refuses `text`, naming the file, the line and the reason. */
function expectRefused(text: string, line: number, reason: RegExp): void {
  let message = '';
  try {
    parseCsv(text, 'data.csv');
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toContain('data.csv');
  expect(message).toContain(`line ${line}:`);
  expect(message).toMatch(reason);
}

describe('parseCsv accepts', () => {
  it('one column without a header', () => {
    const r = parseCsv(values1d(20).join('\n') + '\n', 'a.csv');
    expect(r.dim).toBe(1);
    expect(r.rows).toBe(20);
    expect(r.data[0]).toBe(0.5);
    expect(r.data[19]).toBe(0.5 + 1.25 * 19);
  });

  it('one column with a header, blank lines and CRLF', () => {
    const text = ['value', '', ...values1d(10), '   ', ...values1d(8), ''].join('\r\n');
    const r = parseCsv(text, 'a.csv');
    expect(r).toMatchObject({ dim: 1, rows: 18 });
    expect(r.data[10]).toBe(0.5);
  });

  it('two columns with a header, interleaving x and y', () => {
    const r = parseCsv(['x,y', ...rows2d(16)].join('\n'), 'b.csv');
    expect(r).toMatchObject({ dim: 2, rows: 16 });
    expect(Array.from(r.data.subarray(0, 6))).toEqual([0, 1, 0.5, 0, 1, -1]);
  });

  it('two columns separated by whitespace or semicolons, with signs and exponents', () => {
    const ws = parseCsv(rows2d(16, ' \t ').join('\n'), 'c.txt');
    const semi = parseCsv(rows2d(16, ';').join('\n'), 'c.txt');
    expect(ws.data).toEqual(semi.data);
    const r = parseCsv(['-1.5e-3, +2', '.25, 3.', ...rows2d(14)].join('\n'), 'd.csv');
    expect(Array.from(r.data.subarray(0, 4))).toEqual([-0.0015, 2, 0.25, 3]);
  });

  it(`exactly ${MIN_ROWS} rows`, () => {
    expect(parseCsv(values1d(MIN_ROWS).join('\n'), 'a.csv').rows).toBe(16);
  });
});

describe('parseCsv refuses', () => {
  it('an empty file or a header alone', () => {
    expectRefused('', 1, /no numbers/);
    expectRefused('\n\n', 1, /no numbers/);
    expectRefused('x,y\n\n', 2, /no numbers.*only a header/);
  });

  it('ragged rows', () => {
    const lines = rows2d(20);
    lines[6] = '3.5';
    // header on line 1, so rows2d[6] is on line 8
    expectRefused(['x,y', ...lines].join('\n'), 8, /ragged row: 1 column\(s\), but line 2 has 2/);
  });

  it('more than two columns', () => {
    expectRefused(['a,b,c', '1,2,3', '4,5,6'].join('\n'), 2, /3 columns; expected 1 .* or 2/);
  });

  it('a non-numeric cell', () => {
    const lines = values1d(20);
    lines[4] = 'abc';
    expectRefused(lines.join('\n'), 5, /column 1: not a number: 'abc'/);
    const pairs = rows2d(20);
    pairs[2] = '1,0x10';
    expectRefused(pairs.join('\n'), 3, /column 2: not a number: '0x10'/);
  });

  it('an empty cell', () => {
    const pairs = rows2d(20);
    pairs[9] = '1,';
    expectRefused(pairs.join('\n'), 10, /column 2: empty cell/);
  });

  it('NaN and infinite values', () => {
    const lines = values1d(20);
    lines[11] = 'NaN';
    expectRefused(lines.join('\n'), 12, /NaN value 'NaN'/);
    lines[11] = '-inf';
    expectRefused(lines.join('\n'), 12, /infinite value '-inf'/);
    lines[11] = '1e999';
    expectRefused(lines.join('\n'), 12, /infinite value '1e999'/);
  });

  it('fewer than 16 rows, pointing at the last data line', () => {
    expectRefused(['v', ...values1d(15)].join('\n') + '\n', 16, /only 15 data row\(s\); at least 16/);
  });
});

describe('readCsvFile', () => {
  it('reads and parses a file from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-csv-'));
    try {
      const path = join(dir, 'points.csv');
      writeFileSync(path, ['x,y', ...rows2d(30)].join('\n'));
      expect(readCsvFile(path)).toMatchObject({ dim: 2, rows: 30 });
      writeFileSync(path, ['x,y', ...rows2d(3)].join('\n'));
      expect(() => readCsvFile(path)).toThrow(`${path}, line 4: only 3 data row(s)`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('names the path of a missing file', () => {
    const path = join(tmpdir(), 'gradlab-no-such-file.csv');
    expect(() => readCsvFile(path)).toThrow(`cannot read CSV file '${path}': no such file`);
  });
});
