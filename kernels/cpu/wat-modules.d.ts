// A .wat file imported from TypeScript is its assembled bytes (kernels/cpu/wat-plugin.mjs).
declare module '*.wat' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
