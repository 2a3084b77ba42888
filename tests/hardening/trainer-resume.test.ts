// The page's training loop (demo/trainer.ts) handed a model restored from a checkpoint saved
// part-way through an epoch finishes that epoch first, as `gradlab train --resume` does: the
// first record after loading has the same step count and mean losses as the command line's, and
// the weights end bit for bit the same. Without it the page started a whole epoch afresh and
// dropped the restored running sums. In-process on the CPU (the loop's Step button path, which
// needs no animation frames), and paced steps one by one through the epoch's end.

import { describe, expect, it } from 'vitest';
import { createModel, loadModel } from '../../models/core/registry';
import { runTraining } from '../../models/core/train-loop';
import { getTarget } from '../../models/data/targets';
import { validateCheckpoint } from '../../models/core/checkpoint';
import type { Checkpoint, HistoryRecord, ModelKind } from '../../models/core/model';
import { TrainLoop } from '../../demo/trainer';

const SMALL = { dataset: 512, batch: 32, evalSamples: 300, seed: 3 };
const LOSS_KEYS = (r: HistoryRecord): Record<string, number> => Object.fromEntries(Object.entries(r).filter(([k]) => !['w1', 'kld', 'genMean', 'genStd', 'scoredEpoch'].includes(k)));

/** A checkpoint taken after one epoch and `part` steps of the second, through JSON as a file would be. */
async function midEpochCheckpoint(kind: ModelKind, part: number): Promise<Checkpoint> {
  const model = createModel(kind, getTarget('bimodal'), SMALL);
  await runTraining(model, { epochs: 1 });
  for (let i = 0; i < part; i++) model.trainStep();
  const cp = validateCheckpoint(JSON.parse(JSON.stringify(await model.save())), 'checkpoint');
  model.dispose();
  return cp;
}

function loop(): { trainer: TrainLoop; records: HistoryRecord[] } {
  const records: HistoryRecord[] = [];
  const trainer = new TrainLoop({ render: async () => {}, failed: (e) => { throw e; }, runningChanged: () => {}, recorded: (r) => records.push(r) });
  return { trainer, records };
}

describe("the page's trainer continues an epoch a checkpoint left unfinished", () => {
  for (const kind of ['gan', 'vae'] as const) {
    it(`${kind}: the Step button's epoch is the rest of the checkpoint's, as with --resume`, async () => {
      const cp = await midEpochCheckpoint(kind, 5);
      expect(cp.partialEpoch?.steps).toBe(5);

      const cli = loadModel(cp);
      await runTraining(cli, { epochs: 1 });
      const expected = await cli.save();
      cli.dispose();

      const { trainer, records } = loop();
      const page = loadModel(cp);
      trainer.model = page;
      expect(trainer.stepsInEpoch).toBe(5);
      await trainer.stepEpoch();
      expect(records).toHaveLength(1);
      expect(records[0].step).toBe(cp.steps + page.stepsPerEpoch - 5);
      expect(LOSS_KEYS(records[0])).toEqual(LOSS_KEYS(expected.history[expected.history.length - 1]));
      const got = await page.save();
      page.dispose();
      expect(got.epoch).toBe(expected.epoch);
      expect(got.weights).toEqual(expected.weights);
    }, 60_000);
  }

  it('a model at an epoch boundary, or past one by steps outside an epoch, starts its epoch afresh', async () => {
    const { trainer } = loop();
    const model = createModel('gan', getTarget('bimodal'), SMALL);
    trainer.model = model;
    expect(trainer.stepsInEpoch).toBe(0);
    for (let i = 0; i < model.stepsPerEpoch + 2; i++) model.trainStep();
    trainer.model = model;
    expect(trainer.stepsInEpoch).toBe(0);
    trainer.model = null;
    expect(trainer.stepsInEpoch).toBe(0);
    model.dispose();
  });
});
