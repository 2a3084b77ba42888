// gather with an out-of-range index behaves the same on both backends: the CPU throws at once;
// a WGSL kernel cannot throw, so it raises a flag that the WebGPU backend turns into the same
// error at the next read. Afterwards the flag is clear and good gathers read normally.

import { describe, expect, it } from 'vitest';
import { gather, tensor } from '../../engine/index';
import { cpuBackend, gpuBackend, on } from '../webgpu/setup';

const x = [[0.5, -1.25], [2, 3.5], [-4, 0.75], [6.5, -7], [8.25, 9]];

describe('gather with an index out of range', () => {
  it('throws on the CPU, naming the index, its position and the rows', () => {
    on(cpuBackend(), () => {
      const idx = tensor([1, 7, 0], { dtype: 'int32' });
      expect(() => gather(tensor(x), idx)).toThrow('gather: index 7 at position 1 is out of range for 5 rows');
    });
  });

  it('throws the same error at the next read on WebGPU, then recovers', async () => {
    const gpu = await gpuBackend();
    const { bad, good } = on(gpu, () => {
      const source = tensor(x);
      return { bad: gather(source, tensor([1, 7, 0], { dtype: 'int32' })), good: () => gather(source, tensor([4, 0, 4], { dtype: 'int32' })) };
    });
    await expect(bad.data()).rejects.toThrow(/gather: index 7 at position 1 is out of range for 5 rows/);
    const ok = on(gpu, good);
    expect(Array.from(await ok.data())).toEqual([8.25, 9, 0.5, -1.25, 8.25, 9]);
    const tooNegative = on(gpu, () => gather(tensor(x), tensor([-6], { dtype: 'int32' })));
    await expect(tooNegative.data()).rejects.toThrow(/gather: index -6 at position 0 is out of range for 5 rows/);
    // −n ≤ i < 0 counts from the end, as in PyTorch: −3 of 5 rows is row 2.
    const negative = on(gpu, () => gather(tensor(x), tensor([-3], { dtype: 'int32' })));
    expect(Array.from(await negative.data())).toEqual([-4, 0.75]);
  });
});
