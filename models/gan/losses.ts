// The GAN's losses, one function per player. D outputs logits ℓ; D(x) = sigmoid(ℓ) for display.
// bceWithLogits(ℓ, t) = −[t log σ(ℓ) + (1 − t) log(1 − σ(ℓ))], computed without overflow.

import { bceWithLogits, eq, grad, mean, neg, rand, relu, sigmoid, sliceAxis, sqrt, sum, type Rng, type Tensor } from '../../engine/index';
import { isCritic, type GanLoss } from './config';

/**
 * Discriminator (or critic) loss on a batch of real and fake logits.
 *   nonsaturating, minimax: BCE(ℓ_real, 1 − s/2) + BCE(ℓ_fake, 0)   (s: label smoothing)
 *   wgan:                   mean C(fake) − mean C(real)   (the negated Wasserstein estimate)
 */
export function discriminatorLoss(loss: GanLoss, realLogits: Tensor, fakeLogits: Tensor, labelSmoothing: number): Tensor {
  if (isCritic(loss)) return mean(fakeLogits).sub(mean(realLogits));
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
  if (isCritic(loss)) return neg(mean(fakeLogits));
  if (loss === 'minimax') return neg(bceWithLogits(fakeLogits, 0));
  return bceWithLogits(fakeLogits, 1);
}

/**
 * Moment matching (the moment-matching GAN notebooks): λ Σ_d ((mean_d − μ_d)² + (std_d − σ_d)²) over the batch x [B, dim];
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

/**
 * The WGAN-GP gradient penalty (Gulrajani et al. 2017): λ·mean_i (‖∇ₓ C(x̂_i)‖₂ − 1)² at
 * x̂_i = ε_i·real_i + (1 − ε_i)·fake_i, ε_i ~ U(0, 1) per sample. A 1-Lipschitz critic has gradient
 * norm 1 along the lines between real and fake points; the penalty pulls it there.
 * `oneSided` gives the Lipschitz penalty of Petzka et al. 2018, λ·mean_i max(0, ‖∇ₓ C(x̂_i)‖₂ − 1)²,
 * which leaves gentler slopes alone. On 1-D data that matters: there the gradient is a number,
 * so the critic can only turn its slope from +1 to −1 by passing through 0, where the two-sided
 * penalty is largest (λ); the generator overshoots until the critic's evidence outweighs it.
 * The gradient ∇ₓ C is taken with createGraph, so backward() differentiates the penalty through
 * it: a gradient of a gradient. ε stays inside the sqrt's argument only as 1e-12, to keep
 * sqrt'(0) = ∞ out of a batch whose critic is flat somewhere.
 */
export function gradientPenalty(critic: (x: Tensor) => Tensor, real: Tensor, fake: Tensor, lambda: number, rng: Rng, oneSided = false): Tensor {
  const eps = rand([real.shape[0], 1], rng);
  const xHat = eps.mul(real).add(eps.neg().add(1).mul(fake)).detach();
  xHat.requiresGrad = true;
  const [g] = grad(sum(critic(xHat)), [xHat], { createGraph: true }) as [Tensor];
  // x̂ needed a gradient only for ∇ₓ C; the critic's update must not also fill x̂.grad.
  xHat.requiresGrad = false;
  const norm = sqrt(sum(g.mul(g), 1).add(1e-12)); // ‖∇ₓ C(x̂_i)‖₂ per row
  const dev = oneSided ? relu(norm.sub(1)) : norm.sub(1);
  return mean(dev.mul(dev)).mul(lambda);
}

/**
 * The R1 penalty of Mescheder, Geiger & Nowozin 2018 ("Which Training Methods for GANs do
 * actually Converge?"): (γ/2)·mean_i ‖∇ₓ ℓ(x_i)‖² on the real rows x_i, ℓ = D's logit, added to
 * D's loss. At the equilibrium (G on the data, D constant) it is 0 with zero gradient, so it
 * moves no equilibrium; near it, it damps the rotation in which unregularised GAN training
 * circles that equilibrium instead of reaching it. `columns` limits ∇ₓ to the first columns
 * (the data, not a conditional GAN's one-hot class columns). Like gradientPenalty, a gradient
 * of a gradient: ∇ₓ ℓ is taken with createGraph so backward() differentiates through it.
 */
export function r1Penalty(discriminator: (x: Tensor) => Tensor, real: Tensor, gamma: number, columns = real.shape[1]): Tensor {
  const x = real.detach();
  x.requiresGrad = true;
  const [g] = grad(sum(discriminator(x)), [x], { createGraph: true }) as [Tensor];
  x.requiresGrad = false;
  const gx = columns < real.shape[1] ? sliceAxis(g, 1, 0, columns) : g;
  return mean(sum(gx.mul(gx), 1)).mul(gamma / 2);
}

/** D(x) for display: sigmoid of the logit; the WGAN critic's raw value. */
export function discriminatorOutput(loss: GanLoss, logits: Tensor): Tensor {
  return isCritic(loss) ? logits : sigmoid(logits);
}

/** Share of logits on the "real" side (ℓ ≥ 0, i.e. D(x) ≥ 0.5): 1 where relu(ℓ) = ℓ. */
export function shareRealSide(logits: Tensor): Tensor {
  return mean(eq(relu(logits), logits, 'accuracy'));
}

/** Share of logits on the "fake" side (ℓ ≤ 0). */
export function shareFakeSide(logits: Tensor): Tensor {
  const flipped = neg(logits);
  return mean(eq(relu(flipped), flipped, 'accuracy'));
}
