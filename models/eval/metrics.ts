// Sample statistics and distances between distributions, used to score how well a model's
// samples match its target. Plain loops over typed arrays; no DOM, no Node APIs.

import { createRng, type Rng } from '../../engine/rng';
import { checkOptions, type OptionSpec } from '../../engine/options';

type Sample = ArrayLike<number>;

function nonEmpty(x: Sample, fn: string): void {
  if (x.length === 0) throw new Error(`${fn}: empty sample`);
}

/** Sorted Float64Array copy of x (typed-array sort is numeric). */
function sorted(x: Sample): Float64Array {
  return Float64Array.from(x).sort();
}

// ---------------------------------------------------------------------------------------------
// Moments

/** Mean  x̄ = (1/n) Σ xᵢ. */
export function mean(x: Sample): number {
  nonEmpty(x, 'mean');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Central moment  m_k = (1/n) Σ (xᵢ - x̄)ᵏ. */
function centralMoment(x: Sample, k: number, m: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** k;
  return s / x.length;
}

/** Population standard deviation (ddof 0, divides by n, like NumPy's default):  σ = √m₂. */
export function std(x: Sample): number {
  nonEmpty(x, 'std');
  return Math.sqrt(centralMoment(x, 2, mean(x)));
}

/** Skewness  g₁ = m₃ / m₂^(3/2)  (biased moment estimator, SciPy's default). NaN if m₂ = 0. */
export function skewness(x: Sample): number {
  nonEmpty(x, 'skewness');
  const m = mean(x);
  const m2 = centralMoment(x, 2, m);
  return m2 > 0 ? centralMoment(x, 3, m) / m2 ** 1.5 : NaN;
}

/** Excess kurtosis  g₂ = m₄ / m₂² - 3  (0 for a normal; biased estimator, SciPy's default). NaN if m₂ = 0. */
export function excessKurtosis(x: Sample): number {
  nonEmpty(x, 'excessKurtosis');
  const m = mean(x);
  const m2 = centralMoment(x, 2, m);
  return m2 > 0 ? centralMoment(x, 4, m) / (m2 * m2) - 3 : NaN;
}

/** Percentile p of an already sorted array, NumPy's "linear" method. */
function percentileSorted(s: Float64Array, p: number): number {
  // h = (n-1)·p/100;  value = s[⌊h⌋] + (h - ⌊h⌋)·(s[⌊h⌋+1] - s[⌊h⌋])
  const h = ((s.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/**
 * Percentiles (p in [0, 100]) by linear interpolation between order statistics, as NumPy's
 * default method: with sorted x₍₀₎..x₍ₙ₋₁₎ and h = (n-1)p/100, the value is
 * x₍⌊h⌋₎ + (h - ⌊h⌋)(x₍⌊h⌋+1₎ - x₍⌊h⌋₎).
 */
export function percentiles(x: Sample, ps: number[] = [5, 25, 50, 75, 95]): number[] {
  nonEmpty(x, 'percentiles');
  for (const p of ps) if (!(p >= 0 && p <= 100)) throw new Error(`percentiles: p must be in [0, 100], got ${p}`);
  const s = sorted(x);
  return ps.map((p) => percentileSorted(s, p));
}

export interface Description {
  n: number;
  mean: number;
  std: number;
  skewness: number;
  excessKurtosis: number;
  min: number;
  max: number;
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

/** All the summary statistics above in one object. */
export function describe(x: Sample): Description {
  const [p5, p25, p50, p75, p95] = percentiles(x, [5, 25, 50, 75, 95]);
  const s = sorted(x);
  return {
    n: x.length, mean: mean(x), std: std(x), skewness: skewness(x), excessKurtosis: excessKurtosis(x),
    min: s[0], max: s[s.length - 1], p5, p25, p50, p75, p95,
  };
}

// ---------------------------------------------------------------------------------------------
// Grids, histograms, density estimates

/** n evenly spaced points from lo to hi inclusive (n = 1 gives [lo]). */
export function linspace(lo: number, hi: number, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new Error(`linspace: n must be a positive integer, got ${n}`);
  const out = new Float64Array(n);
  const step = n > 1 ? (hi - lo) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = lo + i * step;
  if (n > 1) out[n - 1] = hi;
  return out;
}

export interface Histogram {
  counts: Float64Array;
  centres: Float64Array;
  /** Bin width (hi - lo) / bins. */
  width: number;
}

/**
 * Counts on `bins` equal bins over [lo, hi]. Bin i is [lo + i·w, lo + (i+1)·w); the last bin
 * also includes hi (as NumPy). Values outside [lo, hi], and NaN, are dropped.
 */
export function histogram(samples: Sample, bins: number, range: [number, number]): Histogram {
  const [lo, hi] = range;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new Error(`histogram: range must have hi > lo, got [${lo}, ${hi}]`);
  const counts = new Float64Array(bins);
  const scale = bins / (hi - lo);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) * scale))]++;
  }
  const width = (hi - lo) / bins;
  const centres = new Float64Array(bins);
  for (let i = 0; i < bins; i++) centres[i] = lo + (i + 0.5) * width;
  return { counts, centres, width };
}

/**
 * 2D counts on bins × bins cells over range² from interleaved pairs; cell (i, j) is stored at
 * i·bins + j where i indexes x and j indexes y. Pairs with a coordinate outside the range are dropped.
 */
export function histogram2d(xy: Sample, bins: number, range: [number, number]): Float64Array {
  const [lo, hi] = range;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram2d: bins must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new Error(`histogram2d: range must have hi > lo, got [${lo}, ${hi}]`);
  const counts = new Float64Array(bins * bins);
  const scale = bins / (hi - lo);
  for (let k = 0; k + 1 < xy.length; k += 2) {
    const x = xy[k];
    const y = xy[k + 1];
    if (!(x >= lo && x <= hi && y >= lo && y <= hi)) continue;
    const i = Math.min(bins - 1, Math.floor((x - lo) * scale));
    const j = Math.min(bins - 1, Math.floor((y - lo) * scale));
    counts[i * bins + j]++;
  }
  return counts;
}

/**
 * Silverman's rule of thumb  h = 0.9 · min(σ, IQR/1.34) · n^(-1/5)  (σ population std).
 * If the IQR is 0 it uses σ alone; if both are 0 (all values equal) it returns 1.
 */
export function silvermanBandwidth(samples: Sample): number {
  const sigma = std(samples);
  const [q1, q3] = percentiles(samples, [25, 75]);
  const iqr = (q3 - q1) / 1.34;
  const spread = iqr > 0 ? Math.min(sigma, iqr) : sigma;
  return spread > 0 ? 0.9 * spread * samples.length ** -0.2 : 1;
}

/** First index i in sorted s with s[i] >= v (s.length if none). */
function lowerBound(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Gaussian kernel density estimate on a grid:
 *   f̂(x) = 1/(n·h·√(2π)) Σᵢ exp(-½((x - xᵢ)/h)²),
 * with h from silvermanBandwidth() unless given. Samples further than 5h from x are skipped
 * (each contributes < e^(-12.5) ≈ 4e-6 of a kernel's peak): the samples are sorted once and
 * the window [x - 5h, x + 5h] is found by binary search.
 */
export function kde(samples: Sample, grid: Sample, bandwidth?: number): Float64Array {
  nonEmpty(samples, 'kde');
  const h = bandwidth ?? silvermanBandwidth(samples);
  if (!(h > 0)) throw new Error(`kde: bandwidth must be positive, got ${h}`);
  const s = sorted(samples);
  const out = new Float64Array(grid.length);
  const norm = 1 / (s.length * h * Math.sqrt(2 * Math.PI));
  const invH = 1 / h;
  const reach = 5 * h;
  for (let g = 0; g < grid.length; g++) {
    const x = grid[g];
    let sum = 0;
    for (let i = lowerBound(s, x - reach); i < s.length && s[i] <= x + reach; i++) {
      const z = (x - s[i]) * invH;
      sum += Math.exp(-0.5 * z * z);
    }
    out[g] = sum * norm;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Distances between distributions

/**
 * Wasserstein-1 distance between two 1D samples, exactly:
 *   W₁ = ∫₀¹ |F_a⁻¹(q) - F_b⁻¹(q)| dq.
 * Each empirical quantile function is a step function (the sorted values, each held for 1/n of
 * q), so we walk the merged breakpoints i/n and j/m and sum |a₍ᵢ₎ - b₍ⱼ₎| × (length of q-interval).
 * Unequal sizes are handled exactly.
 */
export function w1(a: Sample, b: Sample): number {
  nonEmpty(a, 'w1');
  nonEmpty(b, 'w1');
  const sa = sorted(a);
  const sb = sorted(b);
  const n = sa.length;
  const m = sb.length;
  let i = 0;
  let j = 0;
  let q = 0;
  let total = 0;
  while (i < n && j < m) {
    // Next breakpoint is min((i+1)/n, (j+1)/m); compare as integers (i+1)·m vs (j+1)·n.
    const endA = (i + 1) * m;
    const endB = (j + 1) * n;
    const next = Math.min(endA, endB) / (n * m);
    total += Math.abs(sa[i] - sb[j]) * (next - q);
    q = next;
    if (endA <= endB) i++;
    if (endB <= endA) j++;
  }
  return total;
}

/**
 * W₁ between a sample and a distribution given by its CDF F:  ∫ |F_n(x) - F(x)| dx,
 * F_n the empirical CDF. Integrated over `range` extended to cover all samples, on `steps`
 * equal intervals further split at every sample (so F_n is constant on each piece), with the
 * midpoint rule on each piece. The error is O(step²) for a smooth F.
 */
export function w1ToCdf(samples: Sample, cdf: (x: number) => number, range: [number, number], steps = 4000): number {
  nonEmpty(samples, 'w1ToCdf');
  const s = sorted(samples);
  const n = s.length;
  const lo = Math.min(range[0], s[0]);
  const hi = Math.max(range[1], s[n - 1]);
  const dx = (hi - lo) / steps;
  let total = 0;
  let i = 0; // samples s[0..i) are <= the current position x
  let x = lo;
  for (let k = 1; k <= steps; k++) {
    const gridEnd = k === steps ? hi : lo + k * dx;
    // Split [x, gridEnd] at the samples inside it.
    while (x < gridEnd) {
      while (i < n && s[i] <= x) i++;
      const end = i < n && s[i] < gridEnd ? s[i] : gridEnd;
      total += Math.abs(i / n - cdf(0.5 * (x + end))) * (end - x);
      x = end;
    }
  }
  return total;
}

/** Σ p log(p/q) over normalised counts, eps added to each cell (empty histograms count as all 0). */
function klFromCounts(cp: Float64Array, cq: Float64Array, eps: number): number {
  let np = 0;
  let nq = 0;
  for (let i = 0; i < cp.length; i++) { np += cp[i]; nq += cq[i]; }
  let kl = 0;
  for (let i = 0; i < cp.length; i++) {
    const p = (np > 0 ? cp[i] / np : 0) + eps;
    const q = (nq > 0 ? cq[i] / nq : 0) + eps;
    if (p > 0) kl += p * Math.log(p / q);
  }
  return kl;
}

const KLD_OPTIONS: OptionSpec = { bins: 'integer', range: 'array', eps: 'number' };

export interface KldOptions {
  bins?: number;
  range?: [number, number];
  eps?: number;
}

/**
 * KL(P_target ‖ Q_model) between histograms on fixed equal bins:
 *   pᵢ = cᵢ/Σc + ε,  qᵢ = dᵢ/Σd + ε,  KLD = Σᵢ pᵢ log(pᵢ/qᵢ)
 * (no renormalisation after adding ε). Samples outside the range are dropped before
 * normalising. Defaults: 50 bins on [-4, 4], ε = 1e-10.
 */
export function kld(targetSamples: Sample, modelSamples: Sample, options: KldOptions = {}): number {
  checkOptions('kld', options, KLD_OPTIONS);
  const { bins = 50, range = [-4, 4], eps = 1e-10 } = options;
  return klFromCounts(histogram(targetSamples, bins, range).counts, histogram(modelSamples, bins, range).counts, eps);
}

/**
 * The same KL divergence on a bins × bins grid over range² for interleaved (x, y) pairs.
 * Pairs with a coordinate outside the range are dropped. Defaults: 20 bins per axis on [-4, 4].
 */
export function kld2d(targetXY: Sample, modelXY: Sample, options: KldOptions = {}): number {
  checkOptions('kld2d', options, KLD_OPTIONS);
  const { bins = 20, range = [-4, 4], eps = 1e-10 } = options;
  return klFromCounts(histogram2d(targetXY, bins, range), histogram2d(modelXY, bins, range), eps);
}

/**
 * Kolmogorov's limiting distribution  Q_KS(λ) = 2 Σ_{j≥1} (-1)^(j-1) e^(-2j²λ²),
 * summed as in Numerical Recipes' probks (returns 1 when the series has not converged,
 * which happens only for small λ where Q_KS is 1 to within rounding).
 */
function kolmogorovQ(lambda: number): number {
  const a2 = -2 * lambda * lambda;
  let fac = 2;
  let sum = 0;
  let previous = 0;
  for (let j = 1; j <= 100; j++) {
    const term = fac * Math.exp(a2 * j * j);
    sum += term;
    if (Math.abs(term) <= 0.001 * previous || Math.abs(term) <= 1e-8 * sum) return Math.min(1, Math.max(0, sum));
    fac = -fac;
    previous = Math.abs(term);
  }
  return 1;
}

/**
 * Two-sample Kolmogorov–Smirnov test. Statistic  D = supₓ |F_a(x) - F_b(x)|  over the two
 * empirical CDFs (ties handled by stepping past all equal values at once). Asymptotic p-value
 * Q_KS(λ) with  λ = (√nₑ + 0.12 + 0.11/√nₑ)·D,  nₑ = n·m/(n+m)  (Numerical Recipes).
 */
export function ks2(a: Sample, b: Sample): { d: number; pValue: number } {
  nonEmpty(a, 'ks2');
  nonEmpty(b, 'ks2');
  const { d } = ksGap(a, b);
  const n = a.length;
  const m = b.length;
  const ne = (n * m) / (n + m);
  const sqrtNe = Math.sqrt(ne);
  return { d, pValue: kolmogorovQ((sqrtNe + 0.12 + 0.11 / sqrtNe) * d) };
}

/** Where the two ECDFs are furthest apart: D, an x reaching it, and F_a(x), F_b(x) there. */
export interface KsGap {
  d: number;
  x: number;
  aCdf: number;
  bCdf: number;
}

/**
 * The two-sample KS gap and where it occurs. Both ECDFs are right-continuous steps that jump
 * only at sample values, so the supremum is a maximum over those values: walk the two sorted
 * samples together, stepping past ties at once. (Once one sample is used up its ECDF is 1 and
 * the gap can only shrink, so the walk stops there.)
 */
export function ksGap(a: Sample, b: Sample): KsGap {
  nonEmpty(a, 'ksGap');
  nonEmpty(b, 'ksGap');
  const sa = sorted(a);
  const sb = sorted(b);
  const n = sa.length;
  const m = sb.length;
  let i = 0;
  let j = 0;
  let best: KsGap = { d: 0, x: Math.min(sa[0], sb[0]), aCdf: 0, bCdf: 0 };
  while (i < n && j < m) {
    const v = Math.min(sa[i], sb[j]);
    while (i < n && sa[i] === v) i++;
    while (j < m && sb[j] === v) j++;
    const d = Math.abs(i / n - j / m);
    if (d > best.d) best = { d, x: v, aCdf: i / n, bCdf: j / m };
  }
  return best;
}

export interface SlicedOptions {
  projections?: number;
  /** Source of directions; defaults to a fresh generator with a fixed seed, so results repeat. */
  rng?: Rng;
}

const SLICED_SEED = 20240601;

/**
 * Sliced Wasserstein-1 between two 2D samples (interleaved pairs): the mean over K random
 * unit directions u = (cos θ, sin θ), θ ~ U(0, 2π), of W₁ between the projections ⟨p, u⟩.
 */
export function slicedW1(aXY: Sample, bXY: Sample, options: SlicedOptions = {}): number {
  checkOptions('slicedW1', options, { projections: 'integer', rng: 'object' });
  const { projections = 64, rng = createRng(SLICED_SEED) } = options;
  const na = aXY.length >> 1;
  const nb = bXY.length >> 1;
  if (na === 0 || nb === 0) throw new Error('slicedW1: empty sample');
  const pa = new Float64Array(na);
  const pb = new Float64Array(nb);
  let total = 0;
  for (let k = 0; k < projections; k++) {
    const theta = 2 * Math.PI * rng.uniform();
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    for (let i = 0; i < na; i++) pa[i] = aXY[2 * i] * c + aXY[2 * i + 1] * s;
    for (let i = 0; i < nb; i++) pb[i] = bXY[2 * i] * c + bXY[2 * i + 1] * s;
    total += w1(pa, pb);
  }
  return total / projections;
}
