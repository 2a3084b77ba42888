// The GAN in binned mode (--bins K): one-hot data, a generator of K logits ending in a
// straight-through Gumbel-softmax, samples decoded to bin centres (discrete target) or a uniform
// point within the bin (continuous target). Exact resume; `1d-trimodal` with 20 bins reported.

import { describe, expect, it } from 'vitest';
import { gaussianBaseline } from '../../models/eval/baseline';
import { budgetedConfig } from '../../models/eval/compare';
import { createGan, type GanConfig } from '../../models/gan';
import { getTarget } from '../../models/data/targets';
import { expectExactResume } from '../models/helpers';
import { discriminate, latentWalk, sampleWithGradients } from '../../demo/gan-views';

const SMALL: Partial<GanConfig> = { dataset: 256, batch: 32, evalSamples: 300 };

describe('GAN binned mode', () => {
  it('G has K outputs, D K inputs; samples of a discrete target are bin centres', async () => {
    const gan = createGan(getTarget('1d-poisson'), { ...SMALL, seed: 1, bins: 20 });
    expect(gan.width).toBe(20);
    expect(gan.dataset.width).toBe(20);
    // G 10-16-16-20, D 20-64-1 (the default networks, G 2×16 and D 1×64).
    expect(gan.parameterCount()).toBe(10 * 16 + 16 + 16 * 16 + 16 + 16 * 20 + 20 + 20 * 64 + 64 + 64 + 1);
    const r = await gan.trainEpoch();
    for (const k of ['gLoss', 'dLoss', 'w1', 'kld']) expect(Number.isFinite(r[k]), k).toBe(true);
    const samples = await gan.sample(500);
    for (const x of samples) expect(Number.isInteger(x) && x >= gan.binning!.centres[0] && x <= gan.binning!.centres[19]).toBe(true);
    // The checkpoint keeps the data as numbers, not one-hot rows.
    const cp = await gan.save();
    expect(cp.data.length).toBe(256);
    expect(cp.config).toMatchObject({ bins: 20, temperature: 0.5 });
    // Display helpers: D reads the one-hot of each value's bin; the latent walk is the soft expectation.
    const d = await discriminate(gan, Float64Array.from([-2, 0, 3]));
    for (const v of d) expect(v > 0 && v < 1).toBe(true);
    const walk = await latentWalk(gan, 5, 'lerp', 2);
    for (const x of walk) expect(x >= gan.binning!.lo && x <= gan.binning!.hi).toBe(true);
    await expect(sampleWithGradients(gan, 4)).rejects.toThrow(/binned mode/);
    gan.dispose();
  });

  it('a continuous target decodes to points within the bins', async () => {
    const gan = createGan(getTarget('1d-trimodal'), { ...SMALL, seed: 2, bins: 20 });
    await gan.trainEpoch();
    const samples = await gan.sample(500);
    const nonCentre = samples.filter((x) => !Array.from(gan.binning!.centres).some((c) => Math.abs(c - x) < 1e-9));
    expect(nonCentre.length).toBeGreaterThan(450);
    for (const x of samples) expect(x >= gan.binning!.lo && x <= gan.binning!.hi).toBe(true);
    gan.dispose();
  });

  it('resuming a binned run from a checkpoint continues exactly', async () => {
    await expectExactResume(() => createGan(getTarget('1d-poisson'), { ...SMALL, seed: 3, bins: 12, temperature: 0.7, kD: 2, momentLambda: 0.5 }));
  });

  it('1d-trimodal with 20 bins at the 1600 budget: KLD reported (and below the fitted Gaussian)', async () => {
    const target = getTarget('1d-trimodal');
    const gan = createGan(target, { seed: 0, bins: 20, evalSamples: 5000, ...(budgetedConfig('gan', 1600, 1, 20).config as Partial<GanConfig>) });
    for (let i = 0; i < 2000; i++) gan.trainStep();
    const m = await gan.evaluate();
    gan.dispose();
    const bar = gaussianBaseline(target, 5000, 0);
    console.log(`gan 1d-trimodal bins 20: KLD ${m.kld.toFixed(3)} (Gaussian ${bar.kld.toFixed(3)}), W1 ${m.w1.toFixed(3)} (Gaussian ${bar.w1.toFixed(3)})`);
    expect(m.kld).toBeLessThan(bar.kld);
  }, 120_000);
});
