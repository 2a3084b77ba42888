// A kernel whose output already holds a value to keep (a gradient summed earlier in the backward
// pass, as a layer's first use left it): the kernel computes into scratch, and the addition
// kernel's loop then adds it, out = out + new, so the bits are those of the separate addition.
// Used by matmul and reduce with `accumulate`, and by linearGrad's outputs.

import type { FloatArray } from '../../engine/backend';
import { binary } from './binary';
import { cpuFloat32Array } from './gemm-wasm';

/** Reused from call to call (no allocation in a training step); float32 in the kernels' memory, where products read and write in place. */
let scratch32: Float32Array = new Float32Array(0);
let scratch64: Float64Array = new Float64Array(0);
/** The shape of all three operands of the addition, [n]. */
const flat = [0];

/** Run compute into scratch the size of out, then add the result into out. */
export function addInto(out: FloatArray, compute: (fresh: FloatArray) => void): void {
  const n = out.length;
  let fresh: FloatArray;
  if (out instanceof Float32Array) {
    if (scratch32.length < n) scratch32 = cpuFloat32Array(n);
    fresh = scratch32.subarray(0, n);
  } else {
    if (scratch64.length < n) scratch64 = new Float64Array(n);
    fresh = scratch64.subarray(0, n);
  }
  compute(fresh);
  flat[0] = n;
  binary('add', out, fresh, out, flat, flat, flat); // the addition kernel's own loop
}
