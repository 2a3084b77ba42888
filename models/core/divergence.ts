// Catching a run that went bad, with a message that says what and what to try.

import { DivergenceError } from './model';

/** Throw if any loss is NaN or infinite. */
export function checkLosses(model: string, losses: Record<string, number>, epoch: number, step: number, target?: { mean: readonly number[]; std: readonly number[] }): void {
  for (const [name, value] of Object.entries(losses)) {
    if (!Number.isFinite(value)) {
      throw new DivergenceError(
        `${model} diverged at epoch ${epoch} (step ${step}): the ${name} became ${value}. ` +
          divergenceAdvice(target),
        epoch, step,
      );
    }
  }
}

/** Throw if any weight is non-finite or larger in magnitude than `limit` (exploding weights). */
export function checkWeights(model: string, weights: Record<string, ArrayLike<number>>, epoch: number, step: number, limit = 1e4, target?: { mean: readonly number[]; std: readonly number[] }): void {
  for (const [name, values] of Object.entries(weights)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v) || Math.abs(v) > limit) {
        throw new DivergenceError(
          `${model} diverged at epoch ${epoch} (step ${step}): weight '${name}' reached ${v} (limit ${limit}). ${divergenceAdvice(target)}`,
          epoch, step,
        );
      }
    }
  }
}

/** How many of the target's standard deviations from its mean a sample may lie before the run counts as exploding. */
export const SAMPLE_SPREAD_LIMIT = 100;

/** The learning-rate advice, for a run whose data are on a scale the models train on. */
const LR_ADVICE = 'Try a lower learning rate (e.g. --lr 1e-3 or below), a smaller model, or another seed.';

/**
 * What to try after a divergence. The learning rate is blamed only when the data's scale is not
 * the cause: data whose spread is tiny next to 1 (float32 keeps about 7 digits) or zero diverge
 * at any learning rate.
 */
export function divergenceAdvice(target?: { mean: readonly number[]; std: readonly number[] }): string {
  if (target) {
    for (let d = 0; d < target.std.length; d++) {
      const sigma = target.std[d];
      const scale = Math.max(Math.abs(target.mean[d] ?? 0), 1);
      if (sigma === 0) return `Column ${d + 1} of the data holds one value in every row (std 0): there is no spread to learn; a lower learning rate will not help.`;
      if (sigma < 1e-6 * scale) {
        return `The data's spread is tiny (column ${d + 1}: std ${sigma.toExponential(2)}, mean ${(target.mean[d] ?? 0).toExponential(2)}): rescale the data (e.g. change units so typical values are near 1); a lower learning rate will not help.`;
      }
    }
  }
  return LR_ADVICE;
}

/**
 * How far a model's samples may stray: `gain`·SAMPLE_SPREAD_LIMIT·max(σ, unit) + 2·|μ| from the
 * mean. A model whose samples are one pass through a network has gain 1 and unit 0 (the rule in
 * σ); diffusion's ancestral sampler divides by √α_t at each of its T steps, so even an untrained
 * noise predictor's O(1) errors reach 1/√ᾱ_T times the unit noise (gain 1/√ᾱ_T, unit 1, the
 * noise's scale in its model space).
 */
export interface SampleBound {
  gain: number;
  unit: number;
}

export const ONE_PASS: SampleBound = Object.freeze({ gain: 1, unit: 0 });

/**
 * Throw if a generated sample is non-finite, or lies farther from the target's mean than
 * gain·SAMPLE_SPREAD_LIMIT·max(σ, unit) + 2·|μ| (per coordinate; see SampleBound): the model's
 * output has exploded even if its losses are still numbers. (The 2·|μ| term spares a model that
 * starts near 0 on data far from it.) Data with σ = 0 use σ = 10⁻³·max(|μ|, 1), so one rule
 * covers them too. `samples` are interleaved rows of `dim`.
 */
export function checkSamples(model: string, samples: ArrayLike<number>, target: { mean: readonly number[]; std: readonly number[] }, dim: number, epoch: number, step: number, bound: SampleBound = ONE_PASS): void {
  const advice = divergenceAdvice(target);
  const spreadLimit = bound.gain * SAMPLE_SPREAD_LIMIT;
  const rule = bound.unit > 0 ? `${Math.round(spreadLimit)}·max(std, ${bound.unit}) + 2·|mean|` : `${Math.round(spreadLimit)}·std + 2·|mean|`;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (!Number.isFinite(v)) throw new DivergenceError(`${model} diverged at epoch ${epoch} (step ${step}): generated sample ${Math.floor(i / dim)} is ${v}. ${advice}`, epoch, step);
    const d = i % dim;
    const mu = target.mean[d];
    const given = target.std[d];
    const sigma = Math.max(given > 0 ? given : 1e-3 * Math.max(Math.abs(mu), 1), bound.unit);
    if (target.mean.length === dim && Number.isFinite(sigma) && Math.abs(v - mu) > spreadLimit * sigma + 2 * Math.abs(mu)) {
      throw new DivergenceError(
        `${model} diverged at epoch ${epoch} (step ${step}): generated sample ${Math.floor(i / dim)} is ${v.toPrecision(4)}, far outside the data (mean ${mu.toPrecision(4)}, std ${given.toPrecision(3)}; the limit is ${rule} from the mean). ${advice}`,
        epoch, step,
      );
    }
  }
}
