// The GAN's losses, one function per player. D outputs logits ℓ; D(x) = sigmoid(ℓ) for display.
// bceWithLogits(ℓ, t) = −[t log σ(ℓ) + (1 − t) log(1 − σ(ℓ))], computed without overflow.

import { bceWithLogits, binaryKernel, mean, neg, relu, sigmoid, sqrt, sum, type Tensor } from '../../engine/index';
import type { GanLoss } from './config';

/**
 * Discriminator (or critic) loss on a batch of real and fake logits.
 *   nonsaturating, minimax: BCE(ℓ_real, 1 − s/2) + BCE(ℓ_fake, 0)   (s: label smoothing)
 *   wgan:                   mean C(fake) − mean C(real)   (the negated Wasserstein estimate)
 */
export function discriminatorLoss(loss: GanLoss, realLogits: Tensor, fakeLogits: Tensor, labelSmoothing: number): Tensor {
  if (loss === 'wgan') return mean(fakeLogits).sub(mean(realLogits));
  // bceWithLogits's smoothing maps t to t(1 − s) + s/2, so 1 → 1 − s/2; fakes keep label 0.
  const real = bceWithLogits(realLogits, 1, { labelSmoothing });
  return real.add(bceWithLogits(fakeLogits, 0));
}

/**
 * Generator loss on the logits D gives its samples.
 *   nonsaturating: BCE(ℓ, 1) = −log D(G(z))
 *   minimax:       −BCE(ℓ, 0) = log(1 − D(G(z))); its gradient vanishes when D(G(z)) ≈ 0,
 *                  which is exactly when G is worst: early training stalls
 *   wgan:          −mean C(G(z))
 */
export function generatorLoss(loss: GanLoss, fakeLogits: Tensor): Tensor {
  if (loss === 'wgan') return neg(mean(fakeLogits));
  if (loss === 'minimax') return neg(bceWithLogits(fakeLogits, 0));
  return bceWithLogits(fakeLogits, 1);
}

/**
 * Moment matching (seed 001): λ Σ_d ((mean_d − μ_d)² + (std_d − σ_d)²) over the batch x [B, dim];
 * mu and sigma are [1, dim] rows (the dataset's moments). std = sqrt(var + 1e-8) keeps the
 * gradient finite if the batch collapses to a point.
 */
export function momentLoss(x: Tensor, mu: Tensor, sigma: Tensor, lambda: number): Tensor {
  const m = mean(x, 0, true); // [1, dim]
  const centred = x.sub(m);
  const s = sqrt(mean(centred.mul(centred), 0, true).add(1e-8));
  const dm = m.sub(mu);
  const ds = s.sub(sigma);
  return sum(dm.mul(dm).add(ds.mul(ds))).mul(lambda);
}

/** D(x) for display: sigmoid of the logit; the WGAN critic's raw value. */
export function discriminatorOutput(loss: GanLoss, logits: Tensor): Tensor {
  return loss === 'wgan' ? logits : sigmoid(logits);
}

/** Share of logits on the "real" side (ℓ ≥ 0, i.e. D(x) ≥ 0.5): 1 where relu(ℓ) = ℓ. */
export function shareRealSide(logits: Tensor): Tensor {
  return mean(binaryKernel('accuracy', 'eq', relu(logits), logits));
}

/** Share of logits on the "fake" side (ℓ ≤ 0). */
export function shareFakeSide(logits: Tensor): Tensor {
  const flipped = neg(logits);
  return mean(binaryKernel('accuracy', 'eq', relu(flipped), flipped));
}
