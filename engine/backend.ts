// The backend seam. Everything the engine asks of a device goes through this small interface:
// allocate a buffer, write to it, read it back, run a named kernel, release it. The CPU backend
// (kernels/cpu) implements it with typed-array loops; the WebGPU backend (kernels/webgpu) with
// WGSL compute shaders. A kernel has the same name and the same parameters on both, so the CPU
// twin of any WGSL kernel is the file of the same name in the other folder.

import type { Shape } from './shape';

export type DType = 'float32' | 'float64' | 'int32';
export type BackendName = 'cpu' | 'webgpu';
export type FloatArray = Float32Array | Float64Array;
export type DataArray = Float32Array | Float64Array | Int32Array;

/** An opaque handle to a buffer that lives on a backend. */
export interface Storage {
  readonly backend: BackendName;
  readonly size: number;
  readonly dtype: DType;
}

/** Elementwise functions of one input, y = f(x; alpha, beta): the rows of engine/ops/unary-table.ts. */
export type { UnaryOp, FusedActivation } from './ops/unary-table';
import type { UnaryOp, FusedActivation } from './ops/unary-table';

/** A row of the op table with its numbers, applied to each element a kernel reads (a fused prologue). */
export interface UnaryMap {
  op: UnaryOp;
  alpha: number;
  beta: number;
}

/**
 * A fused layer's forward computed inside the reduction that reads its output: the reduced
 * values are z = act(x·W + b) for x [m, k] (the call's `x`), W [k, n], b [n] or null, each stored
 * into `z` [m, n] as it is computed (the layer's output, which its backward reads). The reduction
 * views z as [outer, axisSize, inner] as usual.
 */
export interface LinearSource {
  w: Storage;
  b: Storage | null;
  z: Storage;
  m: number;
  k: number;
  n: number;
  activation: FusedActivation;
  alpha: number;
}

/**
 * The gradient of a fused loss scale·Σ f(y) at each y, as the meanUnaryGrad kernel computes it:
 * dy = f'(y)·g·scale, g = dy[0] of `dy` (or 1 when dy is null: the constant is in scale), stored
 * rounded to `dtype` (the dtype the separate kernel's output had).
 */
export interface LossGradOfY {
  op: UnaryOp;
  alpha: number;
  beta: number;
  dy: Storage | null;
  scale: number;
  dtype: DType;
}

/** A product stored as p ⊙ act'(y), y the layer's output at the same place: what unaryGrad(act, y, y, p) stores. */
export interface ActivationGradOfY {
  y: Storage;
  activation: Exclude<FusedActivation, 'none'>;
  alpha: number;
}

/** Elementwise functions of two broadcast inputs: the rows of engine/ops/binary-table.ts. */
export type { BinaryOp } from './ops/binary-table';
import type { BinaryOp } from './ops/binary-table';

/** Every kernel call, by name. Shapes are passed so each backend can pick its fast path. */
export type KernelCall =
  | { kernel: 'unary'; op: UnaryOp; x: Storage; out: Storage; alpha: number; beta: number }
  /** dx = dy * f'(x), with y = f(x) also given (sigmoid' = y (1 - y) is cheaper from y). */
  | { kernel: 'unaryGrad'; op: UnaryOp; x: Storage; y: Storage; dy: Storage; out: Storage; alpha: number; beta: number }
  | { kernel: 'binary'; op: BinaryOp; a: Storage; b: Storage; out: Storage; aShape: Shape; bShape: Shape; outShape: Shape }
  /**
   * Reduce the middle axis of x viewed as [outer, axisSize, inner]; out is [outer, inner]. With
   * `map`, each element first goes through a row of the op table: out = scale·Σ f(x) (a loss's
   * elementwise part and its mean in one kernel). With `linear`, x is that layer's input and the
   * values reduced are the layer's output z, written out as well (a loss inside the last layer's forward).
   */
  | { kernel: 'reduce'; op: 'sum' | 'max'; x: Storage; out: Storage; outer: number; axisSize: number; inner: number; scale: number; map?: UnaryMap; linear?: LinearSource; accumulate?: boolean }
  /**
   * The backward of scale·Σ f(x) over all elements: dx = f'(x)·dy[0]·scale, with y = f(x)
   * recomputed in the kernel (dy holds one value). dy null: dy[0]·scale is `scale` itself (a
   * constant gradient, such as backward's seed of 1, passed as a number).
   */
  | { kernel: 'meanUnaryGrad'; op: UnaryOp; x: Storage; dy: Storage | null; out: Storage; alpha: number; beta: number; scale: number }
  /**
   * out[b] = op(A[b]) · op(B[b]), op = transpose or not; a batch stride of 0 broadcasts; see
   * ActivationGradOfY. accumulate: out already holds a value (a gradient summed earlier in the
   * pass), and the product is added to it, out + p, as a separate addition would store it (as
   * for reduce). columnSums: a second output of n values, the column sums of op(B),
   * columnSums[j] = Σ_q op(B)[q, j] summed in order q = 0, 1, …, k−1 (as reduce sums an axis), added
   * into what it holds with accumulateColumnSums; batch 1 and B not transposed only (a layer's
   * db = Σ_rows dz beside dW = xᵀ·dz, engine/fusion.ts 9).
   */
  | {
      kernel: 'matmul'; a: Storage; b: Storage; out: Storage;
      batch: number; m: number; k: number; n: number;
      transA: boolean; transB: boolean; strideA: number; strideB: number;
      variant?: MatmulVariant;
      activationGrad?: ActivationGradOfY;
      accumulate?: boolean;
      columnSums?: Storage;
      accumulateColumnSums?: boolean;
    }
  /** out = act(x · W + b): x [m, k], W [k, n], b [n] (optional). */
  | { kernel: 'linear'; x: Storage; w: Storage; b: Storage | null; out: Storage; m: number; k: number; n: number; activation: FusedActivation; alpha: number }
  /**
   * The backward of linear in one kernel: with dz = dy ⊙ act'(y) (y the layer's output),
   * dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_rows dz; an output left null is not computed. An output
   * named in `accumulate` already holds a gradient (the layer's other use), and the kernel adds to it.
   * dy null: the layer's output went straight into a fused loss mean(f(y)), and dy is that loss's
   * gradient, computed from y in the kernel (`loss`: what meanUnaryGrad would have been given).
   * dxActivation: x is the output of a layer below with that activation, and dx is stored as
   * (dz·Wᵀ) ⊙ act'(x), that layer's dz (what unaryGrad(act, x, x, dx) stores; never with accumulate.dx).
   */
  | {
      kernel: 'linearGrad'; x: Storage; w: Storage; y: Storage; dy: Storage | null;
      dx: Storage | null; dw: Storage | null; db: Storage | null;
      m: number; k: number; n: number; activation: FusedActivation; alpha: number;
      accumulate?: { dx: boolean; dw: boolean; db: boolean };
      loss?: LossGradOfY;
      dxActivation?: Omit<ActivationGradOfY, 'y'>;
    }
  /** out = scale * x broadcast from inShape to outShape (the gradient of sum and mean). */
  | { kernel: 'expand'; x: Storage; out: Storage; inShape: Shape; outShape: Shape; scale: number }
  | { kernel: 'transpose'; x: Storage; out: Storage; rows: number; cols: number }
  /**
   * out, contiguous of shape outShape, takes element Σ_d c_d·strides[d] of x at coordinates c:
   * permute and transpose of any rank (engine/ops/axes.ts merges axes that stay together first).
   */
  | { kernel: 'permute'; x: Storage; out: Storage; outShape: Shape; strides: number[] }
  /** out = x converted to out's dtype; float to int32 rounds toward zero (as C, NumPy and PyTorch do). */
  | { kernel: 'cast'; x: Storage; out: Storage }
  /** Softmax (or log-softmax) along the middle axis of [outer, axisSize, inner]. */
  | { kernel: 'softmax'; x: Storage; out: Storage; outer: number; axisSize: number; inner: number; log: boolean }
  /**
   * Copy a block along one axis: src viewed as [outer, srcAxis, inner], rows
   * [srcStart, srcStart + count) go to rows [dstStart, ...) of dst viewed as [outer, dstAxis, inner].
   * slice, concat and their gradients are all this one kernel.
   */
  | {
      kernel: 'copyAxis'; src: Storage; dst: Storage; outer: number; inner: number;
      srcAxis: number; dstAxis: number; srcStart: number; dstStart: number; count: number;
    }
  /** out[i, :] = x[indices[i], :] with rows of `inner` elements. */
  | { kernel: 'gather'; x: Storage; indices: Storage; out: Storage; rows: number; inner: number; sourceRows: number }
  /**
   * gather(x, randint([rows], high)) in one kernel: out[i, :] = x[j_i, :], j_i the i-th integer
   * drawn in [0, high) from the Philox stream at (key, counter), the very numbers randint draws.
   */
  | { kernel: 'gatherRandom'; x: Storage; out: Storage; rows: number; inner: number; key0: number; key1: number; counter: number; high: number }
  /** out[indices[i], :] += src[i, :] (out must be filled first): the gradient of gather. */
  | { kernel: 'scatterAdd'; src: Storage; indices: Storage; out: Storage; rows: number; inner: number }
  | { kernel: 'fill'; out: Storage; value: number }
  /**
   * Counter-based random numbers (Philox 4x32-10, see engine/rng.ts), generated in place.
   * uniform: in (a, b); normal: mean a, std b; int: in [0, b); bernoulli: b where u < a, else 0.
   */
  | { kernel: 'random'; out: Storage; dist: RandomDist; key0: number; key1: number; counter: number; a: number; b: number }
  /** One Adam update in place on param, m and v (Kingma and Ba, with bias correction). */
  | {
      kernel: 'adam'; param: Storage; grad: Storage; m: Storage; v: Storage;
      lr: number; beta1: number; beta2: number; eps: number; step: number;
    }
  /**
   * Adam on several parameters at once (multi-tensor apply): params[s] is updated with grads[s].
   * `state` holds the moments of all of an optimizer's parameters: [m of each | v of each], param
   * s's m at stateOffsets[s] and its v at state.size / 2 + stateOffsets[s].
   */
  | {
      kernel: 'adamMulti'; params: Storage[]; grads: Storage[]; state: Storage; stateOffsets: number[];
      lr: number; beta1: number; beta2: number; eps: number; step: number;
    }
  /** SGD with momentum in place: vel = momentum * vel + grad; param -= lr * vel. */
  | { kernel: 'sgd'; param: Storage; grad: Storage; velocity: Storage | null; lr: number; momentum: number };

export type RandomDist = 'uniform' | 'normal' | 'int' | 'bernoulli';

export type KernelName = KernelCall['kernel'];

/** The rungs of the matmul ladder (WebGPU); 'auto' picks by shape. The CPU picks its JavaScript loops or its WebAssembly kernel by size, with the same results (kernels/cpu/matmul.ts). */
export type MatmulVariant = 'auto' | 'naive' | 'tiled' | 'register' | 'small';

export interface BackendStats {
  /** Buffers allocated and not yet released (pooled buffers are not counted). */
  liveBuffers: number;
  /** Buffers created from scratch since the start (not served from the pool). */
  bufferCreations: number;
  dispatches: number;
  submits: number;
  /** Bind groups created (WebGPU; a warm training step ideally creates none). */
  bindGroupCreations?: number;
  /** Compute pipelines compiled (WebGPU; one per kernel variant). */
  pipelineCreations?: number;
}

export interface Backend {
  readonly name: BackendName;
  /** A buffer of `size` elements. Its contents are undefined until written. */
  alloc(size: number, dtype: DType): Storage;
  write(dst: Storage, data: ArrayLike<number>): void;
  /** A copy of the buffer's contents, once all work recorded before has run. */
  read(src: Storage): Promise<DataArray>;
  /** Synchronous read: the CPU backend only. */
  readSync?(src: Storage): DataArray;
  run(call: KernelCall): void;
  release(storage: Storage): void;
  /** Submit all recorded work and wait for it. */
  flush(): Promise<void>;
  /** Called at the end of an optimizer step: a queued backend submits its work here. */
  endStep?(): void;
  stats(): BackendStats;
  /** What run(call) will dispatch (the trace shows it): kernel labels and workgroup counts. */
  describe?(call: KernelCall): { label: string; workgroups: [number, number, number][] };
}

const backends = new Map<BackendName, Backend>();
let current: Backend | null = null;
let defaultFactory: (() => Backend) | null = null;

/** A matmul's columnSums are the column sums of one stored B [k, n]: batch 1, B not transposed (both backends refuse the rest). */
export function checkColumnSums(c: Pick<Extract<KernelCall, { kernel: 'matmul' }>, 'batch' | 'transB'>): void {
  if (c.batch !== 1 || c.transB) throw new Error(`matmul: columnSums needs batch 1 and B stored [k, n], got batch ${c.batch}${c.transB ? ' and B transposed' : ''}`);
}

/** Backends register themselves; the CPU backend is the default. */
export function registerBackend(backend: Backend, makeDefault = false): void {
  backends.set(backend.name, backend);
  if (makeDefault && current === null) current = backend;
}

export function setDefaultBackendFactory(factory: () => Backend): void {
  defaultFactory = factory;
}

export function currentBackend(): Backend {
  if (current === null) {
    if (defaultFactory === null) throw new Error('gradlab: no backend is registered');
    current = defaultFactory();
    backends.set(current.name, current);
  }
  return current;
}

export function useBackend(backend: Backend): void {
  backends.set(backend.name, backend);
  current = backend;
}

export function findBackend(name: BackendName): Backend | undefined {
  return backends.get(name);
}
