// The Tensor: a shape, a dtype, a buffer on some backend, and (when it was computed from
// tensors that require gradients) the node of the graph that made it.

import { currentBackend, type Backend, type BackendName, type DataArray, type DType, type KernelCall, type Storage } from './backend';
import { backward as runBackward, type BackwardOptions, type GradNode } from './autograd';
import { trackTensor, untrackTensor } from './memory';
import { recorded, refuseReadWhileRecording, releaseStorage } from './compile';
import { checkAllocation, formatShape, frozenShape, sizeOf, type Shape } from './shape';
import { traceDispatch } from './trace';
import { dropPending, runDeferredKernels, runPending, type PendingKernel } from './lazy';
import { formatValues, tensorHeader } from './format';
import * as ops from './ops';
import { toBackend } from './to-backend';

/**
 * @internal A backend buffer shared by a tensor and its reshapes; freed when the last one is
 * disposed. `pending`: a kernel that computes every element, run on first use (engine/lazy.ts).
 */
export class SharedBuffer {
  refs = 1;
  pending: PendingKernel | null = null;
  constructor(readonly storage: Storage, readonly backend: Backend) {}
}

/** @internal Let go of a buffer held by a tensor or a pending kernel: freed with its last holder. */
export function releaseBuffer(b: SharedBuffer): void {
  if (--b.refs > 0) return;
  releaseStorage(b.backend, b.storage);
  dropPending(b);
}

let nextId = 1;

export type NestedArray = number | NestedArray[];

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly size: number;
  readonly dtype: DType;
  requiresGrad: boolean;
  private gradient: Tensor | null = null;
  /** What freed this tensor ('dispose()' or 'the end of a tidy()'), for the messages of later uses. */
  private disposedBy: string | null = null;
  /** Set on a tensor held as another's .grad: whose gradient it is (freed with it; named by later uses). */
  private gradientOf: Tensor | null = null;

  /**
   * The gradient accumulated by backward(); null until then. Freed with this tensor: reading it
   * after dispose() (or the end of the tidy() that made the tensor) throws, naming the tensor.
   */
  get grad(): Tensor | null {
    if (this.buffer === null) {
      throw new Error(`grad: tensor #${this.id} of shape ${formatShape(this.shape)} was disposed (by ${this.disposedBy ?? 'dispose()'}); its gradient was freed with it. Read x.grad before disposing x`);
    }
    return this.gradient;
  }

  set grad(g: Tensor | null) {
    if (g !== null) {
      if (this.buffer === null) throw new Error(`grad: cannot set the gradient of tensor #${this.id} of shape ${formatShape(this.shape)}: it was disposed (by ${this.disposedBy ?? 'dispose()'})`);
      g.gradientOf = this;
    }
    this.gradient = g;
  }
  /** @internal How this tensor was computed (null for leaves and under noGrad). */
  node: GradNode | null = null;
  private buffer: SharedBuffer | null;

  /** @internal Use tensor(), zeros(), randn()... to make tensors. */
  constructor(buffer: SharedBuffer, shape: Shape, requiresGrad = false) {
    this.buffer = buffer;
    this.shape = frozenShape(shape);
    this.size = sizeOf(shape);
    this.dtype = buffer.storage.dtype;
    this.requiresGrad = requiresGrad;
    trackTensor(this);
  }

  /** @internal A new tensor of the given shape and a fresh buffer on `backend`. */
  static empty(shape: Shape, dtype: DType, backend: Backend = currentBackend(), op = 'alloc'): Tensor {
    checkAllocation(op, shape, dtype);
    const size = Math.max(sizeOf(shape), 1);
    let storage: Storage;
    try {
      storage = backend.alloc(size, dtype);
      recorded.alloc(storage);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      // A typed array too large for this JavaScript engine: say what was asked for.
      const bytes = size * (dtype === 'float64' ? 8 : 4);
      throw new Error(`${op}: cannot allocate a ${dtype} tensor of shape ${formatShape(shape)} (${size} elements, ${bytes} bytes): ${e.message}`);
    }
    return new Tensor(new SharedBuffer(storage, backend), shape);
  }

  /** @internal A tensor of another shape over the same buffer (reshape, gradient aliases). */
  static view(source: Tensor, shape: Shape): Tensor {
    const buffer = source.sharedBuffer('view');
    buffer.refs++;
    return new Tensor(buffer, shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.buffer === null;
  }

  /** @internal No other tensor shares this tensor's buffer, so a kernel may add into it in place. */
  get ownsBuffer(): boolean {
    return this.buffer !== null && this.buffer.refs === 1;
  }

  /** @internal The backend buffer (running its pending kernel first); throws a clear error if the tensor was disposed. */
  storage(op: string): Storage {
    runDeferredKernels();
    const b = this.sharedBuffer(op);
    runPending(b);
    return b.storage;
  }

  get backend(): Backend {
    return this.sharedBuffer('backend').backend;
  }

  /** @internal The buffer as it is (its pending kernel not run); throws a clear error if the tensor was disposed. */
  sharedBuffer(op: string): SharedBuffer {
    if (this.buffer === null) {
      const by = this.disposedBy ?? 'dispose() or at the end of a tidy()';
      const owner = this.gradientOf;
      const role = owner ? `, the gradient (.grad) of tensor #${owner.id} of shape ${formatShape(owner.shape)},` : '';
      const fix = this.gradientOf ? `; set x.grad = null (or call the optimizer's zeroGrad()) instead of disposing a gradient that is still attached` : '';
      throw new Error(`${op}: tensor #${this.id} of shape ${formatShape(this.shape)}${role} was already disposed (by ${by})${fix}`);
    }
    return this.buffer;
  }

  /**
   * Free this tensor's buffer (shared buffers are freed with their last user) and its gradient.
   * Idempotent. `by` (internal) names what freed it, for the messages of later uses.
   */
  dispose(by = 'dispose()'): void {
    if (this.buffer === null) return;
    const b = this.buffer;
    this.buffer = null;
    this.disposedBy = by;
    this.node = null;
    // Its gradient goes with it (unless another tensor has taken it as its own since).
    if (this.gradient?.gradientOf === this) this.gradient.dispose(`${by}, with the tensor whose gradient it was`);
    this.gradient = null;
    untrackTensor(this);
    releaseBuffer(b);
    if (this.owned) for (const t of this.owned) t.dispose();
    this.owned = null;
  }

  /** Helper tensors an op made for this one (an index list, a constant target): freed with it. */
  private owned: Tensor[] | null = null;

  /** @internal Free `helper` when this tensor is disposed (its backward may still need it until then). */
  adopt(helper: Tensor): void {
    (this.owned ??= []).push(helper);
  }

  /** @internal Write numbers into this tensor's buffer, in place (a compiled step's replay writes them again). */
  writeValues(values: ArrayLike<number>, op: string): void {
    const storage = this.storage(op);
    recorded.write(storage, values);
    this.backend.write(storage, values);
  }

  // ---- reading values (asynchronous on every backend) ----

  /** A copy of the values as a flat typed array. */
  async data(): Promise<DataArray> {
    refuseReadWhileRecording();
    const storage = this.storage('data');
    // An empty tensor holds a one-element buffer (backends allocate at least one): show none of it.
    return (await this.backend.read(storage)).subarray(0, this.size);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: tensor has shape ${formatShape(this.shape)} (${this.size} elements); item() needs exactly one`);
    return (await this.data())[0];
  }

  /** The values as nested arrays of the tensor's shape. */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  /** Synchronous read; the CPU backend only (a GPU read must wait for the device). */
  dataSync(): DataArray {
    const storage = this.storage('dataSync');
    const backend = this.backend;
    if (!backend.readSync) {
      throw new Error(`dataSync: not available on the '${backend.name}' backend, whose reads are asynchronous; use await t.data()`);
    }
    refuseReadWhileRecording();
    return backend.readSync(storage).subarray(0, this.size);
  }

  /**
   * Shape, dtype, backend and, where the values can be read at once (the CPU), the values,
   * NumPy-style (a summary with "..." above 1000 elements). On WebGPU use `await t.print()`.
   */
  toString(): string {
    const place = this.isDisposed ? 'disposed' : this.backend.name;
    const header = tensorHeader(this.shape, this.dtype, place, this.requiresGrad);
    if (this.isDisposed) return header;
    if (!this.backend.readSync) return `${header} (values on the device: await t.print() or await t.data())`;
    return `${header}\n${formatValues(this.dataSync(), this.shape, this.dtype)}`;
  }

  /** What console.log and util.inspect show in Node: the same as toString(). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Print shape, dtype, backend and values to the console (a GPU read, hence async; at once on the CPU). */
  print(): Promise<void> {
    if (this.isDisposed || this.backend.readSync) {
      console.log(this.toString());
      return Promise.resolve();
    }
    const header = tensorHeader(this.shape, this.dtype, this.backend.name, this.requiresGrad);
    return this.data().then((values) => console.log(`${header}\n${formatValues(values, this.shape, this.dtype)}`));
  }

  // ---- autograd ----

  /**
   * Reverse-mode differentiation from this tensor: adds to .grad of every leaf that requires
   * gradients. A scalar needs no seed; a non-scalar needs the gradient of the final loss
   * with respect to it. backward({ createGraph: true }) records the backward pass, so the
   * .grad tensors can be differentiated again (see grad() for gradients without .grad).
   */
  backward(seed?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    if (seed instanceof Tensor || seed === undefined) runBackward(this, seed, options);
    else runBackward(this, undefined, seed);
  }

  /** The same values, cut from the graph: no gradient flows through the result. */
  detach(): Tensor {
    return Tensor.view(this, this.shape);
  }

  /** A copy on the named backend ('cpu' or 'webgpu'), a new leaf with this tensor's requiresGrad. */
  to(backend: BackendName): Promise<Tensor> {
    return toBackend(this, backend);
  }

  /** A tensor of ones with this tensor's shape, dtype and backend. */
  onesLike(): Tensor {
    return ops.fullLike(this, 1);
  }

  // ---- ops as methods (see engine/ops for forward and backward) ----
  add(other: Tensor | number): Tensor { return ops.add(this, other); }
  sub(other: Tensor | number): Tensor { return ops.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ops.mul(this, other); }
  div(other: Tensor | number): Tensor { return ops.div(this, other); }
  neg(): Tensor { return ops.neg(this); }
  pow(p: number): Tensor { return ops.pow(this, p); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  sign(): Tensor { return ops.sign(this); }
  step(): Tensor { return ops.step(this); }
  inRange(min: number, max: number): Tensor { return ops.inRange(this, min, max); }
  clamp(min: number, max: number): Tensor { return ops.clamp(this, min, max); }
  relu(): Tensor { return ops.relu(this); }
  leakyRelu(slope = 0.2): Tensor { return ops.leakyRelu(this, slope); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  softplus(): Tensor { return ops.softplus(this); }
  silu(): Tensor { return ops.silu(this); }
  erf(): Tensor { return ops.erf(this); }
  gelu(): Tensor { return ops.gelu(this); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  transpose(dim0?: number, dim1?: number): Tensor { return ops.transpose(this, dim0, dim1); }
  reshape(shape: Shape): Tensor { return ops.reshape(this, shape); }
  sum(axis?: number | readonly number[], keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  mean(axis?: number | readonly number[], keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  max(axis?: number | readonly number[], keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  slice(start: number, end?: number): Tensor { return ops.slice(this, start, end); }
  gather(indices: Tensor | ArrayLike<number>, axis = 0): Tensor { return ops.gather(this, indices, axis); }
  // PyTorch's ops (engine/ops/axes.ts, select.ts, cast.ts, stats.ts; docs/ops.md)
  permute(dims: readonly number[]): Tensor { return ops.permute(this, dims); }
  squeeze(axis?: number | readonly number[]): Tensor { return ops.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return ops.unsqueeze(this, axis); }
  expand(shape: Shape): Tensor { return ops.expand(this, shape); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  maximum(other: Tensor | number): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor | number): Tensor { return ops.minimum(this, other); }
  /** PyTorch's x.where(cond, other): x where cond ≠ 0, other elsewhere. */
  where(cond: Tensor, other: Tensor | number): Tensor { return ops.where(cond, this, other); }
  min(axis?: number | readonly number[], keepDims = false): Tensor { return ops.min(this, axis, keepDims); }
  argmax(axis?: number, keepDims = false): Tensor { return ops.argmax(this, axis, keepDims); }
  argmin(axis?: number, keepDims = false): Tensor { return ops.argmin(this, axis, keepDims); }
  /** The variance (unbiased by default, as PyTorch's x.var()). */
  var(axis?: number | readonly number[], options?: ops.VarianceOptions): Tensor { return ops.variance(this, axis, options); }
  std(axis?: number | readonly number[], options?: ops.VarianceOptions): Tensor { return ops.std(this, axis, options); }
}

/** @internal Run a kernel on the backend that holds the tensors it reads. */
export function runKernel(backend: Backend, call: KernelCall, opName: string, shapes: Shape[]): void {
  runDeferredKernels();
  traceDispatch(backend, call, opName, shapes);
  recorded.run(call);
  backend.run(call);
}

function nest(data: DataArray, shape: Shape): NestedArray {
  if (shape.length === 0) return data[0];
  const build = (offset: number, axis: number): NestedArray[] => {
    const n = shape[axis];
    const out: NestedArray[] = [];
    if (axis === shape.length - 1) {
      for (let i = 0; i < n; i++) out.push(data[offset + i]);
      return out;
    }
    const step = sizeOf(shape.slice(axis + 1));
    for (let i = 0; i < n; i++) out.push(build(offset + i * step, axis + 1));
    return out;
  };
  return build(0, 0);
}
