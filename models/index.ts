// The gradlab library: the engine and the models, one import.
export * from '../engine/index';
export * from './data/targets';
/** Sample statistics and distances (mean, std, kde, w1, kld, ks2, ...), as a namespace: `metrics.w1(a, b)`. */
export * as metrics from './eval/metrics';
export { parseCsv } from './data/csv';
export type { BaseConfig, Checkpoint, FinalMetrics, GenerativeModel, HistoryRecord, ModelKind } from './core/model';
export { DivergenceError } from './core/model';
export { createGan, GAN_DEFAULTS, Gan, type GanConfig } from './gan';
export { createVae, VAE_DEFAULTS, Vae, type VaeConfig } from './vae/vae';
export { createRbm, RBM_DEFAULTS, Rbm, type RbmConfig } from './rbm/rbm';
export { createDiffusion, DIFFUSION_DEFAULTS, Diffusion, type DiffusionConfig } from './diffusion/diffusion';
export { createModel, loadModel } from './core/registry';
export { runCompare, type CompareOptions, type CompareResult } from './eval/compare';
export { parseCheckpoint } from './core/checkpoint';
