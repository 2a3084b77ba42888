// A .wat file imported from TypeScript is its assembled bytes (kernels/cpu/wat-plugin.mjs).
declare module '*.wat' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}

// The same module importing a shared memory, for worker threads (kernels/cpu/gemm-threads.ts).
declare module '*.wat?shared' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
