// CPU twin of kernels/webgpu/matmul.wgsl.ts (the whole ladder computes the same thing).
// out[b] = op(A[b]) · op(B[b]), where op(A) = Aᵀ when transA. Shapes after op: [m, k] · [k, n].
// Stored layouts: A is [m, k] (or [k, m] when transA), B is [k, n] (or [n, k] when transB).
//
// Float32 arithmetic, the same on every path: out[i, j] = init[j], then for p = 0, 1, ..., k-1
//   out[i, j] = fl(out[i, j] + fl(A[i, p] · B[p, j]))      (fl: round to the nearest float32)
// which is what float32 hardware does without fused multiply-adds. Small products run in the
// register-blocked JavaScript loops below; large ones in the WebAssembly SIMD kernel of
// gemm-wasm.ts, which rounds identically, so results do not depend on which ran. Float64 arrays
// (gradient checks) take plain loops in double precision.

import type { ActivationGradOfY, FloatArray, FusedActivation } from '../../engine/backend';
import { wasmGemm, wasmGemmAvailable, type GemmEpilogue } from './gemm-wasm';
import { wasmGemv } from './gemv-wasm';
import { unary, unaryGrad } from './unary';

/** 'auto': WebAssembly where available, except for tiny products (see cpuGemmPathFor). */
export type CpuGemmPath = 'auto' | 'js' | 'wasm';
let gemmPath: CpuGemmPath = 'auto';

/**
 * m·k·n from which the WebAssembly kernel beats the loops here: copying its operands in and the
 * result out costs about m·k + k·n + 2·m·n where they do not live in its memory.
 */
export const WASM_MIN_WORK = 4096;
/**
 * The same for fewer than 4 columns (n = 1: a logit, a scalar output), where the kernel's blocks
 * of 8 columns are mostly padding: still about 2x the loops' speed from here (µs, operands in the
 * kernel's memory, one run at load 8: [128, 64]·[64, 1] 4.4 against 8.0; [512, 64]·[64, 1]
 * 14.6 against 31.6; [128, 32]·[32, 1] 2.7 against 4.3, but that one copies about as much as
 * it computes where its operands are elsewhere, so it stays in the loops).
 */
export const WASM_MIN_WORK_NARROW = 8192;

/** Force one path of the float32 GEMM (tests, benchmarks); 'wasm' falls back to 'js' where WebAssembly SIMD is missing. */
export function setCpuGemmPath(path: CpuGemmPath): void {
  gemmPath = path;
}

/** Which path a float32 product of this size takes now. */
export function cpuGemmPathFor(m: number, k: number, n: number): 'js' | 'wasm' {
  if (gemmPath === 'js' || !wasmGemmAvailable()) return 'js';
  return gemmPath === 'wasm' || m * k * n >= (n >= 4 ? WASM_MIN_WORK : WASM_MIN_WORK_NARROW) ? 'wasm' : 'js';
}

/** With `grad` (y: gradY), each p becomes p ⊙ act'(y): unaryGrad run in place, the unfused pair's bits. */
export function matmul(
  a: FloatArray, b: FloatArray, out: FloatArray,
  batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, strideA: number, strideB: number,
  grad: Pick<ActivationGradOfY, 'activation' | 'alpha'> | null = null, gradY: FloatArray | null = null,
): void {
  // Element (i, p) of op(A) is at i·sAi + p·sAp, and (p, j) of op(B) at p·sBp + j·sBj, whatever the stored layout.
  const sAi = transA ? 1 : k, sAp = transA ? m : 1;
  const sBp = transB ? 1 : n, sBj = transB ? k : 1;
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * strideA;
    const bo = bi * strideB;
    const oo = bi * m * n;
    if (out instanceof Float32Array) gemm32(a, ao, sAi, sAp, b, bo, transB, out, oo, m, k, n, null);
    else gemm64(a, ao, sAi, sAp, b, bo, sBp, sBj, out, oo, m, k, n, null);
  }
  if (grad && gradY) unaryGrad(grad.activation, gradY, gradY, out, out, grad.alpha, 0);
}

/**
 * The float32 product on the path cpuGemmPathFor picks. B is stored [k, n], or [n, k] when transB.
 * Returns whether the epilogue `act` is done (the WebAssembly kernel applies it as it stores;
 * the JavaScript loops leave it to the caller).
 */
function gemm32(
  a: FloatArray, ao: number, sAi: number, sAp: number,
  b: FloatArray, bo: number, transB: boolean,
  out: Float32Array, oo: number, m: number, k: number, n: number,
  init: FloatArray | null, act: GemmEpilogue = 0, alpha = 0, claim = false,
): boolean {
  if (m === 0 || n === 0) return true;
  const wasm = cpuGemmPathFor(m, k, n) === 'wasm' && a instanceof Float32Array && b instanceof Float32Array && (init === null || init instanceof Float32Array);
  // One output column (a logit layer, a gradient of one): four rows to a vector instead of 8 padded columns.
  if (wasm && n === 1 && act === 0 && wasmGemv(a, ao, sAi, sAp, b, bo, out, oo, m, k, init)) return true;
  if (wasm && wasmGemm(a, ao, sAi, sAp, b, bo, transB, out, oo, m, k, n, init, act, alpha, claim)) return true;
  gemmJs(a, ao, sAi, sAp, b, bo, transB ? 1 : n, transB ? k : 1, out, oo, m, k, n, init);
  return act === 0;
}

/** Rows of B (values of p) per cache tile: a 4-column strip of B, KC tall, stays in L1 while every block of rows of A uses it. */
const KC = 128;

/**
 * The JavaScript GEMM into a Float32Array: out[i, j] = init[j] + Σ_p A[i, p] · B[p, j] (init: a
 * bias per column, or 0), A[i, p] at a[ao + i·sAi + p·sAp], B[p, j] at b[bo + p·sBp + j·sBj].
 * out starts as init; then p runs in cache tiles of KC, each adding its terms to the partial sums
 * waiting in out (already float32, so storing them between tiles changes nothing). Register blocking: each 4×4 block of out is summed
 * in 16 local variables over the tile, so every A and B value loaded feeds 4 multiply-adds (a
 * plain loop feeds 1). Columns left over at the edge (n not a multiple of 4) take blocks of 4
 * rows by 1 column, rows left over (m not a multiple of 4) the scalar loop. Math.fround rounds each product and each sum to float32, as the header says.
 */
export function gemmJs(
  a: FloatArray, ao: number, sAi: number, sAp: number,
  b: FloatArray, bo: number, sBp: number, sBj: number,
  out: Float32Array, oo: number, m: number, k: number, n: number,
  init: FloatArray | null,
): void {
  const f = Math.fround;
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[oo + i * n + j] = init ? init[j] : 0;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = Math.min(k, p0 + KC);
    for (let j = 0; j < n4; j += 4) {
      const b0 = bo + j * sBj, b1 = b0 + sBj, b2 = b1 + sBj, b3 = b2 + sBj;
      for (let i = 0; i < m4; i += 4) {
        const a0 = ao + i * sAi, a1 = a0 + sAi, a2 = a1 + sAi, a3 = a2 + sAi;
        const r0 = oo + i * n + j, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        let c00 = out[r0], c01 = out[r0 + 1], c02 = out[r0 + 2], c03 = out[r0 + 3];
        let c10 = out[r1], c11 = out[r1 + 1], c12 = out[r1 + 2], c13 = out[r1 + 3];
        let c20 = out[r2], c21 = out[r2 + 1], c22 = out[r2 + 2], c23 = out[r2 + 3];
        let c30 = out[r3], c31 = out[r3 + 1], c32 = out[r3 + 2], c33 = out[r3 + 3];
        for (let p = p0; p < p1; p++) {
          const pa = p * sAp, pb = p * sBp;
          const x0 = a[a0 + pa], x1 = a[a1 + pa], x2 = a[a2 + pa], x3 = a[a3 + pa];
          const y0 = b[b0 + pb], y1 = b[b1 + pb], y2 = b[b2 + pb], y3 = b[b3 + pb];
          c00 = f(c00 + f(x0 * y0)); c01 = f(c01 + f(x0 * y1)); c02 = f(c02 + f(x0 * y2)); c03 = f(c03 + f(x0 * y3));
          c10 = f(c10 + f(x1 * y0)); c11 = f(c11 + f(x1 * y1)); c12 = f(c12 + f(x1 * y2)); c13 = f(c13 + f(x1 * y3));
          c20 = f(c20 + f(x2 * y0)); c21 = f(c21 + f(x2 * y1)); c22 = f(c22 + f(x2 * y2)); c23 = f(c23 + f(x2 * y3));
          c30 = f(c30 + f(x3 * y0)); c31 = f(c31 + f(x3 * y1)); c32 = f(c32 + f(x3 * y2)); c33 = f(c33 + f(x3 * y3));
        }
        out[r0] = c00; out[r0 + 1] = c01; out[r0 + 2] = c02; out[r0 + 3] = c03;
        out[r1] = c10; out[r1 + 1] = c11; out[r1 + 2] = c12; out[r1 + 3] = c13;
        out[r2] = c20; out[r2 + 1] = c21; out[r2 + 2] = c22; out[r2 + 3] = c23;
        out[r3] = c30; out[r3 + 1] = c31; out[r3 + 2] = c32; out[r3 + 3] = c33;
      }
    }
    // The edges. Columns n4..n (n = 1: a logit, a scalar output) in blocks of 4 rows by 1 column:
    // 4 independent sums keep the multiply-adds flowing. Then rows m4..m, one output at a time.
    for (let j = n4; j < n; j++) {
      const bj = bo + j * sBj;
      for (let i = 0; i < m4; i += 4) {
        const a0 = ao + i * sAi, a1 = a0 + sAi, a2 = a1 + sAi, a3 = a2 + sAi;
        const r0 = oo + i * n + j, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        let c0 = out[r0], c1 = out[r1], c2 = out[r2], c3 = out[r3];
        for (let p = p0; p < p1; p++) {
          const pa = p * sAp;
          const y = b[bj + p * sBp];
          c0 = f(c0 + f(a[a0 + pa] * y)); c1 = f(c1 + f(a[a1 + pa] * y));
          c2 = f(c2 + f(a[a2 + pa] * y)); c3 = f(c3 + f(a[a3 + pa] * y));
        }
        out[r0] = c0; out[r1] = c1; out[r2] = c2; out[r3] = c3;
      }
    }
    for (let i = m4; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = out[oo + i * n + j];
        for (let p = p0; p < p1; p++) s = f(s + f(a[ao + i * sAi + p * sAp] * b[bo + p * sBp + j * sBj]));
        out[oo + i * n + j] = s;
      }
    }
  }
}

/** Float64 (gradient checks): out[i, j] = init[j] + Σ_p A[i, p] · B[p, j] in double precision. */
function gemm64(
  a: FloatArray, ao: number, sAi: number, sAp: number,
  b: FloatArray, bo: number, sBp: number, sBj: number,
  out: FloatArray, oo: number, m: number, k: number, n: number,
  init: FloatArray | null,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = init ? init[j] : 0;
      for (let p = 0; p < k; p++) s += a[ao + i * sAi + p * sAp] * b[bo + p * sBp + j * sBj];
      out[oo + i * n + j] = s;
    }
  }
}

/** out = act(x · W + bias): the fused forward of a Linear layer. */
export function linear(
  x: FloatArray, w: FloatArray, bias: FloatArray | null, out: FloatArray,
  m: number, k: number, n: number, activation: FusedActivation, alpha: number,
): void {
  // The epilogue: the activation's row of the op table, in place; ReLU and LeakyReLU on float32
  // run inside the WebAssembly kernel's store where it computes the product. A layer's output is
  // claimed by the threads that write it (gemm.wat: the weight gradient's product read it on both cores).
  const inKernel: GemmEpilogue = activation === 'relu' ? 1 : activation === 'leakyRelu' ? 2 : 0;
  let done = false;
  if (out instanceof Float32Array) done = gemm32(x, 0, k, 1, w, 0, false, out, 0, m, k, n, bias, inKernel, alpha, true) && inKernel !== 0;
  else gemm64(x, 0, k, 1, w, 0, n, 1, out, 0, m, k, n, bias);
  if (activation !== 'none' && !done) unary(activation, out, out, alpha, 0);
}

export function transpose(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
}
