// The conditional GAN's quality check: train on a mixture target, then for each class c draw
// 5000 samples of G(z, c) and compare them with component c. The goal: at least 95% of them
// nearer to component c's mean than to any other component's mean, and their mean and std
// within 0.15 of the component's. Used by the quality test and by models/scripts/gan-quality.ts.

import { getTarget } from '../data/targets';
import type { ClassReport } from './conditional';
import type { GanConfig } from './config';
import { createGan } from './model';

/** The goal's thresholds. */
export const CONDITIONAL_GOAL = { nearest: 0.95, meanError: 0.15, stdError: 0.15 };

/** Samples of G(z, c) per class that a quality run scores. */
export const CONDITIONAL_QUALITY_SAMPLES = 5000;

export interface ConditionalQualityRow {
  target: string;
  seed: number;
  epochs: number;
  classes: ClassReport[];
  /** Every class meets the goal. */
  passed: boolean;
  seconds: number;
}

/** Whether one class meets the goal (first dimension: the goal is set on 1D targets; 2D checks every one). */
export function meetsGoal(r: ClassReport): boolean {
  return r.nearest >= CONDITIONAL_GOAL.nearest &&
    r.mean.every((m, d) => Math.abs(m - r.targetMean[d]) <= CONDITIONAL_GOAL.meanError) &&
    r.std.every((s, d) => Math.abs(s - r.targetStd[d]) <= CONDITIONAL_GOAL.stdError);
}

export async function conditionalQualityRun(targetName: string, config: Partial<GanConfig>, seed: number, epochs: number): Promise<ConditionalQualityRow> {
  const target = getTarget(targetName);
  const started = performance.now();
  // The per-epoch history scores (1000 samples, unused here) do not affect training.
  const gan = createGan(target, { ...config, conditional: true, seed, evalSamples: 1000 });
  try {
    for (let e = 0; e < epochs; e++) await gan.trainEpoch({ score: e === epochs - 1 });
    const classes = await gan.classReports(CONDITIONAL_QUALITY_SAMPLES);
    return { target: target.name, seed, epochs, classes, passed: classes.every(meetsGoal), seconds: (performance.now() - started) / 1000 };
  } finally {
    gan.dispose();
  }
}
