// The WebGPU backend's machinery: one submit per training step, no leaks, no GPU objects
// created by a warm step, reads in flight together, writes ordered after recorded work,
// clear errors, and the debug trace.

import { beforeAll, describe, expect, test } from 'vitest';
import { createRng, gather, kernelSource, liveTensors, mean, randint, setDebug, tensor, tidy } from '../../engine/index';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import { bucketBytes } from '../../kernels/webgpu/buffer-pool';
import { gpuBackend, on } from './setup';
import { makeGan, makeMlp } from './models';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await gpuBackend();
});

describe('training steps', () => {
  test('a training step (forward, backward, Adam) without a read is exactly one submit', async () => {
    const { step } = makeMlp(gpu, 1);
    await gpu.flush();
    for (let i = 0; i < 3; i++) {
      const before = gpu.stats();
      step();
      const after = gpu.stats();
      expect(after.submits - before.submits).toBe(1);
      // Ten dispatches, all in that one submit: the layers' forwards, the fused loss and its
      // gradient, the fused layer backwards and one multi-tensor Adam.
      expect(after.dispatches - before.dispatches).toBe(10);
    }
    await gpu.flush();
  });

  test('200 steps leak no buffers and no tensors; warm steps create no GPUBuffer and no bind group', async () => {
    const { step, net, x } = makeMlp(gpu, 2);
    for (let i = 0; i < 10; i++) step();
    await gpu.flush();
    const live = gpu.stats().liveBuffers;
    const tensors = liveTensors();
    const warm = gpu.stats();
    for (let i = 10; i < 200; i++) step();
    await gpu.flush();
    const end = gpu.stats();
    expect(end.liveBuffers).toBe(live);
    expect(liveTensors()).toBe(tensors);
    expect(end.bufferCreations).toBe(warm.bufferCreations);
    expect(end.bindGroupCreations).toBe(warm.bindGroupCreations);
    // and it learned something finite
    const out = on(gpu, () => net.forward(x));
    const values = await out.data();
    out.dispose();
    expect(values.every(Number.isFinite)).toBe(true);
  });

  test('a GAN-like step (two optimizers, randn, randint + gather minibatch) is warm after a few steps', async () => {
    const { step, stats } = makeGan(gpu, 3);
    for (let i = 0; i < 5; i++) step();
    await gpu.flush();
    const before = stats();
    for (let i = 0; i < 20; i++) step();
    await gpu.flush();
    const after = stats();
    expect(after.bufferCreations).toBe(before.bufferCreations);
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect((after.submits - before.submits) / 20).toBe(2); // one per optimizer step
    // 35 dispatches a step (D's gradients in the G step add to those it holds: 6 additions). The
    // three losses are computed inside the forward of D's last layer (one reduction that also
    // writes the logits) and their gradients inside its fused backward (dy = (σ(y) − t)/N from
    // its output y), and the minibatch's indices inside the gather, not by kernels of their own.
    expect((after.dispatches - before.dispatches) / 20).toBe(35);
  });
});

describe('reads and writes', () => {
  test('several reads in flight at once', async () => {
    const ts = on(gpu, () => Array.from({ length: 8 }, (_, i) => tensor(Array.from({ length: 100 + i }, (_, j) => i * 1000 + j))));
    const doubled = on(gpu, () => ts.map((t) => t.mul(2)));
    const reads = doubled.map((t) => t.data()); // all pending together
    const later = on(gpu, () => ts[0].add(1)); // work recorded while the reads wait
    const results = await Promise.all(reads);
    results.forEach((r, i) => {
      expect(r.length).toBe(100 + i);
      expect(r[5]).toBe(2 * (i * 1000 + 5));
    });
    expect((await later.data())[3]).toBe(4);
    for (const t of [...ts, ...doubled, later]) t.dispose();
  });

  test('a write does not change what earlier recorded work reads', async () => {
    const a = on(gpu, () => tensor([1, 2, 3]));
    const b = on(gpu, () => a.mul(2)); // recorded, not submitted
    gpu.write(a.storage('test'), [100, 200, 300]);
    expect(Array.from(await b.data())).toEqual([2, 4, 6]);
    expect(Array.from(await a.data())).toEqual([100, 200, 300]);
    // a released buffer handed to a new tensor and written while old work still reads it
    const c = on(gpu, () => tensor([5, 6, 7]));
    const d = on(gpu, () => c.add(1));
    c.dispose();
    const e = on(gpu, () => tensor([-1, -1, -1]));
    expect(Array.from(await d.data())).toEqual([6, 7, 8]);
    expect(Array.from(await e.data())).toEqual([-1, -1, -1]);
    for (const t of [a, b, d, e]) t.dispose();
  });

  test('int32 tensors round-trip; int indices made on the GPU drive gather', async () => {
    const idx = on(gpu, () => tensor([3, 0, 2], { dtype: 'int32' }));
    expect(Array.from(await idx.data())).toEqual([3, 0, 2]);
    expect(await idx.data()).toBeInstanceOf(Int32Array);
    const x = on(gpu, () => tensor([[0, 1], [10, 11], [20, 21], [30, 31]]));
    const g = on(gpu, () => gather(x, idx));
    expect(Array.from(await g.data())).toEqual([30, 31, 0, 1, 20, 21]);
    const r = on(gpu, () => randint([50], 4, createRng(1)));
    const g2 = on(gpu, () => gather(x, r));
    expect((await g2.data()).length).toBe(100);
    for (const t of [idx, x, g, r, g2]) t.dispose();
  });
});

describe('uniform ring', () => {
  test('more dispatches than uniform slots in one batch: submits early, grows, stays correct', async () => {
    const x = on(gpu, () => tensor([1, 2, 3]));
    const before = gpu.stats();
    // 2500 chained dispatches with no read in between (the ring starts with 1024 slots)
    const y = on(gpu, () => tidy(() => {
      let t = x;
      for (let i = 0; i < 2500; i++) t = t.add(1);
      return t;
    }));
    expect(Array.from(await y.data())).toEqual([2501, 2502, 2503]);
    const after = gpu.stats();
    expect(after.dispatches - before.dispatches).toBe(2500);
    expect(after.submits - before.submits).toBeGreaterThanOrEqual(2);
    // the next big batch fits the grown ring: a single submit
    const mid = gpu.stats();
    const z = on(gpu, () => tidy(() => {
      let t = x;
      for (let i = 0; i < 2000; i++) t = t.mul(1);
      return t;
    }));
    expect(Array.from(await z.data())).toEqual([1, 2, 3]);
    expect(gpu.stats().submits - mid.submits).toBe(1);
    for (const t of [x, y, z]) t.dispose();
  });
});

describe('errors and debugging', () => {
  test('float64 is refused with a clear message', () => {
    expect(() => gpu.alloc(4, 'float64')).toThrow('float64 tensors exist on the CPU backend only (gradcheck runs there); use float32 on webgpu');
    expect(() => on(gpu, () => tensor([1, 2], { dtype: 'float64' }))).toThrow(/use float32 on webgpu/);
  });

  test('buffers are pooled by power-of-two size class', () => {
    expect(bucketBytes(1)).toBe(256);
    expect(bucketBytes(256)).toBe(256);
    expect(bucketBytes(257)).toBe(512);
    expect(bucketBytes(4000)).toBe(4096);
    const before = gpu.stats().bufferCreations;
    const a = gpu.alloc(900, 'float32'); // 3600 B -> 4096 B class
    gpu.release(a);
    const b = gpu.alloc(1000, 'float32'); // same class: reused
    gpu.release(b);
    expect(gpu.stats().bufferCreations - before).toBeLessThanOrEqual(1);
  });

  test('setDebug prints the kernel label, workgroups and shapes; kernelSource gives the WGSL', async () => {
    const lines: string[] = [];
    setDebug(true, (l) => lines.push(l));
    const y = on(gpu, () => {
      const x = tensor([[1, 2, 3], [4, 5, 6]]);
      const out = mean(x.exp().add(tensor([1, 2, 3])), 1);
      x.dispose();
      return out;
    });
    setDebug(false);
    await y.data();
    y.dispose();
    const exp = lines.find((l) => l.includes('unary:exp'));
    expect(exp).toMatch(/webgpu/);
    expect(exp).toMatch(/unary\.exp wg=1x1x1/);
    expect(exp).toMatch(/\[2, 3\]/);
    expect(lines.some((l) => /binary\.add\.rowB/.test(l))).toBe(true);
    expect(kernelSource('unary.exp')).toMatch(/@compute/);
    expect(kernelSource('unary.exp')).toMatch(/exp\(x\)/);
    expect(kernelSource('no such kernel')).toBeUndefined();
  });

  test('an out-of-range index from a GPU tensor is never read, and the next read throws as the CPU does', async () => {
    const x = on(gpu, () => tensor([[1, 2], [3, 4]]));
    const idx = on(gpu, () => tensor([1, 5, -1], { dtype: 'int32' }));
    const g = on(gpu, () => gather(x, idx));
    await expect(g.data()).rejects.toThrow(/gather: index (5|-1) at position (1|2) is out of range for 2 rows/);
    for (const t of [x, idx, g]) t.dispose();
  });
});

