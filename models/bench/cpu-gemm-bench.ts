// `gradlab bench --cpu`, the CPU GEMM alone: GFLOP/s of its two paths (the register-blocked
// JavaScript loops and the WebAssembly SIMD kernel, kernels/cpu/matmul.ts and gemm-wasm.ts) on
// the three products of a wide-GAN layer (batch 512, 64 × 64 weights), timed in one run with the
// paths alternating. A product of [m, k] by [k, n] is 2·m·k·n floating-point operations.

import { wasmGemmAvailable } from '../../kernels/cpu/gemm-wasm';
import { matmul, setCpuGemmPath } from '../../kernels/cpu/matmul';
import { createRng } from '../../engine/rng';
import { timeIt } from './time-it';

export interface GemmBenchRow {
  /** e.g. 'forward x·W [512, 64]·[64, 64]'. */
  product: string;
  jsGflops: number;
  /** null where WebAssembly SIMD is not available. */
  wasmGflops: number | null;
}

const PRODUCTS = [
  { product: 'forward x·W   [512, 64]·[64, 64]', m: 512, k: 64, n: 64, transA: false, transB: false },
  { product: 'backward dY·Wᵀ [512, 64]·[64, 64]ᵀ', m: 512, k: 64, n: 64, transA: false, transB: true },
  { product: 'backward xᵀ·dY [512, 64]ᵀ·[512, 64]', m: 64, k: 512, n: 64, transA: true, transB: false },
];

export function benchCpuGemm(rounds = 5): GemmBenchRow[] {
  const rng = createRng(0);
  const wasm = wasmGemmAvailable();
  const rows = PRODUCTS.map(({ product, m, k, n, transA, transB }) => {
    const a = new Float32Array(m * k), b = new Float32Array(k * n), out = new Float32Array(m * n);
    rng.fillNormal(a);
    rng.fillNormal(b);
    const run = () => matmul(a, b, out, 1, m, k, n, transA, transB, 0, 0);
    const best = { js: Infinity, wasm: Infinity };
    for (let r = 0; r < rounds; r++) {
      for (const path of wasm ? (['js', 'wasm'] as const) : (['js'] as const)) {
        setCpuGemmPath(path);
        best[path] = Math.min(best[path], timeIt(run, { warmup: r === 0 ? 5 : 1, iterations: 10 }).median);
      }
    }
    setCpuGemmPath('auto');
    const gflops = (ms: number): number => (2 * m * k * n) / (ms * 1e6);
    return { product, jsGflops: gflops(best.js), wasmGflops: wasm ? gflops(best.wasm) : null };
  });
  return rows;
}

export function formatCpuGemmBench(rows: GemmBenchRow[]): string {
  const lines = ['CPU GEMM, GFLOP/s (best round of the median call; the backend picks WebAssembly for all but tiny products)'];
  for (const r of rows) {
    lines.push(`  ${r.product.padEnd(38)} JS loops ${r.jsGflops.toFixed(2).padStart(6)}   WebAssembly SIMD ${r.wasmGflops === null ? 'not available here' : r.wasmGflops.toFixed(2).padStart(6)}`);
  }
  return lines.join('\n');
}
