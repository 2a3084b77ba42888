// BatchNorm1d: forward against a hand computation, running statistics, train/eval, errors.
// (Its gradient is gradchecked in float64 by the shared suite, cases 'batchNorm ...', which the
// WebGPU op tests also run against the CPU.)
import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';

const rows = [[1.5, -2.0], [0.25, 3.0], [-1.0, 0.5], [2.75, -0.75]];

function columnStats(col: number[]): { mu: number; biased: number; unbiased: number } {
  const mu = col.reduce((s, v) => s + v, 0) / col.length;
  const ss = col.reduce((s, v) => s + (v - mu) ** 2, 0);
  return { mu, biased: ss / col.length, unbiased: ss / (col.length - 1) };
}

describe('BatchNorm1d', () => {
  it('normalises each feature with the batch mean and biased variance, then scales and shifts', () => {
    const bn = new g.BatchNorm1d(2);
    const x = g.tensor(rows, { dtype: 'float64' });
    const flat = bn.forward(x).dataSync();
    const y = rows.map((_, i) => [flat[2 * i], flat[2 * i + 1]]);
    for (let j = 0; j < 2; j++) {
      const { mu, biased } = columnStats(rows.map((r) => r[j]));
      rows.forEach((r, i) => expect(y[i][j]).toBeCloseTo((r[j] - mu) / Math.sqrt(biased + 1e-5), 5));
    }
  });

  it('updates running statistics with momentum 0.1 and the unbiased variance; eval uses them', () => {
    const bn = new g.BatchNorm1d(2, { momentum: 0.1 });
    bn.forward(g.tensor(rows));
    const mean = bn.runningMean.dataSync();
    const variance = bn.runningVar.dataSync();
    for (let j = 0; j < 2; j++) {
      const { mu, unbiased } = columnStats(rows.map((r) => r[j]));
      expect(mean[j]).toBeCloseTo(0.1 * mu, 5);
      expect(variance[j]).toBeCloseTo(0.9 + 0.1 * unbiased, 5);
    }
    bn.eval();
    const before = bn.runningMean;
    const y = bn.forward(g.tensor([[1, 2]])).dataSync(); // a batch of one works in eval mode
    expect(bn.runningMean).toBe(before); // eval does not update
    for (let j = 0; j < 2; j++) expect(y[j]).toBeCloseTo(([1, 2][j] - mean[j]) / Math.sqrt(variance[j] + 1e-5), 5);
    bn.train();
    expect(bn.training).toBe(true);
  });

  it('learns γ and β: gradients reach them and an Adam step changes them', () => {
    const bn = new g.BatchNorm1d(2);
    const opt = new g.Adam(bn.parameters(), { lr: 0.1 });
    const x = g.randn([16, 2], g.createRng(4));
    opt.zeroGrad();
    g.mean(g.mul(bn.forward(x), g.tensor([[2, -1]]))).backward();
    expect(Array.from(bn.bias.grad!.dataSync())).toEqual([1, -0.5].map((v) => expect.closeTo(v, 6))); // ∂/∂β = Σᵢ wⱼ / (16·2)
    opt.step();
    expect(Array.from(bn.weight.dataSync()).every((v) => v !== 1)).toBe(true);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(bn.namedBuffers().map(([n]) => n)).toEqual(['runningMean', 'runningVar']);
  });

  it('leaks no tensors over training steps inside tidy', () => {
    const bn = new g.BatchNorm1d(3);
    const x = g.randn([8, 3], g.createRng(5));
    g.tidy(() => bn.forward(x)); // warm: running stats replaced once
    const live = g.liveTensors();
    for (let i = 0; i < 5; i++) g.tidy(() => { g.mean(bn.forward(x)).backward(); });
    expect(g.liveTensors()).toBe(live + 2); // the two .grad tensors of γ and β, kept by tidy
  });

  it('names bad input', () => {
    expect(() => new g.BatchNorm1d(0)).toThrow(/BatchNorm1d: features must be a positive integer, got 0/);
    expect(() => new g.BatchNorm1d(2, { momentum: 2 })).toThrow(/momentum must be in \[0, 1\], got 2/);
    const bn = new g.BatchNorm1d(2);
    expect(() => bn.forward(g.tensor([[1, 2, 3], [4, 5, 6]]))).toThrow(/expected input of shape \[batch, 2\], got \[2, 3\]/);
    expect(() => bn.forward(g.tensor([[1, 2]]))).toThrow(/at least 2 rows/);
  });
});
