// Gradients of gradients on WebGPU (float32) against the CPU (float64): Hessian-vector
// products H·v through the recorded backward pass (the op table's rules run as ordinary
// kernels on the GPU), for a small MLP and for every case of the shared op suite.
// Criterion: |gpu − cpu| <= TOL · max(1, |cpu|), TOL = 1e-4, as for the first derivatives.

import { describe, expect, it } from 'vitest';
import type { Backend, DType } from '../../engine/backend';
import { createRng, grad, linear, mul, sum, tensor, tidy, type Tensor } from '../../engine/index';
import { caseSeed, opCases } from '../../engine/gradcheck-suite';
import { sizeOf } from '../../engine/shape';
import { cpuBackend, gpuBackend, on } from './setup';
import { TOL } from './compare';

/** Float32-exact values from a seeded stream, in (lo, hi). */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const v = new Float32Array(n);
  createRng(seed).fillUniform(v, lo, hi);
  return v;
}

/**
 * H·v for f at `inputs`: the gradient of G = Σ_k v_k · ∂L/∂x_k, L = Σ w ⊙ f(x) (w fixed).
 * Everything read back as numbers.
 */
async function hessianVector(backend: Backend, dtype: DType, fn: (...xs: Tensor[]) => Tensor, inputs: Float32Array[], shapes: number[][], seed: number): Promise<number[][]> {
  const hv = on(backend, () => tidy(() => {
    const xs = inputs.map((v, i) => tensor(v, shapes[i], { dtype, requiresGrad: true }));
    const y = fn(...xs);
    const loss = y.size === 1 ? sum(y) : sum(mul(y, tensor(values(y.size, seed + 1), [...y.shape], { dtype })));
    const gs = grad(loss, xs, { createGraph: true, allowUnused: true });
    const terms = gs.flatMap((g, k) => (g === null ? [] : [sum(mul(g, tensor(values(sizeOf(shapes[k]), seed + 2 + k), shapes[k], { dtype })))]));
    const G = terms.reduce((a, b) => a.add(b));
    if (!G.requiresGrad) return xs.map(() => null);
    return grad(G, xs, { allowUnused: true });
  }));
  const out = await Promise.all(hv.map(async (h, k) => (h === null ? new Array<number>(sizeOf(shapes[k])).fill(0) : Array.from(await h.data()))));
  for (const h of hv) h?.dispose();
  return out;
}

function expectClose(gpu: number[][], cpu: number[][], what: string): void {
  cpu.forEach((c, k) => c.forEach((want, i) => {
    const got = gpu[k][i];
    expect(Math.abs(got - want), `${what}: input ${k}, element ${i}: gpu ${got} vs cpu ${want}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(want)));
  }));
}

describe('Hessian-vector products on WebGPU agree with the CPU', () => {
  it('a small MLP (fused tanh layer, leakyRelu layer, sigmoid, mean) at 37 rows', async () => {
    const gpu = await gpuBackend();
    const shapes = [[37, 3], [3, 16], [16], [16, 8], [8], [8, 1]];
    const inputs = shapes.map((s, i) => values(sizeOf(s), 100 + i));
    const mlp = (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, w3: Tensor): Tensor =>
      linear(linear(linear(x, w1, b1, 'tanh'), w2, b2, 'leakyRelu', 0.1), w3).sigmoid().mean();
    const cpu = await hessianVector(cpuBackend(), 'float64', mlp, inputs, shapes, 7);
    const before = gpu.stats().dispatches;
    const onGpu = await hessianVector(gpu, 'float32', mlp, inputs, shapes, 7);
    expect(gpu.stats().dispatches - before).toBeGreaterThan(50); // the double backward ran as GPU kernels
    expect(cpu.flat().some((v) => Math.abs(v) > 1e-3)).toBe(true); // a real, non-zero product
    expectClose(onGpu, cpu, 'MLP H·v');
  });

  it.each(opCases.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const gpu = await gpuBackend();
    // The case's own generator keeps inputs away from kinks; rounded to float32 for both backends.
    const inputs = c.make(createRng(caseSeed(name))).map((v) => Float32Array.from(v));
    const cpu = await hessianVector(cpuBackend(), 'float64', c.fn, inputs, c.shapes, 11);
    const onGpu = await hessianVector(gpu, 'float32', c.fn, inputs, c.shapes, 11);
    expectClose(onGpu, cpu, name);
  });
});
