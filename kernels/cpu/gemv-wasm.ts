// The JavaScript side of gemv.wat: float32 products with one output column (n = 1) in
// WebAssembly SIMD on the GEMM kernel's memory, bit for bit what gemm.wat and matmul.ts's loops
// compute (read gemv.wat for why). Operands are read and written in place where they live in
// that memory, else copied through its scratch. An engine without a shared memory keeps
// gemm.wat's padded path.

import gemvBytes from './gemv.wat?shared';
import { kernelsOnHeap, overlaps } from './gemm-wasm';

type Gemv = (a: number, sAi: number, sAp: number, b: number, init: number, c: number, m: number, k: number) => void;

/** The module on the GEMM kernel's memory; null where there is none. */
const kernelsHere = kernelsOnHeap(gemvBytes, (exports) => ({ gemv: exports.gemv as Gemv }));

/**
 * out[oo + i] = init + Σ_p A[i, p] · b[bo + p] for i < m, A[i, p] at a[ao + i·sAi + p·sAp] (A
 * stored [m, k], or [k, m] when sAi = 1), init = bias[0] or 0, in the kernel; returns false
 * (nothing done) where there is no shared kernel memory.
 */
export function wasmGemv(
  a: Float32Array, ao: number, sAi: number, sAp: number, b: Float32Array, bo: number,
  out: Float32Array, oo: number, m: number, k: number, bias: Float32Array | null,
): boolean {
  const kn = kernelsHere();
  if (kn === null || m === 0) return false;
  const heap = kn.heap;
  const outAt = heap.addressOf(out, oo);
  let aAt = heap.addressOf(a, ao), bAt = heap.addressOf(b, bo), cAt = outAt;
  // C is written block by block while A and B are still read: in place only if it overlaps neither.
  if (cAt >= 0 && (overlaps(cAt, m, aAt, m * k) || overlaps(cAt, m, bAt, k))) cAt = -1;
  const aFloats = aAt < 0 ? m * k : 0, bFloats = bAt < 0 ? k : 0, cFloats = cAt < 0 ? m : 0;
  if (aFloats + bFloats + cFloats > 0) {
    const base = heap.scratch(4 * (aFloats + bFloats + cFloats));
    if (base < 0) return false;
    const floats = heap.floats; // after scratch(), which may grow the memory
    if (aAt < 0) floats.set(a.subarray(ao, ao + m * k), (aAt = base) / 4);
    if (bAt < 0) floats.set(b.subarray(bo, bo + k), (bAt = base + 4 * aFloats) / 4);
    if (cAt < 0) cAt = base + 4 * (aFloats + bFloats);
  }
  kn.gemv(aAt, 4 * sAi, 4 * sAp, bAt, bias ? bias[0] : 0, cAt, m, k);
  if (cAt !== outAt) out.set(heap.floats.subarray(cAt / 4, cAt / 4 + m), oo);
  return true;
}
