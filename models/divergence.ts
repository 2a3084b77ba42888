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
