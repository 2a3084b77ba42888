// Optimizers against the published updates, recomputed here in plain JavaScript.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { expectClose } from './helpers.js';

const THETA0 = [1, -2, 0.5];
const C = [0.3, -1.5, 2];

/** Adam (Kingma & Ba 2015, Algorithm 1) on plain arrays, independent of the engine. */
function adamReference(theta: number[], grads: (t: number[]) => number[], lrs: number[], beta1 = 0.9, beta2 = 0.999, eps = 1e-8): number[][] {
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  const out: number[][] = [];
  let th = [...theta];
  lrs.forEach((lr, k) => {
    const t = k + 1;
    const gr = grads(th);
    th = th.map((x, i) => {
      m[i] = beta1 * m[i] + (1 - beta1) * gr[i];
      v[i] = beta2 * v[i] + (1 - beta2) * gr[i] * gr[i];
      const mHat = m[i] / (1 - beta1 ** t);
      const vHat = v[i] / (1 - beta2 ** t);
      return x - (lr * mHat) / (Math.sqrt(vHat) + eps);
    });
    out.push(th);
  });
  return out;
}

/** Run `steps` optimizer steps on loss(θ), returning θ after each. */
function runEngine(opt: (p: g.Tensor) => g.Optimizer, loss: (p: g.Tensor) => g.Tensor, lrs: number[], dtype: 'float32' | 'float64' = 'float64'): number[][] {
  const p = g.tensor(THETA0, { dtype, requiresGrad: true });
  const o = opt(p);
  return lrs.map((lr) => {
    o.lr = lr;
    o.zeroGrad();
    loss(p).backward();
    o.step();
    return Array.from(p.dataSync());
  });
}

const linearLoss = (p: g.Tensor): g.Tensor => p.mul(g.tensor(C, { dtype: p.dtype })).sum(); // ∇ = c
const quadraticLoss = (p: g.Tensor): g.Tensor => linearLoss(p).add(p.mul(p).sum().mul(0.5)); // ∇ = c + θ

describe('Adam', () => {
  it('3 steps on Σ c·θ match the published update (constant gradient)', () => {
    const got = runEngine((p) => new g.Adam([p], { lr: 0.1 }), linearLoss, [0.1, 0.1, 0.1]);
    const want = adamReference(THETA0, () => C, [0.1, 0.1, 0.1]);
    for (let s = 0; s < 3; s++) expectClose(got[s], want[s], 1e-14);
    // With a constant gradient the bias-corrected moments are exactly g and g², so every step
    // moves θ_i by lr · g_i / (|g_i| + ε) ≈ 0.1 against the gradient's sign.
    expectClose(got[0], THETA0.map((x, i) => x - 0.1 * Math.sign(C[i])), 1e-7);
    expectClose(got[2], THETA0.map((x, i) => x - 0.3 * Math.sign(C[i])), 1e-7);
  });

  it('3 steps on Σ c·θ + ½|θ|², with the learning rate changed before the third step', () => {
    const lrs = [0.1, 0.1, 0.02];
    const got = runEngine((p) => new g.Adam([p], { lr: 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-6 }), quadraticLoss, lrs);
    const want = adamReference(THETA0, (t) => t.map((x, i) => C[i] + x), lrs, 0.8, 0.99, 1e-6);
    for (let s = 0; s < 3; s++) expectClose(got[s], want[s], 1e-14);
    // The lr change takes effect: with lr kept at 0.1 the third step would land elsewhere.
    const unchanged = adamReference(THETA0, (t) => t.map((x, i) => C[i] + x), [0.1, 0.1, 0.1], 0.8, 0.99, 1e-6);
    expect(Math.abs(got[2][0] - unchanged[2][0])).toBeGreaterThan(1e-3);
  });

  it('float32 parameters agree with the float64 reference to float32 precision', () => {
    const got = runEngine((p) => new g.Adam([p], { lr: 0.05 }), quadraticLoss, [0.05, 0.05, 0.05], 'float32');
    const want = adamReference(THETA0, (t) => t.map((x, i) => C[i] + x), [0.05, 0.05, 0.05]);
    for (let s = 0; s < 3; s++) expectClose(got[s], want[s], 1e-6);
  });

  it('leaves a parameter without a gradient alone, and getState/setState round-trips', async () => {
    const a = g.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = g.tensor([3], { dtype: 'float64', requiresGrad: true });
    const opt = new g.Adam([a, b], { lr: 0.1 });
    a.sum().backward();
    opt.step();
    expect(Array.from(b.dataSync())).toEqual([3]);
    expectClose(a.dataSync(), [0.9, 1.9], 1e-7);
    const state = await opt.getState();
    expect(state.step).toBe(1);
    expectClose(state.m[0], [0.1, 0.1], 1e-15); // (1 - β1) g
    expectClose(state.v[0], [0.001, 0.001], 1e-15); // (1 - β2) g²
    const copy = new g.Adam([g.tensor([1, 2], { dtype: 'float64', requiresGrad: true }), g.tensor([3], { dtype: 'float64', requiresGrad: true })]);
    copy.setState(state);
    expect(await copy.getState()).toEqual(state);
  });
});

describe('SGD', () => {
  it('plain SGD: θ ← θ − lr ∇, 3 steps with lr changed in between', () => {
    const lrs = [0.1, 0.1, 0.5];
    const got = runEngine((p) => new g.SGD([p], { lr: 0.1 }), quadraticLoss, lrs);
    let th = [...THETA0];
    lrs.forEach((lr, s) => {
      th = th.map((x, i) => x - lr * (C[i] + x));
      expectClose(got[s], th, 1e-15);
    });
    // First step by hand: θ0 = 1, ∇ = 0.3 + 1 = 1.3 -> 1 - 0.13 = 0.87
    expectClose([got[0][0]], [0.87], 1e-15);
  });

  it('SGD with momentum: v ← μ v + ∇, θ ← θ − lr v', () => {
    const lrs = [0.1, 0.1, 0.1];
    const got = runEngine((p) => new g.SGD([p], { lr: 0.1, momentum: 0.9 }), quadraticLoss, lrs);
    let th = [...THETA0];
    let vel = th.map(() => 0);
    lrs.forEach((lr, s) => {
      vel = vel.map((v, i) => 0.9 * v + (C[i] + th[i]));
      th = th.map((x, i) => x - lr * vel[i]);
      expectClose(got[s], th, 1e-15);
    });
    // Constant gradient by hand (Σ c·θ): steps of lr·g, lr·1.9g, lr·2.71g
    const lin = runEngine((p) => new g.SGD([p], { lr: 0.1, momentum: 0.9 }), linearLoss, lrs);
    expectClose(lin[2], THETA0.map((x, i) => x - 0.1 * C[i] * (1 + 1.9 + 2.71)), 1e-14);
  });
});
