// The RBM: history, Gibbs sampling, the discrete (one-hot) RBM of binned mode, resume, errors.
import { describe, expect, it } from 'vitest';
import { createRng, liveTensors, randn } from '../../engine/index';
import { createRbm, rbmConfigFromFlags } from '../../models/rbm/rbm';
import { getTarget } from '../../models/data/targets';
import { expectExactResume } from './helpers';

const trimodal = getTarget('1d-trimodal');

describe('RBM', () => {
  it('records freeEnergy, reconError, w1 and kld each epoch, and frees what it allocates', async () => {
    const before = liveTensors();
    const model = createRbm(trimodal, { seed: 0, dataset: 512, batch: 128, evalSamples: 300, gibbsSteps: 20 });
    expect(model.parameterCount()).toBe(64 + 1 + 64);
    const record = await model.trainEpoch();
    expect(Object.keys(record).sort()).toEqual(['epoch', 'freeEnergy', 'kld', 'reconError', 'step', 'w1']);
    for (const v of Object.values(record)) expect(Number.isFinite(v)).toBe(true);
    model.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('free energy: F(v) = (v − b)²/2σ² − Σ softplus((c + vW)/σ²), checked against a hand computation', async () => {
    const model = createRbm(trimodal, { seed: 1, hidden: 3, dataset: 64, batch: 16 });
    const v = randn([4, 1], createRng(2));
    const f = await model.freeEnergy(v).data();
    const [W, b, c, vs] = await Promise.all([model.weight.data(), model.visibleBias.data(), model.hiddenBias.data(), v.data()]);
    const s2 = 0.2 ** 2;
    for (let i = 0; i < 4; i++) {
      let expected = (vs[i] - b[0]) ** 2 / (2 * s2);
      for (let j = 0; j < 3; j++) expected -= Math.log1p(Math.exp((c[j] + vs[i] * W[j]) / s2));
      expect(f[i]).toBeCloseTo(expected, 3);
    }
    model.dispose();
  });

  it('gibbs(n, steps) returns n samples in data space and their free energy', async () => {
    const model = createRbm(trimodal, { seed: 2, dataset: 256, batch: 64 });
    for (let i = 0; i < 20; i++) model.trainStep();
    const { samples, freeEnergy } = await model.gibbs(100, 10);
    expect(samples.length).toBe(100);
    expect(samples.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(freeEnergy)).toBe(true);
    await expect(model.gibbs(0, 10)).rejects.toThrow(/positive integer/);
    model.dispose();
  });

  it('binned mode: K one-hot visible units, samples on bin centres', async () => {
    const poisson = getTarget('1d-poisson');
    const model = createRbm(poisson, { seed: 0, bins: 20, hidden: 16, dataset: 512, batch: 64, evalSamples: 300, gibbsSteps: 20 });
    expect(model.parameterCount()).toBe(20 * 16 + 20 + 16);
    const record = await model.trainEpoch();
    expect(Number.isFinite(record.freeEnergy)).toBe(true);
    const samples = await model.sample(200);
    for (const v of samples) expect(Number.isInteger(v)).toBe(true);
    model.dispose();
  });

  it('2D data: two Gaussian visible units', async () => {
    const model = createRbm(getTarget('2d-mix-gauss'), { seed: 0, dataset: 256, batch: 64, evalSamples: 200, gibbsSteps: 20 });
    await model.trainEpoch();
    expect((await model.sample(50)).length).toBe(100);
    model.dispose();
  });

  it('resumes exactly from a checkpoint', async () => {
    await expectExactResume(() => createRbm(trimodal, { seed: 3, dataset: 256, batch: 64, evalSamples: 100, gibbsSteps: 10 }));
    await expectExactResume(() => createRbm(getTarget('1d-poisson'), { seed: 3, bins: 12, dataset: 256, batch: 64, evalSamples: 100, gibbsSteps: 10 }));
  });

  it('refuses bad settings with clear messages', () => {
    expect(() => createRbm(trimodal, { sigma: 0 })).toThrow(/sigma must be between/);
    expect(() => createRbm(getTarget('2d-mix-gauss'), { bins: 10 })).toThrow(/binned mode is for 1D data/);
    expect(() => rbmConfigFromFlags({ 'cd-k': 0 })).toThrow(/--cd-k/);
    expect(rbmConfigFromFlags({ 'cd-k': 3, 'gibbs-steps': 50 })).toEqual({ k: 3, gibbsSteps: 50 });
  });
});
