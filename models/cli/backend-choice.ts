// --backend cpu | webgpu | auto for the commands that train. Asking for webgpu where there is no
// GPU is an error (exit 1, with the reason and the fix), never a silent run on the CPU; auto
// takes WebGPU where it works and says so when it falls back to the CPU.

import { setBackend, webgpuAvailable, type BackendName } from '../../engine/index';
import { lastWebGpuError } from '../../kernels/webgpu/backend';

export const BACKEND_CHOICES = ['cpu', 'webgpu', 'auto'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Thrown when --backend webgpu cannot get a GPU; the command exits 1 with its message. */
export class BackendUnavailableError extends Error {}

/** Switch to the chosen backend and return the one in use. */
export async function useCliBackend(command: string, choice: BackendChoice): Promise<BackendName> {
  if (choice === 'cpu') return setBackend('cpu');
  if (await webgpuAvailable()) return setBackend('webgpu');
  const why = lastWebGpuError() ?? 'WebGPU is not available';
  if (choice === 'webgpu') {
    throw new BackendUnavailableError(`--backend webgpu: ${why} (use --backend auto to fall back to the CPU)`);
  }
  console.error(`gradlab ${command}: --backend auto: WebGPU is not available, training on the CPU. ${why}`);
  return setBackend('cpu');
}
