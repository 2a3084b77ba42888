// The GAN (generator vs discriminator on 1D/2D targets), in parts under models/gan/:
//   config.ts   settings, the playground defaults, the stable config, checks
//   losses.ts   non-saturating, min-max and WGAN losses, the moment-matching term
//   model.ts    the Gan class: training steps, history, samples, D(x), ∂D/∂x, latent walks
//   clip.ts     WGAN weight clipping on the device
//   persist.ts  checkpoints (save/load)
//   cli.ts      the `gradlab train` options

export { GAN_CONDITIONAL, GAN_CONDITIONAL_EPOCHS, GAN_DEFAULTS, GAN_STABLE, resolveGanConfig, type GanActivation, type GanConfig, type GanLoss } from './config';
export { Gan, createGan } from './model';
export { cliFlags, configFromFlags } from './cli';
export { classesSummary } from './classes-summary';
