// The gradlab library: the engine and the models, one import.
// The engine: tensors, ops, autodiff, modules, optimizers, backends (engine/index.ts lists them by kind).
export {
  abs, activate, Adam, AdamW, add, argmax, argmin, assign, backendStats, batchNorm, BatchNorm1d,
  bce, bceWithLogits, captureGraph, captureStep, cast, clamp, clipGradNorm, clone, compile, concat,
  cos, cosineLR, cpuThreads, createRng, describeMatmulTuning, dispatchesWatched, div, Dropout,
  dropoutMask, eq, erf, exp, expand, explainBackward, exponentialLR, flush, formatShape,
  fromSafetensors, full, fullLike, gather, gaussianKl, gelu, GELU, getBackend, grad, gradcheck,
  gradgradcheck, initWeights, inRange, isGradEnabled, keep, kernelSource, leakyRelu, LeakyReLU,
  linear, Linear, liveTensors, log, logSoftmax, matmul, matmulTuning, max, maximum, mean, min,
  minimum, MLP, Module, mse, mul, neg, noGrad, onDispatch, ones, permute, pow, rand, randint, randn,
  recordDispatches, relu, ReLU, reshape, rngFromState, safetensorsMetadata, Sequential, setBackend,
  setCpuThreads, setDebug, setMatmulTuning, setMatmulVariant, SGD, sigmoid, Sigmoid, sign, silu,
  SiLU, sin, slice, sliceAxis, softmax, softplus, Softplus, sqrt, squeeze, stack, std, step, stepLR,
  sub, sum, summarise, sumTo, tanh, Tanh, Tensor, tensor, tidy, toSafetensors, trainingStep,
  transpose, unaryOps, unsqueeze, variance, webgpuAvailable, where, zeros,
  type Activation, type AdamOptions, type AdamState, type Axes, type Backend, type BackendName,
  type BackendStats, type BackwardLesson, type BackwardOptions, type BackwardStep, type BceOptions,
  type CapturedGraph, type ChainLink, type CompiledStep, type CompileOptions, type DispatchRecord,
  type DType, type GradcheckOptions, type GradcheckResult, type GradOptions, type GraphNode,
  type GraphNodeKind, type Init, type KernelCall, type KernelName, type LoadResult,
  type LoadStateDictOptions, type LrSchedule, type MatmulRung, type MatmulShapeClass,
  type MatmulTuning, type MLPOptions, type NamedInput, type NestedArray, type Optimizer,
  type PlanEntry, type RandomOptions, type Rng, type RngState, type SGDOptions, type Shape,
  type StateDict, type StateEntry, type Storage, type TensorOptions, type UnaryDef,
  type ValueSummary, type VarianceOptions,
} from '../engine/index';
export { getTarget, listTargets, normaliseTargetName, targetFromSamples, type LabelledSamples, type Target, type TargetComponent } from './data/targets';
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
