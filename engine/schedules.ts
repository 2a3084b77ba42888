// Learning-rate schedules: functions from the step number to a learning rate, which the
// optimizers call before each step (new Adam(params, { lr: 0.01, schedule: cosineLR({ ... }) })).
// `step` counts the steps taken before this one (0 for the first), and `baseLr` is the
// optimizer's lr option, so each schedule equals the PyTorch scheduler of the same name stepped
// once after every optimizer step.

import { checkOptions } from './options';

/** The learning rate of the step after `step` steps, given the optimizer's base rate. */
export type LrSchedule = (step: number, baseLr: number) => number;

function positiveInteger(op: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${op}: ${key} must be a positive integer, got ${String(v)}`);
  return v;
}

function inRange(op: string, key: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new Error(`${op}: ${key} must be in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}

/** lr = baseLr · gamma^⌊step / stepSize⌋ (PyTorch's StepLR; gamma defaults to 0.1 as there). */
export function stepLR(options: { stepSize: number; gamma?: number }): LrSchedule {
  checkOptions('stepLR', options, { stepSize: 'integer', gamma: 'number' }, { example: 'stepLR({ stepSize: 100, gamma: 0.5 })' });
  const stepSize = positiveInteger('stepLR', 'stepSize', options?.stepSize);
  const gamma = inRange('stepLR', 'gamma', options.gamma ?? 0.1, 0, 1);
  return (step, baseLr) => baseLr * gamma ** Math.floor(step / stepSize);
}

/** lr = baseLr · gamma^step (PyTorch's ExponentialLR). */
export function exponentialLR(options: { gamma: number }): LrSchedule {
  checkOptions('exponentialLR', options, { gamma: 'number' }, { example: 'exponentialLR({ gamma: 0.99 })' });
  const gamma = inRange('exponentialLR', 'gamma', options?.gamma, 0, 1);
  return (step, baseLr) => baseLr * gamma ** step;
}

/**
 * Cosine annealing (Loshchilov and Hutter 2017, without restarts) after a linear warm-up
 * (Goyal et al. 2017):
 *   step < W:      lr = baseLr · (step + 1) / W
 *   W ≤ step:      lr = minLr + (baseLr − minLr) · (1 + cos(π · min(step − W, T) / T)) / 2,  T = totalSteps − W
 * With warmupSteps 0 it is PyTorch's CosineAnnealingLR(T_max = totalSteps, eta_min = minLr);
 * after totalSteps the rate stays at minLr.
 */
export function cosineLR(options: { totalSteps: number; warmupSteps?: number; minLr?: number }): LrSchedule {
  checkOptions('cosineLR', options, { totalSteps: 'integer', warmupSteps: 'integer', minLr: 'number' }, { example: 'cosineLR({ totalSteps: 1000, warmupSteps: 100 })' });
  const total = positiveInteger('cosineLR', 'totalSteps', options?.totalSteps);
  const warmup = options.warmupSteps ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0 || warmup >= total) throw new Error(`cosineLR: warmupSteps must be a whole number below totalSteps (${total}), got ${String(warmup)}`);
  const minLr = inRange('cosineLR', 'minLr', options.minLr ?? 0, 0, Infinity);
  const span = total - warmup;
  return (step, baseLr) => {
    if (step < warmup) return (baseLr * (step + 1)) / warmup;
    const t = Math.min(step - warmup, span);
    return minLr + ((baseLr - minLr) * (1 + Math.cos((Math.PI * t) / span))) / 2;
  };
}
