import { describe, it, expect } from 'vitest';
import { createRng } from '../engine/rng';
import { getTarget, listTargets, targetFromSamples, type Target } from '../models/data/targets';
import { mean, std } from '../models/eval/metrics';

const N = 20000;

/** Column d of interleaved samples. */
function column(x: Float64Array, dim: number, d: number): Float64Array {
  return x.filter((_, i) => i % dim === d);
}

/** Midpoint-rule integral of f over [lo, hi]. */
function integrate(f: (x: number) => number, lo: number, hi: number, steps = 20000): number {
  const h = (hi - lo) / steps;
  let s = 0;
  for (let i = 0; i < steps; i++) s += f(lo + (i + 0.5) * h);
  return s * h;
}

describe('built-in targets', () => {
  it('lists all thirteen targets in a stable order', () => {
    expect(listTargets().map((t) => t.name)).toEqual([
      'normal', 'bimodal', 'uniform', 'exponential', 'mixture',
      '1d-bimodal', '1d-trimodal', '1d-quadmodal', '2d-mix-gauss', '1d-beta', '1d-poisson',
      'normal-10-2', 'normal-5-1',
    ]);
  });

  // Declared values worked out by hand from the definitions.
  it('declares the exact moments', () => {
    const close = (t: string, m: number[], s: number[]) => {
      const target = getTarget(t);
      target.mean.forEach((v, i) => expect(v).toBeCloseTo(m[i], 10));
      target.std.forEach((v, i) => expect(v).toBeCloseTo(s[i], 10));
    };
    close('normal', [4], [0.5]);
    // ½N(2,.4)+½N(6,.4): var = .16 + ½(4+36) - 16 = 4.16
    close('bimodal', [4], [Math.sqrt(4.16)]);
    close('uniform', [4], [4 / Math.sqrt(12)]);
    close('exponential', [2], [2]);
    // mean .33·1.5 + .33·4 + .34·7 = 4.195; E[x²] = .33(.09+2.25) + .33(.16+16) + .34(.0625+49)
    close('mixture', [4.195], [Math.sqrt(0.33 * 2.34 + 0.33 * 16.16 + 0.34 * 49.0625 - 4.195 ** 2)]);
    close('1d-bimodal', [0], [Math.sqrt(0.16 + 2.25)]);
    close('1d-trimodal', [0], [Math.sqrt(0.1225 + 8 / 3)]);
    close('1d-quadmodal', [0], [Math.sqrt(0.09 + (2 * 6.25 + 2 * 0.64) / 4)]);
    close('2d-mix-gauss', [0, 0], [Math.sqrt(2.5), Math.sqrt(2.5)]);
    // -2.5 + 5·(2/7); 5·√(2·5/(7²·8))
    close('1d-beta', [-2.5 + 10 / 7], [5 * Math.sqrt(10 / 392)]);
    close('1d-poisson', [0], [2]);
    close('normal-10-2', [10], [2]);
    close('normal-5-1', [5], [1]);
  });

  for (const target of listTargets()) {
    describe(target.name, () => {
      const x = target.sample(N, createRng(7));

      it('draws samples whose mean and std match the declared values', () => {
        expect(x.length).toBe(N * target.dim);
        for (let d = 0; d < target.dim; d++) {
          const c = column(x, target.dim, d);
          const s = target.std[d];
          // Standard error of the mean is s/√N ≈ 0.007 s; of the std at most ≈ 0.02 s here.
          expect(Math.abs(mean(c) - target.mean[d])).toBeLessThan(0.03 * s);
          expect(Math.abs(std(c) - s)).toBeLessThan(0.04 * s);
        }
      });

      it('repeats exactly with the same seed and differs with another', () => {
        expect(target.sample(N, createRng(7))).toEqual(x);
        expect(target.sample(N, createRng(8))).not.toEqual(x);
      });

      if (target.dim === 1 && !target.discrete) {
        it('has a density integrating to ~1 over its range', () => {
          expect(integrate(target.pdf!, target.range[0], target.range[1])).toBeCloseTo(1, 3);
        });

        it('has a CDF that is the integral of the density and matches the samples', () => {
          const [lo, hi] = target.range;
          const mid = (lo + hi) / 2;
          expect(target.cdf!(mid) - target.cdf!(lo)).toBeCloseTo(integrate(target.pdf!, lo, mid), 4); // midpoint rule: ~1e-5 error at a jump
          // One-sample KS distance: max |F_N - F| at the order statistics; 1% critical ≈ 1.63/√N = 0.0115.
          const s = Float64Array.from(x).sort();
          let d = 0;
          for (let i = 0; i < N; i++) {
            const f = target.cdf!(s[i]);
            d = Math.max(d, Math.abs((i + 1) / N - f), Math.abs(i / N - f));
          }
          expect(d).toBeLessThan(0.015);
        });
      }
    });
  }

  it('keeps the 1d-beta samples inside [-2.5, 2.5]', () => {
    const x = getTarget('1d-beta').sample(5000, createRng(3));
    expect(Math.min(...x)).toBeGreaterThan(-2.5);
    expect(Math.max(...x)).toBeLessThan(2.5);
  });

  it('gives 1d-poisson a mass function that sums to 1 and matches sample frequencies', () => {
    const t = getTarget('1d-poisson');
    let total = 0;
    for (let k = -4; k <= 40; k++) total += t.pdf!(k);
    expect(total).toBeCloseTo(1, 12);
    // P(X = 0) = P(K = 4) = e^-4 4^4 / 4! = 0.19536681
    expect(t.pdf!(0)).toBeCloseTo(Math.exp(-4) * 256 / 24, 12);
    expect(t.pdf!(0.5)).toBe(0);
    expect(t.pdf!(-5)).toBe(0);
    // CDF at -3: P(K <= 1) = e^-4 (1 + 4) = 0.0915782
    expect(t.cdf!(-3)).toBeCloseTo(5 * Math.exp(-4), 12);
    expect(t.cdf!(-3.5)).toBeCloseTo(Math.exp(-4), 12);
    expect(t.cdf!(-4.5)).toBe(0);
    expect(t.cdf!(Infinity)).toBe(1);
    const x = t.sample(N, createRng(11));
    expect(x.every((v) => Number.isInteger(v) && v >= -4)).toBe(true);
    for (let k = -4; k <= 4; k++) {
      const freq = x.filter((v) => v === k).length / N;
      expect(Math.abs(freq - t.pdf!(k))).toBeLessThan(0.012);
    }
  });

  it('gives 2d-mix-gauss a density integrating to ~1 and independent-looking axes', () => {
    const t = getTarget('2d-mix-gauss');
    const [lo, hi] = t.range;
    const steps = 200;
    const h = (hi - lo) / steps;
    let s = 0;
    for (let i = 0; i < steps; i++) for (let j = 0; j < steps; j++) s += t.pdf2!(lo + (i + 0.5) * h, lo + (j + 0.5) * h);
    expect(s * h * h).toBeCloseTo(1, 3);
    // Corners are equally likely, so x and y are uncorrelated: E[xy] ≈ 0 (scale 2.5).
    const x = t.sample(N, createRng(5));
    let xy = 0;
    for (let i = 0; i < N; i++) xy += x[2 * i] * x[2 * i + 1];
    expect(Math.abs(xy / N)).toBeLessThan(0.1);
  });
});

describe('getTarget', () => {
  it('normalises names: case and underscores', () => {
    expect(getTarget('1D_TRIMODAL').name).toBe('1d-trimodal');
    expect(getTarget('Normal-10_2').name).toBe('normal-10-2');
    expect(getTarget('  Bimodal ').name).toBe('bimodal');
  });

  it('refuses an unknown name and lists the valid ones', () => {
    expect(() => getTarget('cauchy')).toThrow(/unknown target 'cauchy'/);
    expect(() => getTarget('cauchy')).toThrow(/1d-trimodal/);
    expect(() => getTarget('cauchy')).toThrow(/normal-5-1/);
  });
});

describe('targetFromSamples', () => {
  it('builds a 1D empirical target', () => {
    // mean of 1..5 and 9 is 24/6 = 4; deviations -3 -2 -1 0 1 5 -> squares sum 40, var 40/6
    const t: Target = targetFromSamples('My_Data', Float64Array.from([1, 2, 3, 4, 5, 9]), 1);
    expect(t.name).toBe('my-data');
    expect(t.mean[0]).toBeCloseTo(4, 12);
    expect(t.std[0]).toBeCloseTo(Math.sqrt(40 / 6), 12);
    // span 8, padded by 0.8 on each side
    expect(t.range[0]).toBeCloseTo(0.2, 12);
    expect(t.range[1]).toBeCloseTo(9.8, 12);
    expect(t.pdf).toBeUndefined();
    const x = t.sample(1000, createRng(1));
    expect(x.every((v) => [1, 2, 3, 4, 5, 9].includes(v))).toBe(true);
    expect(new Set(x).size).toBe(6);
    expect(t.sample(50, createRng(1))).toEqual(x.subarray(0, 50));
  });

  it('builds a 2D empirical target that keeps pairs together', () => {
    const data = Float64Array.from([0, 10, 1, 11, 2, 12, 3, 13]);
    const t = targetFromSamples('pairs', data, 2);
    expect(t.dim).toBe(2);
    expect(t.mean).toEqual([1.5, 11.5]);
    expect(t.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(t.range[0]).toBeCloseTo(-1.3, 12);
    expect(t.range[1]).toBeCloseTo(14.3, 12);
    const x = t.sample(200, createRng(2));
    for (let i = 0; i < 200; i++) expect(x[2 * i + 1] - x[2 * i]).toBe(10);
  });

  it('rejects an array whose length does not fit the dimension', () => {
    expect(() => targetFromSamples('odd', Float64Array.from([1, 2, 3]), 2)).toThrow(/multiple of 2/);
  });
});
