// The diffusion model: schedule, history, trajectory, binned mode, 2D, resume, errors.
import { describe, expect, it } from 'vitest';
import { liveTensors } from '../../engine/index';
import { createDiffusion, diffusionConfigFromFlags, noiseSchedule, timeEmbedding } from '../../models/diffusion/diffusion';
import { getTarget } from '../../models/data/targets';
import { expectExactResume } from './helpers';

const trimodal = getTarget('1d-trimodal');

describe('diffusion', () => {
  it('uses a linear β from 1e-4 to 0.02·1000/T', () => {
    const { beta, alphaBar } = noiseSchedule({ steps: 100, betaStart: 1e-4, betaEnd: 0.02 });
    expect(beta[0]).toBeCloseTo(1e-4, 12);
    expect(beta[99]).toBeCloseTo(0.2, 12);
    expect(beta[50] - beta[49]).toBeCloseTo(beta[1] - beta[0], 12);
    expect(alphaBar[99]).toBeLessThan(1e-3); // x_T is (almost) pure noise
    expect(noiseSchedule({ steps: 1000, betaStart: 1e-4, betaEnd: 0.02 }).beta[999]).toBeCloseTo(0.02, 12);
    expect(noiseSchedule({ steps: 20, betaStart: 1e-4, betaEnd: 0.02 }).beta[19]).toBeCloseTo(0.5, 12); // capped
    const emb = timeEmbedding(3, 4); // t = 2: [sin 2, sin 2/√1000, cos 2, cos 2/√1000]
    expect(emb[8]).toBeCloseTo(Math.sin(2), 12);
    expect(emb[9]).toBeCloseTo(Math.sin(2 / Math.sqrt(1000)), 12);
    expect(emb[10]).toBeCloseTo(Math.cos(2), 12);
  });

  it('records loss, w1 and kld each epoch, and frees what it allocates', async () => {
    const before = liveTensors();
    const model = createDiffusion(trimodal, { seed: 0, dataset: 512, batch: 128, evalSamples: 200, steps: 20 });
    const record = await model.trainEpoch();
    expect(Object.keys(record).sort()).toEqual(['epoch', 'kld', 'loss', 'step', 'w1']);
    expect(record.loss).toBeGreaterThan(0);
    model.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('gives the reverse trajectory from t = T to 0 as frames', async () => {
    const model = createDiffusion(trimodal, { seed: 1, dataset: 256, batch: 64, steps: 20 });
    for (let i = 0; i < 20; i++) model.trainStep();
    const frames = await model.trajectory(50, 5);
    expect(frames.length).toBe(5);
    for (const f of frames) expect(f.length).toBe(50);
    expect(frames.every((f) => f.every(Number.isFinite))).toBe(true);
    expect(frames[0]).not.toEqual(frames[4]);
    model.dispose();
  });

  it('binned mode diffuses one-hot rows and decodes to bin centres; 2D works', async () => {
    const model = createDiffusion(getTarget('1d-poisson'), { seed: 0, bins: 20, dataset: 256, batch: 64, evalSamples: 200, steps: 20 });
    await model.trainEpoch();
    for (const v of await model.sample(100)) expect(Number.isInteger(v)).toBe(true);
    model.dispose();
    const twoD = createDiffusion(getTarget('2d-mix-gauss'), { seed: 0, dataset: 256, batch: 64, evalSamples: 200, steps: 20 });
    await twoD.trainEpoch();
    expect((await twoD.sample(30)).length).toBe(60);
    twoD.dispose();
  });

  it('resumes exactly from a checkpoint', async () => {
    await expectExactResume(() => createDiffusion(trimodal, { seed: 3, dataset: 256, batch: 64, evalSamples: 100, steps: 20 }));
  });

  it('refuses bad settings with clear messages', () => {
    expect(() => createDiffusion(trimodal, { embedding: 7 })).toThrow(/embedding must be even/);
    expect(() => diffusionConfigFromFlags({ timesteps: 1 })).toThrow(/--timesteps/);
    expect(diffusionConfigFromFlags({ timesteps: 50 })).toEqual({ steps: 50 });
  });
});
