// The op cases every gradient test shares: one list, used by the CPU gradcheck tests, by the
// `gradlab gradcheck` command, and by the WebGPU-vs-CPU comparisons.
//
// A case names an op (or a small graph), the shapes of its inputs, how to draw fresh random
// inputs for it, and the function to differentiate. Inputs are kept away from the points where
// an op has a kink (relu, abs, clamp, max) or is undefined (log, sqrt of x <= 0), so that a
// central difference with step h ≈ 1e-6 never straddles one. Constants that an op needs but
// that are not differentiated (targets, indices) are fixed arrays made once, below.

import { currentBackend, findBackend, useBackend, type DType } from './backend';
import { CpuBackend } from '../kernels/cpu/backend';
import type { GradcheckOptions, GradcheckResult, GradcheckWorst } from './gradcheck';
// Through the public surface, which also installs the default (CPU) backend.
import {
  add, batchNorm, bce, gradgradcheck, bceWithLogits, clamp, concat, div, exp, gather, gaussianKl, leakyRelu, linear,
  logSoftmax, matmul, max, mean, mse, mul, neg, pow, relu, reshape, sigmoid, slice, sliceAxis,
  softmax, sub, sum, tensor, transpose, gradcheck, createRng, formatShape,
  cast, expand, maximum, min, minimum, permute, squeeze, stack, std, unsqueeze, variance, where,
  type Rng, type Tensor,
} from './index';
import { sizeOf } from './shape';
import { unaryOp } from './ops/unary';
import { unaryDef, unaryOps, type UnaryOp } from './ops/unary-table';
import { binaryDef, binaryOps, type BinaryOp } from './ops/binary-table';
import { binaryOp } from './ops/elementwise';

export interface OpCase {
  /** Unique, e.g. 'add [3,4]+[4]' or 'softmax axis 0'. */
  name: string;
  /** The shape of each input, in the order fn takes them. */
  shapes: number[][];
  /** Fresh random values for each input (flat, row-major), kept away from kinks. */
  make(rng: Rng): Float64Array[];
  fn: (...inputs: Tensor[]) => Tensor;
}

// ---------- input generators: n values each ----------

type Gen = (rng: Rng, n: number) => Float64Array;

function uniformIn(lo: number, hi: number): Gen {
  return (rng, n) => Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

/** Standard-ish values in (-2, 2). */
const anyValue: Gen = uniformIn(-2, 2);

/** |x| in [lo, hi] with a random sign: away from the kink at 0 (relu, abs, leakyRelu, 1/x). */
function awayFromZero(lo = 0.1, hi = 2): Gen {
  return (rng, n) => Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng.uniform()));
}

/** Positive values (log, sqrt, fractional powers). */
const positive: Gen = uniformIn(0.2, 2);

/** Values in (-1, 1) at least `gap` away from each of `kinks` (clamp's edges). */
function avoiding(kinks: number[], gap = 0.05): Gen {
  return (rng, n) => Float64Array.from({ length: n }, () => {
    for (;;) {
      const x = -1 + 2 * rng.uniform();
      if (kinks.every((k) => Math.abs(x - k) > gap)) return x;
    }
  });
}

/** Distinct values, at least 0.2 apart in a random order (max has a kink where two tie). */
const distinct: Gen = (rng, n) => {
  const v = Float64Array.from({ length: n }, (_, i) => -2 + 0.3 * i + 0.05 * rng.uniform());
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
};

/** Probabilities in (0.05, 0.95) (bce is clamped near 0 and 1). */
const probability: Gen = uniformIn(0.05, 0.95);

/** A case whose inputs each come from one generator (the last one repeats). */
function opCase(name: string, shapes: number[][], gens: Gen | Gen[], fn: (...inputs: Tensor[]) => Tensor): OpCase {
  const list = Array.isArray(gens) ? gens : [gens];
  return {
    name,
    shapes,
    make: (rng) => shapes.map((s, i) => (list[i] ?? list[list.length - 1])(rng, sizeOf(s))),
    fn,
  };
}

// ---------- constants (not differentiated), fixed once ----------

const constRng = createRng(20240601);
/** A float32-exact constant tensor made on the current backend (for targets). */
const constant = (values: Float64Array | number[], shape: number[]): (() => Tensor) => {
  const v = Float32Array.from(values);
  return () => tensor(v, shape);
};
const target43 = constant(uniformIn(0, 1)(constRng, 12), [4, 3]);
const labels41 = constant([1, 0, 0, 1], [4, 1]);
const target41 = constant(anyValue(constRng, 4), [4, 1]);
const target4 = constant(anyValue(constRng, 4), [4]);

// ---------- the cases ----------

const s = (...dims: number[]): number[] => dims;

const arithmetic: OpCase[] = [
  opCase('add [3,4]+[3,4]', [s(3, 4), s(3, 4)], anyValue, (a, b) => add(a, b)),
  opCase('add [3,4]+[4]', [s(3, 4), s(4)], anyValue, (a, b) => add(a, b)),
  opCase('add [4]+[3,4]', [s(4), s(3, 4)], anyValue, (a, b) => add(a, b)),
  opCase('add [3,1]+[1,4]', [s(3, 1), s(1, 4)], anyValue, (a, b) => add(a, b)),
  opCase('add [2,3,4]+[3,1]', [s(2, 3, 4), s(3, 1)], anyValue, (a, b) => add(a, b)),
  opCase('add tensor+number', [s(3, 4)], anyValue, (a) => add(a, 1.5)),
  opCase('add number+tensor', [s(3, 4)], anyValue, (a) => add(-0.5, a)),
  opCase('sub [3,4]-[3,4]', [s(3, 4), s(3, 4)], anyValue, (a, b) => sub(a, b)),
  opCase('sub [3,4]-[4]', [s(3, 4), s(4)], anyValue, (a, b) => sub(a, b)),
  opCase('sub [3,1]-[1,4]', [s(3, 1), s(1, 4)], anyValue, (a, b) => sub(a, b)),
  opCase('sub [4]-[2,3,4]', [s(4), s(2, 3, 4)], anyValue, (a, b) => sub(a, b)),
  opCase('sub tensor-number', [s(3, 4)], anyValue, (a) => sub(a, 0.7)),
  opCase('sub number-tensor', [s(3, 4)], anyValue, (a) => sub(2, a)),
  opCase('mul [3,4]*[3,4]', [s(3, 4), s(3, 4)], anyValue, (a, b) => mul(a, b)),
  opCase('mul [3,1]*[1,4]', [s(3, 1), s(1, 4)], anyValue, (a, b) => mul(a, b)),
  opCase('mul [3,4]*[4]', [s(3, 4), s(4)], anyValue, (a, b) => mul(a, b)),
  opCase('mul [2,3,4]*[3,1]', [s(2, 3, 4), s(3, 1)], anyValue, (a, b) => mul(a, b)),
  opCase('mul tensor*number', [s(3, 4)], anyValue, (a) => mul(a, 2.5)),
  opCase('mul number*tensor', [s(3, 4)], anyValue, (a) => mul(-3, a)),
  opCase('div [3,4]/[3,4]', [s(3, 4), s(3, 4)], [anyValue, awayFromZero(0.5)], (a, b) => div(a, b)),
  opCase('div [2,3,4]/[3,1]', [s(2, 3, 4), s(3, 1)], [anyValue, awayFromZero(0.5)], (a, b) => div(a, b)),
  opCase('div [4]/[3,4]', [s(4), s(3, 4)], [anyValue, awayFromZero(0.5)], (a, b) => div(a, b)),
  opCase('div [3,1]/[1,4]', [s(3, 1), s(1, 4)], [anyValue, awayFromZero(0.5)], (a, b) => div(a, b)),
  opCase('div tensor/number', [s(3, 4)], anyValue, (a) => div(a, 4)),
  opCase('div number/tensor', [s(3, 4)], awayFromZero(0.5), (a) => div(1.5, a)),
];

/** One case per row of the op table (its `check`): every elementwise function is gradchecked by construction. */
const tableRows: OpCase[] = (Object.keys(unaryOps) as UnaryOp[]).flatMap((op) => {
  const check = unaryDef(op).check;
  if (check === null) return [];
  const { lo, hi, alpha = 0, beta = 0, avoid = [] } = check;
  const gen: Gen = (rng, n) => Float64Array.from({ length: n }, () => {
    for (;;) {
      const x = lo + (hi - lo) * rng.uniform();
      if (avoid.every((k) => Math.abs(x - k) > 0.05)) return x;
    }
  });
  return [opCase(op, [s(3, 4)], gen, (x) => unaryOp(op, op, x, alpha, beta))];
});

/** Values in [lo, hi) on a grid of step 0.3 shifted by `shift`, plus up to 0.05: draws with shifts 0 and 0.15 differ by ≥ 0.1. */
function staggered([lo, hi]: [number, number], shift: number): Gen {
  const steps = Math.max(1, Math.floor((hi - lo - shift - 0.05) / 0.3));
  return (rng, n) => Float64Array.from({ length: n }, () => lo + shift + 0.3 * rng.int(steps) + 0.05 * rng.uniform());
}

/**
 * Two cases per row of the binary table (its `check`), same shapes and broadcast: every
 * elementwise function of two inputs is gradchecked by construction. An input the row sends no
 * gradient to (a mask, a target) is a constant of the case.
 */
const binaryTableRows: OpCase[] = (Object.keys(binaryOps) as BinaryOp[]).flatMap((op) => {
  const { check, rule } = binaryDef(op);
  if (check === null) return [];
  const genA = check.apart ? staggered(check.a, 0) : uniformIn(...check.a);
  const genB: Gen = check.apart ? staggered(check.b, 0.15)
    : check.mask ? (rng, n) => Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 0 : 1))
    : uniformIn(...check.b);
  return ([[s(3, 4), s(3, 4)], [s(2, 3, 4), s(3, 1)]] as const).map(([aShape, bShape]) => {
    const name = `${op} (binary table) ${formatShape(aShape)}·${formatShape(bShape)}`;
    if (rule.b !== null) return opCase(name, [aShape, bShape], [genA, genB], (a, b) => binaryOp(op, op, a, b));
    const b = constant(genB(constRng, sizeOf(bShape)), bShape);
    return opCase(name, [aShape], genA, (a) => binaryOp(op, op, a, b()));
  });
});

/** The public functions, with other constants than the table's. */
const unary: OpCase[] = [
  opCase('neg', [s(3, 4)], anyValue, (x) => neg(x)),
  opCase('pow 2', [s(3, 4)], anyValue, (x) => pow(x, 2)),
  opCase('pow 3', [s(3, 4)], anyValue, (x) => pow(x, 3)),
  opCase('pow -1', [s(3, 4)], awayFromZero(0.5), (x) => pow(x, -1)),
  opCase('pow -2', [s(3, 4)], awayFromZero(0.5), (x) => pow(x, -2)),
  opCase('pow 0.5', [s(3, 4)], positive, (x) => pow(x, 0.5)),
  opCase('pow -0.5', [s(3, 4)], positive, (x) => pow(x, -0.5)),
  opCase('clamp [-0.5, 0.5]', [s(3, 4)], avoiding([-0.5, 0.5]), (x) => clamp(x, -0.5, 0.5)),
  opCase('leakyRelu 0.01', [s(3, 4)], awayFromZero(0.05), (x) => leakyRelu(x, 0.01)),
];

const softmaxes: OpCase[] = [
  opCase('softmax [3,4] axis 0', [s(3, 4)], anyValue, (x) => softmax(x, 0)),
  opCase('softmax [3,4] axis 1', [s(3, 4)], anyValue, (x) => softmax(x, 1)),
  opCase('softmax [2,3,4] axis 1', [s(2, 3, 4)], anyValue, (x) => softmax(x, 1)),
  opCase('softmax [2,3,4] axis -1', [s(2, 3, 4)], anyValue, (x) => softmax(x, -1)),
  opCase('logSoftmax [3,4] axis 0', [s(3, 4)], anyValue, (x) => logSoftmax(x, 0)),
  opCase('logSoftmax [3,4] axis 1', [s(3, 4)], anyValue, (x) => logSoftmax(x, 1)),
  opCase('logSoftmax [2,3,4] axis 0', [s(2, 3, 4)], anyValue, (x) => logSoftmax(x, 0)),
  opCase('logSoftmax [2,3,4] axis 1', [s(2, 3, 4)], anyValue, (x) => logSoftmax(x, 1)),
];

const reductions: OpCase[] = [];
for (const [op, f, gen] of [['sum', sum, anyValue], ['mean', mean, anyValue], ['max', max, distinct]] as const) {
  reductions.push(
    opCase(`${op} all`, [s(3, 4)], gen, (x) => f(x)),
    opCase(`${op} all keepDims`, [s(3, 4)], gen, (x) => f(x, undefined, true)),
    opCase(`${op} axis 0`, [s(3, 4)], gen, (x) => f(x, 0)),
    opCase(`${op} axis 1`, [s(3, 4)], gen, (x) => f(x, 1)),
    opCase(`${op} axis 1 keepDims`, [s(3, 4)], gen, (x) => f(x, 1, true)),
    opCase(`${op} [2,3,4] axis 1`, [s(2, 3, 4)], gen, (x) => f(x, 1)),
    opCase(`${op} [2,3,4] axis -1 keepDims`, [s(2, 3, 4)], gen, (x) => f(x, -1, true)),
  );
}

const products: OpCase[] = [
  opCase('matmul [3,4]·[4,5]', [s(3, 4), s(4, 5)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [2,3,4]·[2,4,5]', [s(2, 3, 4), s(2, 4, 5)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [2,3,4]·[4,5]', [s(2, 3, 4), s(4, 5)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [3,4]·[2,4,5]', [s(3, 4), s(2, 4, 5)], anyValue, (a, b) => matmul(a, b)),
  opCase('transpose [3,4]', [s(3, 4)], anyValue, (x) => transpose(x)),
  opCase('linear', [s(4, 3), s(3, 5), s(5)], anyValue, (x, w, b) => linear(x, w, b)),
  opCase('linear no bias', [s(4, 3), s(3, 5)], anyValue, (x, w) => linear(x, w)),
  opCase('linear relu', [s(4, 3), s(3, 5), s(5)], anyValue, (x, w, b) => linear(x, w, b, 'relu')),
  opCase('linear leakyRelu 0.1', [s(4, 3), s(3, 5), s(5)], anyValue, (x, w, b) => linear(x, w, b, 'leakyRelu', 0.1)),
  opCase('linear sigmoid', [s(4, 3), s(3, 5), s(5)], anyValue, (x, w, b) => linear(x, w, b, 'sigmoid')),
  opCase('linear tanh', [s(4, 3), s(3, 5), s(5)], anyValue, (x, w, b) => linear(x, w, b, 'tanh')),
  opCase('linear tanh no bias', [s(4, 3), s(3, 5)], anyValue, (x, w) => linear(x, w, null, 'tanh')),
];

const layout: OpCase[] = [
  opCase('reshape [3,4]->[2,6]', [s(3, 4)], anyValue, (x) => mul(reshape(x, [2, 6]), reshape(x, [2, 6]))),
  opCase('reshape [2,3,4]->[-1,4]', [s(2, 3, 4)], anyValue, (x) => reshape(x, [-1, 4])),
  opCase('concat axis 0, 2 parts', [s(2, 3), s(3, 3)], anyValue, (a, b) => concat([a, b], 0)),
  opCase('concat axis 0, 3 parts', [s(1, 3), s(2, 3), s(2, 3)], anyValue, (a, b, c) => concat([a, b, c], 0)),
  opCase('concat axis 1, 2 parts', [s(3, 2), s(3, 4)], anyValue, (a, b) => concat([a, b], 1)),
  opCase('concat axis 1, 3 parts', [s(2, 1, 2), s(2, 3, 2), s(2, 2, 2)], anyValue, (a, b, c) => concat([a, b, c], 1)),
  opCase('concat [x, x] axis 1', [s(2, 3)], anyValue, (a) => concat([a, a], 1)),
  opCase('concat axis -1, 2 parts', [s(2, 3, 2), s(2, 3, 1)], anyValue, (a, b) => concat([a, b], -1)),
  opCase('slice [1, 4)', [s(5, 3)], anyValue, (x) => slice(x, 1, 4)),
  opCase('slice [-3, -1)', [s(5, 3)], anyValue, (x) => slice(x, -3, -1)),
  opCase('slice [2, end)', [s(5, 3)], anyValue, (x) => slice(x, 2)),
  opCase('sliceAxis axis 1 [1, 3)', [s(2, 4, 3)], anyValue, (x) => sliceAxis(x, 1, 1, 3)),
  opCase('gather rows [0,2,2,3,0]', [s(4, 3)], anyValue, (x) => gather(x, [0, 2, 2, 3, 0])),
  opCase('gather 1-D [4,4,1]', [s(5)], anyValue, (x) => gather(x, [4, 4, 1])),
];

/** A 0/1 mask of `shape` (where's condition), fixed once. */
const mask = (shape: number[]): (() => Tensor) => constant(Float64Array.from({ length: sizeOf(shape) }, () => (constRng.uniform() < 0.5 ? 0 : 1)), shape);
const mask34 = mask([3, 4]);
const mask4 = mask([4]);
const mask31 = mask([3, 1]);

/** PyTorch's ops (docs/ops.md): choices, axes, dtype. */
const pytorchOps: OpCase[] = [
  opCase('where [3,4] ? [3,4] : [3,4]', [s(3, 4), s(3, 4)], anyValue, (a, b) => where(mask34(), a, b)),
  opCase('where [4] ? [3,4] : [3,1] (broadcast)', [s(3, 4), s(3, 1)], anyValue, (a, b) => where(mask4(), a, b)),
  opCase('where [3,1] ? [4] : number', [s(4)], anyValue, (a) => where(mask31(), a, 0.5)),
  opCase('maximum [3,4],[4]', [s(3, 4), s(4)], [staggered([-2, 2], 0), staggered([-2, 2], 0.15)], (a, b) => maximum(a, b)),
  opCase('minimum [3,4],number', [s(3, 4)], staggered([-2, 2], 0), (a) => minimum(a, 0.05)),
  opCase('permute [2,3,4] -> [2,0,1]', [s(2, 3, 4)], anyValue, (x) => permute(x, [2, 0, 1])),
  opCase('permute [2,3,1,4] -> [3,1,0,2]', [s(2, 3, 1, 4)], anyValue, (x) => mul(permute(x, [3, 1, 0, 2]), permute(x, [3, 1, 0, 2]))),
  opCase('transpose [2,3,4] axes 0,2', [s(2, 3, 4)], anyValue, (x) => transpose(x, 0, 2)),
  opCase('transpose [2,3,4] axes -1,-2', [s(2, 3, 4)], anyValue, (x) => transpose(x, -1, -2)),
  opCase('squeeze [3,1,4,1]', [s(3, 1, 4, 1)], anyValue, (x) => mul(squeeze(x), squeeze(x))),
  opCase('squeeze [3,1,4] axis 1', [s(3, 1, 4)], anyValue, (x) => squeeze(x, 1)),
  opCase('unsqueeze [3,4] axis -1', [s(3, 4)], anyValue, (x) => mul(unsqueeze(x, -1), unsqueeze(x, -1))),
  opCase('expand [3,1] -> [2,3,4]', [s(3, 1)], anyValue, (x) => expand(x, [2, 3, 4])),
  opCase('expand [1,4] -> [3,-1]', [s(1, 4)], anyValue, (x) => mul(expand(x, [3, -1]), expand(x, [3, 4]))),
  opCase('stack 3 × [2,3] axis 1', [s(2, 3), s(2, 3), s(2, 3)], anyValue, (a, b, c) => stack([a, b, c], 1)),
  opCase('stack [x, x] axis -1', [s(3, 2)], anyValue, (x) => stack([x, x], -1)),
  opCase('cast to its own dtype', [s(3, 4)], anyValue, (x) => mul(cast(x, x.dtype), x)),
  // Statistics and reductions over a list of axes.
  opCase('min all', [s(3, 4)], distinct, (x) => min(x)),
  opCase('min [2,3,4] axis 1 keepDims', [s(2, 3, 4)], distinct, (x) => min(x, 1, true)),
  opCase('min [2,3,4] axes [0,2]', [s(2, 3, 4)], distinct, (x) => min(x, [0, 2])),
  opCase('sum [2,3,4] axes [0,2]', [s(2, 3, 4)], anyValue, (x) => sum(x, [0, 2])),
  opCase('sum [2,3,4] axes [-1,1] keepDims', [s(2, 3, 4)], anyValue, (x) => sum(x, [-1, 1], true)),
  opCase('mean [2,3,4] axes [0,2] keepDims', [s(2, 3, 4)], anyValue, (x) => mean(x, [0, 2], true)),
  opCase('max [2,3,4] axes [0,2]', [s(2, 3, 4)], distinct, (x) => max(x, [0, 2])),
  opCase('variance all', [s(3, 4)], anyValue, (x) => variance(x)),
  opCase('variance axis 1 biased', [s(3, 4)], anyValue, (x) => variance(x, 1, { unbiased: false })),
  opCase('variance [2,3,4] axes [0,2] keepDims', [s(2, 3, 4)], anyValue, (x) => variance(x, [0, 2], { keepDims: true })),
  opCase('std all', [s(3, 4)], anyValue, (x) => std(x)),
  opCase('std [2,3,4] axis 0', [s(2, 3, 4)], anyValue, (x) => std(x, 0)),
  // gather along any axis, negative indices from the end.
  opCase('gather [3,5] axis 1 [4,-1,0,0]', [s(3, 5)], anyValue, (x) => gather(x, [4, -1, 0, 0], 1)),
  opCase('gather [2,3,4] axis -1 [-4,2]', [s(2, 3, 4)], anyValue, (x) => gather(x, [-4, 2], -1)),
  opCase('gather [5] [-1,-5,2]', [s(5)], anyValue, (x) => gather(x, [-1, -5, 2])),
  // matmul with PyTorch's rules.
  opCase('matmul [4]·[4] (dot)', [s(4), s(4)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [4]·[4,5]', [s(4), s(4, 5)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [3,4]·[4]', [s(3, 4), s(4)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [2,3,4]·[4]', [s(2, 3, 4), s(4)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [4]·[2,4,3]', [s(4), s(2, 4, 3)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [2,1,3,4]·[3,4,2] (batch broadcast)', [s(2, 1, 3, 4), s(3, 4, 2)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [2,1,3,4]·[4,2] (4-D by 2-D)', [s(2, 1, 3, 4), s(4, 2)], anyValue, (a, b) => matmul(a, b)),
  opCase('matmul [1,3,4]·[2,4,2]', [s(1, 3, 4), s(2, 4, 2)], anyValue, (a, b) => matmul(a, b)),
];

const losses: OpCase[] = [
  opCase('bce tensor target', [s(4, 3)], probability, (p) => bce(p, target43())),
  opCase('bce labelSmoothing 0.1', [s(4, 3)], probability, (p) => bce(p, target43(), { labelSmoothing: 0.1 })),
  opCase('bce number target', [s(4, 3)], probability, (p) => bce(p, 1)),
  opCase('bceWithLogits', [s(4, 3)], uniformIn(-4, 4), (z) => bceWithLogits(z, target43())),
  opCase('bceWithLogits labelSmoothing 0.1', [s(4, 3)], uniformIn(-4, 4), (z) => bceWithLogits(z, target43(), { labelSmoothing: 0.1 })),
  opCase('bceWithLogits number target', [s(4, 3)], uniformIn(-4, 4), (z) => bceWithLogits(z, 0)),
  opCase('bceWithLogits number target smoothed', [s(5, 1)], uniformIn(-4, 4), (z) => bceWithLogits(z, 1, { labelSmoothing: 0.2 })),
  opCase('bce number target 0.3 smoothed', [s(3, 2)], probability, (p) => bce(p, 0.3, { labelSmoothing: 0.1 })),
  opCase('mse [4,1] vs [4,1]', [s(4, 1)], anyValue, (p) => mse(p, target41())),
  opCase('mse [4,1] vs [4]', [s(4, 1)], anyValue, (p) => mse(p, target4())),
  opCase('gaussianKl', [s(3, 2), s(3, 2)], [anyValue, uniformIn(-1.5, 1.5)], (mu, logVar) => gaussianKl(mu, logVar)),
];

const layers: OpCase[] = [
  opCase('batchNorm [5,3]', [s(5, 3), s(3), s(3)], anyValue, (x, gamma, beta) => batchNorm(x, gamma, beta).y),
  opCase('batchNorm [8,2]', [s(8, 2), s(2), s(2)], anyValue, (x, gamma, beta) => batchNorm(x, gamma, beta).y),
];

const graphs: OpCase[] = [
  opCase('x*x + x (x used three times)', [s(3, 4)], anyValue, (x) => add(mul(x, x), x)),
  opCase('exp(x)·sigmoid(x) − Σx (fan-out)', [s(3, 4)], anyValue, (x) => sub(mul(exp(x), sigmoid(x)), sum(x))),
  opCase('MLP + bceWithLogits', [s(4, 3), s(3, 5), s(5), s(5, 1), s(1)], anyValue,
    (x, w1, b1, w2, b2) => bceWithLogits(linear(linear(x, w1, b1, 'tanh'), w2, b2), labels41())),
  opCase('MLP unfused (matmul, add, relu)', [s(4, 3), s(3, 5), s(5), s(5, 1)], anyValue,
    (x, w1, b1, w2) => mean(matmul(relu(add(matmul(x, w1), b1)), w2))),
  opCase('softmax cross-entropy', [s(4, 3)], anyValue, (z) => neg(mean(sum(mul(logSoftmax(z, 1), target43()), 1)))),
  // Size-1 axes: broadcasting against them, reducing them, a batch of one row.
  opCase('add [1,4]+[4]', [s(1, 4), s(4)], anyValue, (a, b) => add(a, b)),
  opCase('mul [1,1]*[3,4]', [s(1, 1), s(3, 4)], anyValue, (a, b) => mul(a, b)),
  opCase('sum [3,1] axis 1', [s(3, 1)], anyValue, (x) => sum(x, 1)),
  opCase('mean [1,4] axis 0 keepDims', [s(1, 4)], anyValue, (x) => mean(x, 0, true)),
  opCase('max [4,1] axis 1', [s(4, 1)], anyValue, (x) => max(x, 1)),
  opCase('softmax [1,4] axis 0', [s(1, 4)], anyValue, (x) => softmax(x, 0)),
  opCase('matmul [1,4]·[4,1]', [s(1, 4), s(4, 1)], anyValue, (a, b) => matmul(a, b)),
  opCase('linear batch of 1', [s(1, 3), s(3, 2), s(2)], anyValue, (x, w, b) => linear(x, w, b, 'sigmoid')),
  opCase('reshape [3,1,4]->[3,4]', [s(3, 1, 4)], anyValue, (x) => mul(reshape(x, [3, 4]), reshape(x, [3, 4]))),
];

/** Every case, in table order. */
export const opCases: OpCase[] = [...arithmetic, ...tableRows, ...binaryTableRows, ...unary, ...softmaxes, ...reductions, ...products, ...layout, ...pytorchOps, ...losses, ...layers, ...graphs];

// ---------- running the cases ----------

/** A deterministic seed per case, from its name: a case's inputs do not depend on the filter. */
export function caseSeed(name: string, seed = 0): number {
  let h = 2166136261; // FNV-1a
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return (h ^ seed) >>> 0;
}

/** The input shapes of a case, as printed in the table: '[3, 4] [4]'. */
export function formatCaseShapes(c: OpCase): string {
  return c.shapes.map(formatShape).join(' ');
}

/**
 * Tensors for a case's inputs, made on the current backend from case.make(createRng(caseSeed)).
 * The WebGPU comparisons call this twice (once per backend) and get the same values.
 */
export function makeCaseInputs(c: OpCase, options: { seed?: number; dtype?: DType; requiresGrad?: boolean } = {}): Tensor[] {
  const values = c.make(createRng(caseSeed(c.name, options.seed)));
  return values.map((v, i) => tensor(v, c.shapes[i], { dtype: options.dtype ?? 'float32', requiresGrad: options.requiresGrad ?? false }));
}

export interface GradcheckRow {
  name: string;
  /** The input shapes, e.g. '[3, 4] [4]'. */
  shape: string;
  maxAbsError: number;
  maxRelError: number;
  ok: boolean;
  /** Number of input elements compared. */
  checked: number;
  worst: GradcheckWorst | null;
  /** gradgradcheck only: the recorded rules' first gradient against the fused kernels' (relative). */
  ruleMismatch?: number;
  /** Set when the case threw instead of returning (the row then fails with NaN errors). */
  error?: string;
}

export interface SuiteOptions extends GradcheckOptions {
  /** Only cases whose name contains this text. */
  filter?: string;
  /** Mixed into every case's seed (default 0). */
  seed?: number;
  /** The cases to run (default: opCases). */
  cases?: readonly OpCase[];
  /** 1: gradients against differences of f (gradcheck); 2: second derivatives against differences of the gradient (gradgradcheck). */
  order?: 1 | 2;
}

/**
 * Gradcheck every case in float64 on the CPU backend (whatever the current backend is, which
 * is restored afterwards). A case that throws is reported as a failed row with NaN errors.
 */
export function runGradcheckSuite(options: SuiteOptions = {}): GradcheckRow[] {
  const cases = (options.cases ?? opCases).filter((c) => options.filter === undefined || c.name.includes(options.filter));
  const before = currentBackend();
  if (before.name !== 'cpu') useBackend(findBackend('cpu') ?? new CpuBackend());
  try {
    return cases.map((c) => {
      const inputs = makeCaseInputs(c, { seed: options.seed, dtype: 'float64' });
      try {
        const check: (f: OpCase['fn'], x: Tensor[], o: GradcheckOptions) => GradcheckResult = options.order === 2 ? gradgradcheck : gradcheck;
        const r = check(c.fn, inputs, { eps: options.eps, rtol: options.rtol, floor: options.floor });
        return { name: c.name, shape: formatCaseShapes(c), maxAbsError: r.maxAbsError, maxRelError: r.maxRelError, ok: r.ok, checked: r.checked, worst: r.worst, ruleMismatch: r.ruleMismatch };
      } catch (e) {
        return { name: c.name, error: (e as Error).message, shape: formatCaseShapes(c), maxAbsError: NaN, maxRelError: NaN, ok: false, checked: 0, worst: null };
      } finally {
        for (const t of inputs) t.dispose();
      }
    });
  } finally {
    if (before !== currentBackend()) useBackend(before);
  }
}
