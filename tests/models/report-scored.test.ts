// `compare`'s files on an epoch the score schedule skipped: metrics.json says which epoch each
// W1 and KLD were measured at, and the report draws only the scored epochs.

import { describe, expect, it } from 'vitest';
import { metricsJson, type CompareResult } from '../../models/eval/compare';
import { scoredRecords } from '../../models/report/report';
import type { HistoryRecord } from '../../models/core/model';

// Epoch 1 scored (W1 112: a diffusion model before it learned anything), 2 and 3 repeat it, 4 scored.
const history: HistoryRecord[] = [
  { epoch: 1, step: 10, w1: 112, kld: 9 },
  { epoch: 2, step: 20, w1: 112, kld: 9, scoredEpoch: 1 },
  { epoch: 3, step: 30, w1: 112, kld: 9, scoredEpoch: 1 },
  { epoch: 4, step: 40, w1: 0.3, kld: 0.2 },
];

describe('scored epochs in compare\'s files', () => {
  it('the report draws only the epochs that were scored', () => {
    expect(scoredRecords(history).map((h) => h.epoch)).toEqual([1, 4]);
  });

  it('metrics.json says for each epoch whether and when it was scored', () => {
    const result = { runs: [{ model: 'diffusion', config: {}, hidden: 8, parameters: 100, history, final: null, seconds: 1, snapshots: [] }] } as unknown as CompareResult;
    const m = metricsJson(result) as { models: { epochs: { epoch: number; scoredEpoch: number; scored: boolean }[] }[] };
    expect(m.models[0].epochs.map((e) => [e.epoch, e.scoredEpoch, e.scored])).toEqual([[1, 1, true], [2, 1, false], [3, 1, false], [4, 4, true]]);
  });

  it('a record naming its own epoch as scoredEpoch counts as scored in both files', () => {
    const own: HistoryRecord[] = [{ epoch: 1, step: 10, w1: 2, kld: 1, scoredEpoch: 1 }, { epoch: 2, step: 20, w1: 2, kld: 1, scoredEpoch: 1 }];
    expect(scoredRecords(own).map((h) => h.epoch)).toEqual([1]);
    const result = { runs: [{ model: 'vae', config: {}, hidden: 8, parameters: 100, history: own, final: null, seconds: 1, snapshots: [] }] } as unknown as CompareResult;
    const m = metricsJson(result) as { models: { epochs: { scored: boolean }[] }[] };
    expect(m.models[0].epochs.map((e) => e.scored)).toEqual([true, false]);
  });
});
