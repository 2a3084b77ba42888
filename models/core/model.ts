// What every generative model here (GAN, VAE, RBM, diffusion) offers the command line, the
// comparison report and the demo page. Nothing here touches the DOM or Node's APIs.
//
// A model owns: its networks and optimizers, a fixed dataset of N samples drawn once from the
// target (or the user's CSV), a seeded generator for minibatches and noise, and its history.
// One epoch = floor(N / B) steps, the playground's definition.

import type { PlanEntry, RngState } from '../../engine/index';
import type { Target } from '../data/targets';
import type { EpochOptions } from './score-schedule';

export type ModelKind = 'gan' | 'vae' | 'rbm' | 'diffusion';

/** Settings every model shares. Model-specific configs extend this. */
export interface BaseConfig {
  seed: number;
  /** Dataset size N (drawn once). */
  dataset: number;
  /** Minibatch size B. */
  batch: number;
  /** Samples drawn for the metrics of each history record (against as many fresh target samples). */
  evalSamples: number;
  /** K > 0: binned (one-hot) mode with K bins; 0: continuous. */
  bins: number;
}

/** One row of a model's history, pushed at the end of each epoch. */
export interface HistoryRecord {
  epoch: number;
  step: number;
  /** Wasserstein-1 between generated and fresh target samples (sliced W1 in 2D). */
  w1: number;
  /** Histogram KL(target ‖ model) (2D histogram in 2D). */
  kld: number;
  /**
   * Model-specific numbers (gLoss, dLoss, reconLoss, kl, freeEnergy, loss, ...), and, only when
   * a ScoreSchedule skipped scoring this epoch (models/core/score-schedule.ts), scoredEpoch: the
   * earlier epoch whose samples gave the w1 and kld repeated here.
   */
  [metric: string]: number;
}

/** Final metrics of a run (the `--json` line of `gradlab train` has these names). */
export interface FinalMetrics {
  w1: number;
  kld: number;
  /** Two-sample KS statistic (1D; NaN in 2D). */
  ks: number;
  /** Per-dimension mean and std of generated samples, and of the target. */
  mean: number[];
  std: number[];
  targetMean: number[];
  targetStd: number[];
}

/** A JSON checkpoint: enough to resume training exactly (CPU backend) or to sample. */
export interface Checkpoint {
  format: 'gradlab-checkpoint';
  version: 1;
  model: ModelKind;
  target: string;
  config: Record<string, unknown>;
  epoch: number;
  steps: number;
  /** Parameter values by stable name (e.g. 'G.layers.0.weight'). */
  weights: Record<string, number[]>;
  /** Optimizer states by name ('G', 'D', ...): Adam's step count and moments. */
  optimizers: Record<string, { step: number; m: number[][]; v: number[][] }>;
  rng: RngState;
  /** The fixed dataset, so a resumed run sees the very same data. */
  data: number[];
  /** A conditional GAN's class label of each dataset row (absent for the other models). */
  labels?: number[];
  history: HistoryRecord[];
  /** Absent at an epoch boundary; a checkpoint saved part-way through an epoch holds its progress. */
  partialEpoch?: PartialEpoch;
}

/**
 * An epoch saved part-way (a run stopped by Ctrl+C): the steps it has taken and the running sums
 * of its losses (float32 values, exact in JSON), so that it finishes with the record, and the
 * weights, of a run that never stopped. The batches and noise to come follow from `rng`.
 */
export interface PartialEpoch {
  /** Steps of the epoch taken, from 1 to stepsPerEpoch − 1. */
  steps: number;
  /** The sum over those steps of each loss the epoch's record averages, by name. */
  sums: Record<string, number>;
  /** The GAN's discriminator updates among them (k per step, counted apart). */
  dSteps?: number;
}

/** Cut `history` back to its last `limit` records once it holds 2·limit (amortised O(1) per epoch). */
export function trimHistory(history: HistoryRecord[], limit: number): void {
  if (history.length > 2 * limit) history.splice(0, history.length - limit);
}

/** Training stopped because a number went bad; the message says what and suggests a fix. */
export class DivergenceError extends Error {
  constructor(message: string, readonly epoch: number, readonly step: number) {
    super(message);
    this.name = 'DivergenceError';
  }
}

export interface GenerativeModel {
  readonly kind: ModelKind;
  readonly config: BaseConfig & Record<string, unknown>;
  readonly target: Target;
  readonly dim: 1 | 2;
  readonly epoch: number;
  readonly steps: number;
  readonly stepsPerEpoch: number;
  /**
   * Steps of the unfinished epoch taken one by one with trainStep() (a run stopped part-way
   * through an epoch, or restored from a checkpoint saved there); runTraining finishes that
   * epoch first. 0 at an epoch boundary.
   */
  readonly epochStepsDone: number;
  readonly history: readonly HistoryRecord[];
  /**
   * How many of the latest records `history` keeps at least (it is cut back to this many when it
   * holds twice as many). Infinity by default: the command line, checkpoints and reports keep
   * every epoch; the demo page, which may train for hours, keeps a short tail and plots a
   * decimated copy (demo/history.ts).
   */
  historyLimit: number;
  /** Total number of trainable scalars. */
  parameterCount(): number;
  /** One optimisation step; records GPU work but reads nothing back. */
  trainStep(): void;
  /** One optimisation step through compile(), returning the plan it recorded (see engine/compile.ts). */
  compiledStepPlan(): PlanEntry[];
  /**
   * One epoch of steps, then evaluation (reads back): pushes and returns a history record.
   * Every epoch is scored unless `options` says otherwise (a forced choice, or a ScoreSchedule).
   * Throws DivergenceError on a non-finite loss or exploding weights.
   */
  trainEpoch(options?: EpochOptions): Promise<HistoryRecord>;
  /** n samples in data space (interleaved x, y pairs in 2D), decoded from bins in binned mode. */
  sample(n: number): Promise<Float64Array>;
  /**
   * n samples for display while training (compare's snapshots), possibly approximate and
   * cheaper than sample() (the RBM's persistent chains); absent: use sample().
   */
  previewSamples?(n: number): Promise<Float64Array>;
  /** Final metrics from `evalSamples` samples against as many fresh target samples. */
  evaluate(): Promise<FinalMetrics>;
  save(): Promise<Checkpoint>;
  /** Free every tensor the model owns. */
  dispose(): void;
}
