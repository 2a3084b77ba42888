// Binned (one-hot) mode: 1D data digitised into K equal bins over the target's range, each value
// a one-hot row of K numbers. Models learn distributions over bins; their samples are decoded
// back to numbers before the metrics: hard (the centre of the chosen bin; for a continuous
// target, a uniform point within it) or soft (the expectation Σ_k p_k·c_k of the bin centres
// under the model's probabilities).
//
// Also here, the on-device sampling helpers binned models share:
//   - categorical sampling by the Gumbel-max trick: argmax_k(ℓ_k + g_k), g_k = −log(−log u_k),
//     is a draw from softmax(ℓ);
//   - the Gumbel-softmax relaxation softmax((ℓ + g)/τ), a differentiable stand-in for that
//     one-hot draw (the GAN's generator head in binned mode); τ → 0 approaches the one-hot;
//   - Bernoulli sampling [u < p] for the RBM's hidden units.

import { add, clamp, eq, div, log, max, mul, neg, rand, softmax, sub, type Rng, type Tensor } from '../../engine/index';
import type { Target } from './targets';

export interface Binning {
  /** Number of bins K. */
  readonly k: number;
  /** Left edge of bin 0 and right edge of bin K−1. */
  readonly lo: number;
  readonly hi: number;
  readonly width: number;
  /** Bin centres lo + (i + ½)·width. */
  readonly centres: Float64Array;
}

/**
 * K equal bins over [lo, hi]. For a discrete (integer-valued) target the edges sit at
 * half-integers and the width is a whole number (1 when K covers the range), so every integer
 * is a bin centre and decoding gives back integers; the range then starts at the target's low end.
 */
export function createBinning(target: Pick<Target, 'range' | 'discrete' | 'dim'>, k: number): Binning {
  if (!Number.isInteger(k) || k < 1) throw new Error(`binning: the number of bins must be a positive integer, got ${k}`);
  if (target.dim !== 1) throw new Error('binning: binned mode is for 1D data (this target is 2D); use --bins 0');
  let [lo, hi] = target.range;
  if (target.discrete) {
    const width = Math.max(1, Math.ceil((Math.ceil(hi) - Math.floor(lo)) / k));
    lo = Math.floor(lo) - 0.5;
    hi = lo + width * k;
  }
  const width = (hi - lo) / k;
  const centres = new Float64Array(k);
  for (let i = 0; i < k; i++) centres[i] = lo + (i + 0.5) * width;
  return { k, lo, hi, width, centres };
}

/** The bin of each value; values outside [lo, hi] go to the first or last bin. */
export function binIndex(binning: Binning, value: number): number {
  const i = Math.floor((value - binning.lo) / binning.width);
  return Math.min(binning.k - 1, Math.max(0, i));
}

/** n values to n one-hot rows of K (row-major, n·K numbers). */
export function digitise(binning: Binning, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length * binning.k);
  for (let i = 0; i < values.length; i++) out[i * binning.k + binIndex(binning, values[i])] = 1;
  return out;
}

/** Hard decoding: each row of K numbers (one-hot or probabilities) to the centre of its largest entry. */
export function decodeHard(binning: Binning, rows: ArrayLike<number>): Float64Array {
  const { k, centres } = binning;
  const n = checkRows(binning, rows);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (rows[i * k + j] > rows[i * k + best]) best = j;
    out[i] = centres[best];
  }
  return out;
}

/**
 * Hard decoding to a density: the chosen bin's centre plus a uniform offset within the bin, the
 * piecewise-uniform density that a distribution over bins of a continuous target stands for
 * (bin centres alone would leave every finer histogram cell between them empty).
 */
export function decodeUniform(binning: Binning, rows: ArrayLike<number>, rng: Rng): Float64Array {
  const out = decodeHard(binning, rows);
  const u = new Float64Array(out.length);
  rng.fillUniform(u, -0.5, 0.5);
  for (let i = 0; i < out.length; i++) out[i] += u[i] * binning.width;
  return out;
}

/** Soft decoding: each row of K probabilities to the expectation Σ_k p_k·c_k (rows are renormalised). */
export function decodeSoft(binning: Binning, rows: ArrayLike<number>): Float64Array {
  const { k, centres } = binning;
  const n = checkRows(binning, rows);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let total = 0;
    let weighted = 0;
    for (let j = 0; j < k; j++) {
      const p = Math.max(0, rows[i * k + j]);
      total += p;
      weighted += p * centres[j];
    }
    out[i] = total > 0 ? weighted / total : centres[Math.floor(k / 2)];
  }
  return out;
}

function checkRows(binning: Binning, rows: ArrayLike<number>): number {
  if (rows.length % binning.k !== 0) throw new Error(`binning: ${rows.length} values are not rows of ${binning.k} bins`);
  return rows.length / binning.k;
}

// ---------------------------------------------------------------------------------------------
// On-device sampling

/** Standard Gumbel noise g = −log(−log u), u ~ U(0, 1), of the given shape. */
export function gumbelNoise(shape: readonly number[], rng: Rng): Tensor {
  return neg(log(neg(log(rand(shape, rng)))));
}

/**
 * Gumbel-softmax (Jang et al., Maddison et al., 2017):  y = softmax((ℓ + g) / τ)  along the last
 * axis, ℓ the logits (log π up to a constant), g Gumbel noise, τ > 0 the temperature.
 * Differentiable in ℓ; as τ → 0, y tends to the one-hot of a draw from softmax(ℓ).
 */
export function gumbelSoftmax(logits: Tensor, temperature: number, rng: Rng): Tensor {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`gumbelSoftmax: temperature must be a positive number, got ${temperature}`);
  return softmax(div(add(logits, gumbelNoise(logits.shape, rng)), temperature), -1);
}

/** 1 where x equals its row's maximum, else 0: the one-hot of the argmax (not differentiable). */
export function oneHotOfMax(x: Tensor): Tensor {
  const m = max(x, -1, true);
  return eq(x.detach(), m.detach(), 'oneHotOfMax');
}

/** One-hot draws from softmax(logits) along the last axis (Gumbel-max trick), on the device. */
export function sampleCategorical(logits: Tensor, rng: Rng): Tensor {
  return oneHotOfMax(add(logits.detach(), gumbelNoise(logits.shape, rng)));
}

/**
 * Bernoulli draws: 1 with probability p, else 0, as the step [u < p] with u ~ U(0, 1). The step
 * is clamp(2¹⁰⁰·(p − u), 0, 1): uniforms are never below 2⁻²⁴, so a nonzero p − u is far larger
 * than 2⁻¹⁰⁰ and the clamp lands exactly on 0 or 1.
 */
export function sampleBernoulli(p: Tensor, rng: Rng): Tensor {
  return clamp(mul(sub(p.detach(), rand(p.shape, rng)), 2 ** 100), 0, 1);
}
