// The long-horizon check of a GAN setting (`npm run quality:gan -- --only long`): train one run
// for thousands of epochs and ask whether it converged by epoch 300 and stayed there:
//   - W1 at each later checkpoint (1000, 3000) no worse than STAY_FACTOR × its epoch-300 value;
//   - D never flat: every FLAT_EVERY epochs, D(x) on a grid across the target's range must vary
//     by more than FLAT_RANGE (a D whose ReLUs are all off is exactly constant, and G then gets
//     no gradient at all);
//   - normal under W1 0.2 and bimodal under 0.45 with both modes (share above 4 in [0.35, 0.65])
//     at every checkpoint.
// Scores use LONG_SCORE_SAMPLES (400000) generated samples against the target's exact quantile
// function (models/eval/w1-exact.ts), not a second finite sample: the 1.25× rule compares two
// estimates, and with 20000 samples against 20000 target samples the estimator's own noise was
// 10–15% of W1 on `exponential` (docs/quality.md has the figures).

import { w1Exact } from '../eval/w1-exact';
import { getTarget, type Target } from '../data/targets';
import type { GanConfig } from './config';
import { discriminate } from './discriminate';
import { createGan, type Gan } from './model';

/** W1 at a later checkpoint may be at most this multiple of W1 at the first. */
export const STAY_FACTOR = 1.25;
/** D counts as flat when max − min of D(x) over the grid is below this. */
export const FLAT_RANGE = 1e-4;
/** Epochs between the flatness checks. */
export const FLAT_EVERY = 25;
/** Absolute W1 goals at every checkpoint, by target. */
export const W1_GOAL: Record<string, number> = { normal: 0.2, bimodal: 0.45 };
/** Bimodal: both modes held when the share of samples above 4 is in this interval. */
export const MODE_SHARE: [number, number] = [0.35, 0.65];

/** Generated samples per checkpoint score (W1 against the target's exact quantile function). */
export const LONG_SCORE_SAMPLES = 400_000;
const GRID_POINTS = 201;

export interface LongCheckpoint {
  epoch: number;
  w1: number;
  mean: number;
  std: number;
  /** Share of generated samples above 4 (between the two modes of `bimodal`). */
  above4: number;
}

export interface LongRow {
  target: string;
  seed: number;
  checkpoints: LongCheckpoint[];
  /** The first epoch at which D was found flat, or null. */
  flatAt: number | null;
  /** The smallest max − min of D(x) over the grid seen in the run. */
  minRange: number;
  /** Why the run fails (empty when it passes). */
  failures: string[];
  seconds: number;
}

/** max − min of D(x) (a probability; the raw critic for WGAN losses) over a grid across the target's range. */
export async function discriminatorRange(gan: Gan): Promise<number> {
  const [lo, hi] = gan.target.range;
  const values = await discriminate(gan, Float64Array.from({ length: GRID_POINTS }, (_, i) => lo + ((hi - lo) * i) / (GRID_POINTS - 1)));
  return Math.max(...values) - Math.min(...values);
}

async function score(gan: Gan, target: Target): Promise<LongCheckpoint> {
  const samples = await gan.sample(LONG_SCORE_SAMPLES);
  let above = 0;
  let sum = 0;
  for (const x of samples) {
    if (!Number.isFinite(x)) throw new Error(`long-horizon check: G produced ${x} at epoch ${gan.epoch}`);
    if (x > 4) above++;
    sum += x;
  }
  const mean = sum / samples.length;
  let squares = 0;
  for (const x of samples) squares += (x - mean) ** 2;
  return { epoch: gan.epoch, w1: w1Exact(samples, target), mean, std: Math.sqrt(squares / samples.length), above4: above / samples.length };
}

/** What is wrong with a run's checkpoints (the first is the reference for the later ones). */
export function longFailures(target: string, checkpoints: LongCheckpoint[], flatAt: number | null): string[] {
  const failures: string[] = [];
  if (flatAt !== null) failures.push(`D flat at epoch ${flatAt}`);
  const first = checkpoints[0];
  for (const c of checkpoints.slice(1)) {
    if (c.w1 > STAY_FACTOR * first.w1) failures.push(`W1 ${c.w1.toFixed(3)} at epoch ${c.epoch} > ${STAY_FACTOR}× ${first.w1.toFixed(3)}`);
  }
  const goal = W1_GOAL[target];
  for (const c of checkpoints) {
    if (goal !== undefined && c.w1 >= goal) failures.push(`W1 ${c.w1.toFixed(3)} ≥ ${goal} at epoch ${c.epoch}`);
    if (target === 'bimodal' && (c.above4 < MODE_SHARE[0] || c.above4 > MODE_SHARE[1])) failures.push(`one mode lost at epoch ${c.epoch} (share above 4: ${c.above4.toFixed(2)})`);
  }
  return failures;
}

/** Train `config` on `targetName` with `seed`, scoring at each epoch of `checkpoints` (ascending). */
export async function longRun(targetName: string, config: Partial<GanConfig>, seed: number, checkpoints: readonly number[] = [300, 1000, 3000]): Promise<LongRow> {
  const target = getTarget(targetName);
  const started = performance.now();
  const gan = createGan(target, { ...config, seed, evalSamples: 1000 });
  const scores: LongCheckpoint[] = [];
  let flatAt: number | null = null;
  let minRange = Infinity;
  try {
    const last = checkpoints[checkpoints.length - 1];
    while (gan.epoch < last) {
      await gan.trainEpoch({ score: false });
      if (gan.epoch % FLAT_EVERY === 0 || checkpoints.includes(gan.epoch)) {
        const range = await discriminatorRange(gan);
        minRange = Math.min(minRange, range);
        if (range < FLAT_RANGE && flatAt === null) flatAt = gan.epoch;
      }
      if (checkpoints.includes(gan.epoch)) scores.push(await score(gan, target));
    }
  } finally {
    gan.dispose();
  }
  return { target: targetName, seed, checkpoints: scores, flatAt, minRange, failures: longFailures(targetName, scores, flatAt), seconds: (performance.now() - started) / 1000 };
}
