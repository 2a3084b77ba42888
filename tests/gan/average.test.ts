// Tail averaging of G's weights (models/gan/average.ts): the running mean of the weights over
// the steps since epoch gAverageFrom, the network samples come from once it has begun. Checked:
// the mean itself, that training's own weights and random stream do not change, checkpoints
// taken part-way resume bit for bit, and the setting's checks and flag.

import { describe, expect, it } from 'vitest';
import { tensor } from '../../engine/index';
import { createGan, Gan, resolveGanConfig } from '../../models/gan';
import { configFromFlags } from '../../models/gan/cli';
import { averagedSteps, WeightAverage } from '../../models/gan/average';
import { readWeights } from '../../models/core/checkpoint';
import { getTarget } from '../../models/data/targets';
import type { Checkpoint } from '../../models/core/model';

const SMALL = { dataset: 256, batch: 64, evalSamples: 200, seed: 6 }; // 4 steps an epoch

describe('WeightAverage', () => {
  it('holds the mean of the values it was given, k = 1 copying them', async () => {
    const p = tensor([1, -2, 3]);
    const avg = new WeightAverage([p], [tensor([9, 9, 9])]);
    const seen = [[1, -2, 3], [2, 0, 1], [-4, 5, 0.5], [0.25, 1, 2]];
    for (let k = 1; k <= seen.length; k++) {
      p.writeValues(seen[k - 1], 'test');
      avg.update(k);
      const want = [0, 1, 2].map((i) => seen.slice(0, k).reduce((s, v) => s + v[i], 0) / k);
      const got = Array.from(await avg.weights[0].data());
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
    expect(() => avg.update(0)).toThrow(/WeightAverage.update: k must be a whole number from 1, got 0/);
  });

  it('counts the steps since epoch `from` (0: off)', () => {
    expect(averagedSteps(0, 1000, 16)).toBe(0);
    expect(averagedSteps(3, 47, 16)).toBe(0);
    expect(averagedSteps(3, 48, 16)).toBe(0);
    expect(averagedSteps(3, 49, 16)).toBe(1);
    expect(averagedSteps(3, 60, 16)).toBe(12);
  });
});

describe('a GAN with gAverageFrom', () => {
  it("trains exactly as without it, samples from G until the epoch, then from the mean of G's weights since", async () => {
    const plain = createGan(getTarget('bimodal'), { ...SMALL, gAverageFrom: 0 });
    const averaged = createGan(getTarget('bimodal'), { ...SMALL, gAverageFrom: 2 });
    const names = averaged.G.namedParameters();
    for (let e = 0; e < 2; e++) {
      await plain.trainEpoch();
      await averaged.trainEpoch();
    }
    expect(averaged.sampler).toBe(averaged.G);
    const sum: Record<string, number[]> = {};
    for (let i = 0; i < averaged.stepsPerEpoch + 2; i++) {
      plain.trainStep();
      averaged.trainStep();
      for (const [n, v] of Object.entries(await readWeights(names))) sum[n] = (sum[n] ?? v.map(() => 0)).map((s, j) => s + v[j]);
    }
    expect(averaged.sampler).toBe(averaged.Gavg);
    expect(await readWeights(names)).toEqual(await readWeights(plain.G.namedParameters()));
    const avg = await readWeights(averaged.Gavg!.namedParameters());
    const k = averaged.stepsPerEpoch + 2;
    for (const [n, s] of Object.entries(sum)) s.forEach((v, j) => expect(avg[n][j], `${n}[${j}]`).toBeCloseTo(v / k, 5));
    // Samples come from the average: they differ from G's on the same noise.
    const [a, b] = [await averaged.sample(50), await plain.sample(50)];
    expect(Array.from(a)).not.toEqual(Array.from(b));
    plain.dispose();
    averaged.dispose();
  });

  it('a checkpoint taken part-way through the average resumes bit for bit; one without the setting loads with it off', async () => {
    const straight = createGan(getTarget('normal'), { ...SMALL, gAverageFrom: 1 });
    for (let e = 0; e < 3; e++) await straight.trainEpoch();
    const expected = await straight.save();
    straight.dispose();
    const first = createGan(getTarget('normal'), { ...SMALL, gAverageFrom: 1 });
    for (let e = 0; e < 2; e++) await first.trainEpoch();
    first.trainStep();
    const cp = JSON.parse(JSON.stringify(await first.save())) as Checkpoint;
    first.dispose();
    expect(Object.keys(cp.weights).filter((n) => n.startsWith('Gavg.')).length).toBeGreaterThan(0);
    const resumed = Gan.load(cp);
    await resumed.trainEpoch({ stepsDone: 1 });
    const got = await resumed.save();
    resumed.dispose();
    expect(got.weights).toEqual(expected.weights);

    // A checkpoint from before the setting: no average and no weights for one.
    const plain = createGan(getTarget('normal'), { ...SMALL, gAverageFrom: 0 });
    await plain.trainEpoch();
    const older = JSON.parse(JSON.stringify(await plain.save())) as Checkpoint;
    plain.dispose();
    delete (older.config as Record<string, unknown>).gAverageFrom;
    const old = Gan.load(older);
    expect(old.config.gAverageFrom).toBe(0);
    expect(old.Gavg).toBeNull();
    old.dispose();
  }, 60_000);

  it('is checked (a whole number of epochs from 0, not with G BatchNorm) and set by --g-average-from', () => {
    expect(() => resolveGanConfig({ gAverageFrom: -1 })).toThrow(/gAverageFrom must be between 0 and 1000000000, got -1/);
    expect(() => resolveGanConfig({ gAverageFrom: 2.5 })).toThrow(/gAverageFrom must be an integer, got 2.5/);
    expect(() => resolveGanConfig({ gAverageFrom: 300, gBatchNorm: true })).toThrow(/gAverageFrom 300 averages G's weights, and G's BatchNorm statistics are not averaged/);
    expect(resolveGanConfig({ gBatchNorm: true }).gAverageFrom).toBe(0); // the default gives way
    expect(resolveGanConfig(configFromFlags({ 'g-average-from': 150 })).gAverageFrom).toBe(150);
    expect(() => configFromFlags({ 'g-average-from': -3 })).toThrow(/--g-average-from must be a whole number of epochs from 0 to 1e9, got -3/);
  });
});
