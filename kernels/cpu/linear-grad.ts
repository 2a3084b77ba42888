// CPU twin of kernels/webgpu/linear-grad.wgsl.ts: the backward of a Linear layer in one call.
//   dz = dy ⊙ act'(y)   (y = act(x·W + b), the layer's output; act' read from y, a row of the op table)
//   dx = dz·Wᵀ,   dW = xᵀ·dz,   db = Σ_rows dz
// On the CPU one call is the same loops the unfused backward ran (the activation's gradient
// loop, two matrix products, a column sum), in the same order, so the results are the same bit
// for bit; what the fusion saves here is the engine's work around each kernel. On the GPU it
// saves dispatches: kernels/webgpu/linear-grad.wgsl.ts is one.

import type { FloatArray, FusedActivation } from '../../engine/backend';
import { matmul } from './matmul';
import { reduce } from './reduce';
import { unaryGrad } from './unary';

/** dz lives in a scratch array reused from call to call (no allocation in a training step). */
const scratch = { f32: new Float32Array(0), f64: new Float64Array(0) };

function scratchLike(like: FloatArray, size: number): FloatArray {
  if (like instanceof Float32Array) {
    if (scratch.f32.length < size) scratch.f32 = new Float32Array(size);
    return scratch.f32.subarray(0, size);
  }
  if (scratch.f64.length < size) scratch.f64 = new Float64Array(size);
  return scratch.f64.subarray(0, size);
}

export function linearGrad(
  x: FloatArray, w: FloatArray, y: FloatArray, dy: FloatArray,
  dx: FloatArray | null, dw: FloatArray | null, db: FloatArray | null,
  m: number, k: number, n: number, activation: FusedActivation, alpha: number,
): void {
  let dz = dy;
  if (activation !== 'none') {
    dz = scratchLike(dy, m * n);
    unaryGrad(activation, y, y, dy, dz, alpha, 0);
  }
  if (dx) matmul(dz, w, dx, 1, m, n, k, false, true, 0, 0); // [m, n]·[k, n]ᵀ
  if (dw) matmul(x, dz, dw, 1, k, m, n, true, false, 0, 0); // [m, k]ᵀ·[m, n]
  if (db) reduce('sum', dz, db, 1, m, n, 1); // the sum over the m rows
}
