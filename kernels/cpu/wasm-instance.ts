// Compiling and instantiating the CPU backend's WebAssembly kernels (kernels/cpu/*.wat, assembled
// at build time): each module imports its memory as env.memory, so JavaScript owns and grows it.

/**
 * Compile and instantiate a kernel module with a fresh memory of one page. Null where WebAssembly
 * is missing, the validator rejects the bytes (an engine without SIMD), or compiling is refused
 * (a page whose Content-Security-Policy allows neither 'wasm-unsafe-eval' nor 'unsafe-eval'): the
 * callers then compute in JavaScript. `imports` are the module's other env imports (functions,
 * such as the RBM kernel's Math.exp). Compilation is synchronous, which is fine for modules this
 * small, even on a browser's main thread.
 */
export function instantiate(bytes: Uint8Array<ArrayBuffer>, imports: Record<string, unknown> = {}): { exports: WebAssembly.Exports; memory: WebAssembly.Memory } | null {
  try {
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return null;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { ...imports, memory } }).exports;
    return { exports, memory };
  } catch {
    return null;
  }
}

/**
 * A float64 as two 32-bit words (little-endian: the low word first), for kernels that take it as
 * two i32 arguments (so it can travel through the GEMM threads' Int32Array of arguments too).
 * The words are those of the last call's value.
 */
const f64Scratch = new Float64Array(1);
const f64Words = new Int32Array(f64Scratch.buffer);
export function float64Words(x: number): Int32Array {
  f64Scratch[0] = x;
  return f64Words;
}
