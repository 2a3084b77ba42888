// CPU twin of kernels/webgpu/reduce.wgsl.ts: sum or max over the middle axis of [outer, axisSize, inner].

import type { FloatArray } from '../../engine/backend';

export function reduce(op: 'sum' | 'max', x: FloatArray, out: FloatArray, outer: number, axisSize: number, inner: number, scale: number): void {
  if (inner === 1) {
    // Reducing the last axis: contiguous runs.
    for (let o = 0; o < outer; o++) {
      const base = o * axisSize;
      if (op === 'sum') {
        let s = 0;
        for (let j = 0; j < axisSize; j++) s += x[base + j];
        out[o] = s * scale;
      } else {
        let m = -Infinity;
        for (let j = 0; j < axisSize; j++) if (x[base + j] > m) m = x[base + j];
        out[o] = m;
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const outBase = o * inner;
    const inBase = o * axisSize * inner;
    for (let i = 0; i < inner; i++) out[outBase + i] = op === 'sum' ? 0 : -Infinity;
    for (let j = 0; j < axisSize; j++) {
      const row = inBase + j * inner;
      if (op === 'sum') for (let i = 0; i < inner; i++) out[outBase + i] += x[row + i];
      else for (let i = 0; i < inner; i++) if (x[row + i] > out[outBase + i]) out[outBase + i] = x[row + i];
    }
    if (op === 'sum' && scale !== 1) for (let i = 0; i < inner; i++) out[outBase + i] *= scale;
  }
}
