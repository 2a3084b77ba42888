// The movie draws its frames from runTraining's afterEpoch hook, inside one run: the hook is
// awaited after each epoch (the model is at that epoch while the frame is drawn), before a stop
// request is asked, and one score schedule spans the run.

import { describe, expect, it } from 'vitest';
import { createGan } from '../../models/gan';
import { getTarget } from '../../models/data/targets';
import { runTraining } from '../../models/core/train-loop';
import { MovieRecorder } from '../../models/report/movie/recorder';

describe('runTraining afterEpoch', () => {
  it('is awaited after each epoch, before shouldStop, with the model at that epoch', async () => {
    const model = createGan(getTarget('2d-mix-gauss'), { seed: 4, dataset: 256, batch: 64, evalSamples: 200 });
    const recorder = new MovieRecorder(model);
    const seen: string[] = [];
    const result = await runTraining(model, {
      epochs: 6,
      afterEpoch: async (record, done, total) => {
        seen.push(`after ${done}/${total} at epoch ${model.epoch} (record ${record.epoch})`);
        if (done % 2 === 0) await recorder.capture(done / total);
        seen.push(`drawn ${done}`);
      },
      // shouldStop is also asked between steps (every 50 ms of training): those polls find the
      // last entry already answered and say "go on"; the poll after an epoch follows its hook.
      shouldStop: () => {
        const previous = seen[seen.length - 1];
        if (!previous?.startsWith('drawn')) return false;
        seen.push('stop?');
        return previous === 'drawn 4';
      },
    });
    expect(result.stopped).toBe(true);
    expect(result.epochs).toBe(4);
    expect(seen).toEqual([
      'after 1/6 at epoch 1 (record 1)', 'drawn 1', 'stop?',
      'after 2/6 at epoch 2 (record 2)', 'drawn 2', 'stop?',
      'after 3/6 at epoch 3 (record 3)', 'drawn 3', 'stop?',
      'after 4/6 at epoch 4 (record 4)', 'drawn 4', 'stop?',
    ]);
    expect(recorder.frameCount).toBe(2);
    model.dispose();
  });

  it('is refused when not a function, like every option', async () => {
    const model = createGan(getTarget('normal'), { seed: 1, dataset: 64, batch: 32, evalSamples: 100 });
    await expect(runTraining(model, { epochs: 1, afterEpoch: 3 as unknown as () => void })).rejects.toThrow(/afterEpoch/);
    model.dispose();
  });
});
