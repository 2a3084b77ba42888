// docs/pytorch.md's tables, read from the page: every gradlab line runs, and where both columns
// give a tensor, a number, a boolean or a list, the PyTorch line (PyTorch 1.13) gives the same.
// The page and this test cannot drift: the rows are parsed from the markdown.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { runPython } from '../engine/pytorch/run-python.js';

interface Row { section: string; pytorch: string; gradlab: string }

/** The rows of every table whose header is | PyTorch | gradlab | Notes |, code taken from the backticks. */
function tableRows(markdown: string): Row[] {
  const rows: Row[] = [];
  let section = '';
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('#')) section = line.replace(/^#+\s*/, '');
    if (/^\| PyTorch \| gradlab \| Notes \|$/.test(line)) {
      inTable = true;
      continue;
    }
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    if (!inTable || line.startsWith('|---')) continue;
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
    const code = (cell: string): string => (/^`(.*)`$/.test(cell) ? cell.slice(1, -1) : cell);
    rows.push({ section, pytorch: code(cells[0]), gradlab: code(cells[1]) });
  }
  return rows;
}

const page = readFileSync(fileURLToPath(new URL('../../docs/pytorch.md', import.meta.url)), 'utf8');
const rows = tableRows(page);
const runnable = rows.filter((r) => !r.gradlab.startsWith('not supported'));

/**
 * Rows whose ops are still being added elsewhere: skipped only while `ready` is false (the export
 * missing, or the op not yet taking that form), and printed when the test runs. Empty: every row
 * runs. An entry reads { row: 'where(step(x), x, y)', ready: () => typeof g.where === 'function' }.
 */
const AWAITING_OPS: { row: string; ready: () => boolean }[] = [];

/** Rows whose values are random (or come from randomly initialised weights): only their shapes are compared. */
const RANDOM = new Set(['randn([2, 3], rng)', 'rand([2, 3], rng)', 'randint([4], 5, rng)', 'new Dropout(0.5, rng).forward(x)', 'net.forward(x)', 'clipGradNorm(net.parameters(), 1)']);
/** PyTorch lines this test cannot run: the `safetensors` Python package is not in Debian. */
const PY_NOT_RUN = new Set(['safetensors.torch.save(net.state_dict())', 'net.load_state_dict(safetensors.torch.load(data))']);

type Result =
  | { kind: 'tensor'; shape: number[]; values: number[] }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'numbers'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'other' | 'skipped' }
  | { error: string; kind?: undefined };

function flatNumbers(v: unknown): number[] | null {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) {
    const out: number[] = [];
    for (const e of v) {
      const f = flatNumbers(e);
      if (f === null) return null;
      out.push(...f);
    }
    return out;
  }
  return null;
}

/** A gradlab result described as the Python side describes PyTorch's. */
function describeResult(r: unknown): Result {
  if (r instanceof g.Tensor) return { kind: 'tensor', shape: [...r.shape], values: Array.from(r.dataSync()) };
  if (ArrayBuffer.isView(r) && !(r instanceof DataView)) return { kind: 'numbers', value: Array.from(r as Float32Array) };
  if (typeof r === 'boolean') return { kind: 'bool', value: r };
  if (typeof r === 'number') return { kind: 'number', value: r };
  if (Array.isArray(r) && r.length > 0 && r.every((e) => typeof e === 'string')) return { kind: 'strings', value: r as string[] };
  const nums = flatNumbers(r);
  if (nums !== null) return { kind: 'numbers', value: nums };
  return { kind: 'other' };
}

function valuesOf(r: Result): number[] | null {
  if (r.kind === 'tensor') return r.values;
  if (r.kind === 'numbers') return r.value;
  if (r.kind === 'number') return [r.value];
  return null;
}

/** Compare what both sides gave; returns what was compared ('' when nothing was). */
function compare(row: Row, ours: Result, theirs: Result): string {
  if (RANDOM.has(row.gradlab)) {
    if (ours.kind === 'tensor' && theirs.kind === 'tensor') expect(ours.shape, row.gradlab).toEqual(theirs.shape);
    return 'shape';
  }
  if (ours.kind === 'bool' && theirs.kind === 'bool') {
    expect(ours.value, row.gradlab).toBe(theirs.value);
    return 'value';
  }
  if (ours.kind === 'strings' && theirs.kind === 'strings') {
    expect(ours.value, row.gradlab).toEqual(theirs.value);
    return 'value';
  }
  const a = valuesOf(ours);
  const b = valuesOf(theirs);
  if (a === null || b === null) return '';
  if (ours.kind === 'tensor' && theirs.kind === 'tensor') expect(ours.shape, `${row.gradlab}: shape`).toEqual(theirs.shape);
  expect(a.length, `${row.gradlab}: number of values`).toBe(b.length);
  a.forEach((v, i) => {
    if (!(Math.abs(v - b[i]) <= 1e-5 * (1 + Math.abs(b[i])))) throw new Error(`${row.gradlab}: value ${i} is ${v}, PyTorch's ${row.pytorch} gives ${b[i]}`);
  });
  return 'value';
}

/** The page's tensors, and the names its rows assign (net, lin, opt). */
function context(): Record<string, unknown> {
  return {
    ...g,
    rng: g.createRng(0),
    x: g.tensor([[0.5, -1.2, 2.0], [-0.3, 0.8, 0.1]]),
    y: g.tensor([[1.5, 0.2, -0.7], [0.9, -2.0, 0.4]]),
    w: g.tensor([[0.1, 0.2, -0.3, 0.4], [0.5, -0.6, 0.7, 0.8], [-0.9, 1.0, 0.3, -0.2]]),
    v: g.tensor([1.0, -2.0, 0.5]),
    t01: g.tensor([[1, 0, 1], [0, 1, 0]]),
    t3: g.tensor(Array.from({ length: 24 }, (_, i) => i / 10), [2, 3, 4]),
    idx: g.tensor([2, 0, 1], { dtype: 'int32' }),
    p: g.tensor([0.3, -0.7, 1.1], { requiresGrad: true }),
    net: null,
    lin: null,
    opt: null,
  };
}

// A row's code runs with the context's names in scope (a `with` block, as a REPL would), its
// last statement's value being the result; a row with `await` runs as one async expression.
const runSync = new Function('ctx', 'code', 'with (ctx) { return eval(code); }') as (ctx: object, code: string) => unknown;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (ctx: object) => Promise<unknown>;

async function runRow(ctx: object, code: string): Promise<unknown> {
  if (code.includes('await ')) return new AsyncFunction('ctx', `with (ctx) { return (${code}); }`)(ctx);
  return runSync(ctx, code);
}

describe('docs/pytorch.md', () => {
  it('has at least 60 rows, each with a gradlab line or a reason, and AWAITING_OPS names real rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
    for (const r of rows) expect(r.gradlab.length, r.pytorch).toBeGreaterThan(0);
    for (const r of rows.filter((row) => row.gradlab.startsWith('not supported'))) expect(r.gradlab, r.pytorch).toMatch(/^not supported, because /);
    const lines = new Set(rows.map((r) => r.gradlab));
    for (const a of AWAITING_OPS) expect(lines.has(a.row), `AWAITING_OPS row '${a.row}' is not on the page`).toBe(true);
    for (const r of RANDOM) expect(lines.has(r), `RANDOM row '${r}' is not on the page`).toBe(true);
  });

  it('the comparison catches a wrong value, shape or name list', () => {
    const row = { section: '', pytorch: 'a', gradlab: 'b' };
    const t = (values: number[], shape = [values.length]): Result => ({ kind: 'tensor', shape, values });
    expect(compare(row, t([1, 2]), t([1, 2.000001]))).toBe('value'); // within float32 rounding
    expect(() => compare(row, t([1, 2]), t([1, 2.1]))).toThrow(/value 1 is 2, PyTorch's a gives 2.1/);
    expect(() => compare(row, t([1, 2], [2, 1]), t([1, 2]))).toThrow();
    expect(() => compare(row, { kind: 'strings', value: ['0.weight'] }, { kind: 'strings', value: ['weight'] })).toThrow();
    expect(compare(row, { kind: 'other' }, t([1]))).toBe('');
  });

  it('every gradlab line runs, and agrees with PyTorch wherever both give values', async () => {
    const awaiting = new Map(AWAITING_OPS.map((a) => [a.row, a.ready]));
    const skipped = runnable.filter((r) => awaiting.has(r.gradlab) && !(awaiting.get(r.gradlab) as () => boolean)());
    console.log(`AWAITING_OPS: ${skipped.length} of ${AWAITING_OPS.length} rows skipped until their ops arrive${skipped.length ? `: ${skipped.map((r) => r.gradlab).join(' | ')}` : ''}`);
    const theirs = runPython<Result[]>('run_table.py', runnable.map((r) => (PY_NOT_RUN.has(r.pytorch) ? null : r.pytorch)));
    const ctx = context();
    let compared = 0;
    for (const [i, row] of runnable.entries()) {
      const py = theirs[i];
      if (py.kind === undefined) throw new Error(`the PyTorch line of '${row.gradlab}' failed: ${row.pytorch}: ${py.error}`);
      if (skipped.includes(row)) continue;
      let result: unknown;
      try {
        result = await runRow(ctx, row.gradlab);
      } catch (e) {
        throw new Error(`docs/pytorch.md (${row.section}): '${row.gradlab}' failed: ${(e as Error).message}`);
      }
      if (compare(row, describeResult(result), py) !== '') compared++;
    }
    console.log(`docs/pytorch.md: ${runnable.length - skipped.length} gradlab lines ran, ${compared} compared with PyTorch`);
    expect(compared).toBeGreaterThan(40);
  });
});
