// Waiting for the GPU without a busy loop (kernels/webgpu/node-gpu.ts, gpuWait): while the
// backend waits for Dawn, Dawn's own polling callbacks back off to timers after the first
// millisecond, every other setImmediate callback runs as before, and setImmediate is restored
// when no wait is pending. On the real device: a long flush leaves the main thread mostly idle.

import { performance as nodePerformance } from 'node:perf_hooks';
import { beforeAll, describe, expect, test } from 'vitest';
import { matmul, randn, createRng } from '../../engine/index';
import { GPU_WAIT_SPIN_MS, gpuWait } from '../../kernels/webgpu/node-gpu';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import { gpuBackend, on } from './setup';

/** A nameless native function taking no arguments, as Dawn's add-on passes to setImmediate: Function.prototype is one. */
const dawnLike = (): (() => void) => Function.prototype as () => void;

describe('gpuWait', () => {
  test('setImmediate is swapped only while a wait is pending, and restored after (also on rejection)', async () => {
    const real = globalThis.setImmediate;
    let inside: typeof setImmediate | null = null;
    await gpuWait(async () => { inside = globalThis.setImmediate; });
    expect(inside).not.toBe(real);
    expect(globalThis.setImmediate).toBe(real);
    await expect(gpuWait(() => Promise.reject(new Error('device lost')))).rejects.toThrow('device lost');
    expect(globalThis.setImmediate).toBe(real);
  });

  test("a script's callbacks run at once; Dawn-like ones wait for a timer once the spin time is over", async () => {
    const order: string[] = [];
    await gpuWait(async () => {
      await new Promise((r) => setTimeout(r, GPU_WAIT_SPIN_MS + 5)); // past the spin window
      const dawn = dawnLike();
      expect(dawn.name).toBe('');
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        globalThis.setImmediate(() => order.push('script'));
        const handle = globalThis.setImmediate(dawn);
        // A timer handle (it has refresh), not an Immediate: Dawn's poll was turned into a timer.
        order.push(typeof (handle as unknown as { refresh?: unknown }).refresh === 'function' ? 'dawn as timer' : 'dawn immediate');
        setTimeout(resolve, 3);
      });
      expect(performance.now() - t0).toBeGreaterThanOrEqual(1);
      // A promise's resolve is native too, but takes an argument: it is not delayed.
      await new Promise((r) => globalThis.setImmediate(r));
    });
    expect(order).toEqual(['dawn as timer', 'script']);
  });
});

describe('on the device', () => {
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await gpuBackend();
  });

  test('a long flush leaves the main thread mostly idle (no busy polling)', async () => {
    const rng = createRng(3);
    const [a, b] = on(gpu, () => [randn([512, 512], rng), randn([512, 512], rng)]);
    on(gpu, () => matmul(a, b).dispose()); // compile first
    await gpu.flush();
    const t0 = performance.now();
    const elu0 = nodePerformance.eventLoopUtilization();
    on(gpu, () => { for (let i = 0; i < 6; i++) matmul(a, b).dispose(); });
    await gpu.flush();
    const elu = nodePerformance.eventLoopUtilization(elu0);
    const ms = performance.now() - t0;
    console.log(`flush of 6 products of 512²: ${ms.toFixed(0)} ms, main thread busy ${(100 * elu.utilization).toFixed(0)}% of it`);
    expect(ms).toBeGreaterThan(20); // long enough for the polling to matter
    expect(elu.utilization).toBeLessThan(0.5); // with setImmediate polling it is close to 1
    a.dispose();
    b.dispose();
  });
});
