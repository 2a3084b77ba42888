// Both cores for the CPU GEMM (kernels/cpu/gemm-threads.ts): the large float32 products split
// their block rows between the main thread and worker threads on a shared memory. The rows are
// split, never the sums, so the bits must equal one thread's and the JavaScript loops'.

import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createRng } from '../../engine/rng';
import { mlpLosses } from './helpers';
import { cpuThreadSplits, cpuThreads, cpuWorkerChunks, resetWasmGemm, setCpuThreads, setCpuThreadsMinWork, whenCpuThreadsReady } from '../../kernels/cpu/gemm-wasm';
import { THREADS_MIN_WORK } from '../../kernels/cpu/gemm-threads';
import { gemmJs, matmul, setCpuGemmPath } from '../../kernels/cpu/matmul';

const rng = createRng(31);

function random(n: number): Float32Array {
  const x = new Float32Array(n);
  rng.fillNormal(x);
  return x;
}

function product(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array {
  const out = new Float32Array(m * n).fill(NaN); // every element must be written
  matmul(a, b, out, 1, m, k, n, transA, transB, 0, 0);
  return out;
}

afterEach(() => {
  setCpuThreads(Infinity);
  setCpuThreadsMinWork(undefined);
  setCpuGemmPath('auto');
});

describe('CPU GEMM on worker threads', () => {
  it('starts a worker per core beyond the first', async () => {
    resetWasmGemm();
    setCpuThreads(Infinity);
    const threads = await whenCpuThreadsReady();
    expect(threads).toBe(Math.min(availableParallelism(), 8));
  });

  // Rows not a multiple of 4 or of the thread count, every transpose; the split is forced here
  // (setCpuThreadsMinWork(0)) so that small odd shapes are split too.
  const cases: [number, number, number][] = [[257, 130, 67], [130, 300, 97], [64, 512, 256], [1001, 41, 33]];
  for (const [m, k, n] of cases) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`same bits as one thread and the JavaScript loops: [${m}, ${k}]${transA ? 'ᵀ' : ''}·[${k}, ${n}]${transB ? 'ᵀ' : ''}`, async () => {
        const a = random(m * k), b = random(k * n);
        setCpuThreadsMinWork(0);
        setCpuGemmPath('wasm');
        setCpuThreads(Infinity);
        await whenCpuThreadsReady();
        expect(cpuThreads()).toBeGreaterThan(1);
        const before = cpuThreadSplits();
        const threaded = product(a, b, m, k, n, transA, transB);
        expect(cpuThreadSplits()).toBe(before + 1);
        setCpuThreads(1);
        const single = product(a, b, m, k, n, transA, transB);
        expect(cpuThreadSplits()).toBe(before + 1);
        const js = new Float32Array(m * n);
        gemmJs(a, 0, transA ? 1 : k, transA ? m : 1, b, 0, transB ? 1 : n, transB ? k : 1, js, 0, m, k, n, null);
        expect(threaded).toEqual(single);
        expect(threaded).toEqual(js);
      });
    }
  }

  it('the workers compute chunks of a split product (the main thread does not do them all)', async () => {
    setCpuGemmPath('wasm');
    setCpuThreads(Infinity);
    await whenCpuThreadsReady();
    const [m, k, n] = [1024, 256, 256]; // about 3 ms of work on one core: a worker wakes well within it
    const a = random(m * k), b = random(k * n);
    const single = (() => { setCpuThreads(1); const r = product(a, b, m, k, n, false, false); setCpuThreads(Infinity); return r; })();
    const before = cpuWorkerChunks();
    // On a busy machine a worker may wake too late for one product: try until one joins in.
    for (let tries = 0; tries < 50 && cpuWorkerChunks() === before; tries++) expect(product(a, b, m, k, n, false, false)).toEqual(single);
    expect(cpuWorkerChunks()).toBeGreaterThan(before);
  });

  it('through the engine: a wide MLP trains to the same bits on one thread and on all', async () => {
    const losses = (threads: number) => {
      setCpuThreads(threads);
      return mlpLosses({ seed: 5, inputs: 2, hidden: [256, 256], outputs: 1, rows: 300, lr: 1e-3, steps: 4 });
    };
    setCpuThreads(Infinity);
    await whenCpuThreadsReady();
    expect(cpuThreads()).toBeGreaterThan(1);
    const before = cpuThreadSplits();
    const all = losses(Infinity);
    expect(cpuThreadSplits()).toBeGreaterThan(before);
    expect(losses(1)).toEqual(all);
  });

  it('splits a product only from THREADS_MIN_WORK multiply-adds (the measured threshold)', async () => {
    setCpuGemmPath('wasm');
    await whenCpuThreadsReady();
    const small = [129, 64, 67], large = [256, 64, 64];
    expect(small[0] * small[1] * small[2]).toBeLessThan(THREADS_MIN_WORK);
    expect(large[0] * large[1] * large[2]).toBeGreaterThanOrEqual(THREADS_MIN_WORK);
    for (const [[m, k, n], splits] of [[small, 0], [large, 1]] as const) {
      const before = cpuThreadSplits();
      product(random(m * k), random(k * n), m, k, n, false, false);
      expect(cpuThreadSplits() - before, `[${m}, ${k}]·[${k}, ${n}]`).toBe(splits);
    }
  });

  it('refuses a thread count that is not a whole number ≥ 1', () => {
    for (const bad of [0, -1, 1.5, NaN, -Infinity]) expect(() => setCpuThreads(bad)).toThrow(/setCpuThreads: expected a whole number ≥ 1/);
  });
});
