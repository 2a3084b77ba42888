// The Tensor: a shape, a dtype, a buffer on some backend, and (when it was computed from
// tensors that require gradients) the node of the graph that made it.

import { currentBackend, type Backend, type BackendName, type DataArray, type DType, type KernelCall, type Storage } from './backend';
import { backward as runBackward, type BackwardOptions, type GradNode } from './autograd';
import { trackTensor, untrackTensor } from './memory';
import { refreshOnReplay, releaseStorage } from './compile';
import { formatShape, frozenShape, sizeOf, type Shape } from './shape';
import { currentRule, traceDispatch, withRule } from './trace';
import { formatValues, tensorHeader } from './format';
import * as ops from './ops';
import { toBackend } from './to-backend';

/** A backend buffer shared by a tensor and its reshapes; freed when the last one is disposed. */
class SharedBuffer {
  refs = 1;
  /** A kernel that computes every element, run on first use (see Tensor.lazyKernel, lazyFull); null once run. */
  pendingKernel: PendingKernel | null = null;
  constructor(readonly storage: Storage, readonly backend: Backend) {}
}

/** A deferred kernel call and the buffers it reads, kept alive (refs + 1) until it runs or is dropped. */
interface PendingKernel {
  call: KernelCall;
  op: string;
  shapes: Shape[];
  /** The backward rule it was made by (the trace names it), or null. */
  rule: string | null;
  reads: SharedBuffer[];
  /** What changes in the call from step to step of a compiled step (a random draw's counter), or null. */
  refresh: (() => Partial<KernelCall>) | null;
}

/** Let go of a buffer held by a tensor or a pending kernel: freed with its last holder. */
function unref(b: SharedBuffer): void {
  if (--b.refs > 0) return;
  releaseStorage(b.backend, b.storage);
  const pending = b.pendingKernel;
  b.pendingKernel = null; // never run: nothing used the values
  if (pending) for (const r of pending.reads) unref(r);
}

/** Run a buffer's pending kernel, if it has one, and let go of the buffers it read. */
function runPending(b: SharedBuffer): void {
  if (b.pendingKernel === null) return;
  const { call, op: name, shapes, rule, reads, refresh } = b.pendingKernel;
  b.pendingKernel = null;
  const run = (): void => runKernel(b.backend, call, name, shapes);
  if (rule === null) run();
  else withRule(rule, run);
  if (refresh) refreshOnReplay(call, refresh);
  for (const r of reads) unref(r); // the buffers it read are let go
}

/** Buffers whose pending kernel runs before the next op touches any buffer (see Tensor.untilNextOp). */
const deferred: SharedBuffer[] = [];

/**
 * Run the kernels deferred by Tensor.untilNextOp now: before any other kernel, and before
 * any tensor's buffer is taken for a kernel call or a write (loading weights writes in place).
 */
function runDeferredKernels(): void {
  for (const b of deferred.splice(0)) runPending(b);
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
  /** The gradient accumulated by backward(); null until then. */
  grad: Tensor | null = null;
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
    const size = Math.max(sizeOf(shape), 1);
    let storage: Storage;
    try {
      storage = backend.alloc(size, dtype);
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
    const buffer = source.liveBuffer('view');
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

  /**
   * @internal A tensor of `shape` whose elements all equal `value`, filled by a kernel only when
   * its buffer is first used: backward's seed gradient of 1, which a fused loss gradient reads as
   * a number instead (pendingValue), so the fill never runs.
   */
  static lazyFull(shape: Shape, value: number, dtype: DType, backend: Backend): Tensor {
    return Tensor.lazyKernel(shape, dtype, backend, [], 'fill', (out) => ({ kernel: 'fill', out, value }));
  }

  /**
   * @internal A tensor computed by one kernel call only when its buffer is first used, reading
   * the tensors in `reads` (their buffers stay alive until then). A fused kernel that can compute
   * these values where it needs them reads the call (pendingKernel) instead, and the separate
   * kernel never runs: the loss gradient meanUnaryGrad, taken over by linear's fused backward,
   * and randint's draw, taken over by gather. `refresh` is the call's refreshOnReplay.
   */
  static lazyKernel(
    shape: Shape, dtype: DType, backend: Backend, reads: Tensor[], op: string, makeCall: (out: Storage) => KernelCall,
    refresh: (() => Partial<KernelCall>) | null = null,
  ): Tensor {
    const t = Tensor.empty(shape, dtype, backend, op);
    const b = t.buffer as SharedBuffer;
    const call = makeCall(b.storage); // reads each input's storage (running its own pending work)
    const held = reads.map((r) => r.liveBuffer(op));
    for (const r of held) r.refs++;
    b.pendingKernel = { call, op, shapes: reads.length > 0 ? reads.map((r) => r.shape) : [shape], rule: currentRule(), reads: held, refresh };
    return t;
  }

  /**
   * @internal Tensor.lazyKernel whose kernel runs at the latest when the next op takes any
   * tensor's buffer (storage()) or runs a kernel, so that it reads its inputs as they are now
   * (an optimizer step or loading weights may change them in place). Only the very next op can
   * take its call over (takePendingKernel), before it touches any buffer: a layer's forward that
   * a fused loss computes inside its reduction (linear, meanOfUnary).
   * `shapes` are the ones the trace shows for it.
   */
  static untilNextOp(shape: Shape, dtype: DType, backend: Backend, reads: Tensor[], op: string, shapes: Shape[], makeCall: (out: Storage) => KernelCall): Tensor {
    const t = Tensor.lazyKernel(shape, dtype, backend, reads, op, makeCall);
    const b = t.buffer as SharedBuffer;
    (b.pendingKernel as PendingKernel).shapes = shapes;
    deferred.push(b);
    return t;
  }

  /**
   * @internal Take this tensor's pending kernel over: a fused kernel about to be dispatched
   * computes these values instead. Returns the call, and `release`, to be called once that
   * kernel is dispatched, which lets go of the buffers the call reads; null when nothing is pending.
   */
  takePendingKernel(): { call: KernelCall; release: () => void } | null {
    const b = this.buffer;
    const pending = b?.pendingKernel;
    if (!b || !pending) return null;
    b.pendingKernel = null;
    return { call: pending.call, release: () => { for (const r of pending.reads) unref(r); } };
  }

  /** @internal The kernel call that will compute this tensor, while it has not run (nothing has used the buffer), else null. */
  get pendingKernel(): KernelCall | null {
    return this.buffer?.pendingKernel?.call ?? null;
  }

  /** @internal The pending kernel's refresh for compiled replays (see lazyKernel), for a kernel that takes its call over. */
  get pendingRefresh(): (() => Partial<KernelCall>) | null {
    return this.buffer?.pendingKernel?.refresh ?? null;
  }

  /** @internal Tensor.lazyFull with this tensor's shape, dtype and backend. */
  lazyFullLike(value: number): Tensor {
    return Tensor.lazyFull(this.shape, value, this.dtype, this.liveBuffer('lazyFullLike').backend);
  }

  /** @internal The value of every element while a lazy fill is pending (nothing has used the buffer), else null. */
  get pendingValue(): number | null {
    const call = this.pendingKernel;
    return call !== null && call.kernel === 'fill' ? call.value : null;
  }

  /** @internal The backend buffer (running its pending kernel first); throws a clear error if the tensor was disposed. */
  storage(op: string): Storage {
    if (deferred.length > 0) runDeferredKernels();
    const b = this.liveBuffer(op);
    runPending(b);
    return b.storage;
  }

  get backend(): Backend {
    return this.liveBuffer('backend').backend;
  }

  private liveBuffer(op: string): SharedBuffer {
    if (this.buffer === null) {
      throw new Error(`${op}: tensor #${this.id} of shape ${formatShape(this.shape)} was already disposed (by dispose() or at the end of a tidy())`);
    }
    return this.buffer;
  }

  /** Free this tensor's buffer (shared buffers are freed with their last user). Idempotent. */
  dispose(): void {
    if (this.buffer === null) return;
    const b = this.buffer;
    this.buffer = null;
    this.node = null;
    untrackTensor(this);
    unref(b);
    if (this.owned) for (const t of this.owned) t.dispose();
    this.owned = null;
  }

  /** Helper tensors an op made for this one (an index list, a constant target): freed with it. */
  private owned: Tensor[] | null = null;

  /** @internal Free `helper` when this tensor is disposed (its backward may still need it until then). */
  adopt(helper: Tensor): void {
    (this.owned ??= []).push(helper);
  }

  // ---- reading values (asynchronous on every backend) ----

  /** A copy of the values as a flat typed array. */
  async data(): Promise<DataArray> {
    const storage = this.storage('data');
    return this.backend.read(storage);
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
    return backend.readSync(storage);
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
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  transpose(): Tensor { return ops.transpose(this); }
  reshape(shape: Shape): Tensor { return ops.reshape(this, shape); }
  sum(axis?: number, keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  mean(axis?: number, keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  max(axis?: number, keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  slice(start: number, end?: number): Tensor { return ops.slice(this, start, end); }
  gather(indices: Tensor | ArrayLike<number>): Tensor { return ops.gather(this, indices); }
}

/** @internal Run a kernel on the backend that holds the tensors it reads. */
export function runKernel(backend: Backend, call: KernelCall, opName: string, shapes: Shape[]): void {
  if (deferred.length > 0) runDeferredKernels();
  traceDispatch(backend, call, opName, shapes);
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
