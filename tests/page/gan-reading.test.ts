// The GAN tab's live reading (demo/gan-reading.ts) on states built on purpose: each test sets a
// real model's weights (or, for the history-only states, its records) so that the state holds,
// measures it the way the page does (demo/gan-probe.ts), and checks what the reading says.

import { describe, expect, it } from 'vitest';
import { createGan, type Gan } from '../../models/gan';
import { GAN_POST } from '../../models/gan/config';
import { getTarget, type Target } from '../../models/data/targets';
import { referenceSamples, scoreSamples } from '../../models/eval/evaluate';
import { assignValues } from '../../engine/nn';
import { createRng } from '../../engine/index';
import type { HistoryRecord } from '../../models/core/model';
import { modeShares, readGan, type GanProbe } from '../../demo/gan-reading';
import { deadUnits, probeGan } from '../../demo/gan-probe';
import { ganGradcheck } from '../../demo/tabs/gan-gradcheck';
import { discriminate, sampleWithGradients } from '../../demo/gan-views';

// The states are built on the TensorFlow.js GAN playground post's settings (ReLU units, β₁ 0.9, no
// decay): a dead D is a ReLU failure, which the LeakyReLU defaults cannot show.
const RELU_D = GAN_POST;

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

/** One history record measured on the model as it is now (D's outputs, losses, W1 and KLD). */
async function measuredRecord(model: Gan, epoch: number): Promise<HistoryRecord> {
  const samples = await model.sample(1000);
  const dReal = mean(await discriminate(model, model.dataset.raw.subarray(0, 1000)));
  const dFake = mean(await discriminate(model, samples));
  // evaluate() scores the weights as they are now (a score cached at the epoch's end is not reused once they change).
  const m = await model.evaluate();
  return {
    epoch, step: epoch * model.stepsPerEpoch, w1: m.w1, kld: m.kld, dReal, dFake,
    dLoss: -(Math.log(dReal) + Math.log(1 - dFake)), gLoss: -Math.log(dFake),
    genMean: m.mean[0], genStd: m.std[0], accReal: dReal > 0.5 ? 1 : 0, accFake: dFake < 0.5 ? 1 : 0,
  };
}

async function probe(model: Gan): Promise<GanProbe & { units: { dead: number; units: number }[] }> {
  const { samples, grads } = await sampleWithGradients(model, 200);
  return probeGan(model, samples, grads);
}

function setLayer(model: Gan, net: 'G' | 'D', index: number, weight: (i: number) => number, bias: (j: number) => number): void {
  const layer = model[net].layers[index];
  assignValues(layer.weight, Array.from({ length: layer.weight.size }, (_, i) => weight(i)), `${net}.${index}.weight`);
  if (layer.bias) assignValues(layer.bias, Array.from({ length: layer.bias.size }, (_, j) => bias(j)), `${net}.${index}.bias`);
}

/** Records of a run that trained normally: W1 falling from 1 to `end`. */
function records(count: number, end: number, extra: Partial<HistoryRecord> = {}): HistoryRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    epoch: i + 1, step: 10 * (i + 1), w1: 1 - ((1 - end) * i) / Math.max(1, count - 1), kld: 0.5, dReal: 0.6, dFake: 0.4,
    dLoss: 1.3, gLoss: 0.8, genMean: 4, genStd: 0.5, accReal: 0.6, accFake: 0.6, ...extra,
  }));
}

describe('deadUnits', () => {
  it('counts units whose pre-activation is ≤ 0 for every row, layer by layer', () => {
    // Layer 1: unit 0 = relu(x), unit 1 = relu(−x − 10) (off for x > −10), unit 2 = relu(x − 5).
    const layers = [
      { weight: [1, -1, 1], bias: [0, -10, -5], inputs: 1, outputs: 3 },
      { weight: [1, 0, 0, 0, 0, 0], bias: [0, -1], inputs: 3, outputs: 2 },
      { weight: [1, 1], bias: [0], inputs: 2, outputs: 1 },
    ];
    expect(deadUnits(layers, [-1, 0.5, 2, 3], 4)).toEqual([{ layer: 1, dead: 2, units: 3 }, { layer: 2, dead: 1, units: 2 }]);
    expect(deadUnits(layers, [-1, 0.5, 2, 6], 4)[0]).toEqual({ layer: 1, dead: 1, units: 3 });
  });
});

describe('the live reading on built states', () => {
  const normal = getTarget('normal');

  it('a dead D: every ReLU of its hidden layer off for every input, ∂D/∂x ≡ 0', async () => {
    const model = createGan(normal, { ...RELU_D, seed: 3, dataset: 512, batch: 128, evalSamples: 500 });
    await model.trainEpoch();
    // w = 0, b = −1: x·w + b = −1 for every x, so every unit is off.
    setLayer(model, 'D', 0, () => 0, () => -1);
    const p = await probe(model);
    expect(p.deadShare).toEqual([1]);
    expect(p.gradMax).toBe(0);
    const history = [...model.history, await measuredRecord(model, 2)];
    const reading = readGan(history, normal, 'nonsaturating', p);
    expect(reading.state).toBe('dead-d');
    expect(reading.html).toMatch(/every ReLU unit of D's hidden layer 1 is off/);
    expect(reading.html).toMatch(/∂D\/∂x ≡ 0/);
    model.dispose();
  });

  it('a healthy D at initialisation has live units and a non-zero gradient', async () => {
    const model = createGan(normal, { ...RELU_D, seed: 3, dataset: 512, batch: 128, evalSamples: 500 });
    const p = await probe(model);
    expect(p.deadShare[0]).toBeLessThan(1);
    expect(p.gradMax).toBeGreaterThan(0);
    const reading = readGan([await measuredRecord(model, 1)], normal, 'nonsaturating', p);
    expect(reading.state).not.toBe('dead-d');
    model.dispose();
  });

  it('a saturated D with the min-max loss: D(G(z)) → 0, the vanishing gradient is named', async () => {
    const model = createGan(normal, { ...RELU_D, seed: 4, dataset: 512, batch: 128, evalSamples: 500, loss: 'minimax' });
    // D's logit = 10·relu(x + 5) − 60: 30 at the data (x ≈ 4), about −10 at G's first samples (x ≈ 0).
    setLayer(model, 'D', 0, (i) => (i === 0 ? 1 : 0), (j) => (j === 0 ? 5 : -1));
    setLayer(model, 'D', 1, (i) => (i === 0 ? 10 : 0), () => -60);
    const record = await measuredRecord(model, 1);
    expect(record.dFake).toBeLessThan(0.01);
    expect(record.dReal).toBeGreaterThan(0.99);
    const p = await probe(model);
    expect(p.deadShare[0]).toBeLessThan(1);
    expect(p.gradMax).toBeGreaterThan(0);
    const reading = readGan([record], normal, 'minimax', p);
    expect(reading.state).toBe('saturated-d');
    expect(reading.html).toMatch(/min-max loss.*flat.*gradient vanishes/);
    // The same D under the non-saturating loss: named, with the other explanation.
    expect(readGan([record], normal, 'nonsaturating', p).html).toMatch(/still gives G a strong gradient/);
    model.dispose();
  });

  it('divergence: G blown up after a normal start', async () => {
    const model = createGan(normal, { ...RELU_D, seed: 5, dataset: 512, batch: 128, evalSamples: 500 });
    await model.trainEpoch();
    await model.trainEpoch();
    const last = model.G.layers.length - 1;
    const w = await model.G.layers[last].weight.data();
    // G's output moved to about 30, far beyond the data at 4 (but within the training's own hard limit).
    setLayer(model, 'G', last, (i) => w[i], () => 30);
    const history = [...model.history, await measuredRecord(model, 3)];
    expect(history[2].w1).toBeGreaterThan(4 * Math.min(history[0].w1, history[1].w1));
    const reading = readGan(history, normal, 'nonsaturating', await probe(model));
    expect(reading.state).toBe('divergence');
    expect(reading.html).toMatch(/still rising/);
    // A loss that is no longer a number is divergence too.
    const nan = { ...history[2], gLoss: NaN };
    expect(readGan([...history.slice(0, 2), nan], normal, 'nonsaturating', null).html).toMatch(/gLoss stopped being finite/);
    model.dispose();
  });

  it('mode collapse: G sends every z to one point on a two-mode target', async () => {
    const bimodal = getTarget('bimodal');
    const model = createGan(bimodal, { ...RELU_D, seed: 6, dataset: 512, batch: 128, evalSamples: 500 });
    const last = model.G.layers.length - 1;
    setLayer(model, 'G', last, () => 0, () => 2);
    const record = await measuredRecord(model, 1);
    expect(record.genStd).toBeLessThan(1e-9);
    const reading = readGan([record], bimodal, 'nonsaturating', await probe(model));
    expect(reading.state).toBe('mode-collapse');
    expect(reading.html).toMatch(/far below the target's/);
    model.dispose();
  });

  it('mode collapse by shares: one of three modes missing although the std is wide', () => {
    const mixture = getTarget('mixture');
    const rng = createRng(7);
    // Half the samples on N(1.5, 0.3), half on N(7, 0.25), none on the middle mode at 4.
    const z = new Float64Array(2000);
    rng.fillNormal(z);
    const samples = z.map((v, i) => (i % 2 === 0 ? 1.5 + 0.3 * v : 7 + 0.25 * v));
    const shares = modeShares(samples, mixture) as NonNullable<ReturnType<typeof modeShares>>;
    expect(shares[1].share).toBe(0);
    expect(shares[0].share).toBeCloseTo(0.5, 1);
    const m = scoreSamples(samples, mixture, referenceSamples(mixture, 2000, 1));
    const record = { ...records(1, 0)[0], w1: m.w1, kld: m.kld, genMean: m.mean[0], genStd: m.std[0] };
    const reading = readGan([record], mixture, 'nonsaturating', { deadShare: [0.1], gradMax: 1, samples });
    expect(reading.state).toBe('mode-collapse');
    expect(reading.html).toMatch(/1 of the target's 3 modes/);
  });

  it('oscillation: the losses swing between epochs', () => {
    const history = records(8, 0.5).map((r, i) => ({ ...r, gLoss: i % 2 ? 0.3 : 1.6, dFake: i % 2 ? 0.2 : 0.7 }));
    const reading = readGan(history, normal, 'nonsaturating', { deadShare: [0.2], gradMax: 1 });
    expect(reading.state).toBe('oscillation');
    // W1 sweeping up and down by a factor of 10 while the losses look calm: an oscillation too.
    const sweeping = records(8, 0.5).map((r, i) => ({ ...r, w1: i % 3 === 0 ? 0.1 : i % 3 === 1 ? 1 : 3 }));
    const w = readGan(sweeping, normal, 'nonsaturating', { deadShare: [0.2], gradMax: 1 });
    expect(w.state).toBe('oscillation');
    expect(w.html).toMatch(/W₁ went up and down \d times/);
    // Settled records with a steadily falling W1: not an oscillation.
    expect(readGan(records(8, 0.5), normal, 'nonsaturating', { deadShare: [0.2], gradMax: 1 }).state).toBe('learning');
  });

  it('near equilibrium comes from W1 and KLD: a left peak at 1.2 instead of 2 is not it, though the moments are close', () => {
    const bimodal = getTarget('bimodal') as Target & { sampleLabelled: NonNullable<Target['sampleLabelled']> };
    const reference = referenceSamples(bimodal, 4000, 1);
    const { samples, labels } = bimodal.sampleLabelled(4000, createRng(11));
    const reading = (s: Float64Array): ReturnType<typeof readGan> => {
      const m = scoreSamples(s, bimodal, reference);
      const record = { ...records(1, 0)[0], w1: m.w1, kld: m.kld, genMean: m.mean[0], genStd: m.std[0], dReal: 0.5, dFake: 0.5, dLoss: 2 * Math.LN2, gLoss: Math.LN2 };
      return readGan([record], bimodal, 'nonsaturating', { deadShare: [0.1], gradMax: 1, samples: s });
    };
    expect(reading(samples).state).toBe('equilibrium');
    const shifted = samples.map((v, i) => (labels[i] === 0 ? v - 0.8 : v));
    // The moments: mean off by 0.4 (a fifth of the std), std within 10%.
    expect(Math.abs(mean(shifted) - bimodal.mean[0])).toBeLessThan(0.25 * bimodal.std[0]);
    const r = reading(shifted);
    expect(r.state).toBe('learning');
    expect(r.html).toMatch(/loss values alone do not prove convergence/);
  });

  it('WGAN: no probability talk, and a dead critic is still named', () => {
    const history = records(3, 0.5, { dLoss: -0.3 });
    expect(readGan(history, normal, 'wgan-gp', { deadShare: [0.3], gradMax: 1 }).html).toMatch(/Critic loss/);
    expect(readGan(history, normal, 'wgan-gp', { deadShare: [1], gradMax: 0 }).state).toBe('dead-d');
  });
});

describe('the gradient check under the hood', () => {
  it('checks entries whose gradient is not 0 when most of D\'s units are dead', async () => {
    const model = createGan(getTarget('normal'), { seed: 8, dataset: 512, batch: 128, evalSamples: 500 });
    // Units 0..23 of D's first layer dead (w = 0, b = −1); 24..31 keep their weights and b = 0.
    const w = await model.D.layers[0].weight.data();
    const units = model.D.layers[0].outFeatures;
    setLayer(model, 'D', 0, (i) => (i % units < units - 8 ? 0 : w[i]), (j) => (j < units - 8 ? -1 : 0.1));
    const { rows } = await ganGradcheck(model);
    expect(rows.length).toBe(7);
    for (const r of rows) {
      expect(r.analytic).not.toBe(0);
      expect(r.relError).toBeLessThan(1e-5);
    }
    model.dispose();
  });
});
