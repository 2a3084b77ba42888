// The diagnostics math (Q-Q points, ECDFs, the KS location, the histogram difference) on random
// samples, checked against brute-force definitions and against metrics.ts's ks2.
import { describe, expect, it } from 'vitest';
import { createRng } from '../engine/rng';
import { diagnostics, ecdfAt, ecdfCurves, histogramDifference, ksLocation, marginal, qqPoints } from '../models/eval/diagnostics';
import { ks2, percentiles } from '../models/eval/metrics';

function normals(n: number, seed: number, mu = 0, sigma = 1): Float64Array {
  const out = new Float64Array(n);
  createRng(seed).fillNormal(out, mu, sigma);
  return out;
}

/** F(x) by counting, the definition. */
function bruteEcdf(s: ArrayLike<number>, x: number): number {
  let c = 0;
  for (let i = 0; i < s.length; i++) if (s[i] <= x) c++;
  return c / s.length;
}

describe('ksLocation', () => {
  it('gives the same statistic as ks2 on random samples, of equal and unequal sizes', () => {
    for (const [n, m, shift, seed] of [[500, 500, 0.3, 1], [317, 1203, -0.1, 2], [41, 7, 1.5, 3], [1000, 999, 0, 4]]) {
      const a = normals(n, seed, shift, 1.2);
      const b = normals(m, seed + 100);
      const ks = ksLocation(a, b);
      expect(ks.d).toBe(ks2(a, b).d);
      expect(ks.d).toBeGreaterThan(0);
    }
  });

  it('marks a sample value where |F_gen − F_target| = D, and no x has a larger gap', () => {
    const a = normals(300, 7, 0.4);
    const b = normals(450, 8, 0, 1.5);
    const ks = ksLocation(a, b);
    expect(ks.generatedCdf).toBeCloseTo(bruteEcdf(a, ks.x), 15);
    expect(ks.targetCdf).toBeCloseTo(bruteEcdf(b, ks.x), 15);
    expect(Math.abs(ks.generatedCdf - ks.targetCdf)).toBeCloseTo(ks.d, 15);
    expect([...a, ...b]).toContain(ks.x);
    // Brute force over every sample value (where the ECDFs jump) and just left of it.
    let sup = 0;
    for (const v of [...a, ...b]) {
      sup = Math.max(sup, Math.abs(bruteEcdf(a, v) - bruteEcdf(b, v)));
      const left = v - 1e-9;
      sup = Math.max(sup, Math.abs(bruteEcdf(a, left) - bruteEcdf(b, left)));
    }
    expect(ks.d).toBeCloseTo(sup, 12);
  });

  it('handles ties (rounded samples) as ks2 does', () => {
    const a = normals(400, 11).map((v) => Math.round(v * 4) / 4);
    const b = normals(400, 12, 0.2).map((v) => Math.round(v * 4) / 4);
    const ks = ksLocation(a, b);
    expect(ks.d).toBe(ks2(a, b).d);
    expect(Math.abs(bruteEcdf(a, ks.x) - bruteEcdf(b, ks.x))).toBeCloseTo(ks.d, 15);
  });

  it('refuses empty or non-finite samples with a clear error', () => {
    expect(() => ksLocation([], [1, 2])).toThrow(/ksLocation: the generated samples are empty/);
    expect(() => ksLocation([0.3, NaN], [1, 2])).toThrow(/ksLocation: the generated samples contain a non-finite value NaN at index 1/);
  });
});

describe('ECDF', () => {
  it('ecdfAt equals counting on random data', () => {
    const s = normals(257, 21);
    const sorted = Float64Array.from(s).sort();
    for (const x of normals(50, 22, 0, 2)) expect(ecdfAt(sorted, x)).toBe(bruteEcdf(s, x));
    expect(ecdfAt(sorted, sorted[0])).toBeCloseTo(1 / 257, 15);
    expect(ecdfAt(sorted, sorted[256])).toBe(1);
  });

  it('curves rise from near 0 to 1 on an increasing grid that contains the KS location', () => {
    const a = normals(600, 31, 0.5);
    const b = normals(800, 32);
    const ks = ksLocation(a, b);
    const c = ecdfCurves(a, b, 120, ks);
    expect(c.x).toContain(ks.x);
    for (let i = 1; i < c.x.length; i++) {
      expect(c.x[i]).toBeGreaterThan(c.x[i - 1]);
      expect(c.generated[i]).toBeGreaterThanOrEqual(c.generated[i - 1]);
      expect(c.target[i]).toBeGreaterThanOrEqual(c.target[i - 1]);
    }
    expect(c.generated[c.x.length - 1]).toBe(1);
    expect(c.target[c.x.length - 1]).toBe(1);
    const k = c.x.indexOf(ks.x);
    expect(Math.abs(c.generated[k] - c.target[k])).toBeCloseTo(ks.d, 15);
    // No grid point shows a gap bigger than D.
    for (let i = 0; i < c.x.length; i++) expect(Math.abs(c.generated[i] - c.target[i])).toBeLessThanOrEqual(ks.d + 1e-15);
  });
});

describe('Q-Q points', () => {
  it('are the NumPy-style percentiles of each sample at p = (k + ½)/K', () => {
    const a = normals(700, 41, 1, 2);
    const b = normals(500, 42);
    const qq = qqPoints(a, b, 20);
    expect(qq.probs[0]).toBeCloseTo(0.025, 15);
    expect(qq.generated).toEqual(percentiles(a, qq.probs.map((p) => 100 * p)));
    expect(qq.target).toEqual(percentiles(b, qq.probs.map((p) => 100 * p)));
  });

  it('lie near y = x for two samples of one distribution, and near y = 1 + 2x for N(1, 2²) against N(0, 1)', () => {
    const same = qqPoints(normals(20000, 51), normals(20000, 52), 19);
    for (let k = 0; k < 19; k++) expect(Math.abs(same.generated[k] - same.target[k])).toBeLessThan(0.06);
    // The standard error of a sample p-quantile is √(p(1 − p)/n) / f(q): at p = 0.026 and
    // n = 20000 about 0.019 for N(0, 1) and 0.038 for N(1, 2²), so 0.054 for 1 + 2x against y;
    // 0.25 is over 4 standard errors at the extreme points.
    const moved = qqPoints(normals(20000, 53, 1, 2), normals(20000, 54), 19);
    for (let k = 0; k < 19; k++) expect(Math.abs(moved.generated[k] - (1 + 2 * moved.target[k]))).toBeLessThan(0.25);
    // ... and the middle of the distribution is far from the diagonal y = x.
    expect(Math.abs(moved.generated[9] - moved.target[9])).toBeGreaterThan(0.8);
  });

  it('refuses a count below 2', () => {
    expect(() => qqPoints([1, 2, 3], [0.5, 1.5], 1)).toThrow(/qqPoints: count must be an integer ≥ 2, got 1/);
  });
});

describe('histogram difference', () => {
  it('is generated − target density per bin, each density integrating to 1 over the joint span', () => {
    const a = normals(900, 61, 0.3);
    const b = normals(1100, 62);
    const h = histogramDifference(a, b, 25);
    expect(h.edges.length).toBe(26);
    const w = h.edges[1] - h.edges[0];
    const total = (d: number[]): number => d.reduce((s, v) => s + v * w, 0);
    expect(total(h.generated)).toBeCloseTo(1, 12);
    expect(total(h.target)).toBeCloseTo(1, 12);
    expect(total(h.difference)).toBeCloseTo(0, 12);
    for (let i = 0; i < 25; i++) {
      expect(h.difference[i]).toBeCloseTo(h.generated[i] - h.target[i], 15);
      // Counting by hand in bin i.
      const lo = h.edges[i];
      const hi = h.edges[i + 1];
      const inBin = (s: Float64Array): number => s.filter((v) => v >= lo && (i === 24 ? v <= hi : v < hi)).length;
      expect(h.generated[i]).toBeCloseTo(inBin(a) / (900 * w), 9);
      expect(h.target[i]).toBeCloseTo(inBin(b) / (1100 * w), 9);
    }
    // Shifted right: less mass than the target on the far left, more on the far right.
    expect(h.difference.slice(0, 10).reduce((s, v) => s + v, 0)).toBeLessThan(0);
    expect(h.difference.slice(15).reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
  });

  it('with a given range drops what falls outside (mass missing, not moved)', () => {
    const a = normals(1000, 71, 0, 3);
    const h = histogramDifference(a, normals(1000, 72), 10, [-1, 1]);
    const w = 0.2;
    const inside = a.filter((v) => v >= -1 && v <= 1).length / 1000;
    expect(h.generated.reduce((s, v) => s + v * w, 0)).toBeCloseTo(inside, 12);
    expect(() => histogramDifference(a, a, 10, [1, 1])).toThrow(/range must have hi > lo/);
  });
});

describe('marginal and diagnostics', () => {
  it('split interleaved pairs, and bundle the three plots', () => {
    const xy = normals(600, 81);
    expect(Array.from(marginal(xy, 2, 1))).toEqual(Array.from(xy).filter((_, i) => i % 2 === 1));
    expect(() => marginal([1, 2, 3], 2, 0)).toThrow(/odd length 3/);
    const d = diagnostics(marginal(xy, 2, 0), normals(300, 82), { quantiles: 9, bins: 12, ecdfPoints: 50 });
    expect(d.qq.generated.length).toBe(9);
    expect(d.histogram.difference.length).toBe(12);
    expect(d.ecdf.x).toContain(d.ks.x);
  });
});
