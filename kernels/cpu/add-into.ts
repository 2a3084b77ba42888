// A kernel whose output already holds a value to keep (a gradient summed earlier in the backward
// pass, as a layer's first use left it): the kernel computes into scratch, and the addition
// kernel's loop then adds it, out = out + new, so the bits are those of the separate addition.
// Used by matmul and reduce with `accumulate`, and by linearGrad's outputs:
//   const o = outputFor(out, accumulate);  (compute into o)  addBack(out, o);

import type { FloatArray } from '../../engine/backend';
import { binary } from './binary';
import { cpuFloat32Array } from './gemm-wasm';

/** Reused from call to call (no allocation in a training step); float32 in the kernels' memory, where products read and write in place. */
let scratch32: Float32Array = new Float32Array(0);
let scratch64: Float64Array = new Float64Array(0);
/** The shape of all three operands of the addition, [n]. */
const flat = [0];

/** Where a kernel writes its result for `out`: out itself, or (accumulate) scratch of out's size, valid until the next call. */
export function outputFor(out: FloatArray, accumulate: boolean | undefined): FloatArray {
  if (!accumulate) return out;
  const n = out.length;
  if (out instanceof Float32Array) {
    if (scratch32.length < n) scratch32 = cpuFloat32Array(n);
    return scratch32.subarray(0, n);
  }
  if (scratch64.length < n) scratch64 = new Float64Array(n);
  return scratch64.subarray(0, n);
}

/** out = out + written, the addition kernel's own loop, where the kernel wrote to scratch (outputFor); nothing where it wrote out itself. */
export function addBack(out: FloatArray, written: FloatArray): void {
  if (written === out) return;
  flat[0] = out.length;
  binary('add', out, written, out, flat, flat, flat);
}
