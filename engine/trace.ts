// Watching the engine work: every kernel dispatch can be reported to listeners, with the op
// that asked for it, the kernel's name and the shapes involved. The debug switch prints them;
// the demo page's "under the hood" panel and the benchmark count them. When nobody listens,
// tracing costs one array-length check per dispatch.

import type { Backend, KernelCall } from './backend';
import { formatShape, type Shape } from './shape';

export interface DispatchRecord {
  /** The engine op (e.g. 'matmul', 'matmul.backward', 'adam'). */
  op: string;
  /** The kernel that ran (e.g. 'matmul', 'binary'), and its sub-operation where it has one. */
  kernel: string;
  backend: string;
  shapes: Shape[];
  /** The full call, for tools that want the parameters. */
  call: KernelCall;
  /** The compiled kernel(s) that ran, e.g. 'binary.add.rowB' (WebGPU; see kernelSource()). */
  label?: string;
  /** Workgroup counts of each dispatch (WebGPU). */
  workgroups?: [number, number, number][];
  /** For a backward dispatch: the derivative rule it computes, e.g. 'sigmoid: dx = dy·y·(1 − y)'. */
  rule?: string;
}

let activeRule: string | null = null;

/** @internal Run fn (one node's backward rule) with its dispatches tagged by the rule. */
export function withRule<T>(rule: string, fn: () => T): T {
  const before = activeRule;
  activeRule = rule;
  try {
    return fn();
  } finally {
    activeRule = before;
  }
}

/** @internal The rule whose dispatches are being made now (a deferred kernel keeps it for later), or null. */
export function currentRule(): string | null {
  return activeRule;
}

type Listener = (record: DispatchRecord) => void;
const listeners: Listener[] = [];

/** Subscribe to dispatches; returns a function that unsubscribes. */
export function onDispatch(listener: Listener): () => void {
  listeners.push(listener);
  return () => {
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  };
}

/**
 * Whether anyone watches the kernel calls (the page's graph and under-the-hood panels, debug mode,
 * compile() recording a step): a model with a fast path that bypasses the engine's ops (the RBM's
 * fused CPU loops, a compiled step's replay) takes its plain engine step instead, so that the
 * watcher sees the real ops.
 */
export function dispatchesWatched(): boolean {
  return listeners.length > 0 || recordings > 0;
}

let recordings = 0;

/**
 * @internal compile() recording a step watches its kernel calls too: until the returned function
 * is called, models take their plain engine step, the one a replay can repeat.
 */
export function watchWhileRecording(): () => void {
  recordings++;
  return () => { recordings--; };
}

export function traceDispatch(backend: Backend, call: KernelCall, op: string, shapes: Shape[]): void {
  if (listeners.length === 0) return;
  // The sub-operation: a row of the op table, or for a layer's backward the loss it takes the gradient of.
  const sub = 'op' in call ? `:${call.op}` : call.kernel === 'linearGrad' && call.loss ? `:${call.loss.op}` : '';
  const record: DispatchRecord = { op, kernel: call.kernel + sub, backend: backend.name, shapes, call };
  if (activeRule !== null) record.rule = activeRule;
  if (backend.describe) {
    try {
      Object.assign(record, backend.describe(call));
    } catch {
      // the run itself will report a call that cannot be planned
    }
  }
  for (const l of listeners) l(record);
}

let stopDebug: (() => void) | null = null;

/** Print every dispatch to the console (learners: watch what one training step runs). */
export function setDebug(on: boolean, log: (line: string) => void = console.log): void {
  stopDebug?.();
  stopDebug = null;
  if (on) {
    stopDebug = onDispatch((r) => {
      const gpu = r.label ? `  ${r.label} wg=${(r.workgroups ?? []).map((w) => w.join('x')).join(',')}` : '';
      log(`[gradlab] ${r.backend} ${r.kernel.padEnd(22)} ${r.op.padEnd(24)} ${r.shapes.map(formatShape).join(' ')}${gpu}`);
    });
  }
}

/** Collect the dispatches made while fn runs. */
export function recordDispatches<T>(fn: () => T): { result: T; dispatches: DispatchRecord[] } {
  const dispatches: DispatchRecord[] = [];
  const stop = onDispatch((r) => dispatches.push(r));
  try {
    return { result: fn(), dispatches };
  } finally {
    stop();
  }
}
