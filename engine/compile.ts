// Compiling a training step: record it once, replay it after.
//
// A training step written with the engine does the same thing every time: the same ops on
// tensors of the same shapes, so the same kernel calls on the same kinds of buffers. What the
// JavaScript around those calls does each time (build the graph, check shapes, plan kernels,
// pick pooled buffers, open and close tidy scopes) gives the same answer every time too. So
// compile(step) runs the step once while recording, keeps the list of kernel calls it made, and
// afterwards replays that list directly: no graph, no planning, no pooling decisions. This is
// what jax's `jit` and tinygrad's `TinyJit` do, in a few lines.
//
// The seam: the engine makes its backend calls at a few places, and each tells the recording
// what it does (`recorded` below): runKernel and Tensor.empty (engine/tensor.ts), Tensor.write
// (numbers written into a buffer), releaseStorage (a buffer freed), endTrainingStep (a submit),
// and the reads, which a recording refuses (refuseReadWhileRecording).
//
// What may change from step to step is declared where it happens, so a replay recomputes it:
//   - random numbers: each random kernel call reserves a fresh counter from its generator;
//   - optimizers: the step count t (Adam's bias correction) and the learning rate.
// Everything else is frozen at recording: a number written into a tensor inside the step, a
// branch taken in JavaScript. A step that reads values back (dataSync, await t.data()) cannot
// be compiled: the read would see the first step's values forever, so compile() refuses it.

import type { Backend, KernelCall, Storage } from './backend';
import { currentBackend } from './backend';
import { keep } from './memory';
import { checkOptions } from './options';
import { runKernel, Tensor } from './tensor';
import { watchWhileRecording } from './trace';

type Entry =
  | { kind: 'run'; call: KernelCall; refresh: (() => object) | null }
  | { kind: 'write'; dst: Storage; data: number[] }
  | { kind: 'effect'; effect: () => void }
  | { kind: 'endStep' };

interface Recording {
  entries: Entry[];
  /** Buffers allocated while recording. */
  allocated: Set<Storage>;
  /** Of those, the ones the step freed again: the plan's own scratch buffers from now on. */
  scratch: Set<Storage>;
}

let recording: Recording | null = null;
let readsAllowed = 0;

/** @internal A read made only to validate inputs (gather's index range on the CPU): allowed while recording. */
export function validationRead<T>(read: () => T): T {
  readsAllowed++;
  try {
    return read();
  } finally {
    readsAllowed--;
  }
}

/** @internal Run `effect` now, and again at this point of every replay (an optimizer's t += 1). */
export function replayable(effect: () => void): void {
  effect();
  recording?.entries.push({ kind: 'effect', effect });
}

/**
 * @internal The fields of a kernel call just made that change from step to step: `refresh`
 * recomputes them at every replay (a random call's counter, Adam's t and learning rate).
 */
export function refreshOnReplay<C extends KernelCall>(call: C, refresh: () => Partial<C>): void {
  if (recording === null) return;
  for (let i = recording.entries.length - 1; i >= 0; i--) {
    const e = recording.entries[i];
    if (e.kind === 'run' && e.call === call) {
      e.refresh = refresh;
      return;
    }
  }
}

// ---- the seam: what the engine's backend calls tell a recording ----

/** @internal The engine's backend calls, as a recording sees them (each does nothing when none is made). */
export const recorded = {
  /** A buffer was allocated. */
  alloc(storage: Storage): void {
    recording?.allocated.add(storage);
  },
  /** A kernel call is about to run. */
  run(call: KernelCall): void {
    recording?.entries.push({ kind: 'run', call, refresh: null });
  },
  /** Numbers are about to be written into a buffer. */
  write(dst: Storage, data: ArrayLike<number>): void {
    recording?.entries.push({ kind: 'write', dst, data: Array.from(data) });
  },
};

/** @internal A read of a tensor's values (data(), dataSync(), item()): refused while a step is recorded. */
export function refuseReadWhileRecording(): void {
  if (recording === null || readsAllowed > 0) return;
  throw new Error('compile: the step reads a tensor\'s values (data(), dataSync(), item()); a replay would repeat the first step\'s values. Read them outside the compiled step, from the tensors it returns.');
}

/** @internal The end of a training step: a queued backend (WebGPU) submits its work here, and a replay does too. */
export function endTrainingStep(backend: Backend): void {
  if (!backend.endStep) return; // the CPU backend has no queue
  recording?.entries.push({ kind: 'endStep' });
  backend.endStep();
}

// ---- buffers a compiled step writes into stay reserved for it ----

const pinned = new Map<Storage, CompiledPlan>();

/**
 * Buffers made before the recording that a plan reads (its inputs, the parameters): freeing one
 * would let the pool hand it to another tensor, and a replay would read that tensor's values.
 * So a freed input is held back (and released with the last plan that reads it) and the plans
 * that read it refuse to replay.
 */
const readers = new Map<Storage, Set<CompiledPlan>>();
/** Inputs whose tensors were disposed, held back until no plan reads them. */
const heldInputs = new Set<Storage>();

/** @internal Tensor.dispose's way to free a buffer: one that a compiled step writes into waits for the plan. */
export function releaseStorage(backend: Backend, storage: Storage): void {
  // A scratch buffer of the step being recorded is not handed back to the pool: the replay reuses it.
  if (recording?.allocated.has(storage)) {
    recording.scratch.add(storage);
    return;
  }
  const plan = pinned.get(storage);
  const plans = readers.get(storage);
  if (plan) plan.orphans.add(storage);
  else if (plans && plans.size > 0) {
    for (const p of plans) p.freedInput ??= `a ${storage.dtype} buffer of ${storage.size} values`;
    heldInputs.add(storage);
  } else backend.release(storage);
}

/** The storages a kernel call names (its inputs and outputs). */
function storagesOf(call: KernelCall): Storage[] {
  const out: Storage[] = [];
  for (const v of Object.values(call)) {
    if (v !== null && typeof v === 'object' && 'dtype' in v && 'size' in v && 'backend' in v) out.push(v as Storage);
  }
  return out;
}

class CompiledPlan {
  readonly orphans = new Set<Storage>();
  /** Set when a tensor the plan reads (made before the recording) is disposed: the replay refuses. */
  freedInput: string | null = null;
  readonly inputs: Set<Storage>;
  constructor(readonly backend: Backend, readonly entries: Entry[], readonly scratch: Storage[], readonly outputs: Tensor[], allocated: Set<Storage>) {
    this.inputs = new Set();
    for (const e of entries) {
      const named = e.kind === 'run' ? storagesOf(e.call) : e.kind === 'write' ? [e.dst] : [];
      for (const s of named) if (!allocated.has(s)) this.inputs.add(s);
    }
    for (const s of this.inputs) {
      let set = readers.get(s);
      if (!set) readers.set(s, (set = new Set()));
      set.add(this);
    }
  }

  replay(): void {
    if (this.freedInput !== null) {
      throw new Error(`compile: a tensor the compiled step reads (${this.freedInput}, made before the step was recorded) was disposed; a replay would read freed memory. Keep the step's inputs and parameters alive while it is used, or dispose the compiled step and compile it again`);
    }
    const b = this.backend;
    for (const e of this.entries) {
      switch (e.kind) {
        case 'run':
          if (e.refresh) Object.assign(e.call, e.refresh());
          b.run(e.call);
          break;
        case 'write': b.write(e.dst, e.data); break;
        case 'effect': e.effect(); break;
        case 'endStep': b.endStep?.(); break;
      }
    }
  }

  dispose(): void {
    for (const t of this.outputs) t.dispose();
    for (const [storage, plan] of pinned) if (plan === this) pinned.delete(storage);
    for (const s of this.inputs) {
      const set = readers.get(s);
      set?.delete(this);
      if (set && set.size > 0) continue;
      readers.delete(s);
      if (heldInputs.delete(s)) this.backend.release(s);
    }
    for (const s of [...this.scratch, ...this.orphans]) this.backend.release(s);
    this.orphans.clear();
  }
}

/**
 * One entry of a compiled plan, in the order a replay runs it: a kernel call (`refreshed` when
 * some of its fields are recomputed at each replay: a random kernel's counter, Adam's t and
 * learning rate), a write of numbers into a buffer, a replayable effect (JavaScript bookkeeping: a
 * random op reserving its generator's blocks, an optimizer's t += 1), or the submit that ends a
 * training step on WebGPU.
 */
export type PlanEntry =
  | { kind: 'run'; call: KernelCall; refreshed: boolean }
  | { kind: 'write'; size: number }
  | { kind: 'effect' }
  | { kind: 'submit' };

/** What compile() gives back: call it like the step. */
export interface CompiledStep<T> {
  (): T;
  /** The kernel calls a replay makes, in order. */
  readonly calls: readonly KernelCall[];
  /** The whole plan a replay runs, in order (the page's "under the hood" panel shows it). */
  readonly plan: readonly PlanEntry[];
  /** How many times the step was recorded (1, plus one per change of key or backend). */
  readonly recordings: number;
  /** Free the plan's buffers. Calling the compiled step after this is an error. */
  dispose(): void;
}

export interface CompileOptions {
  /**
   * Settings the step depends on (a batch size, a learning-rate schedule phase...): when the
   * value's JSON changes between calls, the step is recorded again.
   */
  key?: () => unknown;
}

/**
 * Record `step` on its first call, replay its kernel calls on the next ones. `step` returns
 * what a training step returns (tensors, arrays or plain objects of them, e.g. the losses); each
 * call returns fresh copies of those tensors (one copy kernel each), which the caller owns.
 * On WebGPU wrap the step's body in trainingStep() as usual: the replay submits where it did.
 */
export function compile<T>(step: () => T, options: CompileOptions = {}): CompiledStep<T> {
  checkOptions('compile', options, { key: 'function' });
  if (typeof step !== 'function') throw new Error('compile: step must be a function (the training step to record)');
  let plan: CompiledPlan | null = null;
  let result: T;
  let key = '';
  let recordings = 0;

  const record = (): void => {
    if (recording !== null) throw new Error('compile: a compiled step was called while another one is being recorded');
    const backend = currentBackend();
    const rec: Recording = { entries: [], allocated: new Set(), scratch: new Set() };
    const stopWatching = watchWhileRecording();
    recording = rec;
    try {
      result = step();
    } finally {
      recording = null;
      stopWatching();
    }
    const outputs: Tensor[] = [];
    forEachTensor(result, (t) => outputs.push(keep(t)));
    plan = new CompiledPlan(backend, rec.entries, [...rec.scratch], outputs, rec.allocated);
    // Buffers made while recording that tensors still hold (gradients, outputs): the plan writes
    // into them, so freeing them must wait for the plan.
    for (const s of rec.allocated) if (!rec.scratch.has(s)) pinned.set(s, plan);
    recordings++;
  };

  let disposed = false;
  const compiled = (() => {
    if (disposed) throw new Error('compile: this compiled step was disposed; compile the step again to use it');
    const k = options.key ? JSON.stringify(options.key()) : '';
    if (plan !== null && (k !== key || plan.backend !== currentBackend())) {
      plan.dispose();
      plan = null;
    }
    key = k;
    if (plan === null) record();
    else plan.replay();
    return mapTensors(result, copyOf);
  }) as CompiledStep<T>;
  Object.defineProperty(compiled, 'calls', { get: () => (plan?.entries ?? []).flatMap((e) => (e.kind === 'run' ? [e.call] : [])) });
  Object.defineProperty(compiled, 'plan', { get: () => (plan?.entries ?? []).map(describeEntry) });
  Object.defineProperty(compiled, 'recordings', { get: () => recordings });
  compiled.dispose = () => {
    plan?.dispose();
    plan = null;
    disposed = true;
  };
  return compiled;
}

function describeEntry(e: Entry): PlanEntry {
  switch (e.kind) {
    case 'run': return { kind: 'run', call: e.call, refreshed: e.refresh !== null };
    case 'write': return { kind: 'write', size: e.data.length };
    case 'effect': return { kind: 'effect' };
    case 'endStep': return { kind: 'submit' };
  }
}

/** A fresh tensor with t's values: the next replay overwrites t, not what the caller holds. */
function copyOf(t: Tensor): Tensor {
  const out = Tensor.empty(t.shape, t.dtype, t.backend);
  runKernel(t.backend, {
    kernel: 'copyAxis', src: t.storage('compile'), dst: out.storage('compile'), outer: 1, inner: t.size, srcAxis: 1, dstAxis: 1, srcStart: 0, dstStart: 0, count: 1,
  }, 'compile.output', [t.shape]);
  return out;
}

function forEachTensor(value: unknown, fn: (t: Tensor) => void): void {
  if (value instanceof Tensor) fn(value);
  else if (Array.isArray(value)) for (const v of value) forEachTensor(v, fn);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) forEachTensor(v, fn);
}

function mapTensors<T>(value: T, fn: (t: Tensor) => Tensor): T {
  if (value instanceof Tensor) return fn(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapTensors(v, fn)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTensors(v, fn)])) as T;
  }
  return value;
}
