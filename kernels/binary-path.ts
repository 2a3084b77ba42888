// How a two-input elementwise kernel finds its inputs, chosen from the shapes: the same choice
// on both backends (kernels/cpu/binary.ts and kernels/webgpu/binary.wgsl.ts).
//   same     a and b have the output's size:         out[i] = f(a[i], b[i])
//   scalarB  b has one element:                      out[i] = f(a[i], b[0])      (and scalarA)
//   rowB     b repeats along the leading axes of a:  out[i] = f(a[i], b[i % nb]) (and rowA)
//   strided  anything else: each input is read through broadcast strides (stride 0 on a
//            broadcast axis).

import { sameShape, sizeOf, type Shape } from '../engine/shape';

export type BinaryPath = 'same' | 'scalarA' | 'scalarB' | 'rowA' | 'rowB' | 'strided';

/** True when `inner` (after dropping leading 1s) equals the trailing dims of `outer`. */
function isTrailing(inner: Shape, outer: Shape): boolean {
  let start = 0;
  while (start < inner.length && inner[start] === 1) start++;
  const tail = inner.slice(start);
  return sizeOf(tail) > 0 && sameShape(tail, outer.slice(outer.length - tail.length));
}

export function binaryPath(aShape: Shape, bShape: Shape, outShape: Shape): BinaryPath {
  const na = sizeOf(aShape);
  const nb = sizeOf(bShape);
  const n = sizeOf(outShape);
  if (na === n && nb === n) return 'same';
  if (nb === 1) return 'scalarB';
  if (na === 1) return 'scalarA';
  if (na === n && isTrailing(bShape, outShape)) return 'rowB';
  if (nb === n && isTrailing(aShape, outShape)) return 'rowA';
  return 'strided';
}
