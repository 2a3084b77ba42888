// The evaluation plots of the PyTorch GAN tutorial (its "Visual Evaluation" section), as numbers:
//   - Q-Q: generated quantiles against target quantiles at the same probabilities; points on the
//     diagonal y = x mean the two distributions put the same mass below every level;
//   - the two empirical CDFs, F(x) = #{samples ≤ x} / n, and where they are furthest apart: the
//     Kolmogorov–Smirnov statistic KS = supₓ |F_gen(x) − F_target(x)| and the x where it occurs;
//   - the histogram difference, generated density − target density per bin.
// Pure functions on plain arrays: the page and `gradlab compare`'s report both draw from these.
// In 2D they apply to one coordinate at a time (marginal()).

import { ksGap, percentiles } from './metrics';

type Sample = ArrayLike<number>;

function checkSamples(x: Sample, what: string, fn: string): void {
  if (x.length === 0) throw new Error(`${fn}: the ${what} samples are empty`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`${fn}: the ${what} samples contain a non-finite value ${x[i]} at index ${i}`);
  }
}

function sortedCopy(x: Sample): Float64Array {
  return Float64Array.from(x).sort();
}

/** One coordinate (0 = x₁, 1 = x₂) of interleaved 2D pairs; 1D samples are returned as they are. */
export function marginal(samples: Sample, dim: 1 | 2, coordinate: 0 | 1): Float64Array {
  if (dim === 1) return Float64Array.from(samples);
  if (samples.length % 2 !== 0) throw new Error(`marginal: 2D samples must be interleaved pairs, got an odd length ${samples.length}`);
  const out = new Float64Array(samples.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = samples[2 * i + coordinate];
  return out;
}

export interface QQPoints {
  /** Probabilities pₖ = (k + ½) / count, k = 0..count−1. */
  probs: number[];
  /** Target quantiles Q_target(pₖ) (the x axis). */
  target: number[];
  /** Generated quantiles Q_gen(pₖ) (the y axis). */
  generated: number[];
}

/**
 * Q-Q points: both samples' quantiles at the same `count` probabilities (linear interpolation
 * between order statistics, NumPy's default). Matching distributions lie on y = x.
 */
export function qqPoints(generated: Sample, target: Sample, count = 99): QQPoints {
  checkSamples(generated, 'generated', 'qqPoints');
  checkSamples(target, 'target', 'qqPoints');
  if (!Number.isInteger(count) || count < 2) throw new Error(`qqPoints: count must be an integer ≥ 2, got ${count}`);
  const probs = Array.from({ length: count }, (_, k) => (k + 0.5) / count);
  const ps = probs.map((p) => 100 * p);
  return { probs, target: percentiles(target, ps), generated: percentiles(generated, ps) };
}

/** F(x) = #{s ≤ x} / n for a sorted sample (binary search). */
export function ecdfAt(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

export interface KsLocation {
  /** KS = supₓ |F_gen(x) − F_target(x)|. */
  d: number;
  /** An x where the supremum is reached (a sample value: the ECDFs jump only there). */
  x: number;
  /** F_gen(x) and F_target(x), the two ends of the KS segment. */
  generatedCdf: number;
  targetCdf: number;
}

/** The two-sample KS statistic and where it occurs (metrics.ts's ksGap, named for the plot). */
export function ksLocation(generated: Sample, target: Sample): KsLocation {
  checkSamples(generated, 'generated', 'ksLocation');
  checkSamples(target, 'target', 'ksLocation');
  const { d, x, aCdf, bCdf } = ksGap(generated, target);
  return { d, x, generatedCdf: aCdf, targetCdf: bCdf };
}

export interface EcdfCurves {
  /** Increasing x grid (includes the KS location). */
  x: number[];
  generated: number[];
  target: number[];
}

/**
 * Both ECDFs on a shared grid of about `points` x values over the samples' joint span, with the
 * KS location added so the drawn curves meet the marked segment exactly.
 */
export function ecdfCurves(generated: Sample, target: Sample, points = 200, ks?: KsLocation): EcdfCurves {
  checkSamples(generated, 'generated', 'ecdfCurves');
  checkSamples(target, 'target', 'ecdfCurves');
  const g = sortedCopy(generated);
  const t = sortedCopy(target);
  const lo = Math.min(g[0], t[0]);
  const hi = Math.max(g[g.length - 1], t[t.length - 1]);
  const xs = new Set<number>();
  const n = Math.max(2, points);
  for (let k = 0; k < n; k++) xs.add(hi > lo ? lo + ((hi - lo) * k) / (n - 1) : lo);
  xs.add(hi);
  if (ks) xs.add(ks.x);
  const x = [...xs].sort((a, b) => a - b);
  return { x, generated: x.map((v) => ecdfAt(g, v)), target: x.map((v) => ecdfAt(t, v)) };
}

export interface HistogramDifference {
  /** Bin edges (bins + 1). */
  edges: number[];
  centres: number[];
  /** Densities: count / (n · width), n = all samples (mass outside the range is missing). */
  generated: number[];
  target: number[];
  /** generated − target, per bin. */
  difference: number[];
}

/**
 * Densities of both samples on the same `bins` equal bins over `range` (default: the two
 * samples' joint span, as the tutorial) and their difference generated − target. Bin i is
 * [lo + i·w, lo + (i+1)·w), the last one closed.
 */
export function histogramDifference(generated: Sample, target: Sample, bins = 40, range?: [number, number]): HistogramDifference {
  checkSamples(generated, 'generated', 'histogramDifference');
  checkSamples(target, 'target', 'histogramDifference');
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogramDifference: bins must be a positive integer, got ${bins}`);
  let [lo, hi] = range ?? [Infinity, -Infinity];
  if (!range) {
    for (const s of [generated, target]) for (let i = 0; i < s.length; i++) { lo = Math.min(lo, s[i]); hi = Math.max(hi, s[i]); }
    if (hi === lo) { lo -= 0.5; hi += 0.5; }
  }
  if (!(hi > lo)) throw new Error(`histogramDifference: the range must have hi > lo, got [${lo}, ${hi}]`);
  const w = (hi - lo) / bins;
  const density = (s: Sample): number[] => {
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (v < lo || v > hi) continue;
      counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
    }
    return counts.map((c) => c / (s.length * w));
  };
  const gen = density(generated);
  const tgt = density(target);
  return {
    edges: Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * w)),
    centres: Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * w),
    generated: gen,
    target: tgt,
    difference: gen.map((v, i) => v - tgt[i]),
  };
}

export interface Diagnostics {
  qq: QQPoints;
  ks: KsLocation;
  ecdf: EcdfCurves;
  histogram: HistogramDifference;
}

export interface DiagnosticsOptions {
  quantiles?: number;
  ecdfPoints?: number;
  bins?: number;
  /** Histogram range (default: the samples' joint span). */
  range?: [number, number];
}

/** All three plots' data for one 1D sample pair (or one marginal of a 2D pair). */
export function diagnostics(generated: Sample, target: Sample, options: DiagnosticsOptions = {}): Diagnostics {
  const ks = ksLocation(generated, target);
  return {
    qq: qqPoints(generated, target, options.quantiles),
    ks,
    ecdf: ecdfCurves(generated, target, options.ecdfPoints, ks),
    histogram: histogramDifference(generated, target, options.bins, options.range),
  };
}
