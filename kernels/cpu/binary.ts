// CPU twin of kernels/webgpu/binary.wgsl.ts: out = f(a, b) with NumPy broadcasting.

import type { BinaryOp, FloatArray } from '../../engine/backend';
import { broadcastStrides, sameShape, sizeOf, type Shape } from '../../engine/shape';
import { BCE_EPS } from '../../engine/constants';

import { safeDivisor } from '../../engine/scalar';


function apply(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / safeDivisor(b);
    case 'eq': return a === b ? 1 : 0;
    case 'bceLogits': return Math.max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a)));
    case 'bceLogitsGrad': return (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))) - b;
    case 'bce': {
      const p = Math.min(Math.max(a, BCE_EPS), 1 - BCE_EPS);
      return -(b * Math.log(p) + (1 - b) * Math.log(1 - p));
    }
    case 'bceGrad': {
      if (a < BCE_EPS || a > 1 - BCE_EPS) return 0;
      return (a - b) / (a * (1 - a));
    }
    default: throw new Error(`cpu binary: unknown op '${op as string}'`);
  }
}

export function binary(op: BinaryOp, a: FloatArray, b: FloatArray, out: FloatArray, aShape: Shape, bShape: Shape, outShape: Shape): void {
  const n = out.length;
  const na = a.length;
  const nb = b.length;
  // Fast paths for the common cases; the hot ones get their own loops so V8 can inline.
  if (na === n && nb === n) {
    if (op === 'add') { for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return; }
    if (op === 'mul') { for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return; }
    if (op === 'sub') { for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return; }
    for (let i = 0; i < n; i++) out[i] = apply(op, a[i], b[i]);
    return;
  }
  if (nb === 1) {
    const bv = b[0];
    if (op === 'mul') { for (let i = 0; i < n; i++) out[i] = a[i] * bv; return; }
    for (let i = 0; i < n; i++) out[i] = apply(op, a[i], bv);
    return;
  }
  if (na === 1) {
    const av = a[0];
    for (let i = 0; i < n; i++) out[i] = apply(op, av, b[i]);
    return;
  }
  // b broadcast over the leading axes of a (e.g. a bias [n] added to [m, n]).
  if (na === n && isTrailing(bShape, outShape)) {
    if (op === 'add') {
      for (let i = 0; i < n; i += nb) for (let j = 0; j < nb; j++) out[i + j] = a[i + j] + b[j];
      return;
    }
    for (let i = 0; i < n; i += nb) for (let j = 0; j < nb; j++) out[i + j] = apply(op, a[i + j], b[j]);
    return;
  }
  if (nb === n && isTrailing(aShape, outShape)) {
    for (let i = 0; i < n; i += na) for (let j = 0; j < na; j++) out[i + j] = apply(op, a[j], b[i + j]);
    return;
  }
  // General case: walk the output with an odometer and move both inputs by their strides.
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    out[i] = apply(op, a[ia], b[ib]);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

/** True when `inner` (after dropping leading 1s) equals the trailing dims of `outer`. */
function isTrailing(inner: Shape, outer: Shape): boolean {
  let start = 0;
  while (start < inner.length && inner[start] === 1) start++;
  const tail = inner.slice(start);
  return sizeOf(tail) > 0 && sameShape(tail, outer.slice(outer.length - tail.length));
}
