// One quality run as the quality tables define it: train for a number of epochs, then score 5000
// generated samples against 5000 fresh target samples, and average the losses of the last
// 20 epochs. Used by the quality tests and by models/scripts/gan-quality.ts (the README table).

import { referenceSamples, scoreSamples } from '../eval/evaluate';
import { getTarget } from '../data/targets';
import type { GanConfig } from './config';
import { createGan } from './model';

export interface QualityRow {
  target: string;
  seed: number;
  epochs: number;
  mean: number;
  std: number;
  w1: number;
  kld: number;
  /** Share of generated samples above 4 (between the two modes of `bimodal`). */
  above4: number;
  /** Mean D and G loss over the last 20 epochs. */
  dLossLast20: number;
  gLossLast20: number;
  seconds: number;
}

export async function qualityRun(targetName: string, config: Partial<GanConfig>, seed: number, epochs: number): Promise<QualityRow> {
  const target = getTarget(targetName);
  const started = performance.now();
  // The history's per-epoch scores use 1000 samples (they do not affect training); the final
  // scores below use 5000 against 5000.
  const gan = createGan(target, { ...config, seed, evalSamples: 1000 });
  try {
    for (let e = 0; e < epochs; e++) await gan.trainEpoch();
    const samples = await gan.sample(5000);
    const m = scoreSamples(samples, target, referenceSamples(target, 5000, seed));
    const last = gan.history.slice(-20);
    const avg = (k: string): number => last.reduce((s, r) => s + r[k], 0) / last.length;
    let above = 0;
    for (const x of samples) if (x > 4) above++;
    return {
      target: target.name, seed, epochs,
      mean: m.mean[0], std: m.std[0], w1: m.w1, kld: m.kld,
      above4: above / samples.length,
      dLossLast20: avg('dLoss'), gLossLast20: avg('gLoss'),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    gan.dispose();
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
