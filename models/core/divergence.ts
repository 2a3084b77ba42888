// Catching a run that went bad, with a message that says what and what to try.

import { DivergenceError } from './model';

/** Throw if any loss is NaN or infinite. */
export function checkLosses(model: string, losses: Record<string, number>, epoch: number, step: number): void {
  for (const [name, value] of Object.entries(losses)) {
    if (!Number.isFinite(value)) {
      throw new DivergenceError(
        `${model} diverged at epoch ${epoch} (step ${step}): the ${name} became ${value}. ` +
          'Try a lower learning rate (e.g. --lr 1e-3 or below), a smaller model, or another seed.',
        epoch, step,
      );
    }
  }
}

/** Throw if any weight is non-finite or larger in magnitude than `limit` (exploding weights). */
export function checkWeights(model: string, weights: Record<string, ArrayLike<number>>, epoch: number, step: number, limit = 1e4): void {
  for (const [name, values] of Object.entries(weights)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v) || Math.abs(v) > limit) {
        throw new DivergenceError(
          `${model} diverged at epoch ${epoch} (step ${step}): weight '${name}' reached ${v} (limit ${limit}). ` +
            'Try a lower learning rate (e.g. --lr 1e-3 or below).',
          epoch, step,
        );
      }
    }
  }
}

/** How many of the target's standard deviations from its mean a sample may lie before the run counts as exploding. */
export const SAMPLE_SPREAD_LIMIT = 100;

/**
 * Throw if a generated sample is non-finite, or lies farther from the target's mean than
 * SAMPLE_SPREAD_LIMIT·σ + 2·|μ| (per coordinate): the model's output has exploded even if its
 * losses are still numbers. (The 2·|μ| term spares a model that starts near 0 on data far from
 * it.) `samples` are interleaved rows of `dim`.
 */
export function checkSamples(model: string, samples: ArrayLike<number>, target: { mean: readonly number[]; std: readonly number[] }, dim: number, epoch: number, step: number, spreadLimit = SAMPLE_SPREAD_LIMIT): void {
  const advice = 'Try a lower learning rate (e.g. --lr 1e-3 or below), a smaller model, or another seed.';
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (!Number.isFinite(v)) throw new DivergenceError(`${model} diverged at epoch ${epoch} (step ${step}): generated sample ${Math.floor(i / dim)} is ${v}. ${advice}`, epoch, step);
    const d = i % dim;
    const mu = target.mean[d];
    const sigma = target.std[d];
    if (target.mean.length === dim && sigma > 0 && Math.abs(v - mu) > spreadLimit * sigma + 2 * Math.abs(mu)) {
      throw new DivergenceError(
        `${model} diverged at epoch ${epoch} (step ${step}): generated sample ${Math.floor(i / dim)} is ${v.toPrecision(4)}, far outside the data (mean ${mu.toPrecision(4)}, std ${sigma.toPrecision(3)}; the limit is ${spreadLimit}·std + 2·|mean| from the mean). ${advice}`,
        epoch, step,
      );
    }
  }
}
