// Helpers shared by the op files: checking inputs and making outputs.

import type { Backend, DType } from '../backend';
import { formatShape } from '../shape';
import { describeValue } from '../options';
import { Tensor } from '../tensor';

/** The backend all inputs live on; mixing backends is an error that names the op. */
export function backendOf(op: string, ...inputs: Tensor[]): Backend {
  const backend = inputs[0].backend;
  for (const t of inputs) {
    if (t.backend !== backend) {
      throw new Error(`${op}: inputs live on different backends (${inputs.map((x) => x.backend.name).join(', ')}); move them to one backend first`);
    }
  }
  return backend;
}

/** A disposed input is an error that names the op (not whichever internal step noticed it). */
export function checkLive(op: string, ...inputs: Tensor[]): void {
  for (const t of inputs) {
    if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor (or a number where the op takes one), got ${describeValue(t)}${notATensorHint(t)}`);
    if (t.isDisposed) t.storage(op); // throws "<op>: tensor #id ... was already disposed"
  }
}

/** What to write instead of a value that is not a tensor. */
function notATensorHint(v: unknown): string {
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return `; pass the number ${Number(v)}, not a string`;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return '; make it a tensor first: tensor(values)';
  return '';
}

/** Float ops refuse int32 tensors (indices) with a clear message; inputs must not be disposed. */
export function checkFloat(op: string, ...inputs: Tensor[]): void {
  checkLive(op, ...inputs);
  for (const t of inputs) {
    if (t.dtype === 'int32') throw new Error(`${op}: expects float tensors, got an int32 tensor of shape ${formatShape(t.shape)}`);
  }
}

/** float64 wins over float32 (the CPU backend's gradcheck mode). */
export function resultDType(...inputs: Tensor[]): DType {
  for (const t of inputs) if (t.dtype === 'float64') return 'float64';
  return 'float32';
}

export function checkNumber(op: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${op}: ${name} must be a finite number, got ${String(value)}`);
}

export { Tensor };
