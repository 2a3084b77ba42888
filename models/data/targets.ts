// Target distributions: what the generative models learn to imitate.
//
// Each target can draw samples (with the shared seeded Philox generator, so runs repeat
// exactly) and, where known in closed form, evaluate its density and CDF. Means and standard
// deviations are exact values worked out from the formulas, not estimated from samples.

import type { Rng } from '../../engine/rng';
import { mean as sampleMean, std as sampleStd } from '../eval/metrics';

export interface Target {
  /** Lower-case identifier, e.g. "1d-trimodal". */
  readonly name: string;
  /** Human description. */
  readonly label: string;
  readonly dim: 1 | 2;
  /** True when the samples take only integer values (pdf is then a mass function). */
  readonly discrete: boolean;
  /** n draws; for dim 2 the result holds interleaved pairs x0, y0, x1, y1, ... (length 2n). */
  sample(n: number, rng: Rng): Float64Array;
  /** 1D density (or probability mass at integers, for discrete targets). */
  pdf?(x: number): number;
  /** 2D density. */
  pdf2?(x: number, y: number): number;
  /** 1D cumulative distribution function P(X <= x). */
  cdf?(x: number): number;
  /** Exact mean per dimension. */
  readonly mean: number[];
  /** Exact standard deviation per dimension. */
  readonly std: number[];
  /** Plotting range (for 2D, used for both axes). */
  readonly range: [number, number];
  /**
   * Mixtures of two or more components: each component's weight, mean and std per dimension,
   * in the order of the class labels sampleLabelled() gives (a conditional GAN's classes).
   */
  readonly components?: readonly TargetComponent[];
  /**
   * Mixtures: the very draws sample() makes for the same generator state, with the index of the
   * component each one came from.
   */
  sampleLabelled?(n: number, rng: Rng): LabelledSamples;
}

/** One component of a mixture target. */
export interface TargetComponent {
  weight: number;
  mean: number[];
  std: number[];
}

/** Samples (interleaved pairs in 2D) and the component label of each. */
export interface LabelledSamples {
  samples: Float64Array;
  labels: Int32Array;
}

// ---------------------------------------------------------------------------------------------
// Normal distribution helpers

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Normal density  φ(x; μ, σ) = exp(-(x-μ)²/(2σ²)) / (σ√(2π)). */
function normalPdf(x: number, mu: number, sigma: number): number {
  const z = (x - mu) / sigma;
  return (INV_SQRT_2PI / sigma) * Math.exp(-0.5 * z * z);
}

/**
 * Complementary error function erfc(z) = 1 - erf(z), Chebyshev fit from Numerical Recipes
 * (erfcc), fractional error below 1.2e-7 everywhere.
 */
function erfc(z: number): number {
  const a = Math.abs(z);
  const t = 1 / (1 + 0.5 * a);
  const r = t * Math.exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? r : 2 - r;
}

/** Normal CDF  Φ((x-μ)/σ) = erfc(-(x-μ)/(σ√2)) / 2. */
function normalCdf(x: number, mu: number, sigma: number): number {
  return 0.5 * erfc(-(x - mu) / (sigma * Math.SQRT2));
}

// ---------------------------------------------------------------------------------------------
// Gaussian mixtures (1D)

interface Component {
  weight: number;
  mu: number;
  sigma: number;
}

/**
 * Mixture  p(x) = Σ_k w_k φ(x; μ_k, σ_k).
 * Mean  m = Σ w_k μ_k;  variance  Σ w_k (σ_k² + μ_k²) - m²  (law of total variance).
 * Sampling: pick component k with probability w_k, then draw μ_k + σ_k·z with z ~ N(0, 1).
 * With two or more components, the target also lists them and can say which one drew each sample.
 */
function gaussianMixture(name: string, label: string, parts: Component[], range: [number, number]): Target {
  const m = parts.reduce((s, c) => s + c.weight * c.mu, 0);
  const second = parts.reduce((s, c) => s + c.weight * (c.sigma * c.sigma + c.mu * c.mu), 0);
  // Cumulative weights for choosing a component with one uniform draw.
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of parts) cumulative.push((acc += c.weight));
  const sampleLabelled = (n: number, rng: Rng): LabelledSamples => {
    const u = new Float64Array(n);
    const out = new Float64Array(n);
    const labels = new Int32Array(n);
    rng.fillUniform(u);
    rng.fillNormal(out);
    for (let i = 0; i < n; i++) {
      let k = 0;
      while (k < parts.length - 1 && u[i] * acc >= cumulative[k]) k++;
      out[i] = parts[k].mu + parts[k].sigma * out[i];
      labels[i] = k;
    }
    return { samples: out, labels };
  };
  const mixture = parts.length > 1
    ? { components: parts.map((c) => ({ weight: c.weight, mean: [c.mu], std: [c.sigma] })), sampleLabelled }
    : {};
  return {
    name, label, dim: 1, discrete: false, range,
    mean: [m],
    std: [Math.sqrt(second - m * m)],
    sample: (n, rng) => sampleLabelled(n, rng).samples,
    ...mixture,
    pdf: (x) => parts.reduce((s, c) => s + c.weight * normalPdf(x, c.mu, c.sigma), 0),
    cdf: (x) => parts.reduce((s, c) => s + c.weight * normalCdf(x, c.mu, c.sigma), 0),
  };
}

/** Equal-weight mixture of components sharing one σ. */
function equalMixture(name: string, label: string, mus: number[], sigma: number): Target {
  return gaussianMixture(name, label, mus.map((mu) => ({ weight: 1 / mus.length, mu, sigma })), [-4, 4]);
}

// ---------------------------------------------------------------------------------------------
// Other 1D targets

/** U(lo, hi): density 1/(hi-lo) on the interval, mean (lo+hi)/2, std (hi-lo)/√12. */
function uniformTarget(lo: number, hi: number): Target {
  const w = hi - lo;
  return {
    name: 'uniform', label: `Uniform U(${lo}, ${hi})`, dim: 1, discrete: false,
    range: [lo - 0.25 * w, hi + 0.25 * w],
    mean: [(lo + hi) / 2],
    std: [w / Math.sqrt(12)],
    sample(n, rng) {
      const out = new Float64Array(n);
      rng.fillUniform(out, lo, hi);
      return out;
    },
    pdf: (x) => (x >= lo && x <= hi ? 1 / w : 0),
    cdf: (x) => Math.min(1, Math.max(0, (x - lo) / w)),
  };
}

/** Exponential with rate λ: density λe^(-λx) for x >= 0, mean 1/λ, std 1/λ. */
function exponentialTarget(rate: number): Target {
  return {
    name: 'exponential', label: `Exponential, rate ${rate}`, dim: 1, discrete: false,
    range: [-1, 16],
    mean: [1 / rate],
    std: [1 / rate],
    sample(n, rng) {
      // Inverse-CDF sampling: F(x) = 1 - e^(-λx), so if u ~ U(0, 1) then F⁻¹(1-u) = -ln(u)/λ
      // has distribution F (1-u is uniform too). u is never 0, so x is always finite.
      const out = new Float64Array(n);
      rng.fillUniform(out);
      for (let i = 0; i < n; i++) out[i] = -Math.log(out[i]) / rate;
      return out;
    },
    pdf: (x) => (x >= 0 ? rate * Math.exp(-rate * x) : 0),
    cdf: (x) => (x >= 0 ? 1 - Math.exp(-rate * x) : 0),
  };
}

/**
 * Beta(2, 5) mapped linearly from [0, 1] to [lo, hi]:  x = lo + (hi-lo)·b.
 * Beta(2, 5): density 30 b (1-b)⁴ (1/B(2,5) = 6!/(1!·4!) = 30), mean 2/7,
 * variance ab/((a+b)²(a+b+1)) = 10/392. The map scales the std by (hi-lo).
 */
function betaTarget(lo: number, hi: number): Target {
  const w = hi - lo;
  return {
    name: '1d-beta', label: `Beta(2, 5) mapped to [${lo}, ${hi}]`, dim: 1, discrete: false,
    range: [-4, 4],
    mean: [lo + (w * 2) / 7],
    std: [w * Math.sqrt(10 / 392)],
    sample(n, rng) {
      // Order statistics: the k-th smallest of m uniforms is Beta(k, m+1-k), so the second
      // smallest of 6 uniforms is exactly Beta(2, 5).
      const u = new Float64Array(6 * n);
      rng.fillUniform(u);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let first = Infinity;
        let second = Infinity;
        for (let j = 6 * i; j < 6 * i + 6; j++) {
          const v = u[j];
          if (v < first) { second = first; first = v; } else if (v < second) second = v;
        }
        out[i] = lo + w * second;
      }
      return out;
    },
    pdf(x) {
      const b = (x - lo) / w;
      return b >= 0 && b <= 1 ? (30 * b * (1 - b) ** 4) / w : 0;
    },
    cdf(x) {
      // For integer a, b:  I_b(a, b) = P(Binomial(a+b-1, b) >= a) = Σ_{j=2..6} C(6,j) bʲ (1-b)^(6-j).
      const b = Math.min(1, Math.max(0, (x - lo) / w));
      const choose6 = [1, 6, 15, 20, 15, 6, 1];
      let s = 0;
      for (let j = 2; j <= 6; j++) s += choose6[j] * b ** j * (1 - b) ** (6 - j);
      return s;
    },
  };
}

/** ln k! by summing logs (k is small here). */
function logFactorial(k: number): number {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
}

/**
 * Poisson(λ) shifted by -shift, a discrete target: P(X = k - shift) = e^(-λ) λᵏ / k!.
 * Mean λ - shift, std √λ.
 */
function poissonTarget(lambda: number, shift: number): Target {
  const pmf = (x: number): number => {
    const k = Math.round(x + shift);
    if (k < 0 || Math.abs(x + shift - k) > 1e-9) return 0;
    return Math.exp(k * Math.log(lambda) - lambda - logFactorial(k));
  };
  return {
    name: '1d-poisson', label: `Poisson(${lambda}) - ${shift}`, dim: 1, discrete: true,
    // Wider on the right than the other benchmark targets: P(X > 4) is about 2%, visible bars.
    range: [-5, 8],
    mean: [lambda - shift],
    std: [Math.sqrt(lambda)],
    sample(n, rng) {
      // Knuth's method: multiply uniforms until the product drops below e^(-λ); the number
      // of factors before that is Poisson(λ) (arrivals of a rate-λ process in unit time).
      const limit = Math.exp(-lambda);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let k = 0;
        let p = rng.uniform();
        while (p > limit) { k++; p *= rng.uniform(); }
        out[i] = k - shift;
      }
      return out;
    },
    pdf: pmf,
    cdf(x) {
      // Sum the masses up to x; beyond k = 200 the remaining mass is far below rounding.
      if (x + shift >= 200) return 1;
      let s = 0;
      for (let k = 0; k - shift <= x; k++) s += pmf(k - shift);
      return Math.min(1, s);
    },
  };
}

/** A single normal N(μ, σ), plotted over μ ± 4σ. */
function normalTarget(name: string, mu: number, sigma: number): Target {
  return gaussianMixture(name, `Normal N(${mu}, ${sigma})`, [{ weight: 1, mu, sigma }],
    [mu - 4 * sigma, mu + 4 * sigma]);
}

// ---------------------------------------------------------------------------------------------
// 2D target

/**
 * Four isotropic Gaussians at the corners (±c, ±c), std s, equal weights.
 * Per axis: mean 0, variance s² + c² (each coordinate is a ±c coin flip plus N(0, s²)).
 */
function cornersTarget(c: number, s: number): Target {
  const corners = [[-c, -c], [-c, c], [c, -c], [c, c]];
  const sampleLabelled = (n: number, rng: Rng): LabelledSamples => {
    const u = new Float64Array(n);
    const out = new Float64Array(2 * n);
    const labels = new Int32Array(n);
    rng.fillUniform(u);
    rng.fillNormal(out, 0, s);
    for (let i = 0; i < n; i++) {
      const k = Math.min(3, Math.floor(u[i] * 4));
      out[2 * i] += corners[k][0];
      out[2 * i + 1] += corners[k][1];
      labels[i] = k;
    }
    return { samples: out, labels };
  };
  return {
    name: '2d-mix-gauss', label: `Four Gaussians at (±${c}, ±${c}), σ ${s}`, dim: 2, discrete: false,
    range: [-4, 4],
    mean: [0, 0],
    std: [Math.sqrt(s * s + c * c), Math.sqrt(s * s + c * c)],
    components: corners.map((mean) => ({ weight: 0.25, mean, std: [s, s] })),
    sampleLabelled,
    sample: (n, rng) => sampleLabelled(n, rng).samples,
    pdf2: (x, y) => corners.reduce((sum, [cx, cy]) => sum + 0.25 * normalPdf(x, cx, s) * normalPdf(y, cy, s), 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Registry

const TARGETS: Target[] = [
  // Blog playground
  normalTarget('normal', 4, 0.5),
  gaussianMixture('bimodal', 'Two Gaussians ½N(2, 0.4) + ½N(6, 0.4)',
    [{ weight: 0.5, mu: 2, sigma: 0.4 }, { weight: 0.5, mu: 6, sigma: 0.4 }], [0, 8]),
  uniformTarget(2, 6),
  exponentialTarget(0.5),
  gaussianMixture('mixture', 'Three Gaussians N(1.5, 0.3), N(4, 0.4), N(7, 0.25)',
    [{ weight: 0.33, mu: 1.5, sigma: 0.3 }, { weight: 0.33, mu: 4, sigma: 0.4 }, { weight: 0.34, mu: 7, sigma: 0.25 }],
    [-0.5, 9]),
  // JAX benchmark
  equalMixture('1d-bimodal', 'Two Gaussians at ±1.5, σ 0.4', [-1.5, 1.5], 0.4),
  equalMixture('1d-trimodal', 'Three Gaussians at -2, 0, 2, σ 0.35', [-2, 0, 2], 0.35),
  equalMixture('1d-quadmodal', 'Four Gaussians at -2.5, -0.8, 0.8, 2.5, σ 0.3', [-2.5, -0.8, 0.8, 2.5], 0.3),
  cornersTarget(1.5, 0.5),
  betaTarget(-2.5, 2.5),
  poissonTarget(4, 4),
  // Lessons
  normalTarget('normal-10-2', 10, 2),
  normalTarget('normal-5-1', 5, 1),
];

/** All built-in targets, in a fixed order. */
export function listTargets(): Target[] {
  return TARGETS.slice();
}

/** "1D_TRIMODAL" -> "1d-trimodal": lower case, underscores become dashes. */
export function normaliseTargetName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

/** Look a target up by name (case-insensitive, `_` accepted for `-`); throws on unknown names. */
export function getTarget(name: string): Target {
  const key = normaliseTargetName(name);
  const found = TARGETS.find((t) => t.name === key);
  if (!found) {
    throw new Error(`unknown target '${name}'; valid targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  }
  return found;
}

/**
 * An empirical target built from user data (dim 1: values; dim 2: interleaved pairs).
 * sample() resamples rows with replacement; mean/std (population) come from the data;
 * range spans the data, padded by 10% of the span on each side. No density is known.
 */
export function targetFromSamples(name: string, data: Float64Array, dim: 1 | 2): Target {
  const rows = data.length / dim;
  if (rows < 1 || !Number.isInteger(rows)) {
    throw new Error(`targetFromSamples: need a non-empty array whose length is a multiple of ${dim}, got ${data.length}`);
  }
  const copy = Float64Array.from(data);
  const columns: Float64Array[] = [];
  for (let d = 0; d < dim; d++) columns.push(copy.filter((_, i) => i % dim === d));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of copy) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const pad = hi > lo ? 0.1 * (hi - lo) : 1;
  return {
    name: normaliseTargetName(name),
    label: `${name} (${rows} rows of user data)`,
    dim, discrete: false,
    range: [lo - pad, hi + pad],
    mean: columns.map((c) => sampleMean(c)),
    std: columns.map((c) => sampleStd(c)),
    sample(n, rng) {
      const out = new Float64Array(n * dim);
      for (let i = 0; i < n; i++) {
        const r = rng.int(rows);
        for (let d = 0; d < dim; d++) out[i * dim + d] = copy[r * dim + d];
      }
      return out;
    },
  };
}
