// CPU twin of kernels/webgpu/softmax.wgsl.ts: softmax or log-softmax along the middle axis of
// [outer, axisSize, inner]. Subtracting the max first keeps exp from overflowing:
//   softmax(x)_j = exp(x_j - m) / Σ exp(x_i - m),  logSoftmax(x)_j = x_j - m - log Σ exp(x_i - m).

import type { FloatArray } from '../../engine/backend';

export function softmax(x: FloatArray, out: FloatArray, outer: number, axisSize: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * axisSize * inner + i;
      let m = -Infinity;
      for (let j = 0; j < axisSize; j++) m = Math.max(m, x[base + j * inner]);
      let s = 0;
      for (let j = 0; j < axisSize; j++) s += Math.exp(x[base + j * inner] - m);
      if (log) {
        const lse = m + Math.log(s);
        for (let j = 0; j < axisSize; j++) out[base + j * inner] = x[base + j * inner] - lse;
      } else {
        for (let j = 0; j < axisSize; j++) out[base + j * inner] = Math.exp(x[base + j * inner] - m) / s;
      }
    }
  }
}
