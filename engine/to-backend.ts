// Moving a tensor between backends: `await x.to('webgpu')` returns a copy there (PyTorch's
// x.to(device)). The values are read from where they are (asynchronous on a GPU) and written
// to a new buffer on the other backend.

import type { Backend, BackendName } from './backend';
import { Tensor } from './tensor';

let resolveBackend: ((name: BackendName) => Promise<{ backend: Backend | null; reason: string }>) | null = null;

/** @internal engine/index.ts says how to reach a backend by name (creating the WebGPU device on first use). */
export function setBackendResolver(fn: (name: BackendName) => Promise<{ backend: Backend | null; reason: string }>): void {
  resolveBackend = fn;
}

/**
 * A copy of x on the named backend, with x's shape, dtype and requiresGrad (a new leaf: the
 * copy is not connected to x's graph). A copy even when x is already there.
 */
export async function toBackend(x: Tensor, name: BackendName): Promise<Tensor> {
  if (name !== 'cpu' && name !== 'webgpu') throw new Error(`to: unknown backend '${String(name)}' (available: cpu, webgpu)`);
  if (x.isDisposed) throw new Error(`to: tensor #${x.id} of shape [${x.shape.join(', ')}] was already disposed`);
  if (resolveBackend === null) throw new Error('to: no backends are set up (import gradlab from its entry point)');
  const { backend, reason } = await resolveBackend(name);
  if (backend === null) throw new Error(`to('${name}'): the ${name} backend is not available here. ${reason}`.trim());
  const values = await x.data();
  const out = Tensor.empty(x.shape, x.dtype, backend, 'to');
  out.writeValues(values, 'to');
  out.requiresGrad = x.requiresGrad;
  return out;
}
