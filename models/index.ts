// The gradlab library: the engine and the models, one import.
export * from '../engine/index';
export * from './targets';
/** Sample statistics and distances (mean, std, kde, w1, kld, ks2, ...), as a namespace: `metrics.w1(a, b)`. */
export * as metrics from './metrics';
export { parseCsv } from './csv';
export type { BaseConfig, Checkpoint, FinalMetrics, GenerativeModel, HistoryRecord, ModelKind } from './model';
export { DivergenceError } from './model';
export { createGan, GAN_DEFAULTS, Gan, type GanConfig } from './gan';
export { createVae, VAE_DEFAULTS, Vae, type VaeConfig } from './vae';
export { createRbm, RBM_DEFAULTS, Rbm, type RbmConfig } from './rbm';
export { createDiffusion, DIFFUSION_DEFAULTS, Diffusion, type DiffusionConfig } from './diffusion';
export { createModel, loadModel } from './registry';
export { runCompare, type CompareOptions, type CompareResult } from './compare';
export { parseCheckpoint } from './checkpoint';
