// The GAN's `gradlab train` options and their translation into a GanConfig.

import type { FlagSpec, Flags } from '../cli/args';
import { batchWithin, numberInRange, oneOf, positiveNumber } from '../cli/flag-checks';
import { UsageError } from '../cli/args';
import { GAN_DEFAULTS as D, GAN_LOSSES, GAN_PRESETS, isCritic, usesGradientPenalty, type GanConfig } from './config';

// No `default` here: parseFlags would fill it in and the train command could no longer tell
// which options were given. The defaults are in the help text.
export const cliFlags: FlagSpec = {
  preset: { type: 'string', help: `default | post: start from named settings; "post" is the TensorFlow.js GAN playground post's (ReLU, Adam 3e-3, β₁ 0.9, no decay), whose D dies on normal after a few hundred epochs (default: default)` },
  'lr-decay': { type: 'number', help: `τ of the learning-rate decay lr·(τ/(τ + epoch))^p; 0 = constant (default ${D.lrDecay})` },
  'lr-decay-power': { type: 'number', help: `power p of the learning-rate decay, between 0.1 and 8 (default ${D.lrDecayPower}; 1 is the inverse-time decay lr·τ/(τ + epoch))` },
  batch: { type: 'int', help: `minibatch size B (default ${D.batch})` },
  dataset: { type: 'int', help: `dataset size N, drawn once (default ${D.dataset})` },
  lr: { type: 'number', help: `Adam learning rate of G and D (default ${D.lrG} for G, ${D.lrD} for D)` },
  'lr-g': { type: 'number', help: `learning rate of G alone (overrides --lr; default ${D.lrG})` },
  'lr-d': { type: 'number', help: `learning rate of D alone (overrides --lr; default ${D.lrD}, ${D.lrD / D.lrG}× G's: two time scales)` },
  latent: { type: 'int', help: `latent dimension (default ${D.latent})` },
  'g-layers': { type: 'int', help: `generator hidden layers (default ${D.gLayers})` },
  'g-width': { type: 'int', help: `generator width (default ${D.gWidth})` },
  'd-layers': { type: 'int', help: `discriminator hidden layers (default ${D.dLayers})` },
  'd-width': { type: 'int', help: `discriminator width (default ${D.dWidth})` },
  activation: { type: 'string', help: `relu | leaky (LeakyReLU 0.2) (default ${D.activation})` },
  beta1: { type: 'number', help: `Adam beta1 of G and D (default ${D.beta1G}; 0.5 is the stable choice)` },
  beta2: { type: 'number', help: `Adam beta2 of G and D (default ${D.beta2G})` },
  'k-d': { type: 'int', help: `discriminator steps per generator step (default ${D.kD})` },
  loss: { type: 'string', help: `nonsaturating | minimax | wgan | wgan-gp | wgan-lp (default ${D.loss}; wgan-gp and wgan-lp default to Adam 1e-4, β (0, 0.9), 5 critic steps)` },
  'gp-lambda': { type: 'number', help: `λ of the gradient penalty (default ${D.gpLambda}; --loss wgan-gp or wgan-lp only)` },
  'r1-gamma': { type: 'number', help: `γ of the R1 penalty (γ/2)·E[‖∇ₓ D's logit‖²] on the real data (Mescheder et al. 2018); 0 = off (default ${D.r1Gamma}; --loss nonsaturating or minimax only)` },
  'g-average-from': { type: 'int', help: `from this epoch on, sample from the running mean of G's weights (tail averaging); 0 = off, G itself (default ${D.gAverageFrom})` },
  'label-smoothing': { type: 'number', help: 'real label 1 becomes 1 − s/2 (default 0)' },
  moment: { type: 'number', help: 'λ of the moment-matching term added to G\'s loss (default 0 = off)' },
  clip: { type: 'number', help: `WGAN weight clip (default ${D.clip})` },
  'd-dropout': { type: 'number', help: 'Dropout(p) after each hidden layer of D, p in [0, 0.9] (default 0; the PyTorch GAN tutorial uses 0.3)' },
  'g-batchnorm': { type: 'boolean', help: 'BatchNorm1d after each hidden layer of G (default off)' },
  conditional: { type: 'boolean', help: 'conditional GAN: G(z, c) and D(x, c) with the class c as a one-hot input; the classes are the components of a mixture target (bimodal, mixture, 1d-trimodal, ...) or --label-column of --data (default off)' },
  bins: { type: 'int', help: 'K > 0: binned mode, the data as one-hot rows of K bins and a Gumbel-softmax generator head (1D only; default 0)' },
  temperature: { type: 'number', help: `Gumbel-softmax temperature τ in binned mode (default ${D.temperature})` },
};

/** The settings where preset `name` differs from the defaults (what `--preset` lays under the other flags). */
export function presetChanges(name: keyof typeof GAN_PRESETS): Partial<GanConfig> {
  const preset: GanConfig = GAN_PRESETS[name];
  return Object.fromEntries(Object.entries(preset).filter(([key, value]) => D[key as keyof GanConfig] !== value)) as Partial<GanConfig>;
}

export function configFromFlags(flags: Flags): Partial<GanConfig> {
  const preset = oneOf(flags, 'preset', Object.keys(GAN_PRESETS) as (keyof typeof GAN_PRESETS)[]);
  const c: Partial<GanConfig> = preset ? presetChanges(preset) : {};
  const set = <K extends keyof GanConfig>(key: K, value: GanConfig[K] | undefined): void => {
    if (value !== undefined) c[key] = value;
  };
  const { batch, dataset } = batchWithin(flags, D.dataset);
  set('batch', batch);
  set('dataset', dataset);
  const lr = positiveNumber(flags, 'lr', 10);
  set('lrG', positiveNumber(flags, 'lr-g', 10) ?? lr);
  set('lrD', positiveNumber(flags, 'lr-d', 10) ?? lr);
  set('latent', numberInRange(flags, 'latent', 1, 1024));
  set('gLayers', numberInRange(flags, 'g-layers', 0, 64));
  set('gWidth', numberInRange(flags, 'g-width', 1, 4096));
  set('dLayers', numberInRange(flags, 'd-layers', 0, 64));
  set('dWidth', numberInRange(flags, 'd-width', 1, 4096));
  set('activation', oneOf(flags, 'activation', ['relu', 'leaky'] as const));
  const beta1 = numberInRange(flags, 'beta1', 0, 0.999999, 'in [0, 1)');
  set('beta1G', beta1);
  set('beta1D', beta1);
  const beta2 = numberInRange(flags, 'beta2', 0, 0.999999, 'in [0, 1)');
  set('beta2G', beta2);
  set('beta2D', beta2);
  set('kD', numberInRange(flags, 'k-d', 1, 100));
  set('lrDecay', numberInRange(flags, 'lr-decay', 0, 1e9, 'between 0 and 1e9'));
  set('lrDecayPower', numberInRange(flags, 'lr-decay-power', 0.1, 8, 'between 0.1 and 8'));
  set('loss', oneOf(flags, 'loss', GAN_LOSSES));
  const gpLambda = numberInRange(flags, 'gp-lambda', 0, 1e6, 'between 0 and 1e6');
  if (gpLambda !== undefined && !(c.loss && usesGradientPenalty(c.loss))) throw new UsageError('--gp-lambda applies to --loss wgan-gp or wgan-lp only');
  set('gpLambda', gpLambda);
  const r1Gamma = numberInRange(flags, 'r1-gamma', 0, 1e6, 'between 0 and 1e6');
  if (r1Gamma !== undefined && r1Gamma > 0 && c.loss && isCritic(c.loss)) throw new UsageError(`--r1-gamma ${r1Gamma} applies to --loss nonsaturating or minimax only: a critic has no logit to penalise`);
  set('r1Gamma', r1Gamma);
  set('gAverageFrom', numberInRange(flags, 'g-average-from', 0, 1e9, 'a whole number of epochs from 0 to 1e9'));
  set('labelSmoothing', numberInRange(flags, 'label-smoothing', 0, 0.999, 'in [0, 1)'));
  set('momentLambda', numberInRange(flags, 'moment', 0, 1e6, 'between 0 and 1e6'));
  set('clip', positiveNumber(flags, 'clip'));
  set('dDropout', numberInRange(flags, 'd-dropout', 0, 0.9, 'in [0, 0.9]'));
  if (flags['g-batchnorm'] === true) c.gBatchNorm = true;
  if (flags.conditional === true) c.conditional = true;
  set('bins', numberInRange(flags, 'bins', 0, 1000));
  set('temperature', numberInRange(flags, 'temperature', 0.01, 100, 'between 0.01 and 100'));
  return c;
}
