// Making tensors: from JavaScript values, constants, and random numbers.

import { currentBackend, type DType, type KernelCall, type RandomDist, type Storage } from '../backend';
import type { Rng } from '../rng';
import { formatShape, sizeOf, type Shape } from '../shape';
import { runKernel, Tensor, type NestedArray, type TensorOptions } from '../tensor';
import { refreshOnReplay, replayable } from '../compile';
import { drawWhenUsed } from '../fusion';
import { checkOptions, describeValue, type OptionSpec } from '../options';

const DTYPES = ['float32', 'float64', 'int32'] as const;
const TENSOR_OPTIONS: OptionSpec = { dtype: DTYPES, requiresGrad: 'boolean' };
const TENSOR_HINTS = {
  shape: 'pass the shape as the second argument: tensor(values, [2, 3])',
};
import { checkValueRange } from './value-range';

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flatten(data: NestedArray, shape: number[], out: number[], depth = 0, path = ''): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) throw new Error(`tensor: ragged nested array: element ${path} is an array but shape ${formatShape(shape)} was inferred`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new Error(`tensor: ragged nested array at ${path || 'the top'}: expected ${shape[depth]} elements, got ${Array.isArray(data) ? data.length : 'a number'}`);
  }
  for (let i = 0; i < data.length; i++) flatten(data[i], shape, out, depth + 1, `${path}[${i}]`);
}

function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape)) {
    throw new Error(`${op}: the shape must be one array of dimensions, e.g. ${op}([2, 3]), got ${describeValue(shape)}`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: bad shape ${formatShape(shape)}: dimensions must be non-negative integers`);
  }
}

/**
 * A tensor from numbers: nested arrays (shape inferred), or a flat array / typed array with
 * an explicit shape. Every value must be finite; int32 values must be integers.
 *   tensor([[1, 2], [3, 4]])   tensor(new Float32Array(6), [2, 3], { requiresGrad: true })
 */
export function tensor(data: NestedArray | ArrayLike<number>, shapeOrOptions?: Shape | TensorOptions, options: TensorOptions = {}): Tensor {
  let shape: number[];
  let flat: ArrayLike<number>;
  // TensorFlow.js's order, tensor(values, shape, 'int32'), and a bare dtype or dimension: say what to write.
  if (typeof options === 'string' || typeof shapeOrOptions === 'string') {
    throw new Error(`tensor: the dtype goes in the options object: tensor(values, [2, 2], { dtype: '${String(typeof options === 'string' ? options : shapeOrOptions)}' })`);
  }
  if (typeof shapeOrOptions === 'number') throw new Error(`tensor: the shape must be an array, e.g. tensor(values, [${String(shapeOrOptions)}]), got the number ${String(shapeOrOptions)}`);
  if (shapeOrOptions !== undefined && !Array.isArray(shapeOrOptions)) checkOptions('tensor', shapeOrOptions, TENSOR_OPTIONS, { hints: TENSOR_HINTS });
  checkOptions('tensor', options, TENSOR_OPTIONS, { hints: TENSOR_HINTS });
  let opts = options;
  if (shapeOrOptions !== undefined && !Array.isArray(shapeOrOptions)) opts = shapeOrOptions as TensorOptions;
  const explicitShape = Array.isArray(shapeOrOptions) ? (shapeOrOptions as number[]) : undefined;
  if (typeof data === 'number') {
    shape = [];
    flat = [data];
  } else if (Array.isArray(data)) {
    // Nested arrays: infer the shape (an explicit one must then hold the same number of values).
    const inferred = inferShape(data as NestedArray);
    const values: number[] = [];
    flatten(data as NestedArray, inferred, values);
    flat = values;
    shape = explicitShape ? [...explicitShape] : inferred;
  } else {
    flat = data as ArrayLike<number>;
    shape = explicitShape ? [...explicitShape] : [flat.length];
  }
  checkShape('tensor', shape);
  if (sizeOf(shape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
  }
  const dtype: DType = opts.dtype ?? 'float32';
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`tensor: value at flat index ${i} is ${typeof v === 'number' ? String(v) : `${typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `a ${v === null ? 'null' : typeof v}`} (convert with Number() first)`}; tensors hold finite numbers only`);
    if (dtype === 'int32' && !Number.isInteger(v)) throw new Error(`tensor: value at flat index ${i} is ${v}, not an integer, in an int32 tensor`);
  }
  checkValueRange('tensor', flat, dtype);
  if (dtype === 'int32' && opts.requiresGrad) throw new Error('tensor: an int32 tensor cannot require gradients');
  const t = Tensor.empty(shape, dtype, currentBackend());
  t.writeValues(flat, 'tensor');
  t.requiresGrad = opts.requiresGrad ?? false;
  return t;
}

/** A tensor filled with one value. */
export function full(shape: Shape, value: number, options: TensorOptions = {}, op = 'full'): Tensor {
  checkShape(op, shape);
  checkOptions(op, options, TENSOR_OPTIONS, { hints: TENSOR_HINTS });
  if (!Number.isFinite(value)) throw new Error(`${op}: value must be finite, got ${value}`);
  checkValueRange(op, [value], options.dtype ?? 'float32');
  const t = Tensor.empty(shape, options.dtype ?? 'float32', currentBackend(), op);
  runKernel(t.backend, { kernel: 'fill', out: t.storage('full'), value }, 'full', [shape]);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

/** Zeros of the given shape: zeros([2, 3]). */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

/** Ones of the given shape: ones([2, 3]). */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}

/** zeros/ones with their own name in errors; zeros(2, 3) in PyTorch's style gets a hint. */
function filled(op: string, shape: Shape, value: number, options: TensorOptions): Tensor {
  if (typeof shape === 'number') {
    const dims = [shape, ...(typeof options === 'number' ? [options] : [])].join(', ');
    throw new Error(`${op}: the shape must be one array of dimensions: write ${op}([${dims}${typeof options === 'number' ? '' : ', ...'}])`);
  }
  checkShape(op, shape);
  checkOptions(op, options, TENSOR_OPTIONS, { hints: TENSOR_HINTS });
  return full(shape, value, options, op);
}

/** Same shape, dtype and backend as `like`, filled with `value`. */
export function fullLike(like: Tensor, value: number, shape: Shape = like.shape): Tensor {
  const t = Tensor.empty(shape, like.dtype, like.backend);
  runKernel(t.backend, { kernel: 'fill', out: t.storage('fullLike'), value }, 'fill', [shape]);
  return t;
}

const RANDN_OPTIONS: OptionSpec = { ...TENSOR_OPTIONS, mean: 'number', std: 'number' };
const RAND_OPTIONS: OptionSpec = { ...TENSOR_OPTIONS, lo: 'number', hi: 'number' };

export interface RandomOptions extends TensorOptions {
  mean?: number;
  std?: number;
}

function random(op: string, shape: Shape, rng: Rng, dist: RandomDist, a: number, b: number, options: TensorOptions): Tensor {
  checkShape(op, shape);
  if (!rng || typeof rng.reserve !== 'function') throw new Error(`${op}: needs a generator from createRng(seed) as its second argument`);
  const dtype = options.dtype ?? (dist === 'int' ? 'int32' : 'float32');
  const n = sizeOf(shape);
  // The Philox blocks are reserved here, in program order, and again at this point of every
  // replay of a compiled step (fresh numbers each time); the kernel reads `counter` whenever it runs.
  let counter = 0;
  replayable(() => {
    counter = rng.reserve(n);
  });
  const refresh = (): { counter: number } => ({ counter });
  const [key0, key1] = rng.key;
  const makeCall = (out: Storage): KernelCall => ({ kernel: 'random', out, dist, key0, key1, counter, a, b });
  // Indices (randint) are drawn when first used: gather(x, randint(...)) may draw them itself (engine/fusion.ts).
  if (dist === 'int') return drawWhenUsed(shape, dtype, currentBackend(), op, makeCall, refresh);
  const t = Tensor.empty(shape, dtype, currentBackend(), op);
  const call = makeCall(t.storage(op));
  runKernel(t.backend, call, op, [shape]);
  refreshOnReplay(call, refresh);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

/** Normal samples N(mean, std²) from a seeded generator (generated where the tensor lives). */
export function randn(shape: Shape, rng: Rng, options: RandomOptions = {}): Tensor {
  checkOptions('randn', options, RANDN_OPTIONS);
  return random('randn', shape, rng, 'normal', options.mean ?? 0, options.std ?? 1, options);
}

/** Uniform samples in (lo, hi), default (0, 1). */
export function rand(shape: Shape, rng: Rng, options: TensorOptions & { lo?: number; hi?: number } = {}): Tensor {
  checkOptions('rand', options, RAND_OPTIONS);
  return random('rand', shape, rng, 'uniform', options.lo ?? 0, options.hi ?? 1, options);
}

/** Integers uniform in [0, high) as an int32 tensor: minibatch indices drawn on the device. */
export function randint(shape: Shape, high: number, rng: Rng): Tensor {
  if (!Number.isInteger(high) || high <= 0) throw new Error(`randint: high must be a positive integer, got ${high}`);
  return random('randint', shape, rng, 'int', 0, high, { dtype: 'int32' });
}

/** An inverted-dropout mask: 1/keep with probability keep, else 0 (so E[mask] = 1). */
export function dropoutMask(shape: Shape, keep: number, rng: Rng, like?: Tensor): Tensor {
  if (!(keep > 0 && keep <= 1)) throw new Error(`dropoutMask: keep probability must be in (0, 1], got ${keep}`);
  return random('dropout', shape, rng, 'bernoulli', keep, 1 / keep, { dtype: like?.dtype ?? 'float32' });
}
