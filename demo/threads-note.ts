// The note that says how many cores the CPU backend's large products use, and why only one when
// the page cannot have shared memory (kernels/cpu/gemm-threads.ts).

/** `isolated`: the page's crossOriginIsolated; `threads`: cpuThreads() once the workers are ready. */
export function describeThreads(isolated: boolean, threads: number, cores: number): string {
  if (!isolated) {
    return 'The CPU backend uses one core: this page was served without the cross-origin isolation headers ' +
      '(Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp) that shared memory needs. ' +
      '`npm start` sends them.';
  }
  if (threads > 1) return `The CPU backend's large matrix products run on ${threads} threads, one per core (the same results as on one).`;
  return cores > 1
    ? 'The CPU backend runs on one core: its worker threads could not start here.'
    : 'The CPU backend runs on one core: this machine reports one.';
}
