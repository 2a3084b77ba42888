// The JavaScript side of select-sum.wat: ReLU's and LeakyReLU's choice by sign (forward and
// gradient) and the column sums of a bias gradient, in WebAssembly SIMD on arrays that live in
// the GEMM kernel's memory (wasm-heap.ts), bit for bit what unary.ts's selectBySign and
// reduce.ts's loops compute (read select-sum.wat for why). Arrays elsewhere, or an engine
// without a shared memory, keep the JavaScript loops.

import selectSumBytes from './select-sum.wat?shared';
import { kernelsOnHeap } from './gemm-wasm';
import { float64Words } from './wasm-instance';

type Select = (c: number, p: number, out: number, n: number, act: number, alphaLo: number, alphaHi: number) => void;
type ColSum = (x: number, out: number, rows: number, cols: number) => void;

/** The module on the GEMM kernel's memory; null where there is none. */
const kernelsHere = kernelsOnHeap(selectSumBytes, (exports) => ({ select: exports.select as Select, colSum: exports.colSum as ColSum }));

/**
 * out = c > 0 ? p : (alpha === null ? +0 : alpha·p), elementwise over out.length, in the kernel
 * when c, p and out all live in its memory; returns false (nothing done) otherwise.
 */
export function wasmSelectBySign(c: Float32Array, p: Float32Array, alpha: number | null, out: Float32Array): boolean {
  const k = kernelsHere();
  if (k === null) return false;
  const n = out.length;
  const cAt = k.heap.addressOf(c, 0), pAt = k.heap.addressOf(p, 0), outAt = k.heap.addressOf(out, 0);
  if (cAt < 0 || pAt < 0 || outAt < 0 || c.length < n || p.length < n) return false;
  const alphaWords = float64Words(alpha ?? 0);
  k.select(cAt, pAt, outAt, n, alpha === null ? 1 : 2, alphaWords[0], alphaWords[1]);
  return true;
}

/**
 * out[oo + j] = Σ_i x[xo + i·cols + j] for j < cols, summed in float32 in the order i = 0, 1, ...,
 * in the kernel when x lives in its memory (out need not: the sums go through scratch); returns
 * false (nothing done) otherwise.
 */
export function wasmColumnSums(x: Float32Array, xo: number, out: Float32Array, oo: number, rows: number, cols: number): boolean {
  const k = kernelsHere();
  if (k === null) return false;
  const xAt = k.heap.addressOf(x, xo);
  if (xAt < 0) return false;
  const outAt = k.heap.addressOf(out, oo);
  const at = outAt >= 0 ? outAt : k.heap.scratch(4 * cols);
  if (at < 0) return false;
  k.colSum(xAt, at, rows, cols);
  if (outAt < 0) out.set(k.heap.floats.subarray(at / 4, at / 4 + cols), oo);
  return true;
}
