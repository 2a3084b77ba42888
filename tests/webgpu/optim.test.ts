// Multi-tensor Adam (kernels/webgpu/optim.wgsl.ts planAdamMulti) against its CPU twin
// (kernels/cpu/optim.ts adamMulti) on fresh random parameters, gradients and moments: several
// parameter shapes, sizes that are not multiples of the 256-thread workgroup, more parameters
// than one dispatch can bind (so the planner splits them into groups), and a few steps so the
// bias correction changes. On the CPU, the multi-tensor loop must equal the per-tensor adam()
// bit for bit. Criterion on the GPU: |gpu - cpu| <= 1e-5 · max(1, |cpu|).

import { beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '../../engine/index';
import type { KernelCall, Storage } from '../../engine/backend';
import { adam, adamMulti } from '../../kernels/cpu/optim';
import { planAdamMulti } from '../../kernels/webgpu/optim.wgsl';
import { DEFAULT_LIMITS } from '../../kernels/webgpu/plan';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import { gpuBackend } from './setup';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await gpuBackend();
});

const HYPER = { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

interface Problem {
  params: Float32Array[];
  grads: Float32Array[][]; // per step, per parameter
  state: Float32Array;
  offsets: number[];
}

/** Random parameters and moments (v > 0), and gradients for `steps` steps. */
function problem(sizes: number[], steps: number, seed: number): Problem {
  const rng = createRng(seed);
  const fill = (n: number, lo: number, hi: number): Float32Array => {
    const a = new Float32Array(n);
    rng.fillUniform(a, lo, hi);
    return a;
  };
  const offsets: number[] = [];
  let half = 0;
  for (const n of sizes) { offsets.push(half); half += n; }
  const state = new Float32Array(2 * half);
  state.set(fill(half, -0.5, 0.5), 0);
  state.set(fill(half, 1e-4, 0.3), half);
  return {
    params: sizes.map((n) => fill(n, -2, 2)),
    grads: Array.from({ length: steps }, () => sizes.map((n) => fill(n, -1.5, 1.5))),
    state,
    offsets,
  };
}

function cpuMulti(pr: Problem, steps: number): { params: Float32Array[]; state: Float32Array } {
  const params = pr.params.map((p) => p.slice());
  const state = pr.state.slice();
  for (let t = 1; t <= steps; t++) adamMulti(params, pr.grads[t - 1], state, pr.offsets, HYPER.lr, HYPER.beta1, HYPER.beta2, HYPER.eps, t + 3);
  return { params, state };
}

function expectNear(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst, what).toBeLessThanOrEqual(1e-5);
}

/** Shapes as element counts: the GAN's layers, odd sizes, a scalar, one larger than a workgroup. */
const CASES: { name: string; sizes: number[] }[] = [
  { name: 'the reference GAN D (1-32-1)', sizes: [32, 32, 32, 1] },
  { name: 'odd sizes (not multiples of 256)', sizes: [160, 16, 1, 257, 3] },
  { name: '9 parameters: more than one dispatch binds', sizes: [10, 300, 7, 1, 64, 65, 2, 513, 5] },
];

describe('multi-tensor Adam on the CPU', () => {
  test.each(CASES)('equals the per-tensor Adam bit for bit: $name', ({ sizes }) => {
    const pr = problem(sizes, 3, 11);
    const multi = cpuMulti(pr, 3);
    const params = pr.params.map((p) => p.slice());
    const half = pr.state.length / 2;
    const m = sizes.map((n, s) => pr.state.slice(pr.offsets[s], pr.offsets[s] + n));
    const v = sizes.map((n, s) => pr.state.slice(half + pr.offsets[s], half + pr.offsets[s] + n));
    for (let t = 1; t <= 3; t++) {
      sizes.forEach((_, s) => adam(params[s], pr.grads[t - 1][s], m[s], v[s], HYPER.lr, HYPER.beta1, HYPER.beta2, HYPER.eps, t + 3));
    }
    sizes.forEach((n, s) => {
      expect(multi.params[s]).toEqual(params[s]);
      expect(multi.state.slice(pr.offsets[s], pr.offsets[s] + n)).toEqual(m[s]);
      expect(multi.state.slice(half + pr.offsets[s], half + pr.offsets[s] + n)).toEqual(v[s]);
    });
  });
});

describe('multi-tensor Adam on WebGPU against the CPU', () => {
  /** Run 3 steps on the GPU, through the backend (its limits) or through plans made for `limits`. */
  async function runGpu(pr: Problem, limits?: typeof DEFAULT_LIMITS): Promise<{ params: Float32Array[]; state: Float32Array; dispatches: number }> {
    const upload = (a: Float32Array): Storage => {
      const s = gpu.alloc(a.length, 'float32');
      gpu.write(s, a);
      return s;
    };
    const params = pr.params.map(upload);
    const state = upload(pr.state);
    const before = gpu.stats().dispatches;
    for (let t = 1; t <= 3; t++) {
      const grads = pr.grads[t - 1].map(upload);
      const call: Extract<KernelCall, { kernel: 'adamMulti' }> = {
        kernel: 'adamMulti', params, grads, state, stateOffsets: pr.offsets, ...HYPER, step: t + 3,
      };
      if (limits) gpu.runPlans([planAdamMulti(call, limits)].flat());
      else gpu.run(call);
      await gpu.flush();
      grads.forEach((g) => gpu.release(g));
    }
    const dispatches = (gpu.stats().dispatches - before) / 3;
    const out = { params: await Promise.all(params.map(async (p) => (await gpu.read(p)) as Float32Array)), state: (await gpu.read(state)) as Float32Array, dispatches };
    [...params, state].forEach((s) => gpu.release(s));
    return out;
  }

  test.each(CASES)('$name', async ({ sizes }) => {
    const pr = problem(sizes, 3, 23);
    const want = cpuMulti(pr, 3);
    const got = await runGpu(pr);
    // One dispatch per group of (bindings - 1) / 2 parameters.
    const perDispatch = Math.floor((gpu.limits.maxStorageBuffersPerShaderStage - 1) / 2);
    expect(got.dispatches).toBe(Math.ceil(sizes.length / perDispatch));
    sizes.forEach((_, s) => expectNear(got.params[s], want.params[s], `param ${s}`));
    expectNear(got.state, want.state, 'moments');
  });

  test('with WebGPU\'s default 8 storage buffers: groups of 3 parameters', async () => {
    const sizes = [10, 300, 7, 1, 64, 65, 2];
    const pr = problem(sizes, 3, 31);
    const want = cpuMulti(pr, 3);
    const got = await runGpu(pr, DEFAULT_LIMITS);
    expect(got.dispatches).toBe(3);
    sizes.forEach((_, s) => expectNear(got.params[s], want.params[s], `param ${s}`));
    expectNear(got.state, want.state, 'moments');
  });
});
