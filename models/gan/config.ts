// The GAN's settings, the TensorFlow.js GAN playground post's, the defaults, and their checks.

import { checkOptions, specFromDefaults } from '../../engine/options';
import type { BaseConfig } from '../core/model';
import { MAX_SEED } from '../core/seeds';

export type GanActivation = 'relu' | 'leaky';
export type GanLoss = 'nonsaturating' | 'minimax' | 'wgan' | 'wgan-gp' | 'wgan-lp';

/** Every loss the GAN knows, in menu order. */
export const GAN_LOSSES: readonly GanLoss[] = ['nonsaturating', 'minimax', 'wgan', 'wgan-gp', 'wgan-lp'];

/** The losses whose D is a critic: a raw score, not a logit of a probability. */
export const isCritic = (loss: GanLoss): boolean => loss === 'wgan' || usesGradientPenalty(loss);

/** The losses that keep the critic Lipschitz with a penalty on ‖∇ₓ C‖ (and take --gp-lambda). */
export const usesGradientPenalty = (loss: GanLoss): boolean => loss === 'wgan-gp' || loss === 'wgan-lp';

export interface GanConfig extends BaseConfig {
  /** Dimension of the noise z fed to the generator. */
  latent: number;
  /** Hidden layers and their width, generator and discriminator. */
  gLayers: number;
  gWidth: number;
  dLayers: number;
  dWidth: number;
  /** ReLU, or LeakyReLU with slope 0.2. */
  activation: GanActivation;
  /**
   * nonsaturating: G minimises −log D(G(z))            (the default: strong gradients early)
   * minimax:       G minimises  log(1 − D(G(z)))        (the original game: stalls while D wins)
   * wgan:          critic minimises E[C(fake)] − E[C(real)], G minimises −E[C(G(z))],
   *                with D's weights clipped to [−clip, clip] after each critic step
   * wgan-gp:       the same losses, with the critic kept 1-Lipschitz by a gradient penalty
   *                λ·E[(‖∇ₓ C(x̂)‖₂ − 1)²] on random interpolates x̂ instead of clipping
   *                (Gulrajani et al. 2017)
   * wgan-lp:       the same, with the one-sided penalty λ·E[max(0, ‖∇ₓ C(x̂)‖₂ − 1)²] that only
   *                punishes slopes steeper than 1 (the Lipschitz penalty of Petzka et al. 2018)
   */
  loss: GanLoss;
  /** λ of the gradient penalty (only with loss 'wgan-gp' or 'wgan-lp'). */
  gpLambda: number;
  /**
   * γ of the R1 penalty (γ/2)·E_real[‖∇ₓ ℓ(x)‖²] on D's logit ℓ at the real data (Mescheder et
   * al. 2018), added to D's loss; 0 = off. Only with the 'nonsaturating' and 'minimax' losses.
   */
  r1Gamma: number;
  /**
   * e > 0: from epoch e on, samples come from the running mean of G's weights over the steps
   * since then (tail averaging, models/gan/average.ts); 0 = off, samples from G itself.
   */
  gAverageFrom: number;
  /** s > 0 turns the real label 1 into 1 − s/2 (one-sided: fake labels stay 0). */
  labelSmoothing: number;
  /** Discriminator steps per generator step. */
  kD: number;
  /** Adam settings, generator and discriminator apart. */
  lrG: number;
  lrD: number;
  beta1G: number;
  beta2G: number;
  beta1D: number;
  beta2D: number;
  /**
   * τ > 0: both learning rates decay with the epoch e (fractional, counted in steps) as
   * lr·τ/(τ + e), the inverse-time decay of stochastic approximation (Robbins & Monro 1951): the
   * steps shrink, so G and D stop circling the equilibrium and settle on it. 0: constant rates.
   */
  lrDecay: number;
  /**
   * Power p of the decay (lrDecay τ > 0): the rates are lr·(τ/(τ + e))^p. p = 1 is the
   * inverse-time decay above; p = 2 keeps the first ~τ/2 epochs' steps nearly as large but makes
   * the late ones far smaller (at e = 10τ, 1/121 instead of 1/11), so the players stop circling.
   */
  lrDecayPower: number;
  /** λ of the moment-matching term λ((mean − μ)² + (std − σ)²) in G's loss; 0 = off. */
  momentLambda: number;
  /** WGAN weight clip c. */
  clip: number;
  /** Dropout(p) after each hidden layer of D (0 = none), as in the PyTorch GAN tutorial. */
  dDropout: number;
  /** BatchNorm1d after each hidden layer of G (before its activation). */
  gBatchNorm: boolean;
  /**
   * Binned mode (bins > 0): temperature τ of the generator's Gumbel-softmax head
   * softmax((ℓ + g)/τ); lower is closer to one-hot draws, with noisier gradients.
   */
  temperature: number;
  /**
   * Conditional GAN (Mirza & Osindero 2014): G(z, c) and D(x, c) with the class c (a mixture
   * component, or a label column of the user's data) concatenated to their input as a one-hot row.
   */
  conditional: boolean;
}

/**
 * The TensorFlow.js GAN playground post's settings ("the post's settings"): N 2048, B 128,
 * Adam 3e-3 with β₁ 0.9, z 10, G 1×16, D 1×32, ReLU, constant learning rates. On `normal` they
 * train for a few hundred epochs and then every ReLU of D goes off for every input: D(x) is
 * 0.5 everywhere and G gets no gradient (docs/quality.md). Kept to show that failure on purpose:
 * `gradlab train --preset post`, or the page's preset menu.
 */
export const GAN_POST: GanConfig = Object.freeze({
  seed: 0,
  dataset: 2048,
  batch: 128,
  evalSamples: 5000,
  bins: 0,
  latent: 10,
  gLayers: 1,
  gWidth: 16,
  dLayers: 1,
  dWidth: 32,
  activation: 'relu',
  loss: 'nonsaturating',
  labelSmoothing: 0,
  kD: 1,
  lrG: 3e-3,
  lrD: 3e-3,
  beta1G: 0.9,
  beta2G: 0.999,
  beta1D: 0.9,
  beta2D: 0.999,
  lrDecay: 0,
  lrDecayPower: 1,
  momentLambda: 0,
  clip: 0.01,
  dDropout: 0,
  gBatchNorm: false,
  gpLambda: 10,
  r1Gamma: 0,
  gAverageFrom: 0,
  temperature: 0.5,
  conditional: false,
}) as GanConfig;

/**
 * What the default GAN changes in the post's settings, chosen by measurement (the long-horizon
 * table in docs/quality.md): LeakyReLU 0.2, so no unit of D can go off for every input; D's
 * learning rate 2× G's (6e-3 against 3e-3: the two time scales of Heusel et al. 2017), so D
 * keeps up with G and its slope keeps pulling G back to the data instead of letting it drift
 * (with equal rates G's std on `normal` slid from 0.41 to 0.37 between epochs 300 and 3000);
 * Adam β₁ 0.5 (Radford et al. 2016), less momentum carried into a game whose gradients turn;
 * and the inverse-time decay lr·τ/(τ + epoch) with τ = 100, so the two players stop circling
 * the equilibrium once they are near it, late enough for `bimodal` to split its two modes
 * first; the R1 penalty (Mescheder et al. 2018) with γ 0.3, which damps the circling a decay
 * only slows (γ 1 held D back: `bimodal` split late, and D flattened below the flatness check);
 * samples from the running mean of G's weights since epoch 300, the centre of what circling
 * remains; and larger networks, G 2×16 and D 1×64 (the post's: 1×16 and 1×32). D's logit is
 * piecewise linear in x with one bend per hidden unit: with 64 it can keep a sharp rise at both
 * edges of `uniform` and at each mode of `mixture`, where with 32 G's spread narrowed after
 * epoch 300 and mass moved between the modes. A G of one layer, a sum of 16 bent planes of z,
 * could not follow that sharper D (with D 1×64 alone `normal` narrowed instead); a second layer
 * lets G fit each target closely enough that the pair has no nearby imperfect fit to move
 * between. Neither alone held all runs (23 of 25 each); together 25 of 25. The post's data and
 * G's learning rate stay.
 */
export const GAN_DEFAULT_CHANGES: Partial<GanConfig> = Object.freeze({
  gLayers: 2, dWidth: 64,
  activation: 'leaky', lrD: 6e-3, beta1G: 0.5, beta1D: 0.5, lrDecay: 100, r1Gamma: 0.3, gAverageFrom: 300,
}) as Partial<GanConfig>;

/** The default GAN of the command line and the page: the post's data with GAN_DEFAULT_CHANGES. */
export const GAN_DEFAULTS: GanConfig = Object.freeze({ ...GAN_POST, ...GAN_DEFAULT_CHANGES }) as GanConfig;

/** Named presets (`--preset NAME`, the page's preset menu): complete settings laid under the ones given. */
export const GAN_PRESETS = Object.freeze({ default: GAN_DEFAULTS, post: GAN_POST });
export type GanPreset = keyof typeof GAN_PRESETS;

/**
 * Gulrajani et al. 2017's settings for WGAN-GP: Adam 1e-4 with β = (0, 0.9), 5 critic steps per
 * generator step. They replace the defaults above when the loss is 'wgan-gp' or 'wgan-lp' and
 * the setting was not given.
 */
export const WGAN_GP_DEFAULTS: Partial<GanConfig> = Object.freeze({
  lrG: 1e-4, lrD: 1e-4, beta1G: 0, beta2G: 0.9, beta1D: 0, beta2D: 0.9, kD: 5, lrDecay: 0,
}) as Partial<GanConfig>;

/**
 * The "stable config" of the quality tests: 2×32 LeakyReLU networks, Adam 1e-3 with
 * betas (0.5, 0.999) as in the PyTorch GAN tutorial, constant learning rates.
 */
export const GAN_STABLE: Partial<GanConfig> = Object.freeze({
  gLayers: 2, gWidth: 32, dLayers: 2, dWidth: 32, activation: 'leaky',
  lrG: 1e-3, lrD: 1e-3, beta1G: 0.5, beta1D: 0.5, lrDecay: 0, r1Gamma: 0, gAverageFrom: 0,
}) as Partial<GanConfig>;

/**
 * The conditional GAN's settings where not given (createGan applies them): the stable networks
 * with Adam 3e-4, a third of their step, and batch 256: each class then sees about twice the
 * samples per step, which keeps its mean from swinging around its component and its spread from
 * narrowing (measured in the README's GAN table: batch 128 met the goal in 4 of 5 1d-trimodal
 * seeds, batch 256 in 10 of 10 on both targets). With a critic loss, only the networks.
 */
export const GAN_CONDITIONAL: Partial<GanConfig> = Object.freeze({ ...GAN_STABLE, lrG: 3e-4, lrD: 3e-4, batch: 256 }) as Partial<GanConfig>;

/** Epochs `gradlab train --conditional` runs unless told: with 100, σ_c came out up to 0.15 narrow. */
export const GAN_CONDITIONAL_EPOCHS = 150;

type NumberKey = { [K in keyof GanConfig]: GanConfig[K] extends number ? K : never }[keyof GanConfig];

/** [min, max, integer?] for each numeric setting. */
const NUMERIC: Record<NumberKey, [number, number, boolean]> = {
  seed: [0, MAX_SEED, true],
  dataset: [16, 10_000_000, true],
  batch: [1, 10_000_000, true],
  evalSamples: [16, 10_000_000, true],
  bins: [0, 1000, true],
  latent: [1, 1024, true],
  gLayers: [0, 64, true],
  gWidth: [1, 4096, true],
  dLayers: [0, 64, true],
  dWidth: [1, 4096, true],
  labelSmoothing: [0, 0.999, false],
  kD: [1, 100, true],
  lrG: [0, 10, false],
  lrD: [0, 10, false],
  beta1G: [0, 0.999999, false],
  beta2G: [0, 0.999999, false],
  beta1D: [0, 0.999999, false],
  beta2D: [0, 0.999999, false],
  lrDecay: [0, 1e9, false],
  lrDecayPower: [0.1, 8, false],
  momentLambda: [0, 1e6, false],
  clip: [1e-9, 1e6, false],
  gpLambda: [0, 1e6, false],
  r1Gamma: [0, 1e6, false],
  gAverageFrom: [0, 1e9, true],
  dDropout: [0, 0.9, false],
  temperature: [0.01, 100, false],
};

/**
 * Fill in defaults and check every value; throws `${source}: <what is wrong>`. With
 * `complete`, every setting must be present (a checkpoint's config).
 */
export function resolveGanConfig(partial: Partial<GanConfig> & Record<string, unknown>, source = 'gan', complete = false): GanConfig {
  checkOptions(source, partial, specFromDefaults(GAN_DEFAULTS), { noun: 'setting' });
  const known = new Set(Object.keys(GAN_DEFAULTS));
  const given = typeof partial.loss === 'string' && GAN_LOSSES.includes(partial.loss as GanLoss) && !complete ? (partial.loss as GanLoss) : null;
  // A critic has no logit for R1 to penalise: its losses default to r1Gamma 0.
  const criticDefaults = given && isCritic(given) ? { r1Gamma: 0, ...(usesGradientPenalty(given) ? WGAN_GP_DEFAULTS : {}) } : {};
  // G's BatchNorm keeps running statistics a weight average has no counterpart of: off with it.
  const batchNormDefaults = partial.gBatchNorm === true && !complete ? { gAverageFrom: 0 } : {};
  const defaults = { ...GAN_DEFAULTS, ...criticDefaults, ...batchNormDefaults };
  const config = { ...defaults } as GanConfig & Record<string, unknown>;
  for (const key of known) {
    const value = partial[key];
    if (value === undefined) {
      if (complete) throw new Error(`${source}: setting '${key}' is missing`);
      continue;
    }
    config[key] = value;
  }
  for (const [key, [lo, hi, integer]] of Object.entries(NUMERIC)) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: ${key} must be a number, got ${JSON.stringify(v)}`);
    if (integer && !Number.isInteger(v)) throw new Error(`${source}: ${key} must be an integer, got ${v}`);
    if (v < lo || v > hi) throw new Error(`${source}: ${key} must be between ${lo} and ${hi}, got ${v}`);
  }
  if (config.batch > config.dataset) throw new Error(`${source}: batch must be between 1 and the dataset size (${config.dataset}), got ${config.batch}`);
  if (typeof config.conditional !== 'boolean') throw new Error(`${source}: conditional must be true or false, got ${JSON.stringify(config.conditional)}`);
  if (config.conditional && config.bins > 0) throw new Error(`${source}: the conditional GAN runs on continuous data: give bins 0, not ${config.bins}`);
  if (typeof config.gBatchNorm !== 'boolean') throw new Error(`${source}: gBatchNorm must be true or false, got ${JSON.stringify(config.gBatchNorm)}`);
  if (config.activation !== 'relu' && config.activation !== 'leaky') throw new Error(`${source}: activation must be 'relu' or 'leaky', got ${JSON.stringify(config.activation)}`);
  if (!GAN_LOSSES.includes(config.loss)) throw new Error(`${source}: loss must be one of ${GAN_LOSSES.map((l) => `'${l}'`).join(', ')}, got ${JSON.stringify(config.loss)}`);
  if (config.gAverageFrom > 0 && config.gBatchNorm) throw new Error(`${source}: gAverageFrom ${config.gAverageFrom} averages G's weights, and G's BatchNorm statistics are not averaged: give gAverageFrom 0 with gBatchNorm`);
  if (config.r1Gamma > 0 && isCritic(config.loss)) throw new Error(`${source}: r1Gamma ${config.r1Gamma} penalises D's logit, and loss '${config.loss}' has a critic: give r1Gamma 0, or loss 'nonsaturating' or 'minimax'`);
  return config;
}
