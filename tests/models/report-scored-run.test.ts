// A real `compare` run of diffusion whose early epochs were not scored (its reverse process makes a
// score cost many epochs, so the schedule skips them; here a schedule that scores only the first
// epoch, and the run's forced last one, makes that certain): metrics.json marks each of those
// epochs `scored: false` with the epoch its numbers come from, and the report's charts hold only
// the scored epochs, so the first score is never drawn as if measured again later.

import { describe, expect, it, vi } from 'vitest';

vi.mock('../../models/core/score-schedule', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../models/core/score-schedule')>();
  class FirstEpochOnly extends original.ScoreSchedule {
    override due(): boolean {
      return this.totals().scores === 0;
    }
  }
  return { ...original, ScoreSchedule: FirstEpochOnly };
});

const { runCompare, metricsJson } = await import('../../models/eval/compare');
const { renderReport } = await import('../../models/report/report');
const { getTarget } = await import('../../models/data/targets');

describe('diffusion\'s unscored early epochs in compare\'s files', () => {
  it('metrics.json says which epochs were scored; the report draws only those', async () => {
    const result = await runCompare({ target: getTarget('bimodal'), models: ['diffusion'], epochs: 6, seed: 2, evalSamples: 300, snapshotSamples: 200 });
    const history = result.runs[0].history;
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const first = history[0];
    // Epochs 2–5 repeat epoch 1's numbers; epoch 6 was measured afresh.
    for (const h of history.slice(1, 5)) expect([h.scoredEpoch, h.w1, h.kld]).toEqual([1, first.w1, first.kld]);
    expect(history[5].scoredEpoch).toBeUndefined();
    expect(history[5].w1).not.toBe(first.w1);

    const metrics = metricsJson(result) as { models: { epochs: { epoch: number; w1: number; scoredEpoch: number; scored: boolean }[] }[] };
    expect(metrics.models[0].epochs.map((e) => [e.epoch, e.scoredEpoch, e.scored])).toEqual([[1, 1, true], [2, 1, false], [3, 1, false], [4, 1, false], [5, 1, false], [6, 6, true]]);

    const page = renderReport(result, { script: '', css: '' });
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page);
    expect(json).not.toBeNull();
    const data = JSON.parse(json![1]) as { runs: { epochs: number[]; w1: number[]; kld: number[] }[] };
    expect(data.runs[0].epochs).toEqual([1, 6]);
    expect(data.runs[0].w1.length).toBe(2);
    expect(data.runs[0].kld.length).toBe(2);
  }, 120_000);
});
