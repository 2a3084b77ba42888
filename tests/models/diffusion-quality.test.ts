// Diffusion quality on 1d-trimodal, the full protocol: T 100, lr 1e-3, 20000 steps, seeds 0–2,
// 5000 samples against 5000 fresh target samples.
import { describe, expect, it } from 'vitest';
import { createDiffusion } from '../../models/diffusion/diffusion';
import { getTarget } from '../../models/data/targets';
import { median, trainAndScore } from './helpers';

describe('diffusion quality', () => {
  it('learns 1d-trimodal: median W1 < 0.25 and KLD < 0.2 over seeds 0–2', async () => {
    const results = [];
    for (const seed of [0, 1, 2]) {
      const model = createDiffusion(getTarget('1d-trimodal'), { seed, steps: 100, lr: 1e-3, dataset: 2048, batch: 128, evalSamples: 5000 });
      expect(model.parameterCount()).toBe(1565); // width 34: the 1600 budget
      results.push(await trainAndScore(model, 20000));
    }
    console.log(`diffusion 1d-trimodal: W1 ${results.map((r) => r.w1.toFixed(3)).join(' ')}, KLD ${results.map((r) => r.kld.toFixed(3)).join(' ')}`);
    expect(median(results.map((r) => r.w1))).toBeLessThan(0.25);
    expect(median(results.map((r) => r.kld))).toBeLessThan(0.2);
  }, 400_000);
});
