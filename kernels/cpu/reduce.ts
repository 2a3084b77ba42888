// CPU twin of kernels/webgpu/reduce.wgsl.ts: sum or max over the middle axis of [outer, axisSize, inner].
// (With a fused layer, the backend runs linear's own loops first and reduces their output: see backend.ts.)

import type { FloatArray, UnaryMap } from '../../engine/backend';
import { unaryDef } from '../../engine/ops/unary-table';
import { wasmColumnSums } from './select-sum-wasm';
import { roundingOf } from './unary';

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
    // Float32 sums in WebAssembly SIMD where x lives in the kernels' memory: the same float32 adds in the same order.
    if (op === 'sum' && x instanceof Float32Array && out instanceof Float32Array && wasmColumnSums(x, inBase, out, outBase, axisSize, inner)) {
      if (scale !== 1) for (let i = 0; i < inner; i++) out[outBase + i] *= scale;
      continue;
    }
    for (let i = 0; i < inner; i++) out[outBase + i] = op === 'sum' ? 0 : -Infinity;
    for (let j = 0; j < axisSize; j++) {
      const row = inBase + j * inner;
      if (op === 'sum') for (let i = 0; i < inner; i++) out[outBase + i] += x[row + i];
      else for (let i = 0; i < inner; i++) if (x[row + i] > out[outBase + i]) out[outBase + i] = x[row + i];
    }
    if (op === 'sum' && scale !== 1) for (let i = 0; i < inner; i++) out[outBase + i] *= scale;
  }
}

/**
 * The fused reduction: op over the axis of f(x), then times scale (the sum only), f a row of the
 * op table. Each f(x) is rounded to x's precision first, as the unfused pair of kernels stored it,
 * so the result is the same bit for bit.
 */
export function mappedReduce(op: 'sum' | 'max', map: UnaryMap, x: FloatArray, out: FloatArray, outer: number, axisSize: number, inner: number, scale: number): void {
  const f = unaryDef(map.op).cpu;
  const round = roundingOf(x);
  const { alpha, beta } = map;
  const sum = op === 'sum';
  if (inner === 1) {
    // As reduce(): a running value in a JavaScript number, stored once.
    for (let o = 0; o < outer; o++) {
      let acc = sum ? 0 : -Infinity;
      for (let j = 0; j < axisSize; j++) {
        const v = round(f(x[o * axisSize + j], alpha, beta));
        acc = sum ? acc + v : v > acc ? v : acc;
      }
      out[o] = sum ? acc * scale : acc;
    }
    return;
  }
  // As reduce(): running values kept in `out`, scaled at the end.
  for (let o = 0; o < outer; o++) {
    const outBase = o * inner;
    for (let i = 0; i < inner; i++) out[outBase + i] = sum ? 0 : -Infinity;
    for (let j = 0; j < axisSize; j++) {
      const row = (o * axisSize + j) * inner;
      for (let i = 0; i < inner; i++) {
        const v = round(f(x[row + i], alpha, beta));
        if (sum) out[outBase + i] += v;
        else if (v > out[outBase + i]) out[outBase + i] = v;
      }
    }
    if (sum && scale !== 1) for (let i = 0; i < inner; i++) out[outBase + i] *= scale;
  }
}
