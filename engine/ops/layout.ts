// Ops that move data without arithmetic: reshape, concat, slice, gather.

import { record } from '../autograd';
import { formatShape, normAxis, sizeOf, splitAtAxis, type Shape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { currentBackend } from '../backend';
import { fullLike } from './creation';
import { checkLive } from './util';
import { validationRead } from '../compile';
import { gatherDrawnRows } from '../fusion';
import { describeValue } from '../options';

/** Same data, new shape (one dimension may be -1, inferred). Shares the buffer: no copy. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkLive('reshape', x);
  if (!Array.isArray(shape)) throw new Error(`reshape: the shape must be one array of dimensions, e.g. x.reshape([3, -1]), got ${describeValue(shape)}`);
  const dims = [...shape];
  const unknown = dims.indexOf(-1);
  if (unknown >= 0) {
    const known = sizeOf(dims.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) throw new Error(`reshape: cannot infer -1 in ${formatShape(shape)} for ${x.size} elements`);
    dims[unknown] = x.size / known;
  }
  if (dims.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(dims) !== x.size) {
    throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
  }
  const out = Tensor.view(x, dims);
  return record(out, 'reshape', [x], (dy) => [reshape(dy, x.shape)], 'dx = dy reshaped back');
}

function copyRows(src: Tensor, dst: Tensor, axis: number, srcStart: number, dstStart: number, count: number, name: string): void {
  const { outer, inner } = splitAtAxis(src.shape, axis);
  runKernel(src.backend, {
    kernel: 'copyAxis', src: src.storage(name), dst: dst.storage(name), outer, inner,
    srcAxis: src.shape[axis], dstAxis: dst.shape[axis], srcStart, dstStart, count,
  }, name, [src.shape, dst.shape]);
}

/** Join tensors along `axis`; all other dimensions must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error('concat: needs at least one tensor');
  checkLive('concat', ...tensors);
  const first = tensors[0];
  const a = normAxis('concat', axis, first.rank);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${tensors.map((x) => formatShape(x.shape)).join(', ')} do not match outside axis ${axis}`);
    }
    if (t.backend !== first.backend) throw new Error('concat: tensors live on different backends');
    if (t.dtype !== first.dtype) throw new Error(`concat: dtypes differ (${tensors.map((x) => x.dtype).join(', ')})`);
  }
  const total = tensors.reduce((s, t) => s + t.shape[a], 0);
  const outShape = first.shape.map((d, i) => (i === a ? total : d));
  const out = Tensor.empty(outShape, first.dtype, first.backend);
  let offset = 0;
  for (const t of tensors) {
    copyRows(t, out, a, 0, offset, t.shape[a], 'concat');
    offset += t.shape[a];
  }
  return record(out, 'concat', tensors, (dy) => {
    let start = 0;
    return tensors.map((t) => {
      const len = t.shape[a];
      start += len;
      return t.requiresGrad ? sliceAxis(dy, a, start - len, start) : null;
    });
  }, 'each part gets its block of dy');
}

/** Rows [start, end) along axis 0 (negative indices count from the end, as in Python). */
export function slice(x: Tensor, start: number, end?: number): Tensor {
  return sliceAxis(x, 0, start, end);
}

/** Indices [start, end) along any axis. */
export function sliceAxis(x: Tensor, axis: number, start: number, end?: number): Tensor {
  checkLive('slice', x);
  const a = normAxis('slice', axis, x.rank);
  const len = x.shape[a];
  const s = start < 0 ? start + len : start;
  const e = end === undefined ? len : end < 0 ? end + len : end;
  if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > len || s > e) {
    throw new Error(`slice: range [${start}, ${end ?? len}) is out of bounds for axis ${axis} of size ${len} (shape ${formatShape(x.shape)})`);
  }
  const outShape = x.shape.map((d, i) => (i === a ? e - s : d));
  const out = Tensor.empty(outShape, x.dtype, x.backend);
  copyRows(x, out, a, s, 0, e - s, 'slice');
  return record(out, 'slice', [x], (dy) => [padAxis(dy, x.shape, a, s)], 'dx = dy placed at rows [start, end) of zeros');
}

/**
 * Rows of x picked by index along axis 0: gather(x, [3, 0, 3]) = [x[3], x[0], x[3]]. Used to
 * draw minibatches. Indices: an int32 tensor (e.g. from randint) or an array of integers.
 */
export function gather(x: Tensor, indices: Tensor | ArrayLike<number>): Tensor {
  checkLive('gather', x, ...(indices instanceof Tensor ? [indices] : []));
  if (x.rank < 1) throw new Error('gather: needs a tensor of rank >= 1');
  const rowsIn = x.shape[0];
  const idx = indices instanceof Tensor ? indices : indexTensor(indices, rowsIn);
  if (idx.dtype !== 'int32') throw new Error(`gather: indices must be an int32 tensor, got ${idx.dtype}`);
  if (idx.rank !== 1) throw new Error(`gather: indices must be 1-D, got shape ${formatShape(idx.shape)}`);
  if (idx.backend !== x.backend) throw new Error('gather: indices live on a different backend than x');
  const inner = x.size / Math.max(rowsIn, 1);
  const rows = idx.shape[0];
  const outShape = [rows, ...x.shape.slice(1)];
  const out = Tensor.empty(outShape, x.dtype, x.backend);
  // Indices not drawn yet (randint): the gather may draw them in its own kernel (engine/fusion.ts).
  if (!gatherDrawnRows(x, idx, out, rows, inner)) {
    const readSync = idx.backend.readSync?.bind(idx.backend);
    if (readSync && indices instanceof Tensor) checkRange(validationRead(() => readSync(idx.storage('gather'))), rowsIn);
    runKernel(x.backend, { kernel: 'gather', x: x.storage('gather'), indices: idx.storage('gather'), out: out.storage('gather'), rows, inner, sourceRows: rowsIn }, 'gather', [x.shape, idx.shape]);
  }
  const owned = idx !== indices;
  const result = record(out, 'gather', [x], (dy) => [scatterAddRows(dy, idx, x.shape)], 'dx[idx[i]] += dy[i] (repeats add up)');
  // An index tensor we made ourselves is freed now if no gradient needs it, else with the result.
  if (owned) {
    if (result.requiresGrad) result.adopt(idx);
    else idx.dispose();
  }
  return result;
}

/** @internal `g` placed at [start, start + len) along `axis` of a zero tensor of `shape` (slice's backward). */
function padAxis(g: Tensor, shape: Shape, axis: number, start: number): Tensor {
  const out = fullLike(g, 0, shape);
  const len = g.shape[axis];
  copyRows(g, out, axis, 0, start, len, 'pad');
  return record(out, 'pad', [g], (dy) => [sliceAxis(dy, axis, start, start + len)], 'dx = the block [start, end) of dy');
}

/** @internal Rows of `src` added into the rows `indices` of a zero tensor of `shape` (gather's backward). */
function scatterAddRows(src: Tensor, indices: Tensor, shape: Shape): Tensor {
  const out = fullLike(src, 0, shape);
  const rows = indices.shape[0];
  runKernel(src.backend, {
    kernel: 'scatterAdd', src: src.storage('scatterAdd'), indices: indices.storage('scatterAdd'), out: out.storage('scatterAdd'), rows, inner: src.size / Math.max(rows, 1),
  }, 'scatterAdd', [src.shape, shape]);
  return record(out, 'scatterAdd', [src], (dy) => [gather(dy, indices)], 'dx = dy gathered at the same rows');
}

function checkRange(values: ArrayLike<number>, rows: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= rows) throw new Error(`gather: index ${v} at position ${i} is out of range for ${rows} rows`);
  }
}

function indexTensor(values: ArrayLike<number>, rows: number): Tensor {
  checkRange(values, rows);
  const t = Tensor.empty([values.length], 'int32', currentBackend());
  t.writeValues(values, 'gather');
  return t;
}
