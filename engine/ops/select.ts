// Choosing between two tensors element by element: where, maximum, minimum. maximum and
// minimum are rows of the binary table (./binary-table.ts); where is a composition of its
// `keep` row:  where(c, a, b) = keep(a, c) + keep(b, [c = 0]),  keep(v, m) = v where m ≠ 0, else 0.
// Each keep is exactly 0 where it does not choose, so the sum is the chosen value itself.

import { binaryKernel, binaryOp, add } from './elementwise';
import { cast } from './cast';
import { fullLike } from './creation';
import { checkLive, checkNumber, resultDType } from './util';
import type { Tensor } from '../tensor';

/** A number operand as a one-element tensor beside `like` (same backend and dtype). */
function operand(op: string, name: string, v: Tensor | number, like: Tensor): Tensor {
  if (typeof v !== 'number') return v;
  checkNumber(op, name, v);
  return fullLike(like, v, []);
}

/**
 * 1 where a equals b, else 0, element by element with broadcasting, in a and b's float dtype
 * (PyTorch's torch.eq returns booleans; here a mask of 0s and 1s that multiplies and averages).
 * A comparison has no gradient: nothing flows back through it. `name` labels the kernel in
 * traces (e.g. 'accuracy').
 */
export function eq(a: Tensor, b: Tensor, name = 'eq'): Tensor {
  return binaryKernel(name, 'eq', a, b);
}

/**
 * The larger of a and b, element by element, with broadcasting. Gradient: dy to the larger input;
 * where a = b each gets dy/2 (as PyTorch 1.13's maximum).
 */
export function maximum(a: Tensor | number, b: Tensor | number): Tensor {
  return pair('maximum', a, b);
}

/** The smaller of a and b, element by element; at a tie each gets dy/2 (as PyTorch 1.13's minimum). */
export function minimum(a: Tensor | number, b: Tensor | number): Tensor {
  return pair('minimum', a, b);
}

function pair(op: 'maximum' | 'minimum', a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${op}: needs at least one tensor, got the numbers ${a} and ${b} (use Math.${op === 'maximum' ? 'max' : 'min'})`);
  const like = typeof a === 'number' ? (b as Tensor) : a;
  checkLive(op, like);
  return binaryOp(op, op, operand(op, 'a', a, like), operand(op, 'b', b, like));
}

/**
 * a where cond is non-zero, b elsewhere; cond, a and b broadcast together (cond any dtype, e.g. a
 * 0/1 mask or an int32 tensor). Gradient: dy to a where cond ≠ 0, to b elsewhere; none to cond.
 * A composition of two `keep` kernels and an add.
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  checkLive('where', cond);
  if (typeof a === 'number' && typeof b === 'number') {
    throw new Error(`where: a and b are both numbers (${a}, ${b}); give at least one tensor, e.g. where(cond, fullLike(cond, ${a}), ${b})`);
  }
  const like = typeof a === 'number' ? (b as Tensor) : a;
  checkLive('where', like);
  const ta = operand('where', 'a', a, like);
  const tb = operand('where', 'b', b, like);
  const c = cond.dtype === 'int32' || cond.dtype !== resultDType(ta, tb) ? cast(cond, resultDType(ta, tb)) : cond;
  const zero = fullLike(c, 0, []);
  const notC = binaryKernel('where', 'eq', c, zero);
  zero.dispose();
  return add(binaryOp('where', 'keep', ta, c), binaryOp('where', 'keep', tb, notC));
}
