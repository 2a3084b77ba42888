// The command line as a careless user and an attacker would use it: a save killed with kill -9,
// bad --save and --out paths, data files with values or scales the models cannot use, decimal
// commas, control bytes, oversized files, odd flag spellings, seeds at the edge, divergence.
// Every process must end on its own with exit 0, or one clear line and exit 1 or 2.

import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../engine/index';
import { countNumericLines } from '../../models/data/csv-file';

const root = resolve(__dirname, '../..');
const cli = resolve(root, 'dist/cli.js');
let dir = '';

function gradlab(...args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  expect(r.signal, `gradlab ${args.join(' ')} did not exit on its own`).toBeNull();
  return r;
}

/** The stderr's last line, and that there is no stack trace. */
function oneLineError(r: SpawnSyncReturns<string>): string {
  expect(r.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  const lines = r.stderr.trim().split('\n');
  return lines[lines.length - 1];
}

/** n values from N(mean, std) as a one-column CSV, written to dir/name. */
function csvFile(name: string, rows: number, scale = 1, mean = 0): string {
  const rng = createRng(rows);
  const path = join(dir, name);
  writeFileSync(path, Array.from({ length: rows }, () => String(mean + scale * rng.normal())).join('\n'));
  return path;
}

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'gradlab-hardening-'));
}, 120_000);

describe('checkpoints are never lost', () => {
  it('kill -9 during a save leaves the previous checkpoint intact', async () => {
    const ck = join(dir, 'big.json');
    // A 2-million-row dataset makes a ~36 MB checkpoint: a save long enough to be caught in the act.
    expect(gradlab('train', '--target', 'normal', '--dataset', '2000000', '--epochs', '0', '--save', ck).status).toBe(0);
    const before = sha(ck);
    const child = spawn(process.execPath, [cli, 'train', '--resume', ck, '--epochs', '0', '--save', ck], { cwd: dir, stdio: 'ignore' });
    let killedMidSave = false;
    while (child.exitCode === null) {
      if (readdirSync(dir).some((f) => f.startsWith('.big.json.') && f.endsWith('.tmp'))) {
        child.kill('SIGKILL');
        killedMidSave = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => child.once('close', r));
    expect(killedMidSave, 'the save finished before it could be killed').toBe(true);
    expect(sha(ck)).toBe(before);
    // The old checkpoint still resumes.
    expect(gradlab('train', '--resume', ck, '--epochs', '0').status).toBe(0);
  }, 120_000);

  it('a bad --save path is refused before training, naming the path', () => {
    mkdirSync(join(dir, 'folder'), { recursive: true });
    const cases: [string, RegExp][] = [
      [join(dir, 'folder'), /--save: '.*folder' is a directory; give a file name/],
      ['', /--save: the path is empty/],
      [join(dir, 'missing', 'ck.json'), /--save: the folder of '.*missing\/ck\.json' does not exist/],
      [join(dir, 'big.json', 'x.json'), /--save: '.*big\.json' is not a folder|does not exist/],
    ];
    for (const [path, message] of cases) {
      const started = Date.now();
      const r = gradlab('train', '--target', 'normal', '--epochs', '50', '--save', path);
      expect(r.status, path).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(Date.now() - started).toBeLessThan(20_000); // refused, not trained first
    }
  });
});

describe('data files and numbers', () => {
  it('refuses values beyond float32 with the file, line and value', () => {
    const path = join(dir, 'huge.csv');
    writeFileSync(path, `x\n${Array.from({ length: 20 }, (_, i) => (i === 6 ? '1e300' : String(i * 0.37))).join('\n')}\n`);
    const r = gradlab('train', '--data', path, '--epochs', '1');
    expect(r.status).toBe(2);
    expect(oneLineError(r)).toMatch(/huge\.csv, line 8: column 1: value '1e300' is beyond float32's range/);
  });

  it('refuses data on a scale the models cannot train on, talking about the data', () => {
    const path = csvFile('scale.csv', 64, 1e30);
    for (const cmd of [['train', '--model', 'gan'], ['train', '--model', 'vae'], ['compare', '--out', join(dir, 'rep')]]) {
      const r = gradlab(...cmd, '--data', path, '--epochs', '1');
      expect(r.status, cmd.join(' ')).toBe(2);
      const line = oneLineError(r);
      expect(line).toMatch(/scale\.csv: column 1 holds values up to .*e\+\d+; the models train on data of magnitude up to 1e\+6/);
      expect(line).not.toMatch(/learning rate/);
    }
  });

  it('detects decimal commas, and --delimiter reads them', () => {
    const rng = createRng(3);
    const path = join(dir, 'comma.csv');
    writeFileSync(path, Array.from({ length: 40 }, () => (3 + rng.normal() * 0.4).toFixed(4).replace('.', ',')).join('\n'));
    const r = gradlab('train', '--data', path, '--epochs', '1');
    expect(r.status).toBe(2);
    expect(oneLineError(r)).toMatch(/comma\.csv, line 1: '\d,\d{4}' looks like one number written with a decimal comma.*--delimiter ';'/);
    const ok = gradlab('train', '--data', path, '--delimiter', ';', '--epochs', '1', '--json');
    expect(ok.status, ok.stderr).toBe(0);
    const summary = JSON.parse(ok.stdout.trim().split('\n').pop() as string) as { targetMean: number };
    expect(summary.targetMean).toBeGreaterThan(2.5); // one column around 3, not pairs
    expect(gradlab('train', '--data', path, '--delimiter', ',', '--epochs', '1').status).toBe(0); // two integer columns, as asked
    expect(gradlab('train', '--data', path, '--delimiter', 'pipe', '--epochs', '1').status).toBe(2);
  });

  it('uses one batch rule: the default batch is clipped to a 16-row file in train and compare', () => {
    const path = csvFile('sixteen.csv', 16, 0.5, 4);
    const t = gradlab('train', '--data', path, '--epochs', '1');
    expect(t.status, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/default batch 128 is larger than the data's 16 rows; using batch 16/);
    const c = gradlab('compare', '--data', path, '--epochs', '1', '--models', 'gan,vae', '--out', join(dir, 'rep16'), '--eval-samples', '100');
    expect(c.status, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/using batch 16/);
    const metrics = JSON.parse(readFileSync(join(dir, 'rep16', 'metrics.json'), 'utf8')) as { models: { config: { batch: number }; error?: string }[] };
    expect(metrics.models.map((m) => [m.config.batch, m.error ?? null])).toEqual([[16, null], [16, null]]);
  });

  it('checks a CSV file size before reading it, naming the real limit', () => {
    const path = join(dir, 'huge-file.csv');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 300 * 1024 * 1024); // sparse: no 300 MB written
    closeSync(fd);
    const started = Date.now();
    const r = gradlab('train', '--data', path, '--epochs', '1');
    expect(r.status).toBe(2);
    expect(oneLineError(r)).toMatch(/huge-file\.csv': the file is 300 MiB; the largest CSV read is 256 MiB/);
    expect(r.stderr).not.toMatch(/--dataset/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('counts the rows of a CSV before parsing it: more than 10 million rows are refused at once', () => {
    const rows = 10_000_001;
    const bytes = Buffer.alloc(2 * rows + 2);
    bytes.write('x\n');
    for (let i = 0; i < rows; i++) { bytes[2 + 2 * i] = 0x31 + (i % 9); bytes[3 + 2 * i] = 0x0a; } // '1\n' … '9\n'
    const path = join(dir, 'many-rows.csv');
    writeFileSync(path, bytes);
    const r = gradlab('train', '--data', path, '--epochs', '1');
    expect(r.status).toBe(2);
    expect(oneLineError(r)).toMatch(/many-rows\.csv': it has more than 10000000 rows of numbers; a dataset holds at most 10000000 rows \(refused before parsing\)/);
    expect(countNumericLines(bytes, Infinity)).toBe(rows);
    expect(countNumericLines(Buffer.from('x,y\n# note\n-1,2\n.5,3\n+2,1\n\nabc\n7,8'), Infinity)).toBe(4);
  });

  it('quotes control bytes from a cell instead of echoing them', () => {
    const path = join(dir, 'escape.csv');
    writeFileSync(path, `x\n1\n\u001b[2J\u001b]0:owned\u0007\n`);
    const r = gradlab('train', '--data', path);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(oneLineError(r)).toMatch(/escape\.csv, line 3: column 1: not a number: '\\x1b\[2J\\x1b\]0:owned\\x07'/);
  });
});

describe('exit codes and messages', () => {
  it('refuses a seed beyond the documented range by name', () => {
    const r = gradlab('train', '--target', 'normal', '--seed', '9007199254716691', '--epochs', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--seed must be an integer from 0 to 4294967295, got 9007199254716691/);
    const top = gradlab('train', '--model', 'vae', '--target', 'normal', '--seed', '4294967295', '--epochs', '1');
    expect(top.status, top.stderr).toBe(0);
  });

  it('bad data, bench steps and output folders exit 2 with one line', () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const cases: [string[], RegExp][] = [
      [['compare', '--data', empty, '--out', join(dir, 'x')], /empty\.csv, line 1: no numbers found: the file is empty/],
      [['bench', '--steps', '5'], /--steps must be an integer from 10 to 1000000, got 5/],
      [['bench', '--steps', '1e12'], /--steps must be an integer from 10 to 1000000/],
      [['compare', '--target', 'normal', '--out', '/etc/passwd'], /--out: '\/etc\/passwd' exists and is not a folder/],
      [['train', '--target', 'normal', '--epochs=1=5'], /--epochs must be a number, got '1=5'/],
      [['train', '--target', 'normal', '--json=no'], /--json is a switch/],
    ];
    for (const [args, message] of cases) {
      const r = gradlab(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(oneLineError(r)).toMatch(message);
    }
    expect(gradlab('train', '--target', 'normal', '--epochs', '1', '--json=false').status).toBe(0);
  });

  it('every model stops at --lr 10 with exit 1, the epoch and the advice', () => {
    for (const model of ['gan', 'vae', 'rbm', 'diffusion']) {
      const r = gradlab('train', '--model', model, '--target', 'normal', '--lr', '10', '--epochs', '3', ...(model === 'rbm' ? ['--gibbs-steps', '50'] : []));
      expect(r.status, `${model}: ${r.stderr}`).toBe(1);
      expect(oneLineError(r)).toMatch(/diverged at epoch \d+ \(step \d+\): .*Try a lower learning rate/);
    }
  });
});
