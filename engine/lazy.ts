// Deferred kernels: a tensor whose values are computed by one kernel call only when its buffer is
// first used. This is the machinery behind the fusions of engine/fusion.ts; the op files do not
// need it to be read.
//
// A tensor made by lazyKernel() holds a kernel call instead of values. Three things can happen:
//   - something uses its buffer (Tensor.storage(): any kernel that reads it, a read, a write):
//     the call runs first, and from then on the tensor is an ordinary one;
//   - a fused kernel that can compute the same values where it needs them takes the call over
//     (takePendingKernel), or reads what it needs from it (pendingCall, pendingValue): the
//     separate kernel never runs;
//   - the tensor is disposed unused: the call never runs.
// untilNextOp() is a lazyKernel whose call runs at the latest when the next op runs a kernel or
// takes any buffer, so that it reads its inputs as they are now (an optimizer step or loading
// weights may change them in place); only that next op may take it over.
// untilBackwardEnds() runs at the latest when the reverse pass ends (its inputs cannot change before).

import type { Backend, DType, KernelCall, Storage } from './backend';
import { refreshOnReplay } from './compile';
import type { Shape } from './shape';
import { releaseBuffer, runKernel, Tensor, type SharedBuffer } from './tensor';
import { currentRule, withRule } from './trace';

/** A deferred kernel call and the buffers it reads, kept alive (refs + 1) until it runs or is dropped. */
export interface PendingKernel {
  call: KernelCall;
  op: string;
  /** The shapes the trace shows for it. */
  shapes: Shape[];
  /** The backward rule it was made by (the trace names it), or null. */
  rule: string | null;
  reads: SharedBuffer[];
  /** What changes in the call from step to step of a compiled step (a random draw's counter), or null. */
  refresh: (() => Partial<KernelCall>) | null;
}

/**
 * A tensor computed by one kernel call only when its buffer is first used, reading the tensors
 * in `reads` (their buffers stay alive until then). `refresh` is the call's refreshOnReplay.
 */
export function lazyKernel(
  shape: Shape, dtype: DType, backend: Backend, reads: Tensor[], op: string, makeCall: (out: Storage) => KernelCall,
  refresh: (() => Partial<KernelCall>) | null = null,
): Tensor {
  const t = Tensor.empty(shape, dtype, backend, op);
  const b = t.sharedBuffer(op);
  const call = makeCall(b.storage); // reads each input's storage (running its own pending work)
  const held = reads.map((r) => r.sharedBuffer(op));
  for (const r of held) r.refs++;
  b.pending = { call, op, shapes: reads.length > 0 ? reads.map((r) => r.shape) : [shape], rule: currentRule(), reads: held, refresh };
  return t;
}

/** A tensor of `shape` whose elements all equal `value`, filled by a kernel only when its buffer is first used. */
export function lazyFull(shape: Shape, value: number, dtype: DType, backend: Backend): Tensor {
  return lazyKernel(shape, dtype, backend, [], 'fill', (out) => ({ kernel: 'fill', out, value }));
}

/** Buffers whose pending kernel runs before the next op touches any buffer (see untilNextOp). */
const deferred: SharedBuffer[] = [];

/**
 * lazyKernel whose kernel runs at the latest when the next op takes any tensor's buffer or runs
 * a kernel. Only that op can take its call over, before it touches any buffer. `shapes` are the
 * ones the trace shows for it.
 */
export function untilNextOp(shape: Shape, dtype: DType, backend: Backend, reads: Tensor[], op: string, shapes: Shape[], makeCall: (out: Storage) => KernelCall): Tensor {
  return lazyListed(deferred, shape, dtype, backend, reads, op, shapes, makeCall);
}

const untilPassEnd: SharedBuffer[] = [];

/** lazyKernel for a gradient whose inputs (weights) cannot change before the reverse pass ends: runs then at the latest. */
export function untilBackwardEnds(shape: Shape, dtype: DType, backend: Backend, reads: Tensor[], op: string, shapes: Shape[], makeCall: (out: Storage) => KernelCall): Tensor {
  return lazyListed(untilPassEnd, shape, dtype, backend, reads, op, shapes, makeCall);
}

/** lazyKernel showing `shapes` in the trace, its buffer added to `list` (run by whoever empties it). */
function lazyListed(list: SharedBuffer[], shape: Shape, dtype: DType, backend: Backend, reads: Tensor[], op: string, shapes: Shape[], makeCall: (out: Storage) => KernelCall): Tensor {
  const t = lazyKernel(shape, dtype, backend, reads, op, makeCall);
  const b = t.sharedBuffer(op);
  (b.pending as PendingKernel).shapes = shapes;
  list.push(b);
  return t;
}

/** Called by autograd when a reverse pass ends. */
export function runAtBackwardEnd(): void {
  if (untilPassEnd.length === 0) return;
  for (const b of untilPassEnd.splice(0)) if (b.refs > 0) runPending(b);
}

/**
 * Run the kernels deferred by untilNextOp now: called before any other kernel runs, and before
 * any tensor's buffer is taken for a kernel call or a write (loading weights writes in place).
 */
export function runDeferredKernels(): void {
  if (deferred.length === 0) return;
  for (const b of deferred.splice(0)) runPending(b);
}

/** Run a buffer's pending kernel, if it has one, and let go of the buffers it read. */
export function runPending(b: SharedBuffer): void {
  const pending = b.pending;
  if (pending === null) return;
  b.pending = null;
  const { call, op, shapes, rule, reads, refresh } = pending;
  const run = (): void => runKernel(b.backend, call, op, shapes);
  if (rule === null) run();
  else withRule(rule, run);
  if (refresh) refreshOnReplay(call, refresh);
  for (const r of reads) releaseBuffer(r);
}

/** A buffer freed with its kernel still pending: nothing used the values, so it never runs. */
export function dropPending(b: SharedBuffer): void {
  const pending = b.pending;
  b.pending = null;
  if (pending) for (const r of pending.reads) releaseBuffer(r);
}

/** The kernel call that will compute t, while it has not run (nothing has used the buffer), else null. */
export function pendingCall(t: Tensor): KernelCall | null {
  return t.isDisposed ? null : t.sharedBuffer('pendingCall').pending?.call ?? null;
}

/** The pending call's refresh for compiled replays, for a kernel that takes the call over. */
export function pendingRefresh(t: Tensor): (() => Partial<KernelCall>) | null {
  return t.isDisposed ? null : t.sharedBuffer('pendingRefresh').pending?.refresh ?? null;
}

/** The value of every element while a lazy fill is pending (nothing has used the buffer), else null. */
export function pendingValue(t: Tensor): number | null {
  const call = pendingCall(t);
  return call !== null && call.kernel === 'fill' ? call.value : null;
}

/**
 * Take t's pending kernel over: a fused kernel about to be dispatched computes these values
 * instead. Returns the call, and `release`, to be called once that kernel is dispatched, which
 * lets go of the buffers the call reads; null when nothing is pending.
 */
export function takePendingKernel(t: Tensor): { call: KernelCall; release: () => void } | null {
  if (t.isDisposed) return null;
  const b = t.sharedBuffer('takePendingKernel');
  const pending = b.pending;
  if (pending === null) return null;
  b.pending = null;
  return { call: pending.call, release: () => { for (const r of pending.reads) releaseBuffer(r); } };
}
