// Training a model for a number of epochs (or steps), with callbacks for progress. Shared by
// `gradlab train` and the comparison report. No Node or DOM APIs.
//
// Steps are rounded UP to whole epochs: a history record (and the divergence check) comes at
// the end of an epoch, so `steps: 100` with 16 steps per epoch trains 7 epochs = 112 steps.
//
// Scoring follows a ScoreSchedule (models/core/score-schedule.ts): at most ~20% of the run's time goes
// to the per-epoch W1/KLD, and the last epoch is always scored in full (so evaluate() afterwards
// reuses that score instead of sampling again).

import type { GenerativeModel, HistoryRecord } from './model';
import { checkOptions } from '../../engine/options';
import { ScoreSchedule } from './score-schedule';

export interface TrainOptions {
  /** Epochs to train (default 1 when neither epochs nor steps is given). */
  epochs?: number;
  /** Steps to train, rounded up to whole epochs. Give epochs or steps, not both. */
  steps?: number;
  /** Called after each epoch with its history record. */
  onEpoch?(record: HistoryRecord): void;
  /** Share of the run's time that per-epoch scoring may take (default SCORE_SHARE, 0.2); 1 scores every epoch. */
  scoreShare?: number;
  /** Called after each epoch with epochs done and the total. */
  onProgress?(done: number, total: number): void;
  /** Awaited after each epoch, before shouldStop (the command line's movie draws its frames here). */
  afterEpoch?(record: HistoryRecord, done: number, total: number): void | Promise<void>;
  /**
   * Asked between steps (every STOP_POLL_MS of training) and after each epoch but the last: true
   * stops the run there, at a step boundary, where a checkpoint resumes exactly (Ctrl+C in the
   * command line). With it, an epoch's steps are taken one by one.
   */
  shouldStop?(): boolean | Promise<boolean>;
}

export interface TrainResult {
  /** Epochs and steps run by this call. */
  epochs: number;
  steps: number;
  seconds: number;
  /** The last history record (undefined if no epoch ran). */
  last: HistoryRecord | undefined;
  /** True when shouldStop ended the run early. */
  stopped?: boolean;
}

/** How often (ms of training) runTraining asks shouldStop between steps: often enough for Ctrl+C, rarely enough to cost nothing. */
export const STOP_POLL_MS = 50;

/**
 * Steps of an epoch the model has begun and not finished (a checkpoint saved part-way through
 * one, restored with its running sums): trainEpoch({ stepsDone }) takes the rest. 0 at an epoch
 * boundary, and when the steps taken go beyond an epoch (the page's "under the hood" steps), which
 * trainEpoch leaves out of the next epoch.
 */
export function unfinishedEpochSteps(model: Pick<GenerativeModel, 'epochStepsDone' | 'stepsPerEpoch'>): number {
  return model.epochStepsDone < model.stepsPerEpoch ? model.epochStepsDone : 0;
}

/** Whole epochs covering `steps` steps of a model with `stepsPerEpoch` steps per epoch. */
export function epochsForSteps(steps: number, stepsPerEpoch: number): number {
  return Math.ceil(steps / stepsPerEpoch);
}

export async function runTraining(model: GenerativeModel, options: TrainOptions = {}): Promise<TrainResult> {
  checkOptions('runTraining', options, { epochs: 'integer', steps: 'integer', onEpoch: 'function', onProgress: 'function', afterEpoch: 'function', scoreShare: 'number', shouldStop: 'function' });
  const { epochs, steps } = options;
  if (epochs !== undefined && steps !== undefined) throw new Error('runTraining: give epochs or steps, not both');
  for (const [name, v] of [['epochs', epochs], ['steps', steps]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new Error(`runTraining: ${name} must be a non-negative integer, got ${v}`);
  }
  const total = steps !== undefined ? epochsForSteps(steps, model.stepsPerEpoch) : (epochs ?? 1);
  const started = performance.now();
  const stepsBefore = model.steps;
  let last: HistoryRecord | undefined;
  const schedule = new ScoreSchedule(options.scoreShare);
  const stopped = (done: number): TrainResult => ({ epochs: done, steps: model.steps - stepsBefore, seconds: (performance.now() - started) / 1000, last, stopped: true });
  for (let done = 1; done <= total; done++) {
    // An epoch begun before (a checkpoint saved part-way through one) is finished first.
    if (options.shouldStop && !(await stepsUntilLast(model, options.shouldStop, schedule))) return stopped(done - 1);
    const stepsDone = unfinishedEpochSteps(model);
    last = await model.trainEpoch(done === total ? { score: true, schedule, stepsDone } : { schedule, stepsDone });
    options.onEpoch?.(last);
    options.onProgress?.(done, total);
    await options.afterEpoch?.(last, done, total);
    if (done < total && options.shouldStop && (await options.shouldStop())) return stopped(done);
  }
  return { epochs: total, steps: model.steps - stepsBefore, seconds: (performance.now() - started) / 1000, last };
}

/**
 * Take the epoch's steps one by one up to its last (which trainEpoch takes, closing the epoch),
 * asking shouldStop every STOP_POLL_MS; false when it said stop (after a whole step). The time
 * goes to the score schedule as training, as if trainEpoch had taken the steps.
 */
async function stepsUntilLast(model: GenerativeModel, shouldStop: () => boolean | Promise<boolean>, schedule: ScoreSchedule): Promise<boolean> {
  if (model.epochStepsDone >= model.stepsPerEpoch) return true; // steps beyond an epoch (the page's): trainEpoch starts afresh
  const started = performance.now();
  let polled = started;
  try {
    while (model.epochStepsDone < model.stepsPerEpoch - 1) {
      model.trainStep();
      const now = performance.now();
      if (now - polled >= STOP_POLL_MS) {
        if (await shouldStop()) return false;
        polled = performance.now();
      }
    }
    return true;
  } finally {
    schedule.addTraining(performance.now() - started);
  }
}
