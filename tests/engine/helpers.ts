// Small helpers shared by the engine tests.

import { expect } from 'vitest';
import { Adam, MLP, mse, randn, tidy } from '../../engine/index';
import { createRng } from '../../engine/rng';

/** Every element within `tol` (absolute, plus relative to the expected value). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * (1 + Math.abs(expected[i])))) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (error ${err}, tolerance ${tol})`);
    }
  }
}

/**
 * The losses of `steps` training steps of a ReLU MLP (Adam, MSE against random targets), with
 * everything it made disposed: for comparing kernel paths bit for bit through the engine.
 */
export function mlpLosses(o: { seed: number; inputs: number; hidden: number[]; outputs: number; rows: number; lr: number; steps: number }): number[] {
  const r = createRng(o.seed);
  const mlp = new MLP({ inputs: o.inputs, hidden: o.hidden, outputs: o.outputs, activation: 'relu', rng: r });
  const opt = new Adam(mlp.parameters(), { lr: o.lr });
  const out: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    const l = tidy(() => {
      const x = randn([o.rows, o.inputs], r);
      opt.zeroGrad();
      const loss = mse(mlp.forward(x), randn([o.rows, o.outputs], r));
      loss.backward();
      opt.step();
      return loss;
    });
    out.push(l.dataSync()[0]);
    l.dispose();
  }
  opt.zeroGrad();
  opt.dispose();
  for (const p of mlp.parameters()) p.dispose();
  return out;
}
