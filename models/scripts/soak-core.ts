// A soak run: one model trained for many steps on the current backend, with live tensors, live
// buffers and the process's resident memory sampled after warm-up and at the end. A leak shows
// as counts that keep climbing; a healthy loop is flat once its pools are warm. Used by
// `npm run soak` (models/scripts/soak.ts) and, shorter, by tests/hardening/soak.test.ts.

import { backendStats, getBackend, liveTensors, type BackendName } from '../../engine/index';
import type { ModelKind } from '../core/model';
import { createModel } from '../core/registry';
import { getTarget } from '../data/targets';

export interface SoakPoint {
  step: number;
  liveTensors: number;
  liveBuffers: number;
  rssMB: number;
  heapMB: number;
}

export interface SoakResult {
  model: ModelKind;
  backend: BackendName;
  steps: number;
  seconds: number;
  /** Before the model was made. */
  start: SoakPoint;
  /** After `warmup` steps (pools and caches filled). */
  warm: SoakPoint;
  end: SoakPoint;
  /** After model.dispose(): what the run left behind. */
  disposed: SoakPoint;
}

/** Collect garbage when Node was started with --expose-gc, so RSS reflects live memory. */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function point(step: number): SoakPoint {
  collect();
  const m = process.memoryUsage();
  return { step, liveTensors: liveTensors(), liveBuffers: backendStats().liveBuffers, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20 };
}

/**
 * Train `kind` on N(4, 0.5) for at least `steps` steps (whole epochs of 100 steps: dataset 1600,
 * batch 16, 16 samples scored per epoch) and sample memory after `warmup` steps and at the end.
 */
export async function soak(kind: ModelKind, steps: number, warmup = Math.min(1000, Math.floor(steps / 5))): Promise<SoakResult> {
  const start = point(0);
  const started = performance.now();
  const model = createModel(kind, getTarget('normal'), { seed: 1, dataset: 1600, batch: 16, evalSamples: 16, ...(kind === 'rbm' ? { gibbsSteps: 20 } : {}) });
  let warm: SoakPoint | null = null;
  while (model.steps < steps) {
    await model.trainEpoch();
    if (warm === null && model.steps >= warmup) warm = point(model.steps);
  }
  const end = point(model.steps);
  const seconds = (performance.now() - started) / 1000;
  model.dispose();
  return { model: kind, backend: getBackend(), steps: model.steps, seconds, start, warm: warm ?? end, end, disposed: point(model.steps) };
}

/** One table row per run: tensors, buffers and RSS after warm-up → at the end (→ after dispose). */
export function formatSoak(r: SoakResult): string {
  const f = (a: SoakPoint, b: SoakPoint, c: SoakPoint, k: keyof SoakPoint, d = 0): string => `${a[k].toFixed(d)} → ${b[k].toFixed(d)} → ${c[k].toFixed(d)}`;
  return `| ${r.model} | ${r.backend} | ${r.steps} | ${f(r.warm, r.end, r.disposed, 'liveTensors')} | ${f(r.warm, r.end, r.disposed, 'liveBuffers')} | ${f(r.warm, r.end, r.disposed, 'rssMB')} | ${r.seconds.toFixed(0)} |`;
}

/**
 * The loop a careless user writes: `steps` calls of trainStep() with no await in between, after
 * one warm epoch. On WebGPU nothing is read back, so only the backend can bound the work queued.
 */
export async function soakWithoutAwait(kind: ModelKind, steps: number): Promise<{ model: ModelKind; backend: BackendName; steps: number; before: SoakPoint; after: SoakPoint }> {
  const model = createModel(kind, getTarget('normal'), { seed: 1, dataset: 1600, batch: 16, evalSamples: 16, ...(kind === 'rbm' ? { gibbsSteps: 20 } : {}) });
  await model.trainEpoch();
  const before = point(model.steps);
  for (let i = 0; i < steps; i++) model.trainStep();
  const after = point(model.steps);
  await model.trainEpoch(); // drains and reads back
  model.dispose();
  return { model: kind, backend: getBackend(), steps, before, after };
}
