// The CPU backend's WebAssembly SIMD GEMM in a real browser, under the page's own
// Content-Security-Policy (demo/serve.mjs): the kernel compiles (the policy names
// 'wasm-unsafe-eval'; Chromium also lets 'unsafe-eval' cover WebAssembly, but a policy with
// neither refuses it and the page falls back to the JavaScript loops), computes the same bits as
// those loops, and the GAN trains on the CPU with no console errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemmModuleBytes } from '../../kernels/cpu/gemm-wasm';
import { openPage, openSession, trainUntil, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

describe('WebAssembly GEMM in the page', () => {
  it('compiles under the CSP, matches float32 loops, and the GAN trains on the CPU', async () => {
    const response = await fetch(session.url);
    expect(response.headers.get('content-security-policy')).toContain("'wasm-unsafe-eval'");
    const { page, errors } = await openPage(session, '?backend=cpu');
    expect(await page.evaluate(() => (window as unknown as { gradlab: { cpuGemm(): string } }).gradlab.cpuGemm())).toBe('wasm');

    // The kernel itself in the page's engine: C = A·B for A [4, 3] (stored transposed), B [3, 8].
    const result = await page.evaluate((bytes) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const { gemm } = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), { env: { memory } }).exports as
        { gemm: (...args: number[]) => void };
      const heap = new Float32Array(memory.buffer);
      const m = 4, k = 3, n = 8;
      const a = Array.from({ length: m * k }, (_, i) => Math.sin(i + 1)); // stored [k, m]
      const b = Array.from({ length: k * n }, (_, i) => Math.cos(3 * i)); // stored [k, n]
      heap.set(a, 0);
      heap.set(b, 16);
      heap.fill(0.5, 64, 64 + n); // init row
      gemm(0, 4, 4 * m, 16 * 4, n * 4, 64 * 4, 128 * 4, n * 4, 1, 1, k);
      const f = Math.fround;
      const want: number[] = [];
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0.5;
        for (let p = 0; p < k; p++) s = f(s + f(heap[p * m + i] * heap[16 + p * n + j]));
        want.push(s);
      }
      return { got: Array.from(heap.subarray(128, 128 + m * n)), want };
    }, Array.from(gemmModuleBytes()));
    expect(result.got).toEqual(result.want);

    expect(await trainUntil(page, 'gan', 2)).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    await page.close();
  });
});
