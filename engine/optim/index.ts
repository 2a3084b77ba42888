// Optimizers (SGD, Adam, AdamW) and gradient clipping.
export * from './optimizers';
export { clipGradNorm } from './clip';
