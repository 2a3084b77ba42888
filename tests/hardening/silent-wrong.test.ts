// Nothing silently wrong, no resource without a limit: compiled steps on freed buffers, setBackend
// ordering, empty tensors, oversized allocations, tidy's rules, option checks against
// Object.prototype's names, values read from files checked like values typed in, and messages
// that escape control bytes and name the real problem. Engine cases run in-process; command-line
// cases run the built CLI as a process.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliIn, lastLine, root } from './cli-process';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, compile, createRng, getBackend, liveTensors, mean, randn, setBackend, sum, tensor, tidy, zeros, type Tensor } from '../../engine/index';
import { checkOptions } from '../../engine/options';
import { countNumericLines } from '../../models/data/csv-file';
import { parseCsv } from '../../models/data/csv';
import { escapeControls } from '../../models/cli/safe-text';

let dir = '';

const gradlab = cliIn(() => dir);

/** n rows of N(4, 0.5) as a one-column CSV. */
function normalCsv(n: number, seed: number): string {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => (4 + rng.normal() / 2).toFixed(5)).join('\n');
}

beforeAll(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'gradlab-silent-'));
}, 120_000);

describe('compiled steps never read freed memory', () => {
  it('refuses to replay after an input was disposed, even when its buffer could be reused', () => {
    const x = randn([64], createRng(3));
    const step = compile(() => sum(x.mul(2)));
    tidy(() => void step());
    x.dispose();
    const other = randn([64], createRng(4)); // the size a freed buffer would be handed to
    expect(() => step()).toThrow(/compile: a tensor the compiled step reads .* was disposed; a replay would read freed memory/);
    other.dispose();
    step.dispose();
    expect(liveTensors()).toBe(0);
  });

  it('a disposed compiled step refuses to run', () => {
    const w = randn([8], createRng(5), { requiresGrad: true });
    const opt = new Adam([w], { lr: 1e-2 });
    const step = compile(() => {
      const loss = sum(w.mul(w));
      loss.backward();
      opt.step();
      return loss;
    });
    tidy(() => void step());
    step.dispose();
    expect(() => step()).toThrow(/compile: this compiled step was disposed/);
    w.grad?.dispose();
    w.dispose();
    opt.dispose();
    expect(liveTensors()).toBe(0);
  });
});

describe('the engine', () => {
  it('setBackend: calls take effect in order, the last one wins', async () => {
    const first = setBackend('webgpu');
    expect(await setBackend('cpu')).toBe('cpu');
    await first;
    expect(getBackend()).toBe('cpu');
  }, 60_000);

  it('empty tensors read as empty; the mean of no values is NaN (as in PyTorch)', () => {
    expect(zeros([0]).dataSync().length).toBe(0);
    expect(zeros([0, 3]).dataSync().length).toBe(0);
    expect(Number.isNaN(mean(zeros([0])).dataSync()[0])).toBe(true);
  });

  it('refuses a huge allocation before making it, naming op, shape and bytes, and leaks nothing', () => {
    const before = liveTensors();
    expect(() => zeros([2 ** 31])).toThrow(/zeros: cannot allocate a float32 tensor of shape \[2147483648\] \(2147483648 elements, 8589934592 bytes\): the largest tensor is 4 GiB/);
    expect(() => zeros([2 ** 26, 64])).toThrow(/shape \[67108864, 64\] .*17179869184 bytes/);
    expect(() => randn([2 ** 26, 64], createRng(1))).toThrow(/randn: cannot allocate/);
    expect(liveTensors()).toBe(before);
  });

  it('tidy: refuses an async fn before running it, and keeps tensors in arrays, Maps, Sets, class instances and cycles', () => {
    const before = liveTensors();
    expect(() => tidy((async () => zeros([2])) as unknown as () => Tensor)).toThrow(/tidy: fn returned a Promise, or would: it is an async function, refused before it runs/);
    expect(() => tidy(() => Promise.resolve(zeros([2])) as unknown as Tensor)).toThrow(/tidy: fn returned a Promise/);
    expect(liveTensors()).toBe(before);
    class Holder {
      constructor(readonly t: Tensor) {}
    }
    const cyclic: Record<string, unknown> = {};
    const kept = tidy(() => {
      cyclic.self = cyclic;
      cyclic.t = tensor([1, 2]);
      return { map: new Map([['a', tensor([3])]]), set: new Set([tensor([4])]), holder: new Holder(tensor([5])), cyclic, dropped: void tensor([6]) };
    });
    expect([kept.map.get('a')!, [...kept.set][0], kept.holder.t, cyclic.t as Tensor].map((t) => t.isDisposed)).toEqual([false, false, false, false]);
    expect(liveTensors()).toBe(before + 4);
    for (const t of [kept.map.get('a')!, [...kept.set][0], kept.holder.t, cyclic.t as Tensor]) t.dispose();
  });

  it("option checks see own properties only: 'toString', 'constructor', '__proto__' are unknown", () => {
    const spec = { lr: 'number' } as const;
    expect(() => checkOptions('Adam', { toString: 0.1 }, spec)).toThrow(/Adam: unknown option 'toString'/);
    expect(() => checkOptions('Adam', { constructor: 5 }, spec)).toThrow(/Adam: unknown option 'constructor'/);
    expect(() => checkOptions('Adam', JSON.parse('{"__proto__": {"lr": 5}}'), spec)).toThrow(/Adam: unknown option '__proto__'/);
    expect(() => checkOptions('Adam', Object.create({ lr: 'x' }), spec)).toThrow(/expected a plain options object/);
  });

  it("tensor(['1']) names the string", () => {
    expect(() => tensor(['1'] as unknown as number[])).toThrow(/tensor: value at flat index 0 is the string "1" \(convert with Number\(\) first\)/);
  });
});

describe('values read from files are checked like values typed in', () => {
  let good = '';
  beforeAll(() => {
    writeFileSync(join(dir, 'good.csv'), normalCsv(64, 1));
    expect(gradlab('train', '--data', 'good.csv', '--epochs', '1', '--save', 'good.json', '--json').status).toBe(0);
    good = readFileSync(join(dir, 'good.json'), 'utf8');
  }, 60_000);

  it('a checkpoint with a counter of 2^53, counts of 1e300 or data of 1e30 is refused with exit 2', () => {
    const edits: [string, (c: Record<string, unknown>) => void, RegExp][] = [
      ['counter', (c) => ((c.rng as Record<string, number>).counter = 2 ** 53), /"rng" counter 9007199254740992 is outside 0 to 2\^53 − 1/],
      ['epochs', (c) => (c.epoch = 1e300), /"epoch" must be a whole number from 0 to 2\^53 − 1/],
      ['data', (c) => ((c.data as number[])[5] = 1e30), /"data" value 5 is 1e\+30; the models train on data of magnitude up to 1e\+6/],
    ];
    for (const [name, edit, message] of edits) {
      const c = JSON.parse(good) as Record<string, unknown>;
      edit(c);
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(c));
      const r = gradlab('train', '--resume', `${name}.json`, '--epochs', '1');
      expect(r.status, r.stderr).toBe(2);
      expect(lastLine(r.stderr)).toMatch(message);
    }
  }, 60_000);

  it('a checkpoint with a byte-order mark is refused naming the BOM', () => {
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${good}`);
    const r = gradlab('train', '--resume', 'bom.json', '--epochs', '1');
    expect(r.status).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/starts with a byte-order mark \(BOM/);
  });

  it('--d-dropout resumes bit for bit', () => {
    const whole = gradlab('train', '--target', 'normal', '--d-dropout', '0.3', '--epochs', '2', '--json');
    expect(gradlab('train', '--target', 'normal', '--d-dropout', '0.3', '--epochs', '1', '--save', 'half.json', '--json').status).toBe(0);
    const resumed = gradlab('train', '--resume', 'half.json', '--epochs', '1', '--json');
    const pick = (s: string) => {
      const j = JSON.parse(lastLine(s));
      delete j.seconds;
      return j;
    };
    expect(pick(resumed.stdout)).toEqual(pick(whole.stdout));
  }, 120_000);

  it('CSV: labels beyond int32 are refused; data with no spread or a tiny one is refused naming the data, not the learning rate', () => {
    const rng = createRng(9);
    writeFileSync(join(dir, 'labels.csv'), Array.from({ length: 40 }, (_, i) => `${(rng.normal() + 4).toFixed(4)},${i === 3 ? '4294967297' : i % 2}`).join('\n'));
    const labels = gradlab('train', '--data', 'labels.csv', '--conditional', '--label-column', '2', '--epochs', '1');
    expect(labels.status).toBe(2);
    expect(lastLine(labels.stderr)).toMatch(/class label '4294967297' is beyond the largest label, 2147483647/);
    writeFileSync(join(dir, 'tiny.csv'), Array.from({ length: 64 }, () => String(1e-30 * (4 + rng.normal()))).join('\n'));
    writeFileSync(join(dir, 'flat.csv'), Array.from({ length: 64 }, () => '4.5').join('\n'));
    for (const model of ['gan', 'vae', 'rbm', 'diffusion']) {
      for (const [file, message] of [['tiny.csv', /has a spread of .*Rescale the data/], ['flat.csv', /holds the same value \(4\.5\) in every row/]] as const) {
        const r = gradlab('train', '--model', model, '--data', file, '--epochs', '1', '--lr', '1e-6');
        expect(r.status, `${model} ${file}`).toBe(2);
        expect(lastLine(r.stderr)).toMatch(message);
        expect(r.stderr).not.toMatch(/learning rate/);
      }
    }
  }, 120_000);

  it('CSV: decimal commas with one digit and thousands separators are read as two columns with a warning naming --delimiter', () => {
    const rng = createRng(11);
    const decimal = Array.from({ length: 40 }, () => `${Math.floor(15 + 10 * rng.uniform())},${Math.floor(10 * rng.uniform())}`).join('\n');
    const parsed = parseCsv(decimal, 'weather.csv');
    expect(parsed.dim).toBe(2);
    expect(parsed.warnings?.[0]).toMatch(/weather\.csv, line 1: '\d+,\d' could be one number with a decimal comma; it was read as two columns\. Give --delimiter ','/);
    const thousands = Array.from({ length: 40 }, () => `${1 + Math.floor(8 * rng.uniform())},0${Math.floor(10 + 80 * rng.uniform())}.${Math.floor(10 * rng.uniform())}`).join('\n');
    expect(parseCsv(thousands, 'pressure.csv').warnings?.[0]).toMatch(/could be one number with a thousands separator/);
    // All in the thousands: column 1 holds one value, and the refusal names the likely cause.
    expect(() => parseCsv(thousands.replace(/^\d,/gm, '1,'), 'flat.csv')).toThrow(/holds the same value \(1\) in every row.*Note: .*thousands separator/);
    expect(parseCsv(decimal, 'weather.csv', { delimiter: ',' }).warnings).toBeUndefined();
    writeFileSync(join(dir, 'weather.csv'), decimal);
    const r = gradlab('train', '--data', 'weather.csv', '--epochs', '1', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/could be one number with a decimal comma.*--delimiter/);
  }, 60_000);

  it('the row pre-count sees lines that start with a space and CR-only line ends', () => {
    expect(countNumericLines(Buffer.from(' 1\n  2\n\t3\nx\n'), 100)).toBe(3);
    expect(countNumericLines(Buffer.from('1\r2\r3\r'), 100)).toBe(3);
    expect(countNumericLines(Buffer.from('1\r\n2\r\n'), 100)).toBe(2);
  });
});

describe('messages', () => {
  it('escape control bytes from user input, everywhere', () => {
    expect(escapeControls('\u001b]0;pwned\u0007')).toBe('\\x1b]0;pwned\\x07');
    for (const args of [['--model', '\u001b]0;pwned\u0007'], ['--target', '\u001b[31mred'], ['--target', 'normal', '--save', join(dir, 'no\u001bdir', 'x.json')], ['--data', 'a\u0007b.csv']]) {
      const r = gradlab('train', ...args, '--epochs', '1');
      expect(r.status).toBe(2);
      expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(r.stderr).toMatch(/\\x(1b|07)/);
    }
    const unknown = gradlab('\u001b]0;x\u0007');
    expect(unknown.stderr).not.toMatch(/\u001b/);
  }, 60_000);

  it('--save -h, --delimiter with --target and --constructor name the real problem with exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['--target', 'normal', '--save', '-h'], /--save needs a value; '-h' looks like an option/],
      [['--target', 'normal', '--delimiter', ';'], /--delimiter is the column separator of --data FILE/],
      [['--target', 'normal', '--constructor', '5'], /unknown option --constructor/],
      [['--target', 'normal', '--toString', '5'], /unknown option --toString/],
      [['--target', 'normal', '--__proto__', '5'], /unknown option --__proto__/],
    ];
    for (const [args, message] of cases) {
      const r = gradlab('train', ...args, '--epochs', '1');
      expect(r.status, args.join(' ')).toBe(2);
      expect(lastLine(r.stderr)).toMatch(message);
    }
  }, 60_000);
});
