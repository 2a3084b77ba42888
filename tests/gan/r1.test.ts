// The R1 penalty of Mescheder, Geiger & Nowozin 2018: (γ/2)·mean ‖∇ₓ ℓ(x)‖² on the real rows,
// ℓ = D's logit, a gradient of a gradient. Its value where the gradient is known, its gradient
// against finite differences (float64), the one-hot class columns left out, the setting's checks
// and flag, training with it, and checkpoints without it.

import { describe, expect, it } from 'vitest';
import { gradcheck, linear, liveTensors, tensor, tidy, type Tensor } from '../../engine/index';
import { createGan, Gan, resolveGanConfig } from '../../models/gan';
import { configFromFlags } from '../../models/gan/cli';
import { r1Penalty } from '../../models/gan/losses';
import { getTarget } from '../../models/data/targets';
import type { Checkpoint } from '../../models/core/model';

const f64 = { dtype: 'float64' as const };

describe('R1 penalty', () => {
  it('equals (γ/2)·‖w‖² for a linear D, ℓ(x) = x·w, whose gradient is w everywhere', () => {
    const real = tensor([[1, -2], [0.5, 3], [-1.5, 0.25]], f64);
    for (const [w, gamma] of [[[0.3, -1.2], 1], [[2, 0.5], 0.1], [[-0.7, 0], 10]] as const) {
      const W = tensor(w.map((v) => [v]), { ...f64, requiresGrad: true });
      const r1 = r1Penalty((x) => x.matmul(W), real, gamma);
      expect(r1.dataSync()[0]).toBeCloseTo((gamma / 2) * (w[0] ** 2 + w[1] ** 2), 10);
    }
  });

  it('with `columns`, leaves the later (one-hot class) columns out of ∇ₓ', () => {
    const W = tensor([[3], [4], [12]], { ...f64, requiresGrad: true });
    const real = tensor([[0.5, 1, 0], [2, 0, 1]], f64);
    expect(r1Penalty((x) => x.matmul(W), real, 2, 2).dataSync()[0]).toBeCloseTo(25, 10);
    expect(r1Penalty((x) => x.matmul(W), real, 2).dataSync()[0]).toBeCloseTo(169, 10);
  });

  it("its gradient with respect to D's weights matches central differences (float64)", () => {
    const real = [[0.5, -1], [1.5, 0.25], [-0.75, 2], [0.1, 0.3], [2.2, -0.4]];
    const d = (w1: Tensor, b1: Tensor, w2: Tensor) => (x: Tensor): Tensor => linear(linear(x, w1, b1, 'tanh'), w2);
    const r = gradcheck(
      (w1, b1, w2) => r1Penalty(d(w1, b1, w2), tensor(real, f64), 0.7),
      [[[0.3, -0.8, 0.5], [1.1, 0.2, -0.6]], [0.1, -0.2, 0.3], [[0.7], [-1.3], [0.4]]],
    );
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(1e-6);
    expect(r.ok).toBe(true);
  });

  it("leaves no tensor behind inside a training step's tidy (the real rows get no .grad)", () => {
    const W = tensor([[0.5]], { requiresGrad: true });
    const real = tensor([[1], [2]]);
    const before = liveTensors();
    tidy(() => r1Penalty((x) => x.matmul(W), real, 1).backward());
    expect(liveTensors()).toBe(before + 1); // W.grad
    expect(real.grad).toBeNull();
    W.grad?.dispose();
    real.dispose();
  });
});

describe('the r1Gamma setting', () => {
  it('is checked: a number from 0 to 1e6, and not with a critic loss', () => {
    for (const bad of [-0.5, 2e6]) expect(() => resolveGanConfig({ r1Gamma: bad })).toThrow(new RegExp(`r1Gamma must be between 0 and 1000000, got ${bad}`));
    expect(() => resolveGanConfig({ r1Gamma: Number.NaN })).toThrow(/r1Gamma must be a number, got null/);
    expect(() => resolveGanConfig({ loss: 'wgan', r1Gamma: 0.3 })).toThrow(/r1Gamma 0.3 penalises D's logit, and loss 'wgan' has a critic/);
    expect(() => resolveGanConfig({ loss: 'wgan-gp', r1Gamma: 2 })).toThrow(/r1Gamma 2 penalises D's logit, and loss 'wgan-gp' has a critic/);
    for (const loss of ['wgan', 'wgan-gp', 'wgan-lp'] as const) expect(resolveGanConfig({ loss }).r1Gamma).toBe(0);
    expect(resolveGanConfig({ loss: 'minimax', r1Gamma: 0.25 }).r1Gamma).toBe(0.25);
  });

  it('--r1-gamma sets it; a negative γ, or γ with a critic loss, is a usage error naming the value', () => {
    expect(resolveGanConfig(configFromFlags({ 'r1-gamma': 0.5 })).r1Gamma).toBe(0.5);
    expect(resolveGanConfig(configFromFlags({ 'r1-gamma': 0 })).r1Gamma).toBe(0);
    expect(() => configFromFlags({ 'r1-gamma': -1 })).toThrow(/--r1-gamma must be between 0 and 1e6, got -1/);
    expect(() => configFromFlags({ loss: 'wgan-gp', 'r1-gamma': 1 })).toThrow(/--r1-gamma 1 applies to --loss nonsaturating or minimax only/);
    expect(configFromFlags({ preset: 'post' }).r1Gamma ?? resolveGanConfig({}).r1Gamma).toBe(0);
  });

  it('trains with it (finite losses), saved in checkpoints; a checkpoint without it loads with R1 off', async () => {
    const gan = createGan(getTarget('bimodal'), { r1Gamma: 1, dataset: 256, batch: 64, evalSamples: 200, seed: 2 });
    for (let e = 0; e < 3; e++) await gan.trainEpoch();
    for (const r of gan.history) for (const k of ['gLoss', 'dLoss', 'w1']) expect(Number.isFinite(r[k]), `epoch ${r.epoch} ${k}`).toBe(true);
    const cp = JSON.parse(JSON.stringify(await gan.save())) as Checkpoint;
    gan.dispose();
    expect(cp.config.r1Gamma).toBe(1);
    const older = JSON.parse(JSON.stringify(cp)) as Checkpoint;
    delete (older.config as Record<string, unknown>).r1Gamma;
    const old = Gan.load(older);
    expect(old.config.r1Gamma).toBe(0);
    old.dispose();
  });

  it('changes the run: D is updated on its penalised loss', async () => {
    const run = async (r1Gamma: number): Promise<number> => {
      const gan = createGan(getTarget('normal'), { r1Gamma, dataset: 256, batch: 64, evalSamples: 200, seed: 1 });
      await gan.trainEpoch();
      const d = gan.history[0].dLoss;
      gan.dispose();
      return d;
    };
    expect(await run(5)).not.toBe(await run(0));
  });
});
