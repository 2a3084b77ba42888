// RBM quality on 1d-trimodal: the Gaussian-Bernoulli RBM (64 hidden, σ 0.2, CD-5, 5000 steps, chains of 1000)
// beats the fitted Gaussian on both W1 and KLD in every seed 0–2.
import { describe, expect, it } from 'vitest';
import { createRbm } from '../../models/rbm/rbm';
import { getTarget } from '../../models/data/targets';
import { gaussianBar, trainAndScore } from './helpers';

describe('RBM quality', () => {
  it('beats the fitted Gaussian on W1 and KLD in every seed (64 hidden, σ 0.2, CD-5, 5000 steps, chains of 1000)', async () => {
    const target = getTarget('1d-trimodal');
    for (const seed of [0, 1, 2]) {
      const model = createRbm(target, { seed, hidden: 64, sigma: 0.2, k: 5, gibbsSteps: 1000, lr: 1e-3, dataset: 2048, batch: 128, evalSamples: 5000 });
      const r = await trainAndScore(model, 5000);
      const bar = gaussianBar(target, seed);
      console.log(`RBM seed ${seed}: W1 ${r.w1.toFixed(3)} (Gaussian ${bar.w1.toFixed(3)}), KLD ${r.kld.toFixed(3)} (Gaussian ${bar.kld.toFixed(3)})`);
      expect(r.w1).toBeLessThan(bar.w1);
      expect(r.kld).toBeLessThan(bar.kld);
    }
  }, 300_000);
});
