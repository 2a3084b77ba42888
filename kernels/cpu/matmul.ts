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
    // i-p-j order: the inner loop streams a row of B into a row of out.
    for (let i = 0; i < m; i++) {
      const row = oo + i * n;
      for (let j = 0; j < n; j++) out[row + j] = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[ao + p * m + i] : a[ao + i * k + p];
        if (av === 0) continue;
        const brow = bo + p * n;
        for (let j = 0; j < n; j++) out[row + j] += av * b[brow + j];
      }
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
