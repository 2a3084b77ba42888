// Writing values into an existing tensor in place (loading weights), and copying a tensor.
// Neither is recorded in the graph: they are what PyTorch does with `with torch.no_grad():
// param.copy_(values)` and `x.detach().clone()`.

import type { Backend } from '../backend';
import { formatShape, type Shape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { checkValueRange } from '../ops/value-range';

/** The whole of `src` into `dst` (same backend, same dtype, same size) with one copy kernel. */
function copyStorage(backend: Backend, src: Tensor, dst: Tensor, op: string): void {
  if (src.size === 0) return;
  const call = {
    kernel: 'copyAxis', src: src.storage(op), dst: dst.storage(op),
    outer: 1, inner: src.size, srcAxis: 1, dstAxis: 1, srcStart: 0, dstStart: 0, count: 1,
  } as const;
  runKernel(backend, call, op, [src.shape]);
}

/** A new tensor with x's values, shape (or `shape`, of the same size), dtype and backend, cut from the graph. */
export function clone(x: Tensor, shape: Shape = x.shape): Tensor {
  const out = Tensor.empty(shape, x.dtype, x.backend, 'clone');
  if (out.size !== x.size) {
    out.dispose();
    throw new Error(`clone: shape ${formatShape(shape)} does not hold the ${x.size} values of a tensor of shape ${formatShape(x.shape)}`);
  }
  copyStorage(x.backend, x, out, 'clone');
  return out;
}

/**
 * Overwrite `target`'s values in place with `source`'s (a tensor of the same shape, or as many
 * numbers as target has elements), like PyTorch's `with torch.no_grad(): target.copy_(source)`.
 * The target keeps its identity, so optimizers and modules that hold it see the new values.
 * Values are converted to target's dtype. A source on another backend must be readable at once
 * (the CPU); move a WebGPU tensor first with `await source.to('cpu')`.
 */
export function assign(target: Tensor, source: Tensor | ArrayLike<number>, name = 'assign'): void {
  if (!(target instanceof Tensor)) throw new Error(`${name}: the target must be a Tensor`);
  if (!(source instanceof Tensor)) {
    if (source === null || typeof source !== 'object' || typeof (source as ArrayLike<number>).length !== 'number') {
      throw new Error(`${name}: the source must be a Tensor or an array of numbers`);
    }
    if (source.length !== target.size) throw new Error(`${name}: the target has ${target.size} values (shape ${formatShape(target.shape)}), the source gives ${source.length}`);
    for (let i = 0; i < source.length; i++) {
      const v = source[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name}: value ${i} of the source is ${String(v)}; tensors hold finite numbers only`);
      if (target.dtype === 'int32' && !Number.isInteger(v)) throw new Error(`${name}: value ${i} of the source is ${v}, not an integer, for an int32 target`);
    }
    checkValueRange(name, source, target.dtype);
    target.writeValues(source, name);
    return;
  }
  if (source.shape.length !== target.shape.length || source.shape.some((d, i) => d !== target.shape[i])) {
    throw new Error(`${name}: the source has shape ${formatShape(source.shape)}, the target ${formatShape(target.shape)}`);
  }
  if (source === target) return;
  if (source.backend === target.backend && source.dtype === target.dtype) {
    copyStorage(target.backend, source, target, name);
    return;
  }
  const readSync = source.backend.readSync;
  if (!readSync) {
    throw new Error(`${name}: the source is a ${source.dtype} tensor on ${source.backend.name}, the target a ${target.dtype} tensor on ${target.backend.name}; move the source first with await source.to('${target.backend.name}')`);
  }
  const values = source.dataSync();
  if (target.dtype === 'int32' && source.dtype !== 'int32') {
    const i = values.findIndex((v) => !Number.isInteger(v));
    if (i >= 0) throw new Error(`${name}: value ${i} of the source is ${values[i]}, not an integer, for an int32 target`);
  }
  if (source.dtype !== target.dtype) checkValueRange(name, values, target.dtype);
  target.writeValues(values, name);
}
