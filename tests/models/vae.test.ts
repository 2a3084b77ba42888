// The VAE: the latent sweep, binned mode, resume, and clear errors (its quality on 1d-trimodal is
// in vae-quality.test.ts, in the full lane).
import { describe, expect, it } from 'vitest';
import { liveTensors } from '../../engine/index';
import { parseCheckpoint } from '../../models/core/checkpoint';
import { getTarget } from '../../models/data/targets';
import { createVae, Vae, vaeConfigFromFlags, VAE_DEFAULTS } from '../../models/vae/vae';
import { expectExactResume } from './helpers';

const trimodal = getTarget('1d-trimodal');

describe('VAE', () => {
  it('sweeps the decoder mean over a grid of z in [−3, 3]', async () => {
    const model = createVae(trimodal, { seed: 1, dataset: 256, batch: 64, evalSamples: 200 });
    for (let i = 0; i < 50; i++) model.trainStep();
    const sweep = await model.latentSweep(11);
    expect(sweep.latent).toBe(2);
    expect(sweep.z.length).toBe(2 * 121);
    expect(sweep.x.length).toBe(121);
    expect([sweep.z[0], sweep.z[1], sweep.z[2 * 120], sweep.z[2 * 120 + 1]]).toEqual([-3, -3, 3, 3]);
    expect(sweep.x.every(Number.isFinite)).toBe(true);
    model.dispose();
    const oneD = createVae(trimodal, { seed: 1, latent: 1, dataset: 256, batch: 64 });
    const line = await oneD.latentSweep(7);
    expect([line.latent, line.z.length, line.x.length]).toEqual([1, 7, 7]);
    oneD.dispose();
  });

  it('records reconLoss, kl, w1 and kld each epoch, and frees what it allocates', async () => {
    const before = liveTensors();
    const model = createVae(trimodal, { seed: 2, dataset: 512, batch: 128, evalSamples: 500 });
    const record = await model.trainEpoch();
    expect(Object.keys(record).sort()).toEqual(['epoch', 'kl', 'kld', 'reconLoss', 'step', 'w1']);
    expect([record.epoch, record.step]).toEqual([1, 4]);
    for (const v of Object.values(record)) expect(Number.isFinite(v)).toBe(true);
    model.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('resumes exactly from a checkpoint', async () => {
    await expectExactResume(() => createVae(trimodal, { seed: 3, dataset: 256, batch: 64, evalSamples: 200 }));
  });

  it('binned mode: K logits out, samples decoded to bin centres', async () => {
    const poisson = getTarget('1d-poisson');
    const model = createVae(poisson, { seed: 0, bins: 20, dataset: 512, batch: 64, evalSamples: 500 });
    const record = await model.trainEpoch();
    expect(Number.isFinite(record.reconLoss)).toBe(true);
    const samples = await model.sample(200);
    for (const v of samples) expect(Number.isInteger(v)).toBe(true);
    const sweep = await model.latentSweep(5);
    expect(sweep.x.length).toBe(25);
    model.dispose();
  });

  it('refuses bad settings and checkpoints with clear messages', async () => {
    expect(() => createVae(trimodal, { latent: 0 })).toThrow(/latent must be between 1 and 64/);
    expect(() => createVae(trimodal, { nonsense: 1 })).toThrow(/unknown setting 'nonsense'/);
    expect(() => vaeConfigFromFlags({ beta: -1 })).toThrow(/--beta/);
    expect(vaeConfigFromFlags({ latent: 3, hidden: 10 })).toEqual({ latent: 3, hidden: 10 });
    const model = createVae(trimodal, { dataset: 64, batch: 16 });
    const text = JSON.stringify(await model.save());
    model.dispose();
    const broken = parseCheckpoint(text.replace('"encoder.layers.0.weight"', '"encoder.layers.9.weight"'), 'x.json');
    expect(() => Vae.load(broken, 'x.json')).toThrow(/x\.json: unexpected parameter 'encoder\.layers\.9\.weight'/);
    expect(VAE_DEFAULTS.beta).toBe(0.1);
  });
});
