// Same seed, same numbers: training is reproducible bit for bit on the CPU backend.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';

/** 50 steps of Adam on an MLP fitting a noisy 2-D target; returns the loss after each step. */
function train(seed: number): number[] {
  const rng = g.createRng(seed);
  const mlp = new g.MLP({ inputs: 2, hidden: [16, 16], outputs: 1, activation: 'leakyRelu', rng });
  const opt = new g.Adam(mlp.parameters(), { lr: 0.01 });
  const losses: number[] = [];
  for (let step = 0; step < 50; step++) {
    const loss = g.tidy(() => {
      const x = g.randn([32, 2], rng);
      const y = x.sum(1, true).tanh(); // a smooth target
      opt.zeroGrad();
      const l = g.mse(mlp.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  opt.zeroGrad();
  opt.dispose();
  for (const p of mlp.parameters()) p.dispose();
  return losses;
}

describe('determinism', () => {
  it('two runs with the same seed give identical losses, bit for bit', () => {
    const a = train(123);
    const b = train(123);
    expect(a.length).toBe(50);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(new Float64Array(b)).toEqual(new Float64Array(a));
    expect(Object.is(a[49], b[49])).toBe(true);
    expect(a[49]).toBeLessThan(a[0]); // and it did learn something
  });

  it('a different seed gives different losses', () => {
    const a = train(123);
    const c = train(124);
    expect(c.some((v, i) => v !== a[i])).toBe(true);
    expect(c[0]).not.toBe(a[0]);
  });
});
