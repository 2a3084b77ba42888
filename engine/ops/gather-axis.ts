// gather(x, indices, axis): entries of x picked by index along any axis, negative indices
// counted from the end (PyTorch's index_select, with Python's negative indices). A front over
// the row gather of ./layout.ts (axis 0, its own kernel, and the random gather that draws
// minibatch indices in the same kernel): another axis is moved to the front with permute,
// gathered, and moved back. Derivative: the gathered rows of dy added back (scatter-add), the
// permutes undone.

import { noGrad } from '../autograd';
import { validationRead } from '../compile';
import { pendingCall } from '../lazy';
import { formatShape, normAxis } from '../shape';
import { Tensor } from '../tensor';
import { permute } from './axes';
import { cast } from './cast';
import { gather as gatherRows } from './layout';
import { checkLive } from './util';

/**
 * Entries of x picked along `axis` (default 0): the result's shape is x's with that axis's size
 * replaced by the number of indices. gather(x, [2, -1], 1) takes columns 2 and the last.
 * Indices: an array of integers or a 1-D int32 tensor; −n ≤ i < n for an axis of size n.
 */
export function gather(x: Tensor, indices: Tensor | ArrayLike<number>, axis = 0): Tensor {
  checkLive('gather', x, ...(indices instanceof Tensor ? [indices] : []));
  if (x.rank < 1) throw new Error(`gather: needs a tensor of rank >= 1, got a scalar (shape ${formatShape(x.shape)})`);
  const a = normAxis('gather', axis, x.rank);
  const n = x.shape[a];
  const idx = indices instanceof Tensor ? fromTheEnd(indices, n) : fromTheEndArray(indices, n);
  let out: Tensor;
  if (a === 0) out = gatherRows(x, idx);
  else {
    // Move `axis` to the front, gather rows, and move it back.
    const front = [a, ...x.shape.map((_, i) => i).filter((i) => i !== a)];
    const back = x.shape.map((_, i) => (i < a ? i + 1 : i === a ? 0 : i));
    out = permute(gatherRows(permute(x, front), idx), back);
  }
  // An index tensor made here is freed now, or with the result when its backward needs it.
  if (idx !== indices && idx instanceof Tensor) {
    if (out.requiresGrad) out.adopt(idx);
    else idx.dispose();
  }
  return out;
}

/** Negative indices of an array counted from the end (range errors are the row gather's). */
function fromTheEndArray(indices: ArrayLike<number>, n: number): ArrayLike<number> {
  if (!Array.prototype.some.call(indices, (v: number) => v < 0)) return indices;
  return Array.from(indices, (v) => {
    if (v < -n) throw new Error(`gather: index ${v} is out of range for an axis of size ${n} (indices from ${-n} to ${n - 1})`);
    return v < 0 ? v + n : v;
  });
}

/**
 * An index tensor with negative entries counted from the end: i + n·[−n ≤ i < 0], computed in float32
 * (exact below 2²⁴) and cast back. Indices not drawn yet by randint (never negative) and, on
 * the CPU, indices read and found non-negative are passed as they are.
 */
function fromTheEnd(indices: Tensor, n: number): Tensor {
  if (indices.dtype !== 'int32') return indices; // the row gather names the mistake
  if (pendingCall(indices)?.kernel === 'random') return indices;
  const readSync = indices.backend.readSync?.bind(indices.backend);
  if (readSync) {
    const values = validationRead(() => readSync(indices.storage('gather')));
    if (!values.some((v) => v < 0)) return indices;
  }
  return noGrad(() => {
    const f = cast(indices, 'float32');
    const negative = f.inRange(-n, -0.5); // [−n ≤ i < 0]: one below −n stays as it is, and its range error names it
    const shifted = f.add(negative.mul(n));
    const out = cast(shifted, 'int32');
    for (const t of [f, negative, shifted]) t.dispose();
    return out;
  });
}
