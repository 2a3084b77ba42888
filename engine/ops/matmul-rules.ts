// matmul with PyTorch's rules, a front over the 2-D and 3-D products of ./matmul.ts:
//   [k]·[k] → []            (a dot product)
//   [k]·[..., k, n] → [..., n],  [..., m, k]·[k] → [..., m]   (a 1-D operand gets an axis, then loses it)
//   [..., m, k]·[..., k, n] → [..., m, n]   batch axes broadcast (NumPy rules), any rank
// A 2-D right operand is shared by the whole batch: the batch folds into the rows, one product.
// Otherwise both operands are expanded to the broadcast batch (a copy only where an axis grows)
// and viewed as [batch, m, k]·[batch, k, n]. The gradients are those of reshape, expand and
// the product (the broadcast batch axes summed back).

import { broadcastShapes, formatShape, sameShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { expand, squeeze, unsqueeze } from './axes';
import { reshape } from './layout';
import { matmul as product } from './matmul';
import { checkLive } from './util';

/** Matrix product with PyTorch's rules: 1-D operands, broadcast batch axes, any rank. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkLive('matmul', a, b);
  if (a.rank === 0 || b.rank === 0) {
    throw new Error(`matmul: both operands need at least one axis, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}; to scale by a number use mul`);
  }
  const a2 = a.rank === 1 ? unsqueeze(a, 0) : a; // [k] → [1, k]
  const b2 = b.rank === 1 ? unsqueeze(b, 1) : b; // [k] → [k, 1]
  const [m, k] = a2.shape.slice(-2);
  const [kb, n] = b2.shape.slice(-2);
  if (k !== kb) {
    throw new Error(`matmul: inner dimensions do not match: ${formatShape(a.shape)} · ${formatShape(b.shape)} (${k} vs ${kb}); the last axis of the first must equal the ${b.rank === 1 ? 'only' : 'second-to-last'} axis of the second`);
  }
  const out = batched(a2, b2, m, k, n);
  if (a.rank === 1 && b.rank === 1) return reshape(out, []);
  if (a.rank === 1) return squeeze(out, -2);
  if (b.rank === 1) return squeeze(out, -1);
  return out;
}

function batched(a: Tensor, b: Tensor, m: number, k: number, n: number): Tensor {
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  // The shapes the 2-D and 3-D product takes as they are.
  if (a.rank <= 3 && b.rank <= 3 && (a.rank === 2 || b.rank === 2 || batchA[0] === batchB[0])) return product(a, b);
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', batchA, batchB);
  } catch {
    throw new Error(`matmul: the batch axes ${formatShape(batchA)} of ${formatShape(a.shape)} and ${formatShape(batchB)} of ${formatShape(b.shape)} cannot be broadcast together; each pair of batch sizes must be equal or 1`);
  }
  if (b.rank === 2) return reshape(product(reshape(a, [sizeOf(batchA) * m, k]), b), [...batch, m, n]);
  const flat = (t: Tensor, rows: number, cols: number): Tensor => {
    const full = sameShape(t.shape.slice(0, -2), batch) ? t : expand(t, [...batch, rows, cols]);
    return reshape(full, [sizeOf(batch), rows, cols]);
  };
  const left = a.rank === 2 ? a : flat(a, m, k);
  return reshape(product(left, flat(b, k, n)), [...batch, m, n]);
}
