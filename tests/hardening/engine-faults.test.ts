// The engine under faults: a throwing tidy() frees what it made, values a dtype cannot hold are
// refused instead of turning into Infinity or wrapping, and an allocation too big for the
// JavaScript engine names the op, the shape and the bytes.

import { describe, expect, it } from 'vitest';
import { backendStats, liveTensors, randn, createRng, tensor, tidy, zeros, full } from '../../engine/index';
import { gpuBackend, on } from '../webgpu/setup';

function throwingStep(): void {
  tidy(() => {
    const a = tensor([1.5, -2.25, 3]);
    a.mul(2).exp();
    throw new Error('boom');
  });
}

describe('tidy when fn throws', () => {
  it('frees every tensor fn made, then rethrows (CPU)', () => {
    const before = liveTensors();
    for (let i = 0; i < 1000; i++) expect(throwingStep).toThrow('boom');
    expect(liveTensors()).toBe(before);
  });

  it('frees the buffers too on WebGPU', async () => {
    const gpu = await gpuBackend();
    on(gpu, () => {
      for (let i = 0; i < 5; i++) expect(throwingStep).toThrow('boom'); // warm the pool
    });
    const tensorsBefore = liveTensors();
    const buffersBefore = gpu.stats().liveBuffers;
    on(gpu, () => {
      for (let i = 0; i < 200; i++) expect(throwingStep).toThrow('boom');
    });
    expect(liveTensors()).toBe(tensorsBefore);
    expect(gpu.stats().liveBuffers).toBe(buffersBefore);
  });

  it('keeps what an outer scope made and what fn kept', () => {
    const outer = tensor([1, 2]);
    const before = liveTensors();
    expect(() => tidy(() => {
      outer.add(1);
      throw new Error('inner');
    })).toThrow('inner');
    expect(outer.isDisposed).toBe(false);
    expect(liveTensors()).toBe(before);
    outer.dispose();
  });
});

describe('values a dtype cannot hold', () => {
  it('refuses float32 values beyond its range, naming the index and the value', () => {
    expect(() => tensor([1, 1e39])).toThrow(/tensor: value at flat index 1 is 1e\+39 is beyond float32's range/);
    expect(() => tensor([-4e38])).toThrow(/beyond float32's range/);
    expect(() => full([2], 1e39)).toThrow(/full: value at flat index 0 is 1e\+39/);
    // The largest float32 itself is fine, and float64 tensors hold more.
    expect(tensor([3.4028234663852886e38]).dataSync()[0]).toBe(3.4028234663852886e38);
    expect(tensor([1e300], { dtype: 'float64' }).dataSync()[0]).toBe(1e300);
  });

  it('refuses int32 values outside its range instead of wrapping', () => {
    expect(() => tensor([3e9], { dtype: 'int32' })).toThrow(/tensor: value at flat index 0 is 3000000000 is outside int32's range \[-2147483648, 2147483647\]/);
    expect(() => tensor([0, -(2 ** 31) - 1], { dtype: 'int32' })).toThrow(/flat index 1/);
    expect(Array.from(tensor([2 ** 31 - 1, -(2 ** 31)], { dtype: 'int32' }).dataSync())).toEqual([2 ** 31 - 1, -(2 ** 31)]);
  });
});

describe('allocations too large for the CPU backend', () => {
  it('names the op, the shape and the bytes, and leaves no buffer behind', () => {
    const buffers = backendStats().liveBuffers;
    expect(() => zeros([1e5, 1e5])).toThrow(/zeros: cannot allocate a float32 tensor of shape \[100000, 100000\] \(10000000000 elements, 40000000000 bytes\)/);
    expect(() => randn([1e5, 1e5], createRng(1))).toThrow(/randn: cannot allocate .* \[100000, 100000\]/);
    expect(backendStats().liveBuffers).toBe(buffers);
  });
});
