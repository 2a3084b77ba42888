// Every public op, forward and backward, on WebGPU (float32) against the CPU (float64), on
// fresh random inputs: the shared table of engine/gradcheck-suite.ts (small shapes), plus the
// table below (sizes that are and are not multiples of 64 / 16 / 4, both broadcasting
// directions, and edge inputs: logits of ±50, zeros under log, divisors near 0).
// Criterion: |gpu - cpu| <= 1e-4 · max(1, |cpu|) for every element (tests/webgpu/compare.ts).

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  abs, add, bce, bceWithLogits, clamp, concat, createRng, div, exp, gather, gaussianKl, leakyRelu, linear, log,
  logSoftmax, matmul, max, mean, mse, mul, neg, pow, relu, reshape, sigmoid, silu, slice, sliceAxis, softmax,
  softplus, sqrt, sub, sum, tanh, tensor, transpose, type Tensor,
} from '../../engine/index';
import { caseSeed, opCases } from '../../engine/gradcheck-suite';
import type { Backend } from '../../engine/backend';
import type { FusedActivation } from '../../engine/backend';
import { compareCase, values, sizeOfShape, type CompareCase } from './compare';
import { cpuBackend, gpuBackend } from './setup';

let gpu: Backend;
let cpu: Backend;
beforeAll(async () => {
  gpu = await gpuBackend();
  cpu = cpuBackend();
});

// The worst scaled error seen, printed at the end (how much room the 1e-4 criterion has).
let worstSeen = { error: 0, name: '' };
async function check(c: CompareCase): Promise<void> {
  const worst = await compareCase(cpu, gpu, c);
  if (worst > worstSeen.error) worstSeen = { error: worst, name: c.name };
  expect(worst).toBeLessThanOrEqual(1e-4);
}
afterAll(() => {
  console.log(`webgpu vs cpu: worst scaled error ${worstSeen.error.toExponential(2)} (${worstSeen.name})`);
});

// ---- the shared table (engine/gradcheck-suite.ts) ----

const shared: CompareCase[] = opCases.map((c) => ({
  name: c.name,
  shapes: c.shapes,
  values: c.make(createRng(caseSeed(c.name))),
  fn: c.fn,
}));

describe('shared op cases (gradcheck suite) on webgpu vs cpu', () => {
  for (const c of shared) test(c.name, () => check(c));
});

// ---- sizes, broadcasting and edge inputs ----

let seed = 1000;
type Gen = (u: number, i: number) => number;
const normalish: Gen = (u) => 4 * u - 2; // (-2, 2)
const positive: Gen = (u) => 0.1 + 2 * u;
const prob: Gen = (u) => 0.02 + 0.96 * u;
const awayFromZero: Gen = (u, i) => (i % 2 ? 1 : -1) * (0.3 + 1.7 * u);
/** Distinct values (no ties for max). */
const distinct: Gen = (u, i) => ((i * 7919) % 10007) * 1e-3 + 1e-4 * u - 5;

function make(name: string, shapes: number[][], gens: Gen | Gen[], fn: (...xs: Tensor[]) => Tensor, grad?: boolean[]): CompareCase {
  const list = Array.isArray(gens) ? gens : [gens];
  return {
    name,
    shapes,
    values: shapes.map((s, i) => values(sizeOfShape(s), seed++, list[i] ?? list[list.length - 1])),
    fn,
    grad,
  };
}

const s = (...d: number[]): number[] => d;

const elementwise: CompareCase[] = [];
for (const [a, b] of [
  [s(4099), s(4099)], // not a multiple of the 256-thread workgroup
  [s(64, 64), s(64, 64)],
  [s(65, 33), s(33)], // b along the leading axes (rowB)
  [s(33), s(65, 33)], // a along the leading axes (rowA)
  [s(64, 1), s(1, 48)], // both broadcast (strided)
  [s(17, 1, 5), s(4, 1)], // rank 3, strided
  [s(300, 7), s()], // a scalar tensor
  [s(1), s(16, 16)],
]) {
  elementwise.push(
    make(`add ${JSON.stringify(a)}+${JSON.stringify(b)}`, [a, b], normalish, (x, y) => add(x, y)),
    make(`sub ${JSON.stringify(a)}-${JSON.stringify(b)}`, [a, b], normalish, (x, y) => sub(x, y)),
    make(`mul ${JSON.stringify(a)}*${JSON.stringify(b)}`, [a, b], normalish, (x, y) => mul(x, y)),
    make(`div ${JSON.stringify(a)}/${JSON.stringify(b)}`, [a, b], [normalish, awayFromZero], (x, y) => div(x, y)),
  );
}

const nearZero: Gen = (u, i) => (i % 2 ? 1 : -1) * (1e-4 + 1e-3 * u); // |b| in [1e-4, 1.1e-3]
const withZeros: Gen = (u, i) => (i % 3 === 0 ? 0 : 3 * u); // a third exact zeros

const unaryBig: CompareCase[] = [
  make('neg [4099]', [s(4099)], normalish, (x) => neg(x)),
  make('add number [1000]', [s(1000)], normalish, (x) => add(x, 0.25)),
  make('sub number-tensor [1000]', [s(1000)], normalish, (x) => sub(3, x)),
  make('mul number [1000]', [s(1000)], normalish, (x) => mul(x, -1.5)),
  make('div tensor/number [1000]', [s(1000)], normalish, (x) => div(x, 3)),
  make('div number/tensor [1000]', [s(1000)], awayFromZero, (x) => div(2, x)),
  make('div by values near 0 [257]', [s(257), s(257)], [normalish, nearZero], (x, y) => div(x, y)),
  make('number / values near 0 [257]', [s(257)], nearZero, (x) => div(1, x)),
  make('pow 2 [1000]', [s(1000)], normalish, (x) => pow(x, 2)),
  make('pow 3 [1000]', [s(1000)], normalish, (x) => pow(x, 3)),
  make('pow 0.5 [1000]', [s(1000)], positive, (x) => pow(x, 0.5)),
  make('pow -1.5 [1000]', [s(1000)], positive, (x) => pow(x, -1.5)),
  make('exp [1000]', [s(1000)], normalish, (x) => exp(x)),
  make('log [1000]', [s(1000)], positive, (x) => log(x)),
  make('log with zeros [300]', [s(300)], withZeros, (x) => log(x)),
  make('sqrt [1000]', [s(1000)], positive, (x) => sqrt(x)),
  make('sqrt with zeros [300]', [s(300)], withZeros, (x) => sqrt(x)),
  make('abs [1000]', [s(1000)], awayFromZero, (x) => abs(x)),
  make('clamp [1000]', [s(1000)], normalish, (x) => clamp(x, -0.5, 0.7)),
  make('relu [1000]', [s(1000)], awayFromZero, (x) => relu(x)),
  make('leakyRelu [1000]', [s(1000)], awayFromZero, (x) => leakyRelu(x, 0.1)),
  make('sigmoid [1000]', [s(1000)], (u) => 40 * u - 20, (x) => sigmoid(x)),
  make('tanh [1000]', [s(1000)], (u) => 20 * u - 10, (x) => tanh(x)),
  make('softplus [1000]', [s(1000)], (u) => 100 * u - 50, (x) => softplus(x)),
  make('silu [1000]', [s(1000)], (u) => 20 * u - 10, (x) => silu(x)),
  // The elementwise kernels do 4 elements a thread (vec4) when the size is a multiple of 4, one otherwise.
  make('relu [1001] (not a multiple of 4)', [s(1001)], awayFromZero, (x) => relu(x)),
  make('tanh [4099] (not a multiple of 4)', [s(4099)], (u) => 20 * u - 10, (x) => tanh(x)),
  make('sigmoid [65, 33] (not a multiple of 4)', [s(65, 33)], (u) => 40 * u - 20, (x) => sigmoid(x)),
  make('leakyRelu [512, 64] (the wide GAN\'s layer)', [s(512, 64)], awayFromZero, (x) => leakyRelu(x, 0.2)),
];

const reductions: CompareCase[] = [];
for (const [op, f] of [['sum', sum], ['mean', mean], ['max', max]] as const) {
  const gen = op === 'max' ? distinct : normalish;
  reductions.push(
    make(`${op} all [4099]`, [s(4099)], gen, (x) => f(x)), // tree path
    make(`${op} all [33, 17]`, [s(33, 17)], gen, (x) => f(x)),
    make(`${op} [65, 33] axis 0`, [s(65, 33)], gen, (x) => f(x, 0)),
    make(`${op} [65, 33] axis 1`, [s(65, 33)], gen, (x) => f(x, 1)),
    make(`${op} [3, 300] axis 1`, [s(3, 300)], gen, (x) => f(x, 1)), // tree path
    make(`${op} [2048, 3] axis 0`, [s(2048, 3)], gen, (x) => f(x, 0)), // tree path, strided reads
    make(`${op} [4, 64, 16] axis 1 keepDims`, [s(4, 64, 16)], gen, (x) => f(x, 1, true)),
    make(`${op} [512, 64] axis 0`, [s(512, 64)], gen, (x) => f(x, 0)), // cols4 path: a bias's gradient
    make(`${op} [300, 16] axis 0`, [s(300, 16)], gen, (x) => f(x, 0)), // cols4 path, 4 threads
    make(`${op} [2, 200, 36] axis 1`, [s(2, 200, 36)], gen, (x) => f(x, 1)), // cols4 path, two outer slices
    make(`${op} [300, 18] axis 0`, [s(300, 18)], gen, (x) => f(x, 0)), // tree path: inner not a multiple of 4
  );
}

const softmaxes: CompareCase[] = [
  make('softmax [65, 33] axis 1', [s(65, 33)], normalish, (x) => softmax(x, 1)),
  make('softmax [65, 33] axis 0', [s(65, 33)], normalish, (x) => softmax(x, 0)),
  make('softmax [2, 300] large logits', [s(2, 300)], (u) => 100 * u - 50, (x) => softmax(x, -1)),
  make('logSoftmax [64, 16] axis 1', [s(64, 16)], normalish, (x) => logSoftmax(x, 1)),
  make('logSoftmax [3, 5, 7] axis 1', [s(3, 5, 7)], normalish, (x) => logSoftmax(x, 1)),
];

const products: CompareCase[] = [];
for (const [m, k, n] of [[64, 64, 64], [16, 16, 16], [65, 17, 33], [130, 70, 45], [1, 5, 1], [4, 100, 4]]) {
  products.push(make(`matmul [${m},${k}]·[${k},${n}]`, [s(m, k), s(k, n)], normalish, (a, b) => matmul(a, b)));
}
products.push(
  make('matmul batched [3,5,7]·[3,7,4]', [s(3, 5, 7), s(3, 7, 4)], normalish, (a, b) => matmul(a, b)),
  make('matmul batched [3,17,9]·[9,4]', [s(3, 17, 9), s(9, 4)], normalish, (a, b) => matmul(a, b)),
  make('transpose [65, 33]', [s(65, 33)], normalish, (x) => transpose(x)),
  make('transpose [64, 16]', [s(64, 16)], normalish, (x) => transpose(x)),
);
for (const act of ['none', 'relu', 'leakyRelu', 'sigmoid', 'tanh'] as FusedActivation[]) {
  products.push(
    make(`linear ${act} [65,17]·[17,33]`, [s(65, 17), s(17, 33), s(33)], normalish, (x, w, b) => linear(x, w, b, act, 0.1)),
    make(`linear ${act} [64,64]·[64,16] no bias`, [s(64, 64), s(64, 16)], normalish, (x, w) => linear(x, w, null, act)),
  );
}

const layout: CompareCase[] = [
  make('reshape [65, 4] -> [4, 65]', [s(65, 4)], normalish, (x) => mul(reshape(x, [4, 65]), reshape(x, [4, 65]))),
  make('concat axis 0 [65,3]+[64,3]', [s(65, 3), s(64, 3)], normalish, (a, b) => concat([a, b], 0)),
  make('concat axis 1 [33,5]+[33,16]+[33,1]', [s(33, 5), s(33, 16), s(33, 1)], normalish, (a, b, c) => concat([a, b, c], 1)),
  make('slice [10, 200) of [300, 3]', [s(300, 3)], normalish, (x) => slice(x, 10, 200)),
  make('sliceAxis axis 1 [4, 20) of [5, 33, 2]', [s(5, 33, 2)], normalish, (x) => sliceAxis(x, 1, 4, 20)),
  make('gather 300 rows of [100, 3] (repeats)', [s(100, 3)], normalish,
    (x) => gather(x, Array.from({ length: 300 }, (_, i) => (i * 37) % 100))),
  make('gather into [70] (1-D)', [s(70)], normalish, (x) => gather(x, Array.from({ length: 129 }, (_, i) => (i * 13) % 70))),
];

const fixedTarget = (shape: number[], f: Gen, sd: number): (() => Tensor) => {
  const v = Float32Array.from(values(sizeOfShape(shape), sd, f));
  return () => tensor(v, shape);
};
const target65x17 = fixedTarget([65, 17], (u) => u, 1);
const target300x2 = fixedTarget([300, 2], normalish, 2);
const logits50 = (u: number, i: number): number => [50, -50, 20, -20, 0.5][i % 5] * (0.9 + 0.1 * u);

const losses: CompareCase[] = [
  make('bce [65, 17]', [s(65, 17)], prob, (p) => bce(p, target65x17())),
  make('bce at the clamp edges [8]', [s(8)], (u, i) => [0, 1, 1e-9, 1 - 1e-9, 0.5, 0.25, 1e-7, 0.999][i], (p) => bce(p, tensor([1, 0, 1, 0, 1, 0, 1, 0]))),
  make('bce labelSmoothing [65, 17]', [s(65, 17)], prob, (p) => bce(p, target65x17(), { labelSmoothing: 0.1 })),
  make('bceWithLogits ±50 [65, 17]', [s(65, 17)], logits50, (z) => bceWithLogits(z, target65x17())),
  make('bceWithLogits ±50 number target [300]', [s(300)], logits50, (z) => bceWithLogits(z, 1)),
  make('mse [300, 2]', [s(300, 2)], normalish, (p) => mse(p, target300x2())),
  make('gaussianKl [65, 4]', [s(65, 4), s(65, 4)], [normalish, (u) => 3 * u - 1.5], (mu, lv) => gaussianKl(mu, lv)),
];

describe('sizes, broadcasting and edge inputs on webgpu vs cpu', () => {
  for (const c of [...elementwise, ...unaryBig, ...reductions, ...softmaxes, ...products, ...layout, ...losses]) {
    test(c.name, () => check(c));
  }
});
