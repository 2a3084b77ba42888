// The gradlab library: the engine and the models, one import.
export * from '../engine/index';
export * from './targets';
/** Sample statistics and distances (mean, std, kde, w1, kld, ks2, ...), as a namespace: `metrics.w1(a, b)`. */
export * as metrics from './metrics';
export { parseCsv } from './csv';
export type { BaseConfig, Checkpoint, FinalMetrics, GenerativeModel, HistoryRecord, ModelKind } from './model';
export { DivergenceError } from './model';
