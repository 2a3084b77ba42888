// A tiny timing helper: run `fn` a few times untimed (so the JIT settles), then time each of
// `iterations` calls on its own with performance.now() and report order statistics in ms.
// Medians and percentiles are robust to the odd GC pause or scheduler hiccup that a mean is not.

export interface TimeItOptions {
  /** Untimed calls before measuring. */
  warmup: number;
  /** Timed calls; each is measured individually. */
  iterations: number;
}

export interface TimeItResult {
  /** Milliseconds per call: 50th, 10th and 90th percentile over the timed calls. */
  median: number;
  p10: number;
  p90: number;
}

/** Percentile q in [0, 1] of an ascending array, interpolating linearly between ranks. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function timeIt(fn: () => unknown, { warmup, iterations }: TimeItOptions): TimeItResult {
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`timeIt: warmup must be a non-negative integer, got ${warmup}`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`timeIt: iterations must be a positive integer, got ${iterations}`);
  for (let i = 0; i < warmup; i++) fn();
  const times = new Float64Array(iterations); // allocated before timing starts
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    times[i] = performance.now() - t0;
  }
  times.sort(); // typed-array sort is numeric
  return { median: percentile(times, 0.5), p10: percentile(times, 0.1), p90: percentile(times, 0.9) };
}
