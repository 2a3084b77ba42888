// The scoring schedule: scores stay within their share of a run's time, training does not depend
// on which epochs were scored, the last epoch is scored in full and evaluate() reuses it, and the
// RBM's persistent scoring chains are freed with the model.
import { describe, expect, it } from 'vitest';
import { liveTensors } from '../../engine/index';
import { createRbm } from '../../models/rbm/rbm';
import { ScoreSchedule } from '../../models/core/score-schedule';
import { getTarget } from '../../models/data/targets';
import { runTraining } from '../../models/core/train-loop';

const trimodal = getTarget('1d-trimodal');

describe('ScoreSchedule', () => {
  it('scores the first epoch, then only while scoring stays within its share of the time', () => {
    const s = new ScoreSchedule(0.2);
    expect(s.due()).toBe(true);
    s.addTraining(10);
    s.addScoring(50); // one score costs 5 epochs
    const pattern: boolean[] = [];
    for (let e = 0; e < 40; e++) {
      s.addTraining(10);
      const due = s.due();
      pattern.push(due);
      if (due) s.addScoring(50);
    }
    const { trainingMs, scoringMs, scores } = s.totals();
    expect(scores).toBeGreaterThan(1);
    expect(scoringMs / (trainingMs + scoringMs)).toBeLessThanOrEqual(0.2 + 1e-12);
    expect(pattern.slice(0, 3)).toEqual([false, false, false]);
  });
});

describe('runTraining with the schedule', () => {
  it('gives the same weights and final metrics as scoring every epoch; the last epoch is scored in full', async () => {
    const config = { seed: 3, dataset: 256, batch: 64, hidden: 16, gibbsSteps: 40, evalSamples: 300 };
    const before = liveTensors();
    const every = createRbm(trimodal, config);
    for (let e = 0; e < 8; e++) await every.trainEpoch();
    const scheduled = createRbm(trimodal, config);
    await runTraining(scheduled, { epochs: 8, scoreShare: 0.05 });

    expect((await scheduled.save()).weights).toEqual((await every.save()).weights);
    const last = scheduled.history[scheduled.history.length - 1];
    const lastEvery = every.history[every.history.length - 1];
    expect(last.scoredEpoch).toBeUndefined();
    expect([last.w1, last.kld]).toEqual([lastEvery.w1, lastEvery.kld]);
    const final = await scheduled.evaluate();
    expect([final.w1, final.kld]).toEqual([last.w1, last.kld]);
    expect(await every.evaluate()).toEqual(final);
    // Skipped epochs repeat the last score and name the epoch it came from.
    for (const r of scheduled.history) {
      if (r.scoredEpoch === undefined) continue;
      expect(r.scoredEpoch).toBeLessThan(r.epoch);
      const source = scheduled.history[r.scoredEpoch - 1];
      expect([r.w1, r.kld]).toEqual([source.w1, source.kld]);
    }
    every.dispose();
    scheduled.dispose();
    expect(liveTensors()).toBe(before);
  });
});
