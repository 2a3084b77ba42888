// gradlab's engine: the public surface. Import everything from here.

import { CpuBackend } from '../kernels/cpu/backend';
import { createWebGpuBackend, kernelSource as compiledKernelSource, lastWebGpuError, WebGpuBackend } from '../kernels/webgpu/backend';
import { describeMatmulTuning as describeTuning, ruleTuning, type MatmulTuning } from '../kernels/webgpu/matmul-tune';
import { checkOptions } from './options';
import { setBackendResolver } from './to-backend';
import { currentBackend, setDefaultBackendFactory, useBackend, findBackend, type BackendName, type BackendStats } from './backend';

setDefaultBackendFactory(() => new CpuBackend());
setBackendResolver(async (name) => {
  if (name === 'cpu') return { backend: findBackend('cpu') ?? new CpuBackend(), reason: '' };
  const gpu = await webgpuBackend();
  return { backend: gpu, reason: lastWebGpuError() ?? '' };
});

export { Tensor, type NestedArray, type TensorOptions } from './tensor';
// The ops (engine/ops/*.ts; docs/ops.md), by kind. Helpers the ops share (binaryKernel,
// unaryOp, meanOfUnary...) are internal: import them from their files inside the engine.
export {
  // creation and random numbers
  tensor, zeros, ones, full, fullLike, rand, randn, randint, dropoutMask,
  // elementwise arithmetic and math
  add, sub, mul, div, pow, neg, abs, sign, exp, log, sqrt, sin, cos, clamp, inRange, step, erf,
  // activations
  relu, leakyRelu, sigmoid, tanh, softplus, silu, gelu, softmax, logSoftmax,
  // comparisons and choices
  eq, maximum, minimum, where,
  // reductions and statistics
  sum, mean, max, min, argmax, argmin, std, variance, sumTo,
  // shapes and layout
  reshape, permute, transpose, squeeze, unsqueeze, expand, stack, concat, slice, sliceAxis, gather, cast,
  // products and layers
  matmul, linear, setMatmulVariant,
  // losses
  mse, bce, bceWithLogits, gaussianKl,
  // the elementwise op table
  unaryOps,
  type UnaryDef, type Axes, type RandomOptions, type BceOptions, type VarianceOptions,
} from './ops';
export { noGrad, isGradEnabled, grad, type BackwardOptions, type GradOptions } from './autograd';
export { compile, type CompiledStep, type CompileOptions, type PlanEntry } from './compile';
export { tidy, keep, liveTensors } from './memory';
export { gradcheck, gradgradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck';
export { createRng, rngFromState, type Rng, type RngState } from './rng';
// Modules, state dicts, optimizers, schedules and safetensors (PyTorch's names; see docs/pytorch.md).
export { Linear, MLP, Dropout, BatchNorm1d, batchNorm, activate, initWeights, type Activation, type Init, type MLPOptions } from './nn';
export { Module } from './nn/module';
export { Sequential } from './nn/sequential';
export { ReLU, LeakyReLU, Tanh, Sigmoid, GELU, SiLU, Softplus } from './nn/activation-modules';
export { assign, clone } from './nn/assign';
export type { StateDict, StateEntry, LoadResult, LoadStateDictOptions } from './nn/state-dict';
export { Adam, AdamW, SGD, trainingStep, type AdamOptions, type AdamState, type SGDOptions, type Optimizer } from './optim';
export { clipGradNorm } from './optim/clip';
export { stepLR, exponentialLR, cosineLR, type LrSchedule } from './schedules';
export { toSafetensors, fromSafetensors, safetensorsMetadata } from './safetensors';
export { captureGraph, captureStep, summarise, type CapturedGraph, type GraphNode, type GraphNodeKind, type ValueSummary } from './graph';
export { explainBackward, type BackwardLesson, type BackwardStep, type ChainLink, type NamedInput } from './backward-steps';
export { dispatchesWatched, onDispatch, recordDispatches, setDebug, type DispatchRecord } from './trace';
export type { Backend, BackendName, BackendStats, DType, KernelCall, KernelName, Storage } from './backend';
export { formatShape, type Shape } from './shape';
export type { MatmulTuning, MatmulShapeClass } from '../kernels/webgpu/matmul-tune';
export type { MatmulRung } from '../kernels/webgpu/matmul.wgsl';
/** Threads for the CPU backend's large products: setCpuThreads(1) keeps them on the calling thread (kernels/cpu/gemm-threads.ts). */
export { cpuThreads, setCpuThreads } from '../kernels/cpu/gemm-wasm';

/** The name of the backend new tensors are created on. */
export function getBackend(): BackendName {
  return currentBackend().name;
}

/** Calls of setBackend so far: a call that finishes after a later one has started changes nothing. */
let backendChoices = 0;

/**
 * Choose where new tensors live and ops run. 'cpu' is always available. Returns the name of
 * the backend actually in use. Calls take effect in the order they are made, the last one
 * winning: `setBackend('webgpu'); await setBackend('cpu')` ends on the CPU, even though the
 * WebGPU device arrives later.
 */
export async function setBackend(name: BackendName): Promise<BackendName> {
  if (name !== 'cpu' && name !== 'webgpu') throw new Error(`setBackend: unknown backend '${String(name)}' (available: cpu, webgpu)`);
  const ticket = ++backendChoices;
  if (name === 'cpu') {
    useBackend(findBackend('cpu') ?? new CpuBackend());
    return 'cpu';
  }
  const gpu = await webgpuBackend();
  if (ticket !== backendChoices) return getBackend(); // a later call decides
  if (gpu === null) {
    console.warn(`gradlab: WebGPU is not available, using the CPU backend instead. ${lastWebGpuError() ?? ''}`);
    useBackend(findBackend('cpu') ?? new CpuBackend());
    return 'cpu';
  }
  gpu.setMatmulTuning(matmulTuningOn);
  useBackend(gpu);
  return 'webgpu';
}

let webgpu: Promise<WebGpuBackend | null> | null = null;

/** The WebGPU backend, created once (again after a device loss); null when there is none. */
async function webgpuBackend(): Promise<WebGpuBackend | null> {
  if (webgpu !== null) {
    const existing = await webgpu;
    if (existing === null || existing.lostReason === null) return existing;
  }
  webgpu = createWebGpuBackend();
  return webgpu;
}

/** Whether setBackend('webgpu') would get a GPU (creates the device on first call). */
export async function webgpuAvailable(): Promise<boolean> {
  return (await webgpuBackend()) !== null;
}

/** Wait until all queued work of the current backend has run. */
export function flush(): Promise<void> {
  return currentBackend().flush();
}

/** Counters of the current backend: live buffers, buffer creations, dispatches, submits. */
export function backendStats(): BackendStats {
  return currentBackend().stats();
}

/**
 * The WGSL of a kernel that has run, by its label ('unary.exp') or pipeline key; undefined if
 * none ran yet. (A wrapper, so that the public types never mention WebGPU's own types.)
 */
export function kernelSource(labelOrKey: string): string | undefined {
  return compiledKernelSource(labelOrKey);
}

let matmulTuningOn = true;

/**
 * What matmul's 'auto' runs on the WebGPU backend for each shape class (thin: a side of the
 * output < 16; wide: both ≥ 16), whether that was timed on this adapter at start-up or is the
 * fixed rule, and the timings (ms per product). Null when the current backend is not WebGPU.
 */
export function matmulTuning(): MatmulTuning | null {
  const b = currentBackend();
  if (!(b instanceof WebGpuBackend)) return null;
  return b.matmulTuningActive ? b.matmulTuning : ruleTuning(b.adapterName);
}

/** One line for people: which rung 'auto' runs for wide and thin products, and how it was decided; with `confirmation`, also how each class's candidates were timed again. */
export function describeMatmulTuning(tuning: MatmulTuning, options: { confirmation?: boolean } = {}): string {
  checkOptions('describeMatmulTuning', options, { confirmation: 'boolean' });
  return describeTuning(tuning, options);
}

/** Let 'auto' follow the start-up timings (true, the default) or the fixed rule (false). */
export function setMatmulTuning(on: boolean): void {
  if (typeof on !== 'boolean') throw new Error(`setMatmulTuning: expected true or false, got ${String(on)}`);
  matmulTuningOn = on;
  const b = currentBackend();
  if (b instanceof WebGpuBackend) b.setMatmulTuning(on);
}
