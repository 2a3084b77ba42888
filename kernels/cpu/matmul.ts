// CPU twin of kernels/webgpu/matmul.wgsl.ts (the whole ladder computes the same thing).
// out[b] = op(A[b]) · op(B[b]), where op(A) = Aᵀ when transA. Shapes after op: [m, k] · [k, n].
// Stored layouts: A is [m, k] (or [k, m] when transA), B is [k, n] (or [n, k] when transB).

import type { FloatArray, FusedActivation } from '../../engine/backend';

export function matmul(
  a: FloatArray, b: FloatArray, out: FloatArray,
  batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, strideA: number, strideB: number,
): void {
  // Element (i, p) of op(A) and (p, j) of op(B), whatever the stored layout: index = i·sAi + p·sAp.
  const sAi = transA ? 1 : k;
  const sAp = transA ? m : 1;
  const sBp = transB ? 1 : n;
  const sBj = transB ? k : 1;
  for (let bi = 0; bi < batch; bi++) {
    gemmBlocked(a, bi * strideA, sAi, sAp, b, bi * strideB, sBp, sBj, out, bi * m * n, m, k, n);
  }
}

/**
 * out[i, j] = Σ_p A[i, p] · B[p, j], register-blocked: each 4×4 block of out is summed in 16
 * local variables over the whole of p, so every A and B value loaded feeds 4 multiply-adds
 * (a plain dot product per output feeds 1) and out is written once. Rows and columns left over
 * at the edges (m or n not a multiple of 4) take the scalar loop. Sums run in float64 locals
 * in the order p = 0, 1, ..., so a Float64Array product is the textbook sum.
 * (Cache tiling over p is not needed at the sizes the models use: a 4-row strip of A and a
 * 4-column strip of B for k ≤ 1024 fit in L1.)
 */
function gemmBlocked(
  a: FloatArray, ao: number, sAi: number, sAp: number,
  b: FloatArray, bo: number, sBp: number, sBj: number,
  out: FloatArray, oo: number, m: number, k: number, n: number,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = ao + i * sAi;
    const a1 = a0 + sAi;
    const a2 = a1 + sAi;
    const a3 = a2 + sAi;
    for (let j = 0; j < n4; j += 4) {
      const b0 = bo + j * sBj;
      const b1 = b0 + sBj;
      const b2 = b1 + sBj;
      const b3 = b2 + sBj;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < k; p++) {
        const pa = p * sAp;
        const pb = p * sBp;
        const x0 = a[a0 + pa], x1 = a[a1 + pa], x2 = a[a2 + pa], x3 = a[a3 + pa];
        const y0 = b[b0 + pb], y1 = b[b1 + pb], y2 = b[b2 + pb], y3 = b[b3 + pb];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
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
      let s = 0;
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
  if (n === 1) {
    // One output column (a logit, a scalar generator): a dot product per row.
    const b0 = bias ? bias[0] : 0;
    for (let i = 0; i < m; i++) {
      let s = b0;
      for (let p = 0; p < k; p++) s += x[i * k + p] * w[p];
      out[i] = s;
    }
    if (activation !== 'none') applyActivation(out, 0, m, activation, alpha);
    return;
  }
  gemmBlocked(x, 0, k, 1, w, 0, n, 1, out, 0, m, k, n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    if (bias) for (let j = 0; j < n; j++) out[row + j] += bias[j];
    if (activation !== 'none') applyActivation(out, row, n, activation, alpha);
  }
}

function applyActivation(out: FloatArray, start: number, count: number, act: FusedActivation, alpha: number): void {
  const end = start + count;
  switch (act) {
    case 'relu': for (let i = start; i < end; i++) if (out[i] < 0) out[i] = 0; break;
    case 'leakyRelu': for (let i = start; i < end; i++) if (out[i] < 0) out[i] *= alpha; break;
    case 'sigmoid': for (let i = start; i < end; i++) out[i] = out[i] >= 0 ? 1 / (1 + Math.exp(-out[i])) : Math.exp(out[i]) / (1 + Math.exp(out[i])); break;
    case 'tanh': for (let i = start; i < end; i++) out[i] = Math.tanh(out[i]); break;
    case 'none': break;
  }
}

export function transpose(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
}
