// The VAE's quality on 1d-trimodal, the full protocol (latent 2, β 0.1, lr 1e-3, 5000 steps,
// seeds 0–2, the width 25 that a 1600 budget gives). Full lane only: about 15 s.
import { describe, expect, it } from 'vitest';
import { getTarget } from '../../models/data/targets';
import { createVae } from '../../models/vae/vae';
import { median, trainAndScore } from './helpers';

const trimodal = getTarget('1d-trimodal');

describe('VAE quality', () => {
  it('learns 1d-trimodal: median W1 < 0.15 and KLD < 0.15 over seeds 0–2 (latent 2, β 0.1, lr 1e-3, 5000 steps)', async () => {
    const results = [];
    for (const seed of [0, 1, 2]) {
      const model = createVae(trimodal, { seed, latent: 2, beta: 0.1, lr: 1e-3, dataset: 2048, batch: 128, evalSamples: 5000 });
      expect(model.parameterCount()).toBe(1555); // the width 25 that a 1600 budget gives
      results.push(await trainAndScore(model, 5000));
    }
    const w1 = median(results.map((r) => r.w1));
    const kld = median(results.map((r) => r.kld));
    console.log(`VAE 1d-trimodal: W1 ${results.map((r) => r.w1.toFixed(3)).join(' ')}, KLD ${results.map((r) => r.kld.toFixed(3)).join(' ')}`);
    expect(w1).toBeLessThan(0.15);
    expect(kld).toBeLessThan(0.15);
  }, 120_000);
});
