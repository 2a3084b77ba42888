// When to score during training. Scoring an epoch means sampling the model (for the RBM, long
// Gibbs chains; for diffusion, the whole reverse process) and comparing with the target, and it
// can cost far more than the epoch itself: the RBM's chains over 1000 samples took ~7x an epoch
// of CD-5 at 799 hidden units. Scoring every epoch made scoring most of a run.
//
// The rule: score an epoch only if, counting one more score as long as the last one, scoring
// stays within `share` (20%) of the time of the run so far, training + scoring:
//   score when  S + s_last ≤ share · (T + S + s_last)
// (T: time spent training, S: time spent scoring). The first epoch is always scored, and the
// caller forces a score for the last epoch of a run (models/core/train-loop.ts), so every run ends on
// a fresh score. Epochs in between that are not scored repeat the last scores in their history
// record, with `scoredEpoch` saying which earlier epoch those scores were measured at (a record
// scored at its own epoch has no scoredEpoch).
//
// Scores taken while training (all but the forced last one) use at most TRAINING_SCORE_SAMPLES
// samples: enough to follow the curve, at a fraction of the cost; the forced last score and
// evaluate() use the model's full `evalSamples`.
//
// Training itself never depends on the schedule (scoring draws from its own generators), so the
// same seed still gives the same weights; only which epochs carry fresh scores depends on timing.

/** The most of a run's time that scoring may take. */
export const SCORE_SHARE = 0.2;

/** Samples per score while training (the final score uses the model's evalSamples). */
export const TRAINING_SCORE_SAMPLES = 500;

export class ScoreSchedule {
  private trainingMs = 0;
  private scoringMs = 0;
  private lastScoreMs = 0;
  private scores = 0;

  constructor(readonly share: number = SCORE_SHARE) {}

  /** Whether to score the epoch that just ended (unless the caller forces it either way). */
  due(): boolean {
    if (this.scores === 0) return true;
    const withNext = this.scoringMs + this.lastScoreMs;
    return withNext <= this.share * (this.trainingMs + withNext);
  }

  addTraining(ms: number): void {
    this.trainingMs += ms;
  }

  addScoring(ms: number): void {
    this.scoringMs += ms;
    this.lastScoreMs = ms;
    this.scores++;
  }

  /** Time spent so far, in ms (for reports and tests). */
  totals(): { trainingMs: number; scoringMs: number; scores: number } {
    return { trainingMs: this.trainingMs, scoringMs: this.scoringMs, scores: this.scores };
  }
}

/**
 * What trainEpoch may be told. score: true forces a full score (evalSamples), false skips it;
 * without it, a schedule decides (and its scores use TRAINING_SCORE_SAMPLES); with neither,
 * every epoch is scored in full, as a model always did before schedules.
 */
export interface EpochOptions {
  score?: boolean;
  schedule?: ScoreSchedule;
  /**
   * Steps of this epoch already taken one by one with trainStep() (the page's paced training):
   * trainEpoch takes only the rest, and the epoch's mean losses include those steps. 0 by default.
   */
  stepsDone?: number;
}

/** The steps trainEpoch still has to take, after checking options.stepsDone. */
export function stepsLeft(kind: string, stepsPerEpoch: number, options: EpochOptions): number {
  const done = options.stepsDone ?? 0;
  if (!Number.isInteger(done) || done < 0 || done >= stepsPerEpoch) {
    throw new Error(`${kind} trainEpoch: stepsDone must be an integer from 0 to ${stepsPerEpoch - 1} (the epoch has ${stepsPerEpoch} steps), got ${done}`);
  }
  return stepsPerEpoch - done;
}
