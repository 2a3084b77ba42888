// Modules: layers, activations, Sequential, and state dicts in PyTorch's names and layouts.
export * from './layers';
export { Module } from './module';
export { ReLU, LeakyReLU, Tanh, Sigmoid, SiLU, Softplus } from './activation-modules';
export { Sequential } from './sequential';
export { assign, clone } from './assign';
export type { StateDict, StateEntry, LoadResult, LoadStateDictOptions } from './state-dict';
