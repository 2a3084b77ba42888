// W1 of a sample against a target's exact quantile function (models/eval/w1-exact.ts), the
// long-horizon check's estimator: exact where the answer is known, in agreement with the
// two-sample W1 on large samples, and refusing targets without a continuous 1D CDF.

import { describe, expect, it } from 'vitest';
import { createRng } from '../engine/index';
import { getTarget } from '../models/data/targets';
import { w1 } from '../models/eval/metrics';
import { midpointQuantiles, w1Exact } from '../models/eval/w1-exact';

describe('w1Exact', () => {
  it('is 0 for the midpoint quantiles themselves and δ for them shifted by δ (uniform, exponential)', () => {
    for (const name of ['uniform', 'exponential']) {
      const t = getTarget(name);
      const q = midpointQuantiles(t, 1001);
      for (let i = 0; i < q.length; i++) expect(t.cdf!(q[i])).toBeCloseTo((i + 0.5) / 1001, 10);
      expect(w1Exact(q, t)).toBeLessThan(1e-12);
      expect(w1Exact(q.map((x) => x + 0.3), t)).toBeCloseTo(0.3, 10);
      expect(w1Exact(q.map((x) => x - 0.05).reverse(), t)).toBeCloseTo(0.05, 10); // order does not matter
    }
  });

  it('agrees with the two-sample W1 on large samples, for each of the playground targets', () => {
    const rng = createRng(3);
    for (const name of ['normal', 'bimodal', 'uniform', 'exponential', 'mixture']) {
      const t = getTarget(name);
      // A "generator" off by a shift and a scale, so W1 is well above both estimators' noise.
      const mean = t.mean[0];
      const g = t.sample(100_000, rng).map((x) => mean + 1.1 * (x - mean) + 0.15);
      const exact = w1Exact(g, t);
      const twoSample = w1(g, t.sample(100_000, rng));
      expect(Math.abs(exact - twoSample), `${name}: exact ${exact}, two-sample ${twoSample}`).toBeLessThan(0.1 * exact);
    }
  });

  it('matches the closed form on exponential: a sample of rate λ/1.2 is W1 0.2/λ from rate λ', () => {
    const t = getTarget('exponential');
    const rate = 1 / t.mean[0];
    const rng = createRng(8);
    const g = t.sample(400_000, rng).map((x) => 1.2 * x); // exponential with mean 1.2/λ: W1 = ∫|1.2Q − Q| = 0.2·mean
    expect(w1Exact(g, t)).toBeCloseTo(0.2 / rate, 2);
  });

  it('refuses a target without a continuous 1D CDF, and an empty sample', () => {
    expect(() => w1Exact([1, 2], getTarget('2d-mix-gauss'))).toThrow(/w1Exact: target '2d-mix-gauss' has no continuous 1D CDF/);
    expect(() => w1Exact([1, 2], getTarget('1d-poisson'))).toThrow(/w1Exact: target '1d-poisson' has no continuous 1D CDF/);
    expect(() => w1Exact([], getTarget('normal'))).toThrow(/w1Exact: the sample is empty/);
  });
});
