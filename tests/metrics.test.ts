import { describe, it, expect } from 'vitest';
import { createRng } from '../engine/rng';
import {
  mean, std, skewness, excessKurtosis, percentiles, describe as describeSample, linspace, histogram,
  histogram2d, silvermanBandwidth, kde, w1, w1ToCdf, kld, kld2d, ks2, slicedW1,
} from '../models/eval/metrics';

// x = [1, 2, 3, 4, 10]: mean 20/5 = 4; deviations -3 -2 -1 0 6
//   squares 9 4 1 0 36 = 50  -> m2 = 10,   std = √10 = 3.16227766
//   cubes  -27 -8 -1 0 216 = 180 -> m3 = 36, skew = 36 / 10^1.5 = 1.13841996
//   fourth 81 16 1 0 1296 = 1394 -> m4 = 278.8, excess kurtosis = 278.8/100 - 3 = -0.212
const X = [10, 3, 1, 4, 2]; // unsorted on purpose

describe('moments', () => {
  it('match the hand computation on [1, 2, 3, 4, 10]', () => {
    expect(mean(X)).toBe(4);
    expect(std(X)).toBeCloseTo(Math.sqrt(10), 12);
    expect(skewness(X)).toBeCloseTo(1.13841996, 7);
    expect(excessKurtosis(X)).toBeCloseTo(-0.212, 12);
  });

  it('work on typed arrays and refuse empty input', () => {
    expect(std(Float32Array.from([2, 4]))).toBe(1); // deviations ±1 -> m2 = 1
    expect(() => mean([])).toThrow(/empty/);
  });

  it('give skewness 0 for a symmetric sample', () => {
    expect(skewness([-2, -1, 0, 1, 2])).toBeCloseTo(0, 12);
    // [-1, 1]: m2 = 1, m4 = 1 -> excess kurtosis 1 - 3 = -2
    expect(excessKurtosis([-1, 1, -1, 1])).toBeCloseTo(-2, 12);
  });
});

describe('percentiles (NumPy linear method)', () => {
  it('interpolate between order statistics', () => {
    // n = 5, h = 4p/100: p5 -> h 0.2 -> 1 + 0.2·1 = 1.2;  p25 -> h 1 -> 2;  p50 -> 3;
    // p75 -> h 3 -> 4;  p95 -> h 3.8 -> 4 + 0.8·(10-4) = 8.8
    const p = percentiles(X, [5, 25, 50, 75, 95]);
    [1.2, 2, 3, 4, 8.8].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 12));
    // sorted [1, 3, 4, 7], h = 3p/100: p25 -> h 0.75 -> 1 + 0.75·2 = 2.5;  p50 -> h 1.5 -> 3.5;
    // p90 -> h 2.7 -> 4 + 0.7·3 = 6.1;  p0 -> 1;  p100 -> 7   (numpy.percentile agrees)
    const q = percentiles([3, 1, 7, 4], [25, 50, 90, 0, 100]);
    [2.5, 3.5, 6.1, 1, 7].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 12));
  });

  it('reject p outside [0, 100]', () => {
    expect(() => percentiles(X, [101])).toThrow(/\[0, 100\]/);
  });

  it('are all collected by describe()', () => {
    const d = describeSample(X);
    expect(d).toMatchObject({ n: 5, mean: 4, min: 1, max: 10, p25: 2, p50: 3, p75: 4 });
    expect(d.p95).toBeCloseTo(8.8, 12);
    expect(d.std).toBeCloseTo(Math.sqrt(10), 12);
    expect(d.excessKurtosis).toBeCloseTo(-0.212, 12);
  });
});

describe('linspace and histogram', () => {
  it('linspace includes both ends', () => {
    expect(Array.from(linspace(-1, 1, 5))).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(Array.from(linspace(3, 7, 1))).toEqual([3]);
  });

  it('histogram counts half-open bins, includes the right edge, drops outside values', () => {
    // bins [0,1) [1,2) [2,3]: 0.5, 1 -> bins 0, 1;  1.5 -> 1;  3 -> 2 (right edge);  -1, 3.5, NaN dropped
    const h = histogram([0.5, 1, 1.5, 3, -1, 3.5, NaN], 3, [0, 3]);
    expect(Array.from(h.counts)).toEqual([1, 2, 1]);
    expect(Array.from(h.centres)).toEqual([0.5, 1.5, 2.5]);
    expect(h.width).toBe(1);
  });

  it('histogram2d indexes cells as i·bins + j (i along x)', () => {
    // (0.5, 1.5) -> i 0, j 1 -> cell 1;  (1.5, 0.5) -> cell 2;  (1.5, 1.5) -> cell 3;  (5, 0.5) dropped
    const c = histogram2d([0.5, 1.5, 1.5, 0.5, 1.5, 1.5, 5, 0.5], 2, [0, 2]);
    expect(Array.from(c)).toEqual([0, 1, 1, 1]);
  });
});

describe('kde', () => {
  it('matches the formula at a point for a two-sample set', () => {
    // samples {0, 1}, h = 0.5, at x = 0:
    //   1/(2·0.5·√(2π)) · (e^0 + e^(-½·(1/0.5)²)) = (1 + e^-2)/√(2π) = 0.45293325
    const f = kde([0, 1], [0, 0.5], 0.5);
    expect(f[0]).toBeCloseTo(0.45293325, 7);
    // at x = 0.5 both are 1 bandwidth away: 2·e^(-½)/(2·0.5·√(2π)) = 2·0.60653066/2.50662827 = 0.48394145
    expect(f[1]).toBeCloseTo(0.48394145, 7);
  });

  it('uses Silverman\'s rule by default', () => {
    // [1,2,3,4,10]: σ = √10 = 3.162, IQR = 4 - 2 = 2 -> 2/1.34 = 1.49254 (the smaller);
    // h = 0.9 · 1.49254 · 5^(-1/5) = 1.34328 · 0.72478 = 0.97358
    const h = silvermanBandwidth(X);
    expect(h).toBeCloseTo(0.9 * (2 / 1.34) * 5 ** -0.2, 12);
    expect(h).toBeCloseTo(0.97358, 4);
    expect(kde(X, [3])[0]).toBeCloseTo(kde(X, [3], h)[0], 12);
  });

  it('integrates to ~1 and agrees with the untruncated sum', () => {
    const x = new Float64Array(5000);
    createRng(3).fillNormal(x, 0, 1);
    const grid = linspace(-6, 6, 241);
    const f = kde(x, grid);
    let area = 0;
    for (let i = 0; i < grid.length; i++) area += f[i] * 0.05;
    expect(area).toBeCloseTo(1, 3);
    // Full O(n) sum at x = 0.3 without the 5h cut-off.
    const h = silvermanBandwidth(x);
    let full = 0;
    for (const v of x) full += Math.exp(-0.5 * ((0.3 - v) / h) ** 2);
    full /= x.length * h * Math.sqrt(2 * Math.PI);
    expect(kde(x, [0.3])[0]).toBeCloseTo(full, 5);
  });

  it('is fast enough for 5000 samples x 200 grid points', () => {
    const x = new Float64Array(5000);
    createRng(4).fillNormal(x, 0, 1);
    const grid = linspace(-4, 4, 200);
    const t0 = performance.now();
    for (let k = 0; k < 10; k++) kde(x, grid);
    expect((performance.now() - t0) / 10).toBeLessThan(50);
  });
});

describe('w1', () => {
  it('is the mean shift for equal sizes', () => {
    // sorted pairs (0,1), (1,2): |0-1|/2 + |1-2|/2 = 1
    expect(w1([0, 1], [1, 2])).toBe(1);
    expect(w1([1, 0], [2, 1])).toBe(1);
  });

  it('handles unequal sizes exactly', () => {
    // quantile of [0] is 0 on (0,1]; of [0,1] it is 0 on (0,½], 1 on (½,1]: ∫|.| = ½
    expect(w1([0], [0, 1])).toBe(0.5);
    // a = [0,3]: 0 on (0,½], 3 on (½,1];  b = [1,2,6]: 1, 2, 6 on thirds.
    //   (0,⅓]: |0-1|·⅓ + (⅓,½]: |0-2|·⅙ + (½,⅔]: |3-2|·⅙ + (⅔,1]: |3-6|·⅓ = ⅓+⅓+⅙+1 = 11/6
    expect(w1([3, 0], [6, 1, 2])).toBeCloseTo(11 / 6, 12);
    expect(w1([6, 1, 2], [3, 0])).toBeCloseTo(11 / 6, 12);
  });
});

describe('w1ToCdf', () => {
  it('integrates |F_n - F| for a hand-checkable case', () => {
    // samples {0, 1} against U(0, 1): F_n = ½ on [0, 1), F(x) = x, so ∫₀¹ |½ - x| dx = ¼
    const uniformCdf = (x: number) => Math.min(1, Math.max(0, x));
    expect(w1ToCdf([0, 1], uniformCdf, [0, 1])).toBeCloseTo(0.25, 6);
    // samples {0.5, 2}: range [0,1] is extended to 2.  ∫₀^½ x dx = ⅛;  F_n = ½ on [½, 2):
    //   ∫_½^1 |½ - x| dx = ⅛, ∫₁² ½ dx = ½  -> total ¾
    expect(w1ToCdf([2, 0.5], uniformCdf, [0, 1])).toBeCloseTo(0.75, 6);
  });

  it('agrees with w1 against a large sample of the same distribution', () => {
    const x = new Float64Array(2000);
    createRng(9).fillUniform(x, 0, 1);
    const grid = linspace(0, 1, 100001);
    // the quantile function of U(0,1) evaluated on a dense grid stands in for the CDF
    expect(w1ToCdf(x, (v) => Math.min(1, Math.max(0, v)), [0, 1])).toBeCloseTo(w1(x, grid), 4);
  });
});

describe('kld', () => {
  it('matches a hand-made histogram pair', () => {
    // 2 bins on [0, 2]: target {0.5, 0.5, 1.5, 1.5} -> p = (½, ½);  model {0.5, 1.5, 1.5, 1.5} -> q = (¼, ¾)
    // KL = ½ ln(½/¼) + ½ ln(½/¾) = ½ ln(4/3) = 0.14384104
    const p = [0.5, 0.5, 1.5, 1.5];
    const q = [0.5, 1.5, 1.5, 1.5];
    expect(kld(p, q, { bins: 2, range: [0, 2], eps: 0 })).toBeCloseTo(0.14384104, 8);
    expect(kld(p, q, { bins: 2, range: [0, 2] })).toBeCloseTo(0.14384104, 8);
    // samples outside the range are dropped before normalising
    expect(kld(p, [...q, 7, -3], { bins: 2, range: [0, 2], eps: 0 })).toBeCloseTo(0.14384104, 8);
  });

  it('is large but finite when the model misses a bin, thanks to eps', () => {
    // p = (½, ½), q = (1, 0): ½ ln(½/1) + ½ ln(½/1e-10)  (to within eps terms)
    const v = kld([0.5, 1.5], [0.5, 0.7], { bins: 2, range: [0, 2] });
    expect(v).toBeCloseTo(0.5 * Math.log(0.5) + 0.5 * Math.log(0.5 / 1e-10), 6);
  });

  it('kld2d matches a hand-made 2x2 case', () => {
    // target (0.5,0.5), (1.5,1.5) -> p = (½, 0, 0, ½); model one point per cell -> q = ¼ each
    // KL = 2 · ½ ln(½/¼) = ln 2 (the empty cells add 2·eps·ln(eps/¼) ≈ -4.4e-9)
    const t = [0.5, 0.5, 1.5, 1.5];
    const m = [0.5, 0.5, 1.5, 1.5, 0.5, 1.5, 1.5, 0.5];
    expect(kld2d(t, m, { bins: 2, range: [0, 2] })).toBeCloseTo(Math.LN2, 7);
    expect(kld2d(m, m, { bins: 2, range: [0, 2] })).toBe(0);
  });
});

describe('ks2', () => {
  it('finds the largest CDF gap', () => {
    // a = {1,2,3}, b = {2.5, 4}.  At 1: |⅓ - 0|;  2: |⅔ - 0|;  2.5: |⅔ - ½|;  3: |1 - ½|;  4: 0  -> D = ⅔
    const r = ks2([3, 1, 2], [4, 2.5]);
    expect(r.d).toBeCloseTo(2 / 3, 12);
    // nₑ = 3·2/5 = 1.2, λ = (√1.2 + 0.12 + 0.11/√1.2)·⅔ = 0.87724061
    // Q = 2(e^(-2λ²) - e^(-8λ²) + e^(-18λ²) - ...) = 2(0.21456 - 0.00212 + 0.0000010) = 0.42490955
    expect(r.pValue).toBeCloseTo(0.42490955, 6);
  });

  it('steps over ties in both samples at once', () => {
    // a = {1,1,2}, b = {1,2,2}: at 1: |⅔ - ⅓| = ⅓;  at 2: |1 - 1| = 0  -> D = ⅓
    expect(ks2([1, 1, 2], [1, 2, 2]).d).toBeCloseTo(1 / 3, 12);
  });

  it('gives p near 1 for identical samples and near 0 for a clear shift', () => {
    const x = new Float64Array(1000);
    createRng(1).fillNormal(x, 0, 1);
    expect(ks2(x, x)).toEqual({ d: 0, pValue: 1 });
    const y = x.map((v) => v + 1);
    expect(ks2(x, y).pValue).toBeLessThan(1e-10);
  });
});

describe('slicedW1', () => {
  it('equals mean |⟨d, u⟩| for a translation d, i.e. (2/π)|d| over many directions', () => {
    // Shifting a set by d shifts every projection by ⟨d, u⟩, whose W1 is |⟨d, u⟩|;
    // averaging |cos θ| over θ ~ U(0, 2π) gives 2/π.
    const a = new Float64Array(400);
    createRng(2).fillNormal(a, 0, 1);
    const b = a.map((v, i) => v + (i % 2 === 0 ? 3 : 4)); // d = (3, 4), |d| = 5
    expect(slicedW1(a, b, { projections: 4000 })).toBeCloseTo((2 / Math.PI) * 5, 1);
  });

  it('is deterministic by default and zero for identical sets', () => {
    const a = new Float64Array(200);
    const b = new Float64Array(300);
    createRng(5).fillNormal(a, 0, 1);
    createRng(6).fillNormal(b, 0.5, 1);
    expect(slicedW1(a, b)).toBe(slicedW1(a, b));
    expect(slicedW1(a, b, { rng: createRng(99) })).not.toBe(slicedW1(a, b));
    expect(slicedW1(a, a)).toBe(0);
  });
});
