// The GAN's behaviour on the CPU backend: history records, checkpoints (exact resume, refusals),
// loss variants, WGAN clipping, the display helpers, divergence, and no readback per step.

import { describe, expect, it } from 'vitest';
import { currentBackend } from '../../engine/backend';
import { DivergenceError, type Checkpoint } from '../../models/core/model';
import { createGan, Gan, GAN_DEFAULTS, type GanConfig } from '../../models/gan';
import { createModel, loadModel } from '../../models/core/registry';
import { getTarget } from '../../models/data/targets';
import { discriminate, latentWalk, sampleWithGradients } from '../../demo/gan-views';

const normal = getTarget('normal');

/** A small, quick config that still exercises every path of a step. */
const SMALL: Partial<GanConfig> = { dataset: 256, batch: 32, evalSamples: 200 };

async function trainEpochs(gan: Gan, epochs: number): Promise<void> {
  for (let e = 0; e < epochs; e++) await gan.trainEpoch();
}

const roundTrip = (cp: Checkpoint): Checkpoint => JSON.parse(JSON.stringify(cp)) as Checkpoint;

async function weightsOf(gan: Gan): Promise<number[]> {
  const out: number[] = [];
  for (const [, p] of gan.namedParameters()) out.push(...(await p.data()));
  return out;
}

describe('GAN history', () => {
  it('records exactly the documented metrics each epoch', async () => {
    const gan = createGan(normal, { ...SMALL, seed: 3 });
    const r = await gan.trainEpoch();
    expect(Object.keys(r).sort()).toEqual(
      ['accFake', 'accReal', 'dFake', 'dLoss', 'dReal', 'epoch', 'genMean', 'genStd', 'gLoss', 'kld', 'step', 'w1'].sort(),
    );
    expect(r.epoch).toBe(1);
    expect(r.step).toBe(gan.stepsPerEpoch);
    expect(gan.stepsPerEpoch).toBe(Math.floor(256 / 32));
    for (const [k, v] of Object.entries(r)) expect(Number.isFinite(v), k).toBe(true);
    for (const k of ['dReal', 'dFake', 'accReal', 'accFake']) {
      expect(r[k]).toBeGreaterThanOrEqual(0);
      expect(r[k]).toBeLessThanOrEqual(1);
    }
    gan.dispose();
  });

  it('a training step reads nothing back from the backend', () => {
    // Counting the asynchronous reads, the only kind a GPU backend has. (On the CPU, gather
    // checks its indices with a free synchronous view of host memory.)
    const gan = createGan(normal, { ...SMALL, seed: 1, kD: 2, momentLambda: 0.5 });
    const backend = currentBackend();
    const read = backend.read.bind(backend);
    let reads = 0;
    backend.read = (s) => (reads++, read(s));
    try {
      for (let i = 0; i < 10; i++) gan.trainStep();
    } finally {
      backend.read = read;
    }
    expect(reads).toBe(0);
    gan.dispose();
  });

  it('the defaults keep the post\'s data and G\'s learning rate, with G 2×16 and D 1×64 (its other settings: preset.test.ts)', () => {
    expect(GAN_DEFAULTS).toMatchObject({
      dataset: 2048, batch: 128, latent: 10, gLayers: 2, gWidth: 16, dLayers: 1, dWidth: 64,
      loss: 'nonsaturating', lrG: 3e-3, beta2G: 0.999, evalSamples: 5000,
    });
    const gan = createGan(normal);
    // G 10-16-16-1, D 1-64-1.
    expect(gan.parameterCount()).toBe(10 * 16 + 16 + 16 * 16 + 16 + 16 + 1 + 64 + 64 + 64 + 1);
    expect(gan.stepsPerEpoch).toBe(16);
    gan.dispose();
  });

  it('refuses bad settings with the setting named', () => {
    expect(() => createGan(normal, { batch: 4096 })).toThrow(/batch must be between 1 and the dataset size \(2048\)/);
    expect(() => createGan(normal, { loss: 'hinge' as GanConfig['loss'] })).toThrow(/loss must be/);
    expect(() => createGan(normal, { latent: 0 })).toThrow(/latent must be between 1/);
    expect(() => createGan(getTarget('2d-mix-gauss'), { bins: 10 })).toThrow(/binned mode is for 1D data/);
    expect(() => createGan(normal, { bins: 10, temperature: 0 })).toThrow(/temperature must be between 0\.01 and 100, got 0/);
    expect(() => createGan(normal, { widht: 3 } as Partial<GanConfig>)).toThrow(/unknown setting 'widht'/);
  });
});

describe('GAN checkpoints', () => {
  it('resuming from a checkpoint continues exactly as if never stopped', async () => {
    // Every optional path on: leaky, k = 2 D steps, label smoothing, the moment term, G/D betas apart.
    const config: Partial<GanConfig> = {
      seed: 7, dataset: 512, batch: 64, activation: 'leaky', kD: 2, labelSmoothing: 0.1, momentLambda: 0.5, beta1G: 0.5, beta1D: 0.6, evalSamples: 300,
    };
    const straight = createGan(normal, config);
    await trainEpochs(straight, 200);

    const first = createGan(normal, config);
    await trainEpochs(first, 100);
    const checkpoint = roundTrip(await first.save());
    first.dispose();
    const resumed = Gan.load(checkpoint);
    expect(resumed.epoch).toBe(100);
    await trainEpochs(resumed, 100);

    expect(resumed.steps).toBe(straight.steps);
    expect(resumed.history.length).toBe(200);
    // Bit for bit: every loss and every metric of every epoch, and the final weights.
    expect(resumed.history).toEqual(straight.history);
    expect(await weightsOf(resumed)).toEqual(await weightsOf(straight));
    straight.dispose();
    resumed.dispose();
  }, 120_000);

  it('the registry creates and loads GANs, and user data survives a checkpoint', async () => {
    const data = new Float64Array(64).map((_, i) => Math.sin(i) * 2 + 1);
    const custom = { ...getTarget('normal'), name: 'mine.csv' };
    const model = createModel('gan', custom, { ...SMALL, batch: 16, seed: 2 }, data);
    expect(model.config.dataset).toBe(64);
    await model.trainEpoch();
    const cp = roundTrip(await model.save());
    expect(cp.config).toMatchObject({ userData: true, dim: 1 });
    const back = loadModel(cp);
    expect(back.target.name).toBe('mine.csv');
    expect(back.target.mean[0]).toBeCloseTo(data.reduce((s, v) => s + v, 0) / 64, 12);
    await back.trainEpoch();
    expect(back.history.length).toBe(2);
    model.dispose();
    back.dispose();
  });

  it('refuses a corrupt or mismatched checkpoint with a clear message', async () => {
    const gan = createGan(normal, { ...SMALL, seed: 1 });
    await gan.trainEpoch();
    const good = roundTrip(await gan.save());
    gan.dispose();
    const bad = (edit: (c: Record<string, any>) => void): Checkpoint => {
      const c = roundTrip(good) as unknown as Record<string, any>;
      edit(c);
      return c as unknown as Checkpoint;
    };
    expect(() => Gan.load(bad((c) => (c.format = 'zip')), 'run.json')).toThrow(/run\.json: not a valid gradlab checkpoint: "format"/);
    expect(() => Gan.load(bad((c) => (c.model = 'vae')))).toThrow(/holds a vae model, not a gan/);
    expect(() => Gan.load(bad((c) => (c.config.gWidth = 17)))).toThrow(/parameter 'G\.layers\.0\.weight' has 160 values, the model needs 170/);
    expect(() => Gan.load(bad((c) => delete c.config.latent))).toThrow(/setting 'latent' is missing/);
    expect(() => Gan.load(bad((c) => (c.weights['D.layers.1.bias'] = [NaN])))).toThrow(/D\.layers\.1\.bias' value 0 is null|D\.layers\.1\.bias' value 0 is NaN/);
    expect(() => Gan.load(bad((c) => delete c.optimizers.D))).toThrow(/optimizer state 'D' is missing/);
    expect(() => Gan.load(bad((c) => (c.target = 'nope')))).toThrow(/unknown target 'nope'/);
    expect(() => Gan.load(bad((c) => (c.target = '2d-mix-gauss')))).toThrow(/is 2D but the checkpoint's data is 1D/);
    expect(() => Gan.load(bad((c) => c.data.pop()))).toThrow(/dataset holds 255 values, the config says 256 rows/);
    expect(() => Gan.load(bad((c) => (c.rng.seed = 99)))).toThrow(/RNG state is for seed 99/);
  });
});

describe('GAN loss variants', () => {
  it('every variant trains with finite losses', async () => {
    for (const loss of ['nonsaturating', 'minimax', 'wgan'] as const) {
      for (const extra of [{}, { kD: 3, labelSmoothing: 0.2, momentLambda: 1 }]) {
        const gan = createGan(normal, { ...SMALL, seed: 4, loss, ...extra });
        await trainEpochs(gan, 3);
        for (const r of gan.history) {
          for (const k of ['gLoss', 'dLoss', 'dReal', 'dFake', 'w1']) expect(Number.isFinite(r[k]), `${loss} ${k}`).toBe(true);
        }
        gan.dispose();
      }
    }
  });

  it('the min-max generator loss saturates when D is confident (why it stalls)', async () => {
    // Same seed, so both start identical; D's loss does not depend on the G variant, so after
    // D trains alone (1000 steps) the two are still identical, with D rejecting the fakes
    // (G starts near 0, the data is N(10, 2)). Then one G step each, and G's gradient norm.
    const gradNorms: Record<string, number> = {};
    for (const loss of ['nonsaturating', 'minimax'] as const) {
      // R1 off: it holds D's slope at the data down, and the point here is a D that is sure.
      const gan = createGan(getTarget('normal-10-2'), { seed: 5, loss, r1Gamma: 0 });
      for (let i = 0; i < 1000; i++) gan.stepD();
      const dOfFakes = await discriminate(gan, await gan.sample(500));
      expect(dOfFakes.reduce((s, v) => s + v, 0) / dOfFakes.length).toBeLessThan(0.01);
      gan.stepG();
      let sq = 0;
      for (const p of gan.G.parameters()) for (const g of await p.grad!.data()) sq += g * g;
      gradNorms[loss] = Math.sqrt(sq);
      gan.dispose();
    }
    // Per sample, −log D(G(z)) has gradient factor (1 − D) ≈ 1 while log(1 − D(G(z))) has
    // D ≈ 0: the min-max gradient vanishes exactly when G is worst. (Adam rescales steps, which
    // hides part of this; with SGD the min-max G would not move.)
    expect(gradNorms.minimax).toBeLessThan(0.02 * gradNorms.nonsaturating);
  });

  it('the WGAN critic keeps its weights within the clip', async () => {
    const clip = 0.02;
    const gan = createGan(normal, { ...SMALL, seed: 6, loss: 'wgan', clip, lrD: 0.01 });
    await trainEpochs(gan, 4);
    const dWeights = gan.namedParameters().filter(([n]) => n.startsWith('D.'));
    let maxAbs = 0;
    for (const [, p] of dWeights) for (const w of await p.data()) maxAbs = Math.max(maxAbs, Math.abs(w));
    expect(maxAbs).toBeLessThanOrEqual(clip);
    // With lr 0.01 the critic hits the clip: the clamp really acts.
    expect(maxAbs).toBeGreaterThan(clip * 0.99);
    gan.dispose();
  });
});

describe('GAN display helpers', () => {
  it('∂D/∂x at generated samples matches central differences of D(x)', async () => {
    const gan = createGan(normal, { ...SMALL, seed: 8, activation: 'leaky' });
    await trainEpochs(gan, 2);
    const { samples, grads } = await sampleWithGradients(gan, 12);
    expect(samples.length).toBe(12);
    // D is piecewise linear (LeakyReLU): a sample closer than h to a kink would average two
    // slopes, so the step stays well below the spacing of the kinks, and a sample whose
    // one-sided differences disagree (a kink within h) cannot be checked this way: skipped.
    const h = 1e-3;
    const plus = await discriminate(gan, samples.map((x) => x + h));
    const minus = await discriminate(gan, samples.map((x) => x - h));
    const at = await discriminate(gan, samples);
    // float32 forward passes: differences of D carry ~1e-7 / 2h = 5e-5 of rounding.
    const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-3 + 0.02 * Math.abs(b);
    let checked = 0;
    for (let i = 0; i < 12; i++) {
      if (!close((plus[i] - at[i]) / h, (at[i] - minus[i]) / h)) continue;
      checked++;
      const fd = (plus[i] - minus[i]) / (2 * h);
      expect(close(fd, grads[i]), `sample ${samples[i]}: fd ${fd}, ∂D/∂x ${grads[i]}`).toBe(true);
    }
    expect(checked).toBeGreaterThanOrEqual(9);
    // D's parameters were frozen: they got no gradient from this.
    for (const p of gan.D.parameters()) expect(p.requiresGrad).toBe(true);
    gan.dispose();
  });

  it('D(x) on a grid is a probability (raw critic for WGAN)', async () => {
    const grid = Float64Array.from({ length: 50 }, (_, i) => i * 0.2);
    const gan = createGan(normal, { ...SMALL, seed: 9 });
    await gan.trainEpoch();
    const d = await discriminate(gan, grid);
    expect(d.length).toBe(50);
    for (const v of d) expect(v > 0 && v < 1).toBe(true);
    gan.dispose();
  });

  it('lerp and slerp share their end points, differ between, and repeat with the seed', async () => {
    const gan = createGan(normal, { ...SMALL, seed: 10, latent: 6 });
    const lerp = await latentWalk(gan, 9, 'lerp', 3);
    const slerp = await latentWalk(gan, 9, 'slerp', 3);
    expect(lerp.length).toBe(9);
    expect(slerp[0]).toBeCloseTo(lerp[0], 5);
    expect(slerp[8]).toBeCloseTo(lerp[8], 5);
    expect(Math.abs(slerp[4] - lerp[4])).toBeGreaterThan(1e-6);
    expect(await latentWalk(gan, 9, 'slerp', 3)).toEqual(slerp);
    gan.dispose();
  });

  it('learning rates can change between steps and are saved', async () => {
    const gan = createGan(normal, { ...SMALL, seed: 11 });
    gan.setLearningRates(1e-4, 2e-4);
    expect(gan.optG.lr).toBe(1e-4);
    expect(gan.optD.lr).toBe(2e-4);
    expect((await gan.save()).config).toMatchObject({ lrG: 1e-4, lrD: 2e-4 });
    expect(() => gan.setLearningRates(-1, 1)).toThrow(/lrG must be/);
    gan.dispose();
  });
});

describe('GAN divergence', () => {
  it('a NaN weight stops training with a message suggesting a lower learning rate', async () => {
    const gan = createGan(normal, { ...SMALL, seed: 12 });
    const [, w] = gan.namedParameters()[0];
    const values = Array.from(await w.data());
    values[0] = NaN;
    w.backend.write(w.storage('test'), values);
    const err = await gan.trainEpoch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as Error).message).toMatch(/GAN diverged at epoch 1 .*NaN.*lower learning rate/);
    gan.dispose();
  });

  it('exploding weights stop training and name the weight', async () => {
    const gan = createGan(normal, { ...SMALL, seed: 13 });
    const [name, w] = gan.namedParameters().find(([n]) => n === 'D.layers.0.weight')!;
    const values = Array.from(await w.data());
    values[3] = 5e5;
    w.backend.write(w.storage('test'), values);
    const err = await gan.trainEpoch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as Error).message).toContain(`weight '${name}'`);
    expect((err as Error).message).toMatch(/lower learning rate/);
    gan.dispose();
  });
});
