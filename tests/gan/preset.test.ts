// The TensorFlow.js GAN playground post's settings stay one flag away (`--preset post`, the
// page's preset menu): the preset is exactly the configuration the GAN used to start from, and
// the defaults differ from it only in the settings the long-horizon table chose.

import { describe, expect, it } from 'vitest';
import { configFromFlags, createGan, GAN_DEFAULTS, GAN_POST, GAN_PRESETS, presetChanges, resolveGanConfig } from '../../models/gan';
import { getTarget } from '../../models/data/targets';
import type { Checkpoint } from '../../models/core/model';
import { Gan } from '../../models/gan';

/** The configuration every GAN started from before the defaults changed, written out in full. */
const POST_SETTINGS = {
  seed: 0, dataset: 2048, batch: 128, evalSamples: 5000, bins: 0, latent: 10,
  gLayers: 1, gWidth: 16, dLayers: 1, dWidth: 32, activation: 'relu', loss: 'nonsaturating',
  labelSmoothing: 0, kD: 1, lrG: 3e-3, lrD: 3e-3, beta1G: 0.9, beta2G: 0.999, beta1D: 0.9, beta2D: 0.999,
  lrDecay: 0, lrDecayPower: 1, momentLambda: 0, clip: 0.01, dDropout: 0, gBatchNorm: false, gpLambda: 10, temperature: 0.5, conditional: false,
  // Settings added since, at the values that leave the post's training as it was.
  r1Gamma: 0, gAverageFrom: 0,
};

describe('the post\'s settings as a preset', () => {
  it('is the old configuration, exactly', () => {
    expect({ ...GAN_POST }).toEqual(POST_SETTINGS);
    expect(GAN_PRESETS.post).toBe(GAN_POST);
    expect(resolveGanConfig(presetChanges('post'))).toEqual(POST_SETTINGS);
  });

  it('--preset post gives it, and flags given beside it still apply', () => {
    expect(resolveGanConfig(configFromFlags({ preset: 'post' }))).toEqual(POST_SETTINGS);
    expect(resolveGanConfig(configFromFlags({ preset: 'post', lr: 1e-3, 'lr-decay': 20 }))).toEqual({ ...POST_SETTINGS, lrG: 1e-3, lrD: 1e-3, lrDecay: 20 });
    expect(resolveGanConfig(configFromFlags({ preset: 'default' }))).toEqual(GAN_DEFAULTS);
    expect(() => configFromFlags({ preset: 'paper' })).toThrow(/--preset must be one of default, post, got 'paper'/);
  });

  it('the defaults change only the networks\' sizes, the activation, D\'s learning rate, Adam\'s β₁, the decay, R1 and G\'s weight average', () => {
    expect(presetChanges('post')).toEqual({ gLayers: 1, dWidth: 32, activation: 'relu', lrD: 3e-3, beta1G: 0.9, beta1D: 0.9, lrDecay: 0, r1Gamma: 0, gAverageFrom: 0 });
    expect(GAN_DEFAULTS).toMatchObject({ gLayers: 2, gWidth: 16, dLayers: 1, dWidth: 64, activation: 'leaky', beta1G: 0.5, beta1D: 0.5, lrDecay: 100, lrG: 3e-3, lrD: 6e-3, r1Gamma: 0.3, gAverageFrom: 300 });
  });

  it('a GAN built from the preset trains exactly as one given every old setting', async () => {
    const normal = getTarget('normal');
    const a = createGan(normal, { ...presetChanges('post'), evalSamples: 200 });
    const b = createGan(normal, { ...POST_SETTINGS, evalSamples: 200 } as Partial<typeof GAN_POST>);
    for (let e = 0; e < 2; e++) {
      const [ra, rb] = [await a.trainEpoch(), await b.trainEpoch()];
      expect(ra).toEqual(rb);
    }
    expect(await a.sample(50)).toEqual(await b.sample(50));
    a.dispose();
    b.dispose();
  });
});

describe('the learning-rate decay', () => {
  it('lr·τ/(τ + epoch): half the rate after τ epochs, the base rate kept in the config', async () => {
    const gan = createGan(getTarget('normal'), { dataset: 256, batch: 128, lrDecay: 2, evalSamples: 100 });
    expect(gan.stepsPerEpoch).toBe(2);
    gan.trainStep();
    expect(gan.optG.lr).toBe(3e-3);
    for (let i = 0; i < 3; i++) gan.trainStep();
    // The 4th step ran at epoch 3/2: 3e-3 · 2/(2 + 1.5).
    expect(gan.optG.lr).toBeCloseTo(3e-3 * 2 / 3.5, 15);
    expect(gan.optD.lr).toBeCloseTo(6e-3 * 2 / 3.5, 15);
    gan.setLearningRates(1e-3, 2e-3);
    expect(gan.config.lrG).toBe(1e-3);
    // Steps taken: 4, epoch 2: the new base rates at factor 2/(2 + 2).
    expect(gan.optG.lr).toBeCloseTo(1e-3 / 2, 15);
    expect(gan.optD.lr).toBeCloseTo(2e-3 / 2, 15);
    gan.dispose();
  });
});

describe('the power of the decay', () => {
  it('lr·(τ/(τ + epoch))^p: p 2 squares the factor; p 1 is the inverse-time decay', () => {
    const gan = createGan(getTarget('normal'), { dataset: 256, batch: 128, lrDecay: 2, lrDecayPower: 2, evalSamples: 100 });
    for (let i = 0; i < 4; i++) gan.trainStep();
    // The 4th step ran at epoch 3/2: 3e-3 · (2/(2 + 1.5))².
    expect(gan.optG.lr).toBeCloseTo(3e-3 * (2 / 3.5) ** 2, 15);
    expect(gan.optD.lr).toBeCloseTo(GAN_DEFAULTS.lrD * (2 / 3.5) ** 2, 15);
    gan.dispose();
  });

  it('is refused outside [0.1, 8], when not a finite number, and from the command line alike', () => {
    for (const bad of [0, 0.05, 9, Number.NaN, Infinity]) {
      expect(() => resolveGanConfig({ lrDecayPower: bad })).toThrow(/lrDecayPower'? must be/);
    }
    expect(() => resolveGanConfig({ lrDecayPower: '2' as unknown as number })).toThrow(/'lrDecayPower' must be a number, got the string '2'/);
    expect(resolveGanConfig(configFromFlags({ 'lr-decay-power': 2.5 })).lrDecayPower).toBe(2.5);
    expect(() => configFromFlags({ 'lr-decay-power': 0 })).toThrow(/--lr-decay-power must be between 0.1 and 8, got 0/);
  });

  it('is saved in checkpoints and a resumed run goes on exactly; a checkpoint without it decays as p 1', async () => {
    const normal = getTarget('normal');
    const config = { dataset: 256, batch: 64, lrDecay: 3, lrDecayPower: 3, evalSamples: 100, seed: 4 };
    const straight = createGan(normal, config);
    for (let e = 0; e < 6; e++) await straight.trainEpoch();
    const first = createGan(normal, config);
    for (let e = 0; e < 3; e++) await first.trainEpoch();
    const cp = JSON.parse(JSON.stringify(await first.save())) as Checkpoint;
    expect(cp.config).toMatchObject({ lrDecay: 3, lrDecayPower: 3 });
    const resumed = Gan.load(cp);
    for (let e = 0; e < 3; e++) await resumed.trainEpoch();
    expect(resumed.history).toEqual(straight.history);
    expect(resumed.optG.lr).toBe(straight.optG.lr);
    expect(await resumed.sample(40)).toEqual(await straight.sample(40));
    const older = JSON.parse(JSON.stringify(cp)) as Checkpoint;
    delete (older.config as Record<string, unknown>).lrDecayPower;
    const old = Gan.load(older);
    expect(old.config.lrDecayPower).toBe(1);
    for (const g of [first, straight, resumed, old]) g.dispose();
  }, 60_000);
});
