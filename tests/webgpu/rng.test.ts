// Philox on the GPU is the CPU's Philox: the same key and counter give the same uint32 words,
// and every distribution agrees (uniform, int and bernoulli exactly; normals within float32
// rounding of sqrt/log/cos/sin: |gpu - cpu| < 1e-5 · max(1, |cpu|)).

import { beforeAll, expect, test } from 'vitest';
import { createRng, dropoutMask, rand, randint, randn, type Tensor } from '../../engine/index';
import { philox4x32 } from '../../engine/rng';
import { planPhiloxBits } from '../../kernels/webgpu/random.wgsl';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import type { Backend } from '../../engine/backend';
import { cpuBackend, gpuBackend, on } from './setup';

let gpu: WebGpuBackend;
let cpu: Backend;
beforeAll(async () => {
  gpu = await gpuBackend();
  cpu = cpuBackend();
});

/** The reference words: element i = lane i % 4 of block counter + floor(i / 4). */
function cpuWords(k0: number, k1: number, counter: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  const block = new Uint32Array(4);
  for (let i = 0; i < n; i += 4) {
    const c = counter + i / 4;
    philox4x32(k0, k1, c % 2 ** 32 >>> 0, Math.floor(c / 2 ** 32) >>> 0, 0, 0, block);
    for (let lane = 0; lane < 4 && i + lane < n; lane++) out[i + lane] = block[lane];
  }
  return out;
}

test.each([
  { k0: 0, k1: 0, counter: 0, n: 1000 },
  { k0: 0xdeadbeef, k1: 0x12345678, counter: 12345, n: 4097 },
  // the low counter word wraps inside this run: the carry must reach the high word
  { k0: 7, k1: 1, counter: 2 ** 32 - 5, n: 64 },
  { k0: 0xffffffff, k1: 0xffffffff, counter: 3 * 2 ** 32 + 17, n: 30 },
])('raw Philox words match the CPU (key %o)', async ({ k0, k1, counter, n }) => {
  const out = gpu.alloc(n, 'int32');
  gpu.runPlans([planPhiloxBits(out, k0, k1, counter, gpu.limits)]);
  const words = new Uint32Array((await gpu.read(out)).buffer.slice(0, n * 4));
  gpu.release(out);
  const ref = cpuWords(k0, k1, counter, n);
  for (let i = 0; i < n; i++) if (words[i] !== ref[i]) expect.fail(`word ${i}: gpu ${words[i]} vs cpu ${ref[i]}`);
});

/** Make the same random tensor on both backends from generators in the same state. */
async function both(make: (seed: number) => Tensor, seed: number): Promise<[ArrayLike<number>, ArrayLike<number>]> {
  const a = on(cpu, () => make(seed));
  const b = on(gpu, () => make(seed));
  const r: [ArrayLike<number>, ArrayLike<number>] = [await a.data(), await b.data()];
  a.dispose();
  b.dispose();
  return r;
}

test('normals agree within float32 rounding', async () => {
  for (const [seed, n] of [[1, 1001], [2 ** 40 + 3, 4096], [99, 3]]) {
    const [c, g] = await both((sd) => {
      const rng = createRng(sd);
      rng.reserve(13); // start mid-stream
      return randn([n], rng, { mean: 0.5, std: 2 });
    }, seed);
    for (let i = 0; i < n; i++) {
      const err = Math.abs(g[i] - c[i]);
      if (!(err < 1e-5 * Math.max(1, Math.abs(c[i])))) expect.fail(`normal ${i} (seed ${seed}): gpu ${g[i]} vs cpu ${c[i]}`);
    }
  }
});

test('uniforms, ints and bernoulli masks are identical', async () => {
  const [cu, gu] = await both((sd) => rand([777], createRng(sd), { lo: -3, hi: 5 }), 5);
  for (let i = 0; i < 777; i++) expect(Math.abs(gu[i] - cu[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(cu[i])));
  for (const high of [1, 7, 1000, 2 ** 28 + 3]) {
    const [ci, gi] = await both((sd) => randint([999], high, createRng(sd)), 6);
    expect(Array.from(gi)).toEqual(Array.from(ci));
  }
  for (const keep of [0.8, 0.5, 0.123456789]) {
    const [cm, gm] = await both((sd) => dropoutMask([1003], keep, createRng(sd)), 7);
    expect(Array.from(gm)).toEqual(Array.from(cm));
  }
});
