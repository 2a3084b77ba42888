// The fused elementwise kernels on WebGPU against their CPU twins, for every row of the op
// table, on fresh random inputs in the row's gradcheck range:
//   - reduce with a map (kernels/webgpu/reduce.wgsl.ts): scale·Σ f(x) and max f(x), through both
//     the tree (long axis) and the loop (short axis, inner > 1) kernels, sizes that are not
//     multiples of the workgroups (64 and 256);
//   - meanUnaryGrad (kernels/webgpu/unary.wgsl.ts): dx = f'(x)·dy[0]·scale;
//   - linearGrad (kernels/webgpu/linear-grad.wgsl.ts): a Linear layer's whole backward, for every
//     fused activation, the GAN's layer shapes and odd ones, and each set of wanted gradients;
//   - linearGrad with a fused loss: the loss gradient dy = f'(y)·g/N computed in the kernel from y;
//   - reduce with a fused layer: the loss computes the layer's output z = act(x·W + b) as it
//     reads it, and stores it;
//   - gatherRandom: a minibatch whose indices are drawn (Philox) inside the gather, exactly;
//   - a layer's activation gradient in the store of a product or of linearGrad's dx, and a
//     product and a column sum added into what their output holds: bit for bit the unfused pair
//     on WebGPU, and close to the CPU;
//   - a wide layer's dW and db from one product (the column sums of dz summed as it reads them),
//     in the engine: bit for bit the product and the column sum.
// The CPU runs in float64 on the same float32 inputs. Criterion: |gpu - cpu| <= 1e-4 · max(1, |cpu|).

import { beforeAll, describe, expect, test } from 'vitest';
import type { FusedActivation, KernelCall, Storage, UnaryOp } from '../../engine/backend';
import { add, createRng, linear, mul, onDispatch, randn, sum, tidy, type Tensor } from '../../engine/index';
import { setFusion } from '../../engine/fusion';
import { FUSED_ACTIVATIONS, unaryDef, unaryOps } from '../../engine/ops/unary-table';
import { gatherRandom } from '../../kernels/cpu/copy';
import { linearGrad } from '../../kernels/cpu/linear-grad';
import { linear as cpuLinear, matmul as cpuMatmul } from '../../kernels/cpu/matmul';
import { mappedReduce } from '../../kernels/cpu/reduce';
import { meanUnaryGrad, unary } from '../../kernels/cpu/unary';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import { gpuBackend, on } from './setup';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await gpuBackend();
});

const ROWS = (Object.keys(unaryOps) as UnaryOp[]).filter((op) => unaryDef(op).check !== null);

function upload(values: Float32Array): Storage {
  const s = gpu.alloc(values.length, 'float32');
  gpu.write(s, values);
  return s;
}

/** Run one call whose output is `out`, read it back, free everything. */
async function runOnGpu(call: KernelCall, out: Storage, free: Storage[]): Promise<Float32Array> {
  gpu.run(call);
  const got = (await gpu.read(out)) as Float32Array;
  [out, ...free].forEach((s) => gpu.release(s));
  return got;
}

function expectClose(got: Float32Array, want: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst, what).toBeLessThanOrEqual(1e-4);
}

let seed = 4000;
function randomInputs(op: UnaryOp, n: number): { x: Float32Array; alpha: number; beta: number } {
  const check = unaryDef(op).check!;
  const x = new Float32Array(n);
  createRng(seed++).fillUniform(x, check.lo, check.hi);
  return { x, alpha: check.alpha ?? 0, beta: check.beta ?? 0 };
}

describe('reduce with an op-table map on WebGPU vs CPU', () => {
  for (const op of ROWS) {
    test(op, async () => {
      // [outer, axis, inner, scale]: a loss's mean (tree kernel, 1000 and 131 elements), axis
      // reductions (loop kernel). Every row takes the losses' path (a sum by the tree); a few
      // rows take every path (each is a pipeline to compile, slow on a software adapter).
      const all = ['bceLogits', 'bce', 'pow', 'sigmoid'].includes(op);
      const shapes = all ? [[1, 1000, 1, 1e-3], [1, 131, 1, 1 / 131], [3, 5, 7, 1], [2, 130, 3, 0.5]] as const : [[1, 1000, 1, 1e-3], [1, 131, 1, 1 / 131]] as const;
      for (const [outer, axis, inner, scale] of shapes) {
        const { x, alpha, beta } = randomInputs(op, outer * axis * inner);
        for (const red of all ? ['sum', 'max'] as const : ['sum'] as const) {
          const want = new Float64Array(outer * inner);
          mappedReduce(red, { op, alpha, beta }, Float64Array.from(x), want, outer, axis, inner, scale);
          const sx = upload(x);
          const out = gpu.alloc(outer * inner, 'float32');
          const got = await runOnGpu({ kernel: 'reduce', op: red, x: sx, out, outer, axisSize: axis, inner, scale, map: { op, alpha, beta } }, out, [sx]);
          expectClose(got, want, `${red} over [${outer}, ${axis}, ${inner}]`);
        }
      }
    });
  }
});

describe('meanUnaryGrad on WebGPU vs CPU', () => {
  for (const op of ROWS) {
    test(op, async () => {
      for (const n of [1, 130, 300, 1025]) {
        const { x, alpha, beta } = randomInputs(op, n);
        const dy = new Float32Array([0.3 + 1.7 * createRng(seed++).uniform()]);
        const want = new Float64Array(n);
        meanUnaryGrad(op, Float64Array.from(x), Float64Array.from(dy), want, alpha, beta, 1 / n);
        const [sx, sdy] = [upload(x), upload(dy)];
        const out = gpu.alloc(n, 'float32');
        const got = await runOnGpu({ kernel: 'meanUnaryGrad', op, x: sx, dy: sdy, out, alpha, beta, scale: 1 / n }, out, [sx, sdy]);
        expectClose(got, want, `n = ${n}`);
        // The gradient given as a number (the unfilled seed's way): dy null, scale = dy[0]/n.
        const [sx2, out2] = [upload(x), gpu.alloc(n, 'float32')];
        const got2 = await runOnGpu({ kernel: 'meanUnaryGrad', op, x: sx2, dy: null, out: out2, alpha, beta, scale: dy[0] / n }, out2, [sx2]);
        expectClose(got2, want, `n = ${n}, dy as a number`);
      }
    });
  }
});

describe('linearGrad on WebGPU vs CPU', () => {
  // [m, k, n]: the reference GAN's layers (batch 128), then sizes off every workgroup multiple;
  // n a multiple of 4 and k not (the kernel's 'cols' layout: 4 columns a thread), k a multiple
  // of 4 and n not ('rows'), neither ('scalar'), and the wide GAN's first layer.
  const SHAPES = [[128, 10, 16], [128, 16, 1], [128, 1, 32], [128, 32, 1], [37, 5, 3], [257, 7, 9], [1, 3, 2], [37, 6, 12], [33, 12, 5], [65, 4, 4], [512, 10, 64]] as const;
  // Which gradients are wanted: all three, the first layer's (x needs none), dx alone (a frozen
  // layer); and which are added into what the output holds (a layer's second use).
  const WANTED = [
    { dx: true, dw: true, db: true, add: null },
    { dx: false, dw: true, db: true, add: null },
    { dx: true, dw: false, db: false, add: null },
    { dx: true, dw: true, db: true, add: { dx: false, dw: true, db: true } },
    { dx: true, dw: false, db: true, add: { dx: true, dw: false, db: true } },
  ] as const;
  const uniform = (n: number, lo: number, hi: number): Float32Array => {
    const a = new Float32Array(n);
    createRng(seed++).fillUniform(a, lo, hi);
    return a;
  };

  for (const activation of FUSED_ACTIVATIONS) {
    test(activation, async () => {
      for (const [m, k, n] of SHAPES) {
        for (const want of WANTED) {
          const alpha = activation === 'leakyRelu' ? 0.2 : 0;
          const [x, w, dy] = [uniform(m * k, -2, 2), uniform(k * n, -1, 1), uniform(m * n, -1, 1)];
          // y is what the layer's forward would give: act(z) for a random z (relu's zeros included).
          const y = uniform(m * n, -3, 3);
          if (activation !== 'none') unary(activation as Exclude<FusedActivation, 'none'>, y, y, alpha, 0);
          const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
          // What each output holds before: random for one that is added into, else nothing.
          const prior = (flag: boolean, size: number): Float32Array => (flag ? uniform(size, -1, 1) : new Float32Array(size));
          const before = { dx: prior(want.add?.dx ?? false, m * k), dw: prior(want.add?.dw ?? false, k * n), db: prior(want.add?.db ?? false, n) };
          const ref = { dx: want.dx ? f64(before.dx) : null, dw: want.dw ? f64(before.dw) : null, db: want.db ? f64(before.db) : null };
          const accumulate = want.add ?? undefined;
          linearGrad(f64(x), f64(w), f64(y), f64(dy), ref.dx, ref.dw, ref.db, m, k, n, activation, alpha, accumulate);
          const inputs = [x, w, y, dy].map(upload);
          const out = { dx: want.dx ? upload(before.dx) : null, dw: want.dw ? upload(before.dw) : null, db: want.db ? upload(before.db) : null };
          gpu.run({ kernel: 'linearGrad', x: inputs[0], w: inputs[1], y: inputs[2], dy: inputs[3], ...out, m, k, n, activation, alpha, accumulate });
          for (const key of ['dx', 'dw', 'db'] as const) {
            const s = out[key];
            if (s === null) continue;
            expectClose((await gpu.read(s)) as Float32Array, ref[key]!, `${key} of [${m}, ${k}]·[${k}, ${n}]`);
            gpu.release(s);
          }
          inputs.forEach((s) => gpu.release(s));
        }
      }
    });
  }
  test('linearGrad reads 4 columns a thread when n is a multiple of 4, 4 rows when k is, else one value', () => {
    const label = (m: number, k: number, n: number): string => {
      const s = [m * k, k * n, m * n, m * n].map((size) => gpu.alloc(size, 'float32'));
      const out = { dx: gpu.alloc(m * k, 'float32'), dw: gpu.alloc(k * n, 'float32'), db: gpu.alloc(n, 'float32') };
      const got = gpu.describe({ kernel: 'linearGrad', x: s[0], w: s[1], y: s[2], dy: s[3], ...out, m, k, n, activation: 'relu', alpha: 0 }).label;
      [...s, out.dx, out.dw, out.db].forEach((b) => gpu.release(b));
      return got;
    };
    expect(label(512, 10, 64)).toMatch(/\.cols4$/);
    expect(label(512, 64, 1)).toMatch(/\.rows4$/);
    expect(label(37, 5, 3)).toMatch(/\.WBX$/);
  });
});

describe('linearGrad with a fused loss on WebGPU vs CPU', () => {
  // dy = f'(y)·g·scale computed in the kernel from the layer's output y (the loss (1/N)·Σ f(y)),
  // g read from a one-value buffer or given as a number; targets 0 and 1 for the BCE rows.
  const CASES: { op: UnaryOp; activation: FusedActivation; alphas: number[] }[] = [
    { op: 'bceLogits', activation: 'none', alphas: [1, 0] },
    { op: 'bceLogits', activation: 'leakyRelu', alphas: [0, 1] },
    { op: 'bce', activation: 'sigmoid', alphas: [1, 0] },
    { op: 'pow', activation: 'tanh', alphas: [2] },
    { op: 'softplus', activation: 'relu', alphas: [0] },
  ];
  const SHAPES = [[128, 32, 1], [37, 5, 3], [257, 7, 9], [65, 3, 8], [37, 8, 3]] as const;
  const uniform = (n: number, lo: number, hi: number): Float32Array => {
    const a = new Float32Array(n);
    createRng(seed++).fillUniform(a, lo, hi);
    return a;
  };
  for (const { op, activation, alphas } of CASES) {
    test(`${op} after ${activation}`, async () => {
      const slope = activation === 'leakyRelu' ? 0.2 : 0;
      for (const [m, k, n] of SHAPES) {
        for (const alpha of alphas) {
          for (const g of [null, 1.3]) {
            const [x, w] = [uniform(m * k, -2, 2), uniform(k * n, -1, 1)];
            const y = uniform(m * n, -3, 3);
            if (activation !== 'none') unary(activation as Exclude<FusedActivation, 'none'>, y, y, slope, 0);
            const scale = 1 / (m * n);
            const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
            const up = g === null ? null : new Float32Array([g]);
            const ref = { dx: new Float64Array(m * k), dw: new Float64Array(k * n), db: new Float64Array(n) };
            linearGrad(f64(x), f64(w), f64(y), null, ref.dx, ref.dw, ref.db, m, k, n, activation, slope, undefined,
              { op, alpha, beta: 0, dy: up && f64(up), scale, dtype: 'float64' });
            const inputs = [x, w, y, ...(up ? [up] : [])].map(upload);
            const out = { dx: gpu.alloc(m * k, 'float32'), dw: gpu.alloc(k * n, 'float32'), db: gpu.alloc(n, 'float32') };
            gpu.run({
              kernel: 'linearGrad', x: inputs[0], w: inputs[1], y: inputs[2], dy: null, ...out, m, k, n, activation, alpha: slope,
              loss: { op, alpha, beta: 0, dy: up ? inputs[3] : null, scale, dtype: 'float32' },
            });
            for (const key of ['dx', 'dw', 'db'] as const) {
              expectClose((await gpu.read(out[key])) as Float32Array, ref[key], `${key} of [${m}, ${k}]·[${k}, ${n}], α = ${alpha}, g = ${g}`);
              gpu.release(out[key]);
            }
            inputs.forEach((s) => gpu.release(s));
          }
        }
      }
    });
  }
});

describe('reduce inside a layer\'s forward (the loss computes the logits) on WebGPU vs CPU', () => {
  // z = act(x·W + b) computed where the reduction reads it and stored, then scale·Σ f(z) (or
  // max): both the reduction and the stored z against the CPU's linear then mappedReduce.
  // [m, k, n, bias, outer, axis, inner]: the GAN critic's last layer (tree kernel, 128 values),
  // 257 and 1200 values (not multiples of 64), a short mean (loop kernel), a column reduction.
  const SHAPES = [
    [128, 32, 1, true, 1, 128, 1], [257, 7, 1, false, 1, 257, 1], [300, 3, 4, true, 1, 1200, 1],
    [37, 5, 3, false, 1, 111, 1], [61, 9, 3, true, 1, 61, 3],
  ] as const;
  const CASES: { op: UnaryOp; activation: FusedActivation; alpha: number }[] = [
    { op: 'bceLogits', activation: 'none', alpha: 1 },
    { op: 'bceLogits', activation: 'leakyRelu', alpha: 0 },
    { op: 'bce', activation: 'sigmoid', alpha: 1 },
    { op: 'pow', activation: 'tanh', alpha: 2 },
    { op: 'softplus', activation: 'relu', alpha: 0 },
  ];
  const uniform = (n: number, lo: number, hi: number): Float32Array => {
    const a = new Float32Array(n);
    createRng(seed++).fillUniform(a, lo, hi);
    return a;
  };
  for (const { op, activation, alpha } of CASES) {
    test(`${op} of a ${activation} layer`, async () => {
      const slope = activation === 'leakyRelu' ? 0.2 : 0;
      for (const [m, k, n, bias, outer, axis, inner] of SHAPES) {
        for (const red of op === 'bceLogits' && activation === 'none' ? ['sum', 'max'] as const : ['sum'] as const) {
          const [x, w, b] = [uniform(m * k, -2, 2), uniform(k * n, -1, 1), uniform(n, -0.5, 0.5)];
          const scale = red === 'sum' ? 1 / axis : 1;
          const map = { op, alpha, beta: 0 };
          const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
          const wantZ = new Float64Array(m * n);
          cpuLinear(f64(x), f64(w), bias ? f64(b) : null, wantZ, m, k, n, activation, slope);
          const want = new Float64Array(outer * inner);
          mappedReduce(red, map, wantZ, want, outer, axis, inner, scale);
          const [sx, sw, sb] = [x, w, b].map(upload);
          const z = gpu.alloc(m * n, 'float32');
          const out = gpu.alloc(outer * inner, 'float32');
          gpu.run({
            kernel: 'reduce', op: red, x: sx, out, outer, axisSize: axis, inner, scale, map,
            linear: { w: sw, b: bias ? sb : null, z, m, k, n, activation, alpha: slope },
          });
          const where = `${red} of [${m}, ${k}]·[${k}, ${n}]${bias ? ' + b' : ''} over [${outer}, ${axis}, ${inner}]`;
          expectClose((await gpu.read(z)) as Float32Array, wantZ, `z, ${where}`);
          expectClose((await gpu.read(out)) as Float32Array, want, where);
          [sx, sw, sb, z, out].forEach((s) => gpu.release(s));
        }
      }
    });
  }
});

describe('gatherRandom on WebGPU vs CPU', () => {
  // The rows drawn inside the gather are whole numbers and the copy is exact: equal, not close.
  // A counter just below 2^32 makes the block counter carry into its high word mid-draw.
  const CASES = [[128, 2048, 1, 17], [37, 37, 3, 2 ** 32 - 3], [300, 1000, 2, 123456], [1, 5, 4, 0]] as const;
  test('the same rows as the CPU, for odd sizes and a counter that carries', async () => {
    for (const [rows, sourceRows, inner, counter] of CASES) {
      const x = new Float32Array(sourceRows * inner);
      createRng(seed++).fillUniform(x, -3, 3);
      const [key0, key1] = [0x9e3779b9, seed++];
      const want = new Float32Array(rows * inner);
      gatherRandom(x, want, rows, inner, key0, key1, counter, sourceRows);
      const sx = upload(x);
      const out = gpu.alloc(rows * inner, 'float32');
      const got = await runOnGpu({ kernel: 'gatherRandom', x: sx, out, rows, inner, key0, key1, counter, high: sourceRows }, out, [sx]);
      expect(Array.from(got), `${rows} of ${sourceRows} rows of ${inner}, counter ${counter}`).toEqual(Array.from(want));
    }
  });
});

describe('matmul with a layer\'s activation gradient in its store on WebGPU: the unfused pair\'s bits', () => {
  // A wide layer's dz = (dz'·W'ᵀ) ⊙ act'(y) (engine/fusion.ts, 6) against the product, then
  // unaryGrad(act, y, y, product), both on WebGPU; and against the CPU in float64.
  const shapes: [number, number, number][] = [[512, 64, 64], [65, 70, 67]]; // vec4 reads and writes; scalar ones
  for (const activation of FUSED_ACTIVATIONS.filter((a): a is Exclude<FusedActivation, 'none'> => a !== 'none')) {
    test(activation, async () => {
      const alpha = 0.2;
      for (const [m, k, n] of shapes) {
        const a = new Float32Array(m * k);
        const b = new Float32Array(n * k);
        const pre = new Float32Array(m * n);
        const rng = createRng(seed++);
        rng.fillUniform(a, -1, 1);
        rng.fillUniform(b, -1, 1);
        rng.fillUniform(pre, -3, 3);
        const y = new Float32Array(m * n);
        unary(activation, pre, y, alpha, 0);
        const product = { kernel: 'matmul' as const, batch: 1, m, k, n, transA: false, transB: true, strideA: 0, strideB: 0 };
        const [sa, sb, sy] = [a, b, y].map(upload);
        const fusedOut = gpu.alloc(m * n, 'float32');
        gpu.run({ ...product, a: sa, b: sb, out: fusedOut, activationGrad: { y: sy, activation, alpha } });
        const plain = gpu.alloc(m * n, 'float32');
        gpu.run({ ...product, a: sa, b: sb, out: plain });
        const pairOut = gpu.alloc(m * n, 'float32');
        gpu.run({ kernel: 'unaryGrad', op: activation, x: sy, y: sy, dy: plain, out: pairOut, alpha, beta: 0 });
        const fused = (await gpu.read(fusedOut)) as Float32Array;
        const pair = (await gpu.read(pairOut)) as Float32Array;
        [sa, sb, sy, fusedOut, plain, pairOut].forEach((s) => gpu.release(s));
        expect(new Set(fused).size, `${m}x${k}x${n}: varied values`).toBeGreaterThan(m * n / 4);
        expect(Array.from(fused), `${m}x${k}x${n}`).toEqual(Array.from(pair));
        const want = new Float64Array(m * n);
        cpuMatmul(Float64Array.from(a), Float64Array.from(b), want, 1, m, k, n, false, true, 0, 0, { activation, alpha }, Float64Array.from(y));
        expectClose(fused, want, `${m}x${k}x${n} against the CPU`);
      }
    });
  }
});

describe('linearGrad with the layer below\'s activation gradient in its dx store on WebGPU: the unfused pair\'s bits', () => {
  // The layer above's dx stored as the layer below's dz = dx ⊙ act'(x), x that layer's output
  // (engine/fusion.ts, 7), against linearGrad's plain dx, then unaryGrad(act, x, x, dx), both on
  // WebGPU; and against the CPU in float64. Shapes for each layout: 'rows' (k a multiple of 4:
  // the wide GAN's last layers), 'cols' (n a multiple of 4), 'scalar' (neither).
  const shapes: [number, number, number][] = [[512, 64, 1], [33, 12, 5], [37, 6, 12], [257, 7, 9], [37, 5, 3]];
  for (const below of FUSED_ACTIVATIONS.filter((a): a is Exclude<FusedActivation, 'none'> => a !== 'none')) {
    test(below, async () => {
      const alpha = 0.2;
      for (const [m, k, n] of shapes) {
        const rng = createRng(seed++);
        const fill = (size: number, lo: number, hi: number): Float32Array => {
          const a = new Float32Array(size);
          rng.fillUniform(a, lo, hi);
          return a;
        };
        const x = fill(m * k, -3, 3);
        unary(below, x, x, alpha, 0); // the layer below's output
        const [w, dy, y] = [fill(k * n, -1, 1), fill(m * n, -1, 1), fill(m * n, -1, 1)];
        unary('tanh', y, y, 0, 0);
        const [sx, sw, sdy, sy] = [x, w, dy, y].map(upload);
        const layer = { kernel: 'linearGrad' as const, x: sx, w: sw, y: sy, dy: sdy, dw: null, db: null, m, k, n, activation: 'tanh' as const, alpha: 0 };
        const fusedOut = gpu.alloc(m * k, 'float32');
        const call: KernelCall = { ...layer, dx: fusedOut, dxActivation: { activation: below, alpha } };
        gpu.run(call);
        expect(gpu.describe(call).label).toContain(`.dx-${below}`);
        const plain = gpu.alloc(m * k, 'float32');
        gpu.run({ ...layer, dx: plain });
        const pairOut = gpu.alloc(m * k, 'float32');
        gpu.run({ kernel: 'unaryGrad', op: below, x: sx, y: sx, dy: plain, out: pairOut, alpha, beta: 0 });
        const fused = (await gpu.read(fusedOut)) as Float32Array;
        const pair = (await gpu.read(pairOut)) as Float32Array;
        [sx, sw, sdy, sy, fusedOut, plain, pairOut].forEach((s) => gpu.release(s));
        expect(new Set(fused).size, `${m}x${k}x${n}: varied values`).toBeGreaterThan(m * k / 8);
        expect(Array.from(fused), `${m}x${k}x${n}`).toEqual(Array.from(pair));
        const want = new Float64Array(m * k);
        const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
        linearGrad(f64(x), f64(w), f64(y), f64(dy), want, null, null, m, k, n, 'tanh', 0, undefined, undefined, { activation: below, alpha });
        expectClose(fused, want, `${m}x${k}x${n} against the CPU`);
      }
    });
  }
  test('refuses dxActivation on a dx that is added into', () => {
    const s = [4 * 4, 4 * 4, 4 * 4, 4 * 4].map((size) => gpu.alloc(size, 'float32'));
    const dx = gpu.alloc(16, 'float32');
    expect(() => gpu.run({
      kernel: 'linearGrad', x: s[0], w: s[1], y: s[2], dy: s[3], dx, dw: null, db: null, m: 4, k: 4, n: 4, activation: 'relu', alpha: 0,
      accumulate: { dx: true, dw: false, db: false }, dxActivation: { activation: 'relu', alpha: 0 },
    })).toThrow(/linearGrad: dxActivation cannot be combined with accumulate\.dx/);
    [...s, dx].forEach((b) => gpu.release(b));
  });
});

describe('a product and a column sum added into what their output holds, on WebGPU: the unfused pair\'s bits', () => {
  // A wide layer's second use in a pass (engine/fusion.ts, 8): dW = sum + xᵀ·dz in the product's
  // store, db = sum + Σ_rows dz in the column sum's, against the kernel then a binary add.
  const fill = (n: number): Float32Array => {
    const a = new Float32Array(n);
    createRng(seed++).fillUniform(a, -1, 1);
    return a;
  };
  const added = async (make: (out: Storage) => KernelCall, size: number, prev: Float32Array): Promise<{ fused: Float32Array; pair: Float32Array; label: string }> => {
    const fusedOut = upload(prev);
    const call = make(fusedOut);
    const label = gpu.describe({ ...call, accumulate: true } as KernelCall).label ?? '';
    gpu.run({ ...call, accumulate: true } as KernelCall);
    const fresh = gpu.alloc(size, 'float32');
    gpu.run(make(fresh));
    const [before, pairOut] = [upload(prev), gpu.alloc(size, 'float32')];
    gpu.run({ kernel: 'binary', op: 'add', a: before, b: fresh, out: pairOut, aShape: [size], bShape: [size], outShape: [size] });
    const fused = (await gpu.read(fusedOut)) as Float32Array;
    const pair = (await gpu.read(pairOut)) as Float32Array;
    [fusedOut, fresh, before, pairOut].forEach((s) => gpu.release(s));
    return { fused, pair, label };
  };
  // [m, k, n] of dW = xᵀ·dz ([k, n] from x [m, k] and dz [m, n]): the wide GAN's (vec4, broadcast rung) and an odd one.
  for (const [m, k, n] of [[512, 64, 64], [70, 65, 67]] as const) {
    test(`matmul xᵀ·dz, ${m}x${k}·${m}x${n}`, async () => {
      const [x, dz, prev] = [fill(m * k), fill(m * n), fill(k * n)];
      const [sx, sdz] = [x, dz].map(upload);
      const { fused, pair, label } = await added((out) => ({
        kernel: 'matmul', a: sx, b: sdz, out, batch: 1, m: k, k: m, n, transA: true, transB: false, strideA: 0, strideB: 0,
      }), k * n, prev);
      [sx, sdz].forEach((s) => gpu.release(s));
      expect(label).toContain('.add');
      expect(new Set(fused).size).toBeGreaterThan(k * n / 2);
      expect(Array.from(fused)).toEqual(Array.from(pair));
      const want = new Float64Array(k * n);
      cpuMatmul(Float64Array.from(x), Float64Array.from(dz), want, 1, k, m, n, true, false, 0, 0);
      expectClose(fused, want.map((v, i) => v + prev[i]), 'against the CPU');
    });
  }
  // [rows, columns]: the column sums of a [512, 64] batch (cols4), a long axis with few outputs (tree), a short one (loop).
  for (const [rows, cols] of [[512, 64], [300, 3], [20, 5]] as const) {
    test(`reduce: column sums of ${rows}x${cols}`, async () => {
      const [dz, prev] = [fill(rows * cols), fill(cols)];
      const sdz = upload(dz);
      const { fused, pair, label } = await added((out) => ({ kernel: 'reduce', op: 'sum', x: sdz, out, outer: 1, axisSize: rows, inner: cols, scale: 1 }), cols, prev);
      gpu.release(sdz);
      expect(label).toMatch(/\.add$/);
      expect(Array.from(fused)).toEqual(Array.from(pair));
      const want = new Float64Array(cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[j] += dz[i * cols + j];
      expectClose(fused, want.map((v, j) => v + prev[j]), 'against the CPU');
    });
  }
});

describe('a wide layer\'s bias gradient summed by its weight gradient\'s product, on WebGPU: the unfused pair\'s bits', () => {
  // The engine's pass (engine/fusion.ts, 9): a wide layer used twice, its dW and db from one
  // product per use (the second's added into the first's), against the pass with the fusion off
  // (the product, then reduce's column sum): the same bits, since the product sums dz's rows in
  // reduce's order; and 2 dispatches fewer.
  const pass = async (inputs: number): Promise<{ values: number[]; dispatches: string[] }> => {
    const dispatches: string[] = [];
    const { w, b } = on(gpu, () => {
      const rng = createRng(inputs);
      const [x1, x2] = [randn([512, 64], rng), randn([300, 64], rng)];
      const w = randn([64, 64], rng, { requiresGrad: true });
      const b = randn([64], rng, { requiresGrad: true });
      const [c1, c2] = [randn([512, 64], rng), randn([300, 64], rng)];
      const stop = onDispatch((d) => dispatches.push(d.label ?? d.kernel));
      tidy(() => {
        const part = (x: Tensor, c: Tensor): Tensor => sum(mul(linear(x, w, b, 'relu'), c));
        add(part(x1, c1), part(x2, c2)).backward();
      });
      stop();
      [x1, x2, c1, c2].forEach((t) => t.dispose());
      return { w, b };
    });
    const values = [...await w.grad!.data(), ...await b.grad!.data()];
    [w, b].forEach((t) => { t.grad!.dispose(); t.dispose(); });
    return { values, dispatches };
  };
  test('the same dW and db, 2 dispatches fewer', async () => {
    const inputs = seed++;
    const fused = await pass(inputs);
    setFusion('biasGradInProduct', false);
    let plain: Awaited<ReturnType<typeof pass>>;
    try {
      plain = await pass(inputs);
    } finally {
      setFusion('biasGradInProduct', true);
    }
    expect(new Set(fused.values).size).toBeGreaterThan(4000);
    expect(fused.values).toEqual(plain.values);
    expect(fused.dispatches.filter((d) => d.includes('.colsums'))).toEqual(['matmul.broadcast4.TN.colsums', 'matmul.broadcast4.TN.add.colsums+']);
    expect(plain.dispatches.filter((d) => d.startsWith('reduce.sum.cols4'))).toEqual(['reduce.sum.cols4', 'reduce.sum.cols4.add']);
    expect(fused.dispatches.length).toBe(plain.dispatches.length - 2);
  });
});
