// Scoring generated samples against a target, the same way for every model:
//   1D: W1 between samples and as many fresh target samples (sorted-quantile form), histogram KLD
//       on 50 bins over the target's plotting range, two-sample KS statistic;
//   2D: sliced W1, and KLD between 20x20 histograms over the range.
// The fresh target samples come from their own generator, so evaluation never disturbs training.

import { createRng, type Rng } from '../../engine/index';
import { kld, kld2d, ks2, mean, slicedW1, std, w1 } from './metrics';
import type { FinalMetrics } from '../core/model';
import { mixSeed } from '../core/seeds';
import type { Target } from '../data/targets';

/** Split interleaved (x, y) pairs into per-dimension arrays (1D: the array itself). */
export function columns(samples: Float64Array, dim: 1 | 2): Float64Array[] {
  if (dim === 1) return [samples];
  const n = samples.length / 2;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = samples[2 * i];
    ys[i] = samples[2 * i + 1];
  }
  return [xs, ys];
}

/** A fixed reference sample of the target for evaluation (seeded apart from training). */
export function referenceSamples(target: Target, n: number, seed: number): Float64Array {
  return target.sample(n, createRng(mixSeed(seed, 1, 0, 0, 0x5eed)));
}

export function scoreSamples(samples: Float64Array, target: Target, reference: Float64Array, rng?: Rng): FinalMetrics {
  const dim = target.dim;
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new Error(`evaluate: generated sample ${i} is ${samples[i]}; the model produced non-finite values`);
  }
  const cols = columns(samples, dim);
  const refCols = columns(reference, dim);
  const range = target.range;
  const metrics: FinalMetrics = {
    w1: dim === 1 ? w1(samples, reference) : slicedW1(samples, reference, rng ? { rng } : {}),
    kld: dim === 1 ? kld(reference, samples, { bins: 50, range }) : kld2d(reference, samples, { bins: 20, range }),
    ks: dim === 1 ? ks2(samples, reference).d : NaN,
    mean: cols.map((c) => mean(c)),
    std: cols.map((c) => std(c)),
    targetMean: target.mean.length === dim ? [...target.mean] : refCols.map((c) => mean(c)),
    targetStd: target.std.length === dim ? [...target.std] : refCols.map((c) => std(c)),
  };
  return metrics;
}
