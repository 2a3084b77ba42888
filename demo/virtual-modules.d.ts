// Modules that build.mjs makes at bundle time (see its demo section).

declare module 'virtual:cpu-kernels' {
  /** The text of every kernels/cpu/*.ts and *.wat file, by file name ('unary.ts' -> source). */
  const files: Record<string, string>;
  export default files;
}
