// The GAN (generator vs discriminator on 1D/2D targets), in parts under models/gan/:
//   config.ts   settings, the post's settings, the defaults, the stable config, checks
//   losses.ts   non-saturating, min-max and WGAN losses, the moment-matching term
//   model.ts    the Gan class (a BaseModel): training steps, history, samples
//   discriminate.ts  D(x) at given points (the page's views are in demo/gan-views.ts)
//   clip.ts     WGAN weight clipping on the device
//   persist.ts  reading checkpoints (BaseModel writes and restores them)
//   quality.ts, quality-long.ts  the quality tables' runs
//   cli.ts      the `gradlab train` options

export { GAN_CONDITIONAL, GAN_CONDITIONAL_EPOCHS, GAN_DEFAULTS, GAN_POST, GAN_PRESETS, GAN_STABLE, resolveGanConfig, type GanActivation, type GanConfig, type GanLoss, type GanPreset } from './config';
export { Gan, createGan } from './model';
export { cliFlags, configFromFlags, presetChanges } from './cli';
export { classesSummary } from './classes-summary';
