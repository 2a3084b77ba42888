// The yardstick every model must beat: a Gaussian fitted to the target (its mean and std in 1D,
// its mean and covariance in 2D), scored exactly like a model. A model that does no better has
// learned nothing beyond the first two moments (for 1d-trimodal: W1 ≈ 0.35, KLD ≈ 0.45).

import { mixSeed } from '../core/seeds';
import { createRng } from '../../engine/index';
import { columns, referenceSamples, scoreSamples } from './evaluate';
import { mean } from './metrics';
import type { FinalMetrics } from '../core/model';
import type { Target } from '../data/targets';

/**
 * n draws from the Gaussian fitted to the reference sample, scored against it. In 2D the draws
 * are μ + L·z with L the Cholesky factor of the covariance Σ = L·Lᵀ.
 */
export function gaussianBaseline(target: Target, n: number, seed: number): FinalMetrics {
  const reference = referenceSamples(target, n, seed);
  const rng = createRng(mixSeed(seed, 1, 0, 0, 7));
  const z = new Float64Array(n * target.dim);
  rng.fillNormal(z);
  const cols = columns(reference, target.dim);
  const mu = cols.map((c) => mean(c));
  const cov = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (cols[a][i] - mu[a]) * (cols[b][i] - mu[b]);
    return s / n;
  };
  const out = new Float64Array(n * target.dim);
  if (target.dim === 1) {
    const sd = Math.sqrt(cov(0, 0));
    for (let i = 0; i < n; i++) out[i] = mu[0] + sd * z[i];
  } else {
    // Σ = [[a, b], [b, c]] = L·Lᵀ with L = [[√a, 0], [b/√a, √(c − b²/a)]]
    const a = cov(0, 0);
    const b = cov(0, 1);
    const c = cov(1, 1);
    const l11 = Math.sqrt(a);
    const l21 = b / l11;
    const l22 = Math.sqrt(Math.max(0, c - l21 * l21));
    for (let i = 0; i < n; i++) {
      out[2 * i] = mu[0] + l11 * z[2 * i];
      out[2 * i + 1] = mu[1] + l21 * z[2 * i] + l22 * z[2 * i + 1];
    }
  }
  return scoreSamples(out, target, reference);
}
