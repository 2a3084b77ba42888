// Rules every model follows alike: evaluate() never returns a score measured on other weights
// (weights changed from outside without a training step), and a divergence message blames the
// learning rate only when the data's scale is not the cause (the GAN as the other models).

import { describe, expect, it } from 'vitest';
import { assign, liveTensors, tensor } from '../../engine/index';
import { createGan } from '../../models/gan';
import type { BaseModel } from '../../models/core/base-model';
import { createModel } from '../../models/core/registry';
import { runTraining } from '../../models/core/train-loop';
import { getTarget, targetFromSamples } from '../../models/data/targets';
import { DivergenceError, type BaseConfig, type ModelKind } from '../../models/core/model';

/** n values (3 + sin(1.7 i))·scale: spread out, never all equal. */
function wave(n: number, scale: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (3 + Math.sin(i * 1.7)) * scale);
}

describe('evaluate() after the weights changed from outside', () => {
  const small: Record<ModelKind, Record<string, number>> = {
    gan: { dataset: 256, batch: 64, evalSamples: 300 },
    vae: { dataset: 256, batch: 64, evalSamples: 300 },
    rbm: { dataset: 256, batch: 64, evalSamples: 300 },
    diffusion: { dataset: 256, batch: 64, evalSamples: 300, steps: 20 },
  };

  for (const kind of ['gan', 'vae', 'rbm', 'diffusion'] as const) {
    it(`${kind}: assign() without training makes evaluate() score again`, async () => {
      const model = createModel(kind, getTarget('normal'), small[kind]);
      try {
        await runTraining(model, { epochs: 1 }); // the last epoch is scored in full
        const cached = await model.evaluate();
        expect(await model.evaluate()).toEqual(cached); // nothing changed: the same numbers
        // Every weight moved (the VAE's encoder alone would not change its samples).
        const weights = (model as unknown as BaseModel<BaseConfig>).namedParameters();
        const before = await Promise.all(weights.map(async ([, w]) => Array.from(await w.data())));
        weights.forEach(([name, w], k) => assign(w, before[k].map((v, i) => v * 1.1 + 0.02 * (i % 5)), name));
        const moved = await model.evaluate();
        expect(moved.w1, 'the score of the old weights was returned').not.toBe(cached.w1);
        // The old values back: the same weights, the same score (evaluate's generator is the epoch's).
        weights.forEach(([name, w], k) => assign(w, before[k], name));
        expect((await model.evaluate()).w1).toBe(cached.w1);
      } finally {
        model.dispose();
      }
    }, 60_000);
  }

  it('gan: loadStateDict of other weights into G makes evaluate() score again', async () => {
    const gan = createGan(getTarget('normal'), { dataset: 256, batch: 64, evalSamples: 300, seed: 1 });
    const other = createGan(getTarget('normal'), { dataset: 256, batch: 64, evalSamples: 300, seed: 2 });
    try {
      await runTraining(gan, { epochs: 1 });
      const cached = await gan.evaluate();
      gan.G.loadStateDict(other.G.stateDict());
      expect((await gan.evaluate()).w1).not.toBe(cached.w1);
    } finally {
      gan.dispose();
      other.dispose();
    }
  }, 60_000);
});

describe('the GAN blames the learning rate only when the data are not the cause', () => {
  /** The GAN's divergence message on data of `scale`, with one weight pushed past the limit or a loss made NaN. */
  async function message(scale: number, how: 'weight' | 'loss'): Promise<string> {
    const data = wave(256, scale);
    const gan = createGan(targetFromSamples('wave.csv', data, 1), { batch: 64, lrG: 1e-6, lrD: 1e-6 }, data);
    try {
      if (how === 'weight') {
        const [name, w] = gan.namedParameters()[0];
        assign(w, Array.from({ length: w.size }, (_, i) => (i === 0 ? 2e4 : 0.01 * (i % 7))), name);
      } else {
        // The epoch's running sums as a step whose loss overflowed would leave them.
        const sums = (gan as unknown as { sums: { add(k: string, v: ReturnType<typeof tensor>): void } }).sums;
        const huge = tensor([3e38], []); // float32's largest is 3.4e38: twice this is Infinity
        sums.add('dLoss', huge);
        sums.add('dLoss', huge);
        huge.dispose();
      }
      await gan.trainEpoch();
      return 'no error';
    } catch (e) {
      expect(e).toBeInstanceOf(DivergenceError);
      return (e as Error).message;
    } finally {
      gan.dispose();
    }
  }

  it('data at the 1e-30 scale: told to rescale the data, not to lower the learning rate (weights and losses)', async () => {
    for (const how of ['weight', 'loss'] as const) {
      const text = await message(1e-30, how);
      expect(text, how).toMatch(/GAN diverged/);
      expect(text, how).toMatch(/rescale the data/);
      expect(text, how).not.toMatch(/lower learning rate \(/);
    }
  }, 60_000);

  it('data at a scale the models train on: the learning-rate advice', async () => {
    for (const how of ['weight', 'loss'] as const) {
      const text = await message(1, how);
      expect(text, how).toMatch(/Try a lower learning rate/);
    }
  }, 60_000);
});

describe('dispose() frees everything a model holds', () => {
  it('the GAN with --g-batchnorm: its running statistics too (they leaked, 2 tensors a model)', async () => {
    const before = liveTensors();
    const gan = createGan(getTarget('bimodal'), { dataset: 256, batch: 32, evalSamples: 200, gBatchNorm: true, dDropout: 0.2 });
    await runTraining(gan, { epochs: 1 });
    gan.trainStep();
    gan.dispose();
    expect(liveTensors()).toBe(before);
  }, 60_000);
});
