// Broadcasting and its undoing, as a pair of differentiable ops:
//   expandTo: copy x along new or size-1 axes (the backward of sum and mean);
//   sumTo:    sum g over the axes a broadcast added (the backward of every broadcasting op).
// Each is the other's derivative, so gradients through them can be differentiated again.

import { record } from '../autograd';
import { sameShape, sizeOf, type Shape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { reshape } from './layout';
import { unaryOp } from './unary';

/**
 * scale · Σ of g down to `shape` (undo broadcasting): sum over the leading axes `shape` lacks
 * and over the axes where `shape` has 1. Returns g itself when there is nothing to do.
 * Derivative: dg = scale · dy broadcast back to g's shape.
 */
export function sumTo(g: Tensor, shape: Shape, scale = 1): Tensor {
  if (sameShape(g.shape, shape) && scale === 1) return g;
  const rank = g.shape.length;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  let cur = g;
  let curShape = [...g.shape];
  let pending = scale; // applied by the first pass
  // Reduce each run of consecutive broadcast axes in one pass: view as [outer, run, inner].
  let axis = 0;
  while (axis < rank) {
    if (padded[axis] === 1 && curShape[axis] !== 1) {
      let end = axis;
      while (end + 1 < rank && padded[end + 1] === 1 && curShape[end + 1] !== 1) end++;
      const outer = sizeOf(curShape.slice(0, axis));
      const run = sizeOf(curShape.slice(axis, end + 1));
      const inner = sizeOf(curShape.slice(end + 1));
      const nextShape = curShape.map((d, i) => (i >= axis && i <= end ? 1 : d));
      const next = Tensor.empty(nextShape, cur.dtype, cur.backend);
      runKernel(cur.backend, { kernel: 'reduce', op: 'sum', x: cur.storage('sumTo'), out: next.storage('sumTo'), outer, axisSize: run, inner, scale: pending }, 'sumTo', [curShape, nextShape]);
      pending = 1;
      if (cur !== g) cur.dispose();
      cur = next;
      curShape = nextShape;
      axis = end + 1;
    } else axis++;
  }
  // Only size-1 axes differed (e.g. [1, 4] to [4]): nothing to sum, but the shape must change.
  if (cur === g) return reshape(pending === 1 ? g : unaryOp('sumTo', 'affine', g, pending, 0), shape);
  const out = Tensor.view(cur, shape);
  cur.dispose();
  return record(out, 'sumTo', [g], (dy) => [expandTo(dy, g.shape, scale)], 'dx = scale·dy broadcast back over the summed axes');
}

/**
 * scale · x broadcast to `shape` (NumPy rules). `inShape` reads x's data with another shape of
 * the same size (a reduced result without keepDims, read with the reduced axes kept as 1).
 * Derivative: dx = scale · Σ dy over the broadcast axes.
 */
export function expandTo(x: Tensor, shape: Shape, scale = 1, inShape: Shape = x.shape): Tensor {
  const out = Tensor.empty(shape, x.dtype, x.backend);
  runKernel(x.backend, { kernel: 'expand', x: x.storage('expand'), out: out.storage('expand'), inShape, outShape: shape, scale }, 'expand', [inShape, shape]);
  return record(out, 'expand', [x], (dy) => {
    const summed = sumTo(dy, inShape, scale);
    return [sameShape(inShape, x.shape) ? summed : reshape(summed, x.shape)];
  }, 'dx = scale·Σ dy over the broadcast axes');
}
