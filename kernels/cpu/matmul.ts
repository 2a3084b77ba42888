// CPU twin of kernels/webgpu/matmul.wgsl.ts (the whole ladder computes the same thing).
// out[b] = op(A[b]) · op(B[b]), where op(A) = Aᵀ when transA. Shapes after op: [m, k] · [k, n].
// Stored layouts: A is [m, k] (or [k, m] when transA), B is [k, n] (or [n, k] when transB).

import type { FloatArray, FusedActivation } from '../../engine/backend';
import { unary } from './unary';

export function matmul(
  a: FloatArray, b: FloatArray, out: FloatArray,
  batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, strideA: number, strideB: number,
): void {
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * strideA;
    const bo = bi * strideB;
    const oo = bi * m * n;
    if (transB) {
      // out[i, j] = Σ_p A[i, p] B[j, p]: both rows contiguous in p, a dot product per output.
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          if (transA) for (let p = 0; p < k; p++) s += a[ao + p * m + i] * b[bo + j * k + p];
          else for (let p = 0; p < k; p++) s += a[ao + i * k + p] * b[bo + j * k + p];
          out[oo + i * n + j] = s;
        }
      }
      continue;
    }
    if (out instanceof Float32Array) {
      // Element (i, p) of op(A) is at i·sAi + p·sAp, whatever the stored layout.
      gemmFloat32(a, ao, transA ? 1 : k, transA ? m : 1, b, bo, out, oo, m, k, n, null);
      continue;
    }
    // Float64 (gradient checks): i-p-j order, the inner loop streams a row of B into a row of out.
    for (let i = 0; i < m; i++) {
      const row = oo + i * n;
      for (let j = 0; j < n; j++) out[row + j] = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[ao + p * m + i] : a[ao + i * k + p];
        const brow = bo + p * n;
        for (let j = 0; j < n; j++) out[row + j] += av * b[brow + j];
      }
    }
  }
}

/**
 * out[i, j] = init[j] + Σ_p A[i, p] · B[p, j] into a Float32Array (init: a bias per column, or
 * 0), with B stored [k, n]. Register-blocked: each 4×4 block of out is summed in 16 local
 * variables over the whole of p, so every A and B value loaded feeds 4 multiply-adds (a plain
 * loop feeds 1) and out is written once. Rows and columns left over at the edges (m or n not a
 * multiple of 4) take the scalar loop. Each partial sum is rounded to float32 (Math.fround) in
 * the order p = 0, 1, ..., exactly as a float32 accumulator `out[i, j] += a · b` rounds, so the
 * results are bit for bit those of the plain loops and trained models do not change.
 * (Cache tiling over p is not needed at the sizes the models use: a 4-row strip of A and a
 * 4-column strip of B for k ≤ 1024 fit in L1.)
 */
function gemmFloat32(
  a: FloatArray, ao: number, sAi: number, sAp: number,
  b: FloatArray, bo: number,
  out: Float32Array, oo: number, m: number, k: number, n: number,
  init: FloatArray | null,
): void {
  const f = Math.fround;
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = ao + i * sAi;
    const a1 = a0 + sAi;
    const a2 = a1 + sAi;
    const a3 = a2 + sAi;
    for (let j = 0; j < n4; j += 4) {
      const i0 = init ? init[j] : 0, i1 = init ? init[j + 1] : 0, i2 = init ? init[j + 2] : 0, i3 = init ? init[j + 3] : 0;
      let c00 = i0, c01 = i1, c02 = i2, c03 = i3, c10 = i0, c11 = i1, c12 = i2, c13 = i3;
      let c20 = i0, c21 = i1, c22 = i2, c23 = i3, c30 = i0, c31 = i1, c32 = i2, c33 = i3;
      for (let p = 0; p < k; p++) {
        const pa = p * sAp;
        const pb = bo + p * n + j;
        const x0 = a[a0 + pa], x1 = a[a1 + pa], x2 = a[a2 + pa], x3 = a[a3 + pa];
        const y0 = b[pb], y1 = b[pb + 1], y2 = b[pb + 2], y3 = b[pb + 3];
        c00 = f(c00 + x0 * y0); c01 = f(c01 + x0 * y1); c02 = f(c02 + x0 * y2); c03 = f(c03 + x0 * y3);
        c10 = f(c10 + x1 * y0); c11 = f(c11 + x1 * y1); c12 = f(c12 + x1 * y2); c13 = f(c13 + x1 * y3);
        c20 = f(c20 + x2 * y0); c21 = f(c21 + x2 * y1); c22 = f(c22 + x2 * y2); c23 = f(c23 + x2 * y3);
        c30 = f(c30 + x3 * y0); c31 = f(c31 + x3 * y1); c32 = f(c32 + x3 * y2); c33 = f(c33 + x3 * y3);
      }
      const r0 = oo + i * n + j;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      out[r0] = c00; out[r0 + 1] = c01; out[r0 + 2] = c02; out[r0 + 3] = c03;
      out[r1] = c10; out[r1 + 1] = c11; out[r1 + 2] = c12; out[r1 + 3] = c13;
      out[r2] = c20; out[r2 + 1] = c21; out[r2 + 2] = c22; out[r2 + 3] = c23;
      out[r3] = c30; out[r3 + 1] = c31; out[r3 + 2] = c32; out[r3 + 3] = c33;
    }
  }
  // The edges: rows m4..m for every column, and columns n4..n for the blocked rows.
  for (let i = 0; i < m; i++) {
    for (let j = i < m4 ? n4 : 0; j < n; j++) {
      let s = init ? init[j] : 0;
      for (let p = 0; p < k; p++) s = f(s + a[ao + i * sAi + p * sAp] * b[bo + p * n + j]);
      out[oo + i * n + j] = s;
    }
  }
}

/** out = act(x · W + bias): the fused forward of a Linear layer. */
export function linear(
  x: FloatArray, w: FloatArray, bias: FloatArray | null, out: FloatArray,
  m: number, k: number, n: number, activation: FusedActivation, alpha: number,
): void {
  if (n === 1) {
    // One output column (a logit, a scalar generator): a dot product per row.
    const b0 = bias ? bias[0] : 0;
    for (let i = 0; i < m; i++) {
      let s = b0;
      for (let p = 0; p < k; p++) s += x[i * k + p] * w[p];
      out[i] = s;
    }
  } else if (out instanceof Float32Array) {
    // Starting from the bias, summing x[i, p] · W[p, j] for p = 0, 1, ... (rounded as it is stored).
    gemmFloat32(x, 0, k, 1, w, 0, out, 0, m, k, n, bias);
  } else {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      if (bias) for (let j = 0; j < n; j++) out[row + j] = bias[j];
      else for (let j = 0; j < n; j++) out[row + j] = 0;
      for (let p = 0; p < k; p++) {
        const xv = x[i * k + p];
        const wrow = p * n;
        for (let j = 0; j < n; j++) out[row + j] += xv * w[wrow + j];
      }
    }
  }
  // The epilogue: the activation's row of the op table, in place.
  if (activation !== 'none') unary(activation, out, out, alpha, 0);
}

export function transpose(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
}
