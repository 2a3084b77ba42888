// `gradlab bench --cpu`, the CPU GEMM alone: GFLOP/s of its paths (the register-blocked
// JavaScript loops, the WebAssembly SIMD kernel on one thread, and the same kernel on every core:
// kernels/cpu/matmul.ts, gemm-wasm.ts, gemm-threads.ts) on the three products of a wide-GAN layer
// (batch 512, 64 × 64 weights) and larger squares, timed in one run with the paths alternating.
// A product of [m, k] by [k, n] is 2·m·k·n floating-point operations. Below THREADS_MIN_WORK
// multiply-adds the backend keeps a product on one thread; the rows show where splitting pays.
// The operands are made as the CPU backend makes its arrays (in the kernel's memory where there is
// a shared one), so a product copies only what the kernel's layout needs (a transposed B).

import { cpuFloat32Array, cpuWorkerChunks, setCpuThreads, setCpuThreadsMinWork, wasmGemmAvailable, whenCpuThreadsReady } from '../../kernels/cpu/gemm-wasm';
import { matmul, setCpuGemmPath } from '../../kernels/cpu/matmul';
import { chunkPlan, THREADS_MIN_WORK } from '../../kernels/cpu/gemm-threads';
import { createRng } from '../../engine/rng';
import { timeIt } from './time-it';

export interface GemmBenchRow {
  /** e.g. 'forward x·W [512, 64]·[64, 64]'. */
  product: string;
  jsGflops: number;
  /** null where WebAssembly SIMD is not available. */
  wasmGflops: number | null;
  /** The kernel with its rows split between `threads` threads; null with one thread. */
  threadedGflops: number | null;
  threads: number;
  /** Of the split runs' chunks (a few block rows each), the share that worker threads computed (the rest the main thread did); null with one thread. */
  workerShare: number | null;
}

const PRODUCTS = [
  { product: 'forward x·W   [512, 64]·[64, 64]', m: 512, k: 64, n: 64, transA: false, transB: false },
  { product: 'backward dY·Wᵀ [512, 64]·[64, 64]ᵀ', m: 512, k: 64, n: 64, transA: false, transB: true },
  { product: 'backward xᵀ·dY [512, 64]ᵀ·[512, 64]', m: 64, k: 512, n: 64, transA: true, transB: false },
  { product: 'square [128, 128]·[128, 128]', m: 128, k: 128, n: 128, transA: false, transB: false },
  { product: 'square [256, 256]·[256, 256]', m: 256, k: 256, n: 256, transA: false, transB: false },
  { product: 'square [512, 512]·[512, 512]', m: 512, k: 512, n: 512, transA: false, transB: false },
];

export async function benchCpuGemm(rounds = 5): Promise<GemmBenchRow[]> {
  const rng = createRng(0);
  const wasm = wasmGemmAvailable();
  setCpuThreads(Infinity);
  const threads = wasm ? await whenCpuThreadsReady() : 1;
  // Below THREADS_MIN_WORK the backend would not split; the threaded path forces the split here.
  const paths = wasm ? (threads > 1 ? (['js', 'wasm', 'threads'] as const) : (['js', 'wasm'] as const)) : (['js'] as const);
  const rows = PRODUCTS.map(({ product, m, k, n, transA, transB }) => {
    // The operands as the CPU backend makes them: inside the kernel's memory (read in place) where it can.
    const a = cpuFloat32Array(m * k), b = cpuFloat32Array(k * n), out = cpuFloat32Array(m * n);
    rng.fillNormal(a);
    rng.fillNormal(b);
    const run = () => matmul(a, b, out, 1, m, k, n, transA, transB, 0, 0);
    const best = { js: Infinity, wasm: Infinity, threads: Infinity };
    let workerChunks = 0, splitRuns = 0;
    for (let r = 0; r < rounds; r++) {
      for (const path of paths) {
        setCpuGemmPath(path === 'js' ? 'js' : 'wasm');
        setCpuThreads(path === 'threads' ? Infinity : 1);
        setCpuThreadsMinWork(path === 'threads' ? 0 : undefined);
        const before = cpuWorkerChunks();
        const warmup = r === 0 ? 5 : 1, iterations = 10;
        best[path] = Math.min(best[path], timeIt(run, { warmup, iterations }).median);
        if (path === 'threads') {
          workerChunks += cpuWorkerChunks() - before;
          splitRuns += warmup + iterations;
        }
      }
    }
    setCpuGemmPath('auto');
    setCpuThreads(Infinity);
    setCpuThreadsMinWork(undefined);
    const gflops = (ms: number): number => (2 * m * k * n) / (ms * 1e6);
    return {
      product, jsGflops: gflops(best.js), wasmGflops: wasm ? gflops(best.wasm) : null,
      threadedGflops: threads > 1 ? gflops(best.threads) : null, threads,
      workerShare: threads > 1 ? workerChunks / (splitRuns * chunkPlan(Math.ceil(m / 4), Math.ceil(n / 8), k, threads).chunks) : null,
    };
  });
  return rows;
}

export function formatCpuGemmBench(rows: GemmBenchRow[]): string {
  const lines = [`CPU GEMM, GFLOP/s (best round of the median call; the backend picks WebAssembly for all but tiny products, and splits products of ${THREADS_MIN_WORK} multiply-adds or more between threads)`];
  for (const r of rows) {
    lines.push(
      `  ${r.product.padEnd(38)} JS loops ${r.jsGflops.toFixed(2).padStart(6)}   WebAssembly SIMD ${r.wasmGflops === null ? 'not available here' : r.wasmGflops.toFixed(2).padStart(6)}` +
      (r.threadedGflops === null ? '   (one thread here)' : `   on ${r.threads} threads ${r.threadedGflops.toFixed(2).padStart(6)} (workers did ${Math.round(100 * r.workerShare!)}% of the chunks)`),
    );
  }
  return lines.join('\n');
}
