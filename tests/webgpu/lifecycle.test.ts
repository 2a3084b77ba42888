// setBackend('webgpu') through the public surface, and what happens when the device is lost:
// a warning, the engine switches to the CPU, old GPU tensors throw a clear message, the
// program goes on, and setBackend('webgpu') later makes a fresh device. (Its own file: it
// destroys a device, and vitest gives each file its own process.)

import { expect, test, vi } from 'vitest';
import { getBackend, setBackend, tensor, webgpuAvailable, kernelSource } from '../../engine/index';
import { currentBackend } from '../../engine/backend';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import './setup';

test('setBackend switches both ways; a lost device falls back to the CPU with clear errors', async () => {
  expect(await webgpuAvailable()).toBe(true);
  expect(await setBackend('webgpu')).toBe('webgpu');
  expect(getBackend()).toBe('webgpu');
  const x = tensor([1, 2, 3]);
  expect(Array.from(await x.exp().data()).map((v) => +v.toFixed(4))).toEqual([2.7183, 7.3891, 20.0855]);
  expect(kernelSource('unary.exp')).toContain('@compute');

  expect(await setBackend('cpu')).toBe('cpu');
  expect(tensor([1]).backend.name).toBe('cpu');
  expect(await setBackend('webgpu')).toBe('webgpu');
  const gpu = currentBackend() as WebGpuBackend;
  expect(x.backend).toBe(gpu); // the same device again, not a new one

  // Lose the device, as a driver reset would.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  gpu.loseDeviceForTesting();
  await gpu.device.lost;
  await new Promise((r) => setTimeout(r, 0));
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(/the WebGPU device was lost \(destroyed/));
  warn.mockRestore();
  expect(getBackend()).toBe('cpu');
  expect(() => x.exp()).toThrow(/the WebGPU device was lost \(destroyed.*\); tensors on it are gone; recreate them on the CPU backend/);
  await expect(x.data()).rejects.toThrow(/recreate them on the CPU backend/);
  x.dispose(); // disposing a lost tensor is fine

  // The program goes on on the CPU...
  expect(Array.from(await tensor([1, 2]).mul(3).data())).toEqual([3, 6]);
  // ...and can ask for the GPU again: a fresh device.
  expect(await setBackend('webgpu')).toBe('webgpu');
  expect(currentBackend()).not.toBe(gpu);
  expect(Array.from(await tensor([1, 2]).add(1).data())).toEqual([2, 3]);
});
