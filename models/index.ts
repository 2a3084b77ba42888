// The gradlab library: the engine and the models, one import.
export * from '../engine/index';
export * from './targets';
export * from './metrics';
export { parseCsv } from './csv';
