// BatchNorm1d (Ioffe and Szegedy 2015): the batch statistics in training, the running ones in
// eval mode, PyTorch's update rule for them, and an MLP with BatchNorm between its layers.
// (Its gradients: the batchNorm cases of the shared gradcheck suite, first and second order,
// and the WebGPU-vs-CPU comparisons that run every case.)

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { BatchNorm1d, MLP, createRng, liveTensors, tensor, tidy } from '../../engine/index.js';

const rows = [[1, -2], [3, 0], [2, 4], [6, 2]];
const values = (t: g.Tensor): number[] => Array.from(t.dataSync());

describe('BatchNorm1d', () => {
  it('training: each column to mean 0 and std 1 over the batch, then γ·x̂ + β', () => {
    const bn = new BatchNorm1d(2);
    const y = bn.forward(tensor(rows, { dtype: 'float64' }));
    const out = values(y);
    for (let c = 0; c < 2; c++) {
      const col = [0, 1, 2, 3].map((r) => out[r * 2 + c]);
      const mean = col.reduce((a, b) => a + b) / 4;
      const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
      expect(mean).toBeCloseTo(0, 6);
      expect(variance).toBeCloseTo(1, 4); // ε = 1e-5 keeps it just under 1
    }
  });

  it('updates the running statistics as PyTorch does (momentum 0.1, unbiased variance) and uses them in eval mode', () => {
    const bn = new BatchNorm1d(2);
    bn.forward(tensor(rows)).dispose();
    // column 0: mean 3, biased variance 3.5, unbiased 14/3; column 1: mean 1, unbiased 20/3
    values(bn.runningMean).forEach((v, i) => expect(v).toBeCloseTo(0.1 * [3, 1][i], 6));
    values(bn.runningVar).forEach((v, i) => expect(v).toBeCloseTo(0.9 + 0.1 * [14 / 3, 20 / 3][i], 5));
    bn.eval();
    const y = bn.forward(tensor([[0.3, 0.1]]));
    const expected = [0, 1].map((i) => ([0.3, 0.1][i] - values(bn.runningMean)[i]) / Math.sqrt(values(bn.runningVar)[i] + 1e-5));
    values(y).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('refuses a wrong width and a batch of one row in training', () => {
    const bn = new BatchNorm1d(3);
    expect(() => bn.forward(tensor(rows))).toThrow(/BatchNorm1d\(3\): expects \[batch, 3\], got \[4, 2\]/);
    expect(() => new BatchNorm1d(2).forward(tensor([[1, 2]]))).toThrow(/batchNorm: needs at least 2 rows/);
  });

  it('leaves no tensor behind: the running statistics are replaced, not accumulated', () => {
    const bn = new BatchNorm1d(2);
    const before = liveTensors();
    for (let i = 0; i < 10; i++) tidy(() => bn.forward(tensor(rows)).sum().backward());
    expect(liveTensors()).toBe(before + 2); // γ.grad and β.grad
  });

  it('an MLP with BatchNorm after its hidden layers learns XOR, and eval mode uses the running statistics', () => {
    const rng = createRng(3);
    const mlp = new MLP({ inputs: 2, hidden: [8], outputs: 1, activation: 'tanh', rng, batchNorm: true });
    expect(mlp.namedParameters().map(([n]) => n)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'norms.0.weight', 'norms.0.bias']);
    expect(mlp.namedBuffers().map(([n]) => n)).toEqual(['norms.0.runningMean', 'norms.0.runningVar']);
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const opt = new g.Adam(mlp.parameters(), { lr: 0.05 });
    let loss = Infinity;
    for (let i = 0; i < 300; i++) {
      loss = tidy(() => {
        opt.zeroGrad();
        const l = g.bceWithLogits(mlp.forward(x), y);
        l.backward();
        opt.step();
        return l.dataSync()[0];
      });
    }
    expect(loss).toBeLessThan(0.05);
    mlp.eval();
    const train = values(tidy(() => mlp.forward(x)));
    expect(train.map((v) => (v > 0 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });
});
