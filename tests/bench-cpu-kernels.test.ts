// `gradlab bench --cpu`'s kernel rows run and print what they measure (no timing is asserted:
// speed is read from the bench's same-run ratios, never from a test).
import { describe, expect, it } from 'vitest';
import { benchCpuKernels, formatCpuKernelsBench } from '../models/bench/cpu-kernels-bench';
import { philoxBlocks } from '../kernels/cpu/philox-wasm';

describe('bench --cpu kernel rows', () => {
  it('times Philox and the ReLU gradient against their plain JavaScript, and leaves WebAssembly on', () => {
    const rows = benchCpuKernels(1);
    expect(rows.map((r) => r.kernel)).toEqual(['Philox 4x32-10, ns a word', 'ReLU gradient [512, 64] float32, ns an element']);
    for (const r of rows) {
      expect(r.plainNs).toBeGreaterThan(0);
      expect(r.fastNs).toBeGreaterThan(0);
    }
    expect(formatCpuKernelsBench(rows)).toMatch(/WebAssembly [\d.]+ \([\d.]+x faster\)/);
    // the bench switched the JavaScript fallback on and off: the WebAssembly kernel is back afterwards
    expect(philoxBlocks(1, 2, 0, 1)).not.toBeNull();
  });
});
