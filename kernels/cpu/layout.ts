// CPU twin of kernels/webgpu/layout.wgsl.ts: permute (axes in a new order) and cast (a new dtype).

import type { DataArray } from '../../engine/backend';
import type { Shape } from '../../engine/shape';

/**
 * out (contiguous, outShape) = scale · x read at Σ c_d·strides[d]: an odometer over the output's
 * coordinates. Also expand's loop (a broadcast axis has stride 0).
 */
export function permute(x: DataArray, out: DataArray, outShape: Shape, strides: readonly number[], scale = 1): void {
  const rank = outShape.length;
  let n = 1;
  for (const d of outShape) n *= d;
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    out[i] = scale === 1 ? x[src] : x[src] * scale;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += strides[d];
      if (idx[d] < outShape[d]) break;
      src -= strides[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

/**
 * out = x in out's dtype: to float32 rounded to nearest (a typed array's store), to int32 rounded
 * toward zero (Math.trunc, as WGSL's i32()).
 */
export function cast(x: DataArray, out: DataArray): void {
  if (out instanceof Int32Array && !(x instanceof Int32Array)) {
    for (let i = 0; i < out.length; i++) out[i] = Math.trunc(x[i]);
    return;
  }
  out.set(x);
}
