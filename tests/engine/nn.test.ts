// Layers: Linear's init scales, MLP's parameter count, and Dropout's train/eval modes.
import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';

describe('Dropout', () => {
  it('in training zeroes about p of the values and scales the rest by 1/(1 − p); in eval it is the identity', () => {
    const drop = new g.Dropout(0.25); // no generator given: the shared seeded one
    const x = g.randn([200, 50], g.createRng(3));
    const xs = x.dataSync();
    const y = drop.forward(x).dataSync();
    let zeros = 0;
    for (let i = 0; i < y.length; i++) {
      if (y[i] === 0) zeros++;
      else expect(y[i]).toBeCloseTo(xs[i] / 0.75, 5);
    }
    expect(zeros / y.length).toBeGreaterThan(0.23);
    expect(zeros / y.length).toBeLessThan(0.27);
    drop.eval();
    expect(drop.forward(x)).toBe(x);
    drop.train();
    expect(drop.forward(x)).not.toBe(x);
  });

  it('passes the gradient through the kept values only, scaled', () => {
    const drop = new g.Dropout(0.5, g.createRng(9));
    const x = g.tensor([[0.3, -1.2, 0.8, 2.0, -0.7, 1.1]], { requiresGrad: true });
    const y = drop.forward(x);
    y.sum().backward();
    const kept = Array.from(y.dataSync()).map((v) => (v === 0 ? 0 : 2));
    expect(Array.from(x.grad!.dataSync())).toEqual(kept);
  });

  it('refuses p outside [0, 1)', () => {
    expect(() => new g.Dropout(1)).toThrow(/Dropout: p must be in \[0, 1\), got 1/);
    expect(() => new g.Dropout(-0.1)).toThrow(/Dropout: p must be in \[0, 1\)/);
  });
});

describe('Linear and MLP', () => {
  it('glorotNormal, glorotUniform and he initialise with their variances', () => {
    const rng = g.createRng(1);
    const std = (t: g.Tensor): number => {
      const v = t.dataSync();
      let m = 0;
      for (const x of v) m += x / v.length;
      let s = 0;
      for (const x of v) s += (x - m) ** 2 / v.length;
      return Math.sqrt(s);
    };
    expect(std(new g.Linear(300, 200, { rng }).weight)).toBeCloseTo(Math.sqrt(2 / 500), 2);
    expect(std(new g.Linear(300, 200, { rng, init: 'glorotUniform' }).weight)).toBeCloseTo(Math.sqrt(6 / 500) / Math.sqrt(3), 2);
    expect(std(new g.Linear(300, 200, { rng, init: 'he' }).weight)).toBeCloseTo(Math.sqrt(2 / 300), 2);
    expect(Array.from(new g.Linear(3, 4, { rng }).bias!.dataSync())).toEqual([0, 0, 0, 0]);
  });

  it('MLP counts its parameters and names them for checkpoints', () => {
    const mlp = new g.MLP({ inputs: 10, hidden: [16, 8], outputs: 1, rng: g.createRng(0) });
    expect(mlp.parameterCount).toBe(10 * 16 + 16 + 16 * 8 + 8 + 8 + 1);
    expect(mlp.namedParameters().map(([n]) => n)).toEqual([
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias',
    ]);
    expect(mlp.forward(g.zeros([5, 10])).shape).toEqual([5, 1]);
  });
});
