// The fused elementwise kernels on WebGPU against their CPU twins, for every row of the op
// table, on fresh random inputs in the row's gradcheck range:
//   - reduce with a map (kernels/webgpu/reduce.wgsl.ts): scale·Σ f(x) and max f(x), through both
//     the tree (long axis) and the loop (short axis, inner > 1) kernels, sizes that are not
//     multiples of the workgroups (64 and 256);
//   - meanUnaryGrad (kernels/webgpu/unary.wgsl.ts): dx = f'(x)·dy[0]·scale.
// The CPU runs in float64 on the same float32 inputs. Criterion: |gpu - cpu| <= 1e-4 · max(1, |cpu|).

import { beforeAll, describe, expect, test } from 'vitest';
import type { KernelCall, Storage, UnaryOp } from '../../engine/backend';
import { createRng } from '../../engine/index';
import { unaryDef, unaryOps } from '../../engine/ops/unary-table';
import { mappedReduce } from '../../kernels/cpu/reduce';
import { meanUnaryGrad } from '../../kernels/cpu/unary';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import { gpuBackend } from './setup';

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
      }
    });
  }
});
