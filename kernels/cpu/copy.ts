// CPU twin of kernels/webgpu/copy.wgsl.ts: moving rows around (slice, concat, gather) and fill.

import type { DataArray, FloatArray } from '../../engine/backend';
import { broadcastStrides, type Shape } from '../../engine/shape';
import { permute } from './layout';
import { random } from './random';

/** Rows [srcStart, srcStart+count) of src [outer, srcAxis, inner] -> rows from dstStart of dst [outer, dstAxis, inner]. */
export function copyAxis(
  src: DataArray, dst: DataArray, outer: number, inner: number,
  srcAxis: number, dstAxis: number, srcStart: number, dstStart: number, count: number,
): void {
  const len = count * inner;
  for (let o = 0; o < outer; o++) {
    const s = (o * srcAxis + srcStart) * inner;
    const d = (o * dstAxis + dstStart) * inner;
    for (let i = 0; i < len; i++) dst[d + i] = src[s + i];
  }
}

/** out[i, :] = x[indices[i], :]. Indices were range-checked when the tensor was made. */
export function gather(x: FloatArray, indices: Int32Array, out: FloatArray, rows: number, inner: number): void {
  for (let r = 0; r < rows; r++) {
    const s = indices[r] * inner;
    const d = r * inner;
    for (let i = 0; i < inner; i++) out[d + i] = x[s + i];
  }
}

/** Scratch for gatherRandom's indices, reused from call to call (this runs every training step). */
let drawn = new Int32Array(0);

/**
 * gather(x, randint([rows], high)) in one call: the indices are drawn into scratch by the same
 * loop as randint (so the same numbers), then the rows are copied.
 */
export function gatherRandom(x: FloatArray, out: FloatArray, rows: number, inner: number, key0: number, key1: number, counter: number, high: number): void {
  if (drawn.length < rows) drawn = new Int32Array(rows);
  const indices = drawn.subarray(0, rows);
  random(indices, 'int', key0, key1, counter, 0, high);
  gather(x, indices, out, rows, inner);
}

/** out[indices[i], :] += src[i, :]: a row picked twice by gather gets both gradients. */
export function scatterAdd(src: FloatArray, indices: Int32Array, out: FloatArray, rows: number, inner: number): void {
  for (let r = 0; r < rows; r++) {
    const d = indices[r] * inner;
    const s = r * inner;
    for (let i = 0; i < inner; i++) out[d + i] += src[s + i];
  }
}

export function fill(out: DataArray, value: number): void {
  out.fill(value);
}

/** out = scale * x, with x broadcast from inShape to outShape (NumPy rules). */
export function expand(x: FloatArray, out: FloatArray, inShape: Shape, outShape: Shape, scale: number): void {
  if (x.length === 1) {
    out.fill(x[0] * scale);
    return;
  }
  // Broadcast axes have stride 0: the strided walk of permute reads the same element again.
  permute(x, out, outShape, broadcastStrides(inShape, outShape), scale);
}
