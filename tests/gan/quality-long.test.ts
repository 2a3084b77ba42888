// The default GAN converges and stays converged (the long-horizon table of docs/quality.md, a
// CI-sized part of it): on `normal` and `bimodal`, seed 0, W1 at epoch 1000 no worse than 1.25×
// its epoch-300 value, D never flat, normal under W1 0.2 and bimodal under 0.45 with both modes.
// The whole table (five targets, seeds 0–4, to epoch 3000): `npm run quality:gan -- --only long`.
// Each run is 1000 epochs of 16 steps of the default networks (G 2×16, D 1×64).

import { describe, expect, it } from 'vitest';
import { createGan, GAN_POST } from '../../models/gan';
import { writeWeights, readWeights } from '../../models/core/checkpoint';
import { getTarget } from '../../models/data/targets';
import { discriminatorRange, FLAT_RANGE, longFailures, longRun } from '../../models/gan/quality-long';

describe('the default GAN stays converged (CI part of the long-horizon table)', () => {
  for (const target of ['normal', 'bimodal']) {
    it(`${target}, seed 0: epochs 300 and 1000 pass`, async () => {
      const r = await longRun(target, {}, 0, [300, 1000]);
      expect(r.checkpoints.map((c) => c.epoch)).toEqual([300, 1000]);
      expect(r.failures).toEqual([]);
      expect(r.flatAt).toBeNull();
    }, 240_000);
  }
});

describe('what the long-horizon check counts as a failure', () => {
  it('a D whose ReLUs are all off is flat', async () => {
    const gan = createGan(getTarget('normal'), { ...GAN_POST, evalSamples: 100 });
    expect(await discriminatorRange(gan)).toBeGreaterThan(FLAT_RANGE);
    // Every hidden unit of D off for every input: first-layer weights 0, biases −1.
    const weights = await readWeights(gan.namedParameters());
    weights['D.layers.0.weight'] = weights['D.layers.0.weight'].map(() => 0);
    weights['D.layers.0.bias'] = weights['D.layers.0.bias'].map(() => -1);
    writeWeights(gan.namedParameters(), weights, 'test');
    expect(await discriminatorRange(gan)).toBe(0);
    gan.dispose();
  });

  it('a later W1 above 1.25× the first, a W1 over the goal, a lost mode and a flat D are named', () => {
    const at = (epoch: number, w1: number, above4 = 0.5) => ({ epoch, w1, mean: 4, std: 2, above4 });
    expect(longFailures('normal', [at(300, 0.1), at(1000, 0.125)], null)).toEqual([]);
    expect(longFailures('normal', [at(300, 0.1), at(1000, 0.126)], null)).toEqual(['W1 0.126 at epoch 1000 > 1.25× 0.100']);
    expect(longFailures('normal', [at(300, 0.2), at(1000, 0.1)], 700)).toEqual(['D flat at epoch 700', 'W1 0.200 ≥ 0.2 at epoch 300']);
    expect(longFailures('bimodal', [at(300, 0.3, 0.7)], null)).toEqual(['one mode lost at epoch 300 (share above 4: 0.70)']);
    expect(longFailures('uniform', [at(300, 0.5), at(3000, 0.6)], null)).toEqual([]);
  });
});
