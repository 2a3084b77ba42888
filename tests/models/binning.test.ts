// Binned mode: digitising, decoding, and the on-device sampling helpers (Gumbel-softmax for the
// GAN, categorical and Bernoulli draws for the RBM and the VAE).
import { describe, expect, it } from 'vitest';
import { createRng, tensor } from '../../engine/index';
import {
  binIndex, createBinning, decodeHard, decodeSoft, decodeUniform, digitise, gumbelSoftmax, sampleBernoulli, sampleCategorical,
} from '../../models/data/binning';
import { getTarget } from '../../models/data/targets';

describe('binning', () => {
  const trimodal = getTarget('1d-trimodal');

  it('puts K equal bins over a continuous target range', () => {
    const b = createBinning(trimodal, 20);
    expect([b.lo, b.hi, b.k]).toEqual([-4, 4, 20]);
    expect(b.width).toBeCloseTo(0.4, 12);
    expect(b.centres[0]).toBeCloseTo(-3.8, 12);
    expect(b.centres[19]).toBeCloseTo(3.8, 12);
  });

  it('round-trips: digitise then hard-decode gives each value its bin centre', () => {
    const b = createBinning(trimodal, 20);
    const values = trimodal.sample(1000, createRng(1));
    const rows = digitise(b, values);
    expect(rows.length).toBe(1000 * 20);
    for (let i = 0; i < 1000; i++) expect(rows.subarray(i * 20, i * 20 + 20).reduce((s, x) => s + x, 0)).toBe(1);
    const decoded = decodeHard(b, rows);
    for (let i = 0; i < values.length; i++) {
      const c = b.centres[binIndex(b, values[i])];
      expect(decoded[i]).toBe(c);
      if (values[i] >= b.lo && values[i] <= b.hi) expect(Math.abs(decoded[i] - values[i])).toBeLessThanOrEqual(b.width / 2 + 1e-12);
    }
    // Bin centres are fixed points of the round trip.
    expect(Array.from(decodeHard(b, digitise(b, b.centres)))).toEqual(Array.from(b.centres));
  });

  it('clips values outside the range into the end bins', () => {
    const b = createBinning(trimodal, 8);
    expect(Array.from(decodeHard(b, digitise(b, [-100, 100])))).toEqual([b.centres[0], b.centres[7]]);
  });

  it('centres the bins on integers for a discrete target, so decoding gives integers back', () => {
    const poisson = getTarget('1d-poisson');
    const b = createBinning(poisson, 20);
    expect(b.width).toBe(1);
    for (const c of b.centres) expect(Number.isInteger(c)).toBe(true);
    const values = poisson.sample(500, createRng(2)).filter((v) => v <= b.hi);
    expect(Array.from(decodeHard(b, digitise(b, values)))).toEqual(Array.from(values));
  });

  it('decodes a continuous target\'s bins to uniform points within the bin', () => {
    const b = createBinning(trimodal, 20);
    const values = trimodal.sample(2000, createRng(11)).filter((v) => v > b.lo && v < b.hi);
    const decoded = decodeUniform(b, digitise(b, values), createRng(12));
    let spread = 0;
    for (let i = 0; i < values.length; i++) {
      const c = b.centres[binIndex(b, values[i])];
      expect(Math.abs(decoded[i] - c)).toBeLessThanOrEqual(b.width / 2);
      spread += (decoded[i] - c) ** 2 / values.length;
    }
    expect(Math.sqrt(spread)).toBeCloseTo(b.width / Math.sqrt(12), 2); // std of U(−w/2, w/2)
  });

  it('soft-decodes probabilities to the expected bin centre', () => {
    const b = createBinning({ range: [0, 4], discrete: false, dim: 1 }, 4); // centres 0.5 1.5 2.5 3.5
    expect(Array.from(decodeSoft(b, [0.5, 0.5, 0, 0, 0, 0, 0.25, 0.75]))).toEqual([1, 3.25]);
    expect(Array.from(decodeHard(b, [0.1, 0.2, 0.6, 0.1]))).toEqual([2.5]);
  });

  it('refuses bad settings with a clear message', () => {
    expect(() => createBinning(trimodal, 0)).toThrow(/positive integer/);
    expect(() => createBinning(getTarget('2d-mix-gauss'), 10)).toThrow(/1D/);
    expect(() => decodeHard(createBinning(trimodal, 4), [1, 0, 0])).toThrow(/rows of 4/);
  });
});

describe('sampling helpers', () => {
  const logitsRow = [Math.log(0.5), Math.log(0.3), Math.log(0.2)];
  const n = 6000;
  const logits = (): ReturnType<typeof tensor> => tensor(Array.from({ length: n }, () => logitsRow).flat(), [n, 3]);

  function columnMeans(values: ArrayLike<number>, k: number): number[] {
    const m = new Array<number>(k).fill(0);
    for (let i = 0; i < values.length; i++) m[i % k] += values[i] / (values.length / k);
    return m;
  }

  it('sampleCategorical draws one-hot rows with the softmax frequencies', async () => {
    const draws = await sampleCategorical(logits(), createRng(3)).data();
    for (let i = 0; i < n; i++) expect(draws[3 * i] + draws[3 * i + 1] + draws[3 * i + 2]).toBe(1);
    const freq = columnMeans(draws, 3);
    [0.5, 0.3, 0.2].forEach((p, j) => expect(Math.abs(freq[j] - p)).toBeLessThan(0.025));
  });

  it('gumbelSoftmax gives probability rows, near one-hot at a low temperature, with the softmax frequencies', async () => {
    const hot = await gumbelSoftmax(logits(), 0.05, createRng(4)).data();
    let nearOneHot = 0;
    for (let i = 0; i < n; i++) {
      const row = [hot[3 * i], hot[3 * i + 1], hot[3 * i + 2]];
      expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 5);
      if (Math.max(...row) > 0.95) nearOneHot++;
    }
    expect(nearOneHot / n).toBeGreaterThan(0.9);
    const freq = columnMeans(hot, 3);
    [0.5, 0.3, 0.2].forEach((p, j) => expect(Math.abs(freq[j] - p)).toBeLessThan(0.025));
    // A high temperature flattens the rows towards uniform.
    const warm = await gumbelSoftmax(logits(), 100, createRng(5)).data();
    for (let i = 0; i < 30; i++) expect(Math.abs(warm[i] - 1 / 3)).toBeLessThan(0.05);
    expect(() => gumbelSoftmax(logits(), 0, createRng(6))).toThrow(/temperature/);
  });

  it('gumbelSoftmax is differentiable in the logits', async () => {
    const l = tensor([[0.2, -0.1, 0.4]], { requiresGrad: true });
    const y = gumbelSoftmax(l, 0.5, createRng(7));
    y.mul(tensor([[1, 2, 3]])).sum().backward();
    const g = await l.grad!.data();
    expect(g.some((v) => v !== 0)).toBe(true);
    // softmax's Jacobian rows sum to zero, and so do these gradients.
    expect(Math.abs(g[0] + g[1] + g[2])).toBeLessThan(1e-5);
  });

  it('sampleBernoulli is 1 with probability p', async () => {
    const p = tensor(Array.from({ length: n }, (_, i) => [0.1, 0.5, 0.9][i % 3]), [n / 3, 3]);
    const draws = await sampleBernoulli(p, createRng(8)).data();
    for (const d of draws) expect(d === 0 || d === 1).toBe(true);
    const freq = columnMeans(draws, 3);
    [0.1, 0.5, 0.9].forEach((q, j) => expect(Math.abs(freq[j] - q)).toBeLessThan(0.03));
    const certain = await sampleBernoulli(tensor([0, 1, 0, 1]), createRng(9)).data();
    expect(Array.from(certain)).toEqual([0, 1, 0, 1]);
  });
});
