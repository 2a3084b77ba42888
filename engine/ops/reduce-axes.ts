// Reductions over a list of axes, as PyTorch's sum(x, dims): a front over the one-axis
// reductions of ./reduce.ts. The reduced axes are brought together (a view when they are
// already neighbours, else one permute), merged into one axis, and reduced in one kernel, so
// max's gradient is shared evenly among the ties of the whole set (as torch.amax).
//   sum(x, [0, 2]):  [A, B, C] → permute to [B, A, C] → view [B, A·C] → reduce the last axis

import type { Shape } from '../shape';
import type { Tensor } from '../tensor';
import { normAxes, permute } from './axes';
import { reshape } from './layout';
import * as one from './reduce';
import { checkFloat } from './util';

/** One axis, a list of axes, or undefined for all of them. */
export type Axes = number | readonly number[] | undefined;

type OneAxis = (x: Tensor, axis?: number, keepDims?: boolean) => Tensor;

/** reduce(x) over `axes` with a one-axis reduction; keepDims leaves each reduced axis as size 1. */
function overAxes(op: string, reduce: OneAxis, x: Tensor, axes: Axes, keepDims: boolean): Tensor {
  if (!Array.isArray(axes)) return reduce(x, axes as number | undefined, keepDims); // one axis (or a mistake it names)
  checkFloat(op, x);
  const list = normAxes(op, axes, x.rank);
  // PyTorch 1.13 reads an empty list of axes as "all of them".
  if (list.length === 0) return reduce(x, undefined, keepDims);
  if (list.length === 1) return reduce(x, list[0], keepDims);
  const reduced = [...list].sort((p, q) => p - q);
  const kept = x.shape.map((_, i) => i).filter((i) => !reduced.includes(i));
  const size = reduced.reduce((n, i) => n * x.shape[i], 1);
  if (size === 0 && op === 'max') throw new Error(one.emptyExtreme(op, x, axes));
  const keptShape = kept.map((i) => x.shape[i]);
  // Neighbours ([1, 2] of a 4-D tensor) merge in place; otherwise the kept axes go first.
  const together = reduced.every((a, i) => i === 0 || a === reduced[i - 1] + 1);
  const merged = together
    ? reshape(x, [...x.shape.slice(0, reduced[0]), size, ...x.shape.slice(reduced[reduced.length - 1] + 1)])
    : reshape(permute(x, [...kept, ...reduced]), [...keptShape, size]);
  const axis = together ? reduced[0] : keptShape.length;
  const out = reduce(merged, axis, false);
  const shape: Shape = keepDims ? x.shape.map((d, i) => (reduced.includes(i) ? 1 : d)) : keptShape;
  return reshape(out, shape);
}

/** Sum over `axis` (a number or a list), or all elements; keepDims leaves the reduced axes as size 1. */
export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return overAxes('sum', one.sum, x, axis, keepDims);
}

/** Mean over `axis` (a number or a list), or all elements. */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return overAxes('mean', one.mean, x, axis, keepDims);
}

/**
 * Maximum over `axis` (a number or a list), or all elements. The gradient is shared equally
 * among tied maxima (as PyTorch's amax, and its max() of all elements).
 */
export function max(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return overAxes('max', one.max, x, axis, keepDims);
}

/** Throws, naming `op`, when `axis` (or the whole tensor) holds no values: their max or min is undefined. */
export function refuseEmptyExtreme(op: string, x: Tensor, axis: Axes): void {
  checkFloat(op, x);
  if (reducedCount(op, x, axis) === 0) throw new Error(one.emptyExtreme(op, x, axis));
}

/** The size of the reduced part: all elements, or the product of the axes' sizes. */
export function reducedCount(op: string, x: Tensor, axis: Axes): number {
  if (axis === undefined) return x.size;
  const list = normAxes(op, typeof axis === 'number' ? [axis] : axis, x.rank);
  if (list.length === 0) return x.size;
  return list.reduce((n, i) => n * x.shape[i], 1);
}
