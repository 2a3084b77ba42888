// Shared by the WebGPU tests: the backend (a test fails loudly when there is none: CI runs
// these on Mesa's lavapipe, they are never skipped), and helpers to run the same code on the
// CPU and on the GPU.

import { CpuBackend } from '../../kernels/cpu/backend';
import { createWebGpuBackend, lastWebGpuError, type WebGpuBackend } from '../../kernels/webgpu/backend';
import { currentBackend, findBackend, useBackend, type Backend } from '../../engine/backend';

// Mesa's Vulkan loader wants a runtime dir; CI containers often have none.
process.env.XDG_RUNTIME_DIR ??= '/tmp';

let gpu: Promise<WebGpuBackend | null> | null = null;

/** The WebGPU backend of this test process. Throws (the test fails) when WebGPU is missing. */
export async function gpuBackend(): Promise<WebGpuBackend> {
  gpu ??= createWebGpuBackend();
  const backend = await gpu;
  if (backend === null) {
    throw new Error(
      `WebGPU tests need a WebGPU adapter and none was found: ${lastWebGpuError()}\n` +
        'Fix: run `bash tests/setup/install-system-deps.sh` (as root), export XDG_RUNTIME_DIR=/tmp, ' +
        'and check with `node tests/setup/webgpu-probe.mjs`.',
    );
  }
  return backend;
}

/** The CPU backend (the engine's default). */
export function cpuBackend(): Backend {
  return findBackend('cpu') ?? new CpuBackend();
}

/** Run fn with `backend` as the current backend (new tensors are made there). */
export function on<T>(backend: Backend, fn: () => T): T {
  const before = currentBackend();
  useBackend(backend);
  try {
    return fn();
  } finally {
    useBackend(before);
  }
}
