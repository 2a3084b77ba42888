// Ops that rearrange axes without arithmetic: permute, transpose (any rank), squeeze,
// unsqueeze, expand and stack, with PyTorch's names and rules.
//   permute    one kernel of its own ('permute'); its derivative is the inverse permutation.
//   squeeze, unsqueeze   views of the same buffer (reshape): no copy.
//   expand     the broadcast kernel of sum's backward (./broadcast.ts expandTo); derivative Σ dy.
//   stack      unsqueeze each, then concat.

import { record } from '../autograd';
import { formatShape, normAxis, sameShape, stridesOf, type Shape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { expandTo } from './broadcast';
import { concat, reshape } from './layout';
import { transpose as transpose2d } from './matmul';
import { checkLive } from './util';
import { describeValue } from '../options';

/** A list of axes, each normalised (negative counts from the end) and checked once. */
export function normAxes(op: string, axes: readonly number[], rank: number): number[] {
  if (!Array.isArray(axes)) throw new Error(`${op}: axes must be an array of numbers, got ${describeValue(axes)}`);
  const out = axes.map((a) => normAxis(op, a, rank));
  const seen = new Set<number>();
  for (let i = 0; i < out.length; i++) {
    if (seen.has(out[i])) throw new Error(`${op}: axis ${axes[i]} is repeated in [${axes.join(', ')}] (rank ${rank})`);
    seen.add(out[i]);
  }
  return out;
}

/**
 * The axes of x in a new order: out.shape[i] = x.shape[dims[i]]. permute(x, [0, 2, 1]) swaps the
 * last two axes of a 3-D tensor. Derivative: dy permuted back by the inverse order.
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkLive('permute', x);
  const perm = normAxes('permute', dims, x.rank);
  if (perm.length !== x.rank) {
    throw new Error(`permute: needs one entry per axis of x ${formatShape(x.shape)} (rank ${x.rank}), got [${dims.join(', ')}]`);
  }
  const outShape = perm.map((d) => x.shape[d]);
  if (perm.every((d, i) => d === i)) return reshape(x, outShape);
  // Merge output axes that stay neighbours in x (and drop size-1 axes): the kernel walks fewer.
  const inStrides = stridesOf(x.shape);
  const dims2: number[] = [];
  const strides: number[] = [];
  for (const d of perm) {
    if (x.shape[d] === 1) continue;
    const last = dims2.length - 1;
    if (last >= 0 && strides[last] === inStrides[d] * x.shape[d]) {
      dims2[last] *= x.shape[d];
      strides[last] = inStrides[d];
    } else {
      dims2.push(x.shape[d]);
      strides.push(inStrides[d]);
    }
  }
  const out = Tensor.empty(outShape, x.dtype, x.backend, 'permute');
  runKernel(x.backend, { kernel: 'permute', x: x.storage('permute'), out: out.storage('permute'), outShape: dims2, strides }, 'permute', [x.shape, outShape]);
  const inverse = new Array<number>(perm.length);
  perm.forEach((d, i) => (inverse[d] = i));
  if (x.dtype === 'int32') return out;
  return record(out, 'permute', [x], (dy) => [permute(dy, inverse)], 'dx = dy permuted back (the inverse order)');
}

/**
 * Swap two axes: transpose(x, 0, 2). transpose(x) with no axes is the 2-D matrix transpose (its
 * own kernel), as before; for other ranks give the two axes.
 */
export function transpose(x: Tensor, dim0?: number, dim1?: number): Tensor {
  checkLive('transpose', x);
  if (dim0 === undefined && dim1 === undefined) {
    if (x.rank !== 2) throw new Error(`transpose: x has shape ${formatShape(x.shape)}; without axes transpose needs a 2-D tensor: give the two axes to swap, e.g. transpose(x, 0, 1)`);
    return transpose2d(x);
  }
  if (dim0 === undefined || dim1 === undefined) throw new Error(`transpose: give both axes to swap, e.g. transpose(x, 0, 1), got ${String(dim0)} and ${String(dim1)}`);
  const a = normAxis('transpose', dim0, x.rank);
  const b = normAxis('transpose', dim1, x.rank);
  if (x.rank === 2 && a !== b) return transpose2d(x);
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

/**
 * Drop size-1 axes: all of them, or the one (or ones) given. As in PyTorch, an axis given whose
 * size is not 1 is left as it is. A view (no copy).
 */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkLive('squeeze', x);
  const given = axis === undefined ? null : normAxes('squeeze', typeof axis === 'number' ? [axis] : axis, x.rank);
  const shape = x.shape.filter((d, i) => !(d === 1 && (given === null || given.includes(i))));
  return reshape(x, shape);
}

/** A size-1 axis inserted at `axis` (−rank−1 ≤ axis ≤ rank; negative counts from the end). A view. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkLive('unsqueeze', x);
  const a = normAxis('unsqueeze', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/**
 * x broadcast to `shape` (PyTorch's expand): size-1 axes grow, new axes are added in front, and
 * −1 keeps an axis's size. A copy (the broadcast kernel); derivative: dy summed over the
 * broadcast axes.
 */
export function expand(x: Tensor, shape: Shape): Tensor {
  checkLive('expand', x);
  if (!Array.isArray(shape)) throw new Error(`expand: the shape must be an array of dimensions, e.g. x.expand([4, 3]), got ${describeValue(shape)}`);
  const lead = shape.length - x.rank;
  const fix = `use a shape of rank >= ${x.rank} whose sizes equal x's or grow x's size-1 axes`;
  if (lead < 0) throw new Error(`expand: cannot expand ${formatShape(x.shape)} to fewer axes ${formatShape(shape)}; ${fix}`);
  const target = shape.map((d, i) => {
    const own = i >= lead ? x.shape[i - lead] : null;
    if (d === -1) {
      if (own === null) throw new Error(`expand: -1 at axis ${i} of ${formatShape(shape)} is a new leading axis of ${formatShape(x.shape)}: give its size`);
      return own;
    }
    if (!Number.isInteger(d) || d < 0 || (own !== null && own !== 1 && own !== d)) {
      throw new Error(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)} (axis ${i}: ${own ?? 'new'} to ${d}); ${fix}`);
    }
    return d;
  });
  if (sameShape(target, x.shape)) return reshape(x, target);
  if (x.dtype === 'int32') throw new Error(`expand: int32 tensors (shape ${formatShape(x.shape)}) cannot be expanded yet; cast(x, 'float32') first`);
  return expandTo(x, target);
}

/** Join tensors of one shape along a new axis: stack([a, b], 0) has shape [2, ...a.shape]. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('stack: needs a non-empty array of tensors, e.g. stack([a, b], 0)');
  checkLive('stack', ...tensors);
  const first = tensors[0];
  for (const t of tensors) {
    if (!sameShape(t.shape, first.shape)) {
      throw new Error(`stack: every tensor must have the same shape, got ${tensors.map((u) => formatShape(u.shape)).join(', ')}`);
    }
  }
  const a = normAxis('stack', axis, first.rank + 1);
  return concat(tensors.map((t) => unsqueeze(t, a)), a);
}
