// A WebGPU loop that never awaits cannot be held back (WebGPU has no synchronous wait), so the
// backend says so once, with the fix, when one synchronous stretch passes a bound of submits.
// A loop that awaits now and then is never warned.

import { expect, it, vi } from 'vitest';
import { tensor } from '../../engine/index';
import { SUBMITS_WITHOUT_YIELD_WARNING } from '../../kernels/webgpu/backend';
import { gpuBackend, on } from '../webgpu/setup';

it('warns once when a loop submits without ever awaiting, and not when it awaits', async () => {
  const gpu = await gpuBackend();
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const x = on(gpu, () => tensor([1.5, -2, 3.25]));
  const step = (): void => {
    const y = on(gpu, () => x.mul(2));
    gpu.endStep();
    y.dispose();
  };
  // Awaiting every 100 steps: never warned.
  for (let i = 0; i < 2 * SUBMITS_WITHOUT_YIELD_WARNING; i++) {
    step();
    if (i % 100 === 99) await gpu.flush();
  }
  expect(warn).not.toHaveBeenCalled();
  // Never awaiting: warned once, naming the fix.
  for (let i = 0; i < 2 * SUBMITS_WITHOUT_YIELD_WARNING; i++) step();
  await gpu.flush();
  expect(warn).toHaveBeenCalledTimes(1);
  expect(String(warn.mock.calls[0][0])).toMatch(/submits without an await.*await flush\(\)/);
  warn.mockRestore();
});
