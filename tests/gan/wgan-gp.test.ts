// WGAN-GP (Gulrajani et al. 2017): the gradient penalty λ·(‖∇ₓ C(x̂)‖₂ − 1)², a gradient of a
// gradient. Its value on a critic whose gradient is known, its gradient against finite
// differences (float64), the paper's defaults, training on the CPU and on WebGPU, and the CLI.

import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, gradcheck, linear, setBackend, tensor, liveTensors, tidy, type Tensor } from '../../engine/index';
import { createGan, resolveGanConfig } from '../../models/gan';
import { gradientPenalty } from '../../models/gan/losses';
import { getTarget } from '../../models/data/targets';
import { gpuBackend } from '../webgpu/setup';

const root = resolve(__dirname, '../..');
const f64 = { dtype: 'float64' as const };

describe('gradient penalty', () => {
  it('equals λ·(|w| − 1)² for a linear critic C(x) = x·w, whose gradient is w everywhere', () => {
    const real = tensor([[1], [2], [3]], f64);
    const fake = tensor([[-1], [0.5], [4]], f64);
    for (const w of [0.3, 1, -2.5]) {
      const W = tensor([[w]], { ...f64, requiresGrad: true });
      const gp = gradientPenalty((x) => x.matmul(W), real, fake, 10, createRng(1));
      expect(gp.dataSync()[0]).toBeCloseTo(10 * (Math.abs(w) - 1) ** 2, 8);
    }
  });

  it('in 2D: the norm is over the data dimensions, per sample', () => {
    const W = tensor([[3], [4]], { ...f64, requiresGrad: true }); // ‖∇ₓ C‖ = 5
    const real = tensor([[0, 1], [2, 3]], f64);
    const fake = tensor([[1, 1], [0, 0]], f64);
    const gp = gradientPenalty((x) => x.matmul(W), real, fake, 2, createRng(1));
    expect(gp.dataSync()[0]).toBeCloseTo(2 * 16, 8);
  });

  it('its gradient with respect to the critic\'s weights matches central differences (float64)', () => {
    const real = [[0.5, -1], [1.5, 0.25], [-0.75, 2], [0.1, 0.3]];
    const fake = [[1, 0], [-0.5, 0.5], [0.2, -1.2], [2, 1]];
    const critic = (w1: Tensor, b1: Tensor, w2: Tensor) => (x: Tensor): Tensor => linear(linear(x, w1, b1, 'tanh'), w2);
    const r = gradcheck(
      // A fresh generator each call: the same interpolates for every evaluation.
      (w1, b1, w2) => gradientPenalty(critic(w1, b1, w2), tensor(real, f64), tensor(fake, f64), 10, createRng(4)),
      [[[0.3, -0.8, 0.5], [1.1, 0.2, -0.6]], [0.1, -0.2, 0.3], [[0.7], [-1.3], [0.4]]],
    );
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(1e-6);
    expect(r.ok).toBe(true);
  });

  it('leaves no tensor behind inside a training step\'s tidy (x̂ gets no .grad)', () => {
    const W = tensor([[0.5]], { requiresGrad: true });
    const before = liveTensors();
    tidy(() => gradientPenalty((x) => x.matmul(W), tensor([[1], [2]]), tensor([[0], [3]]), 10, createRng(2)).backward());
    expect(liveTensors()).toBe(before + 1); // W.grad
    W.grad?.dispose();
  });
});

describe('one-sided penalty (WGAN-LP, Petzka et al. 2018)', () => {
  it('equals λ·max(0, |w| − 1)² for a linear critic C(x) = x·w: gentle slopes are left alone', () => {
    const real = tensor([[1], [2], [3]], f64);
    const fake = tensor([[-1], [0.5], [4]], f64);
    for (const w of [0.3, -0.8, 1.7, -2.5]) {
      const W = tensor([[w]], { ...f64, requiresGrad: true });
      const lp = gradientPenalty((x) => x.matmul(W), real, fake, 10, createRng(1), true);
      expect(lp.dataSync()[0]).toBeCloseTo(10 * Math.max(0, Math.abs(w) - 1) ** 2, 8);
    }
  });

  it('its gradient with respect to the critic\'s weights matches central differences (float64)', () => {
    const real = [[0.5, -1], [1.5, 0.25], [-0.75, 2], [0.1, 0.3]];
    const fake = [[1, 0], [-0.5, 0.5], [0.2, -1.2], [2, 1]];
    const critic = (w1: Tensor, b1: Tensor, w2: Tensor) => (x: Tensor): Tensor => linear(linear(x, w1, b1, 'tanh'), w2);
    // Weights large enough that every interpolate's slope is above 1 (the penalty's active side).
    const r = gradcheck(
      (w1, b1, w2) => gradientPenalty(critic(w1, b1, w2), tensor(real, f64), tensor(fake, f64), 10, createRng(4), true),
      [[[1.3, -1.8, 0.9], [2.1, 0.7, -1.6]], [0.1, -0.2, 0.3], [[1.7], [-2.3], [1.4]]],
    );
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(1e-6);
    expect(r.ok).toBe(true);
  });

  it('takes the same defaults as WGAN-GP, and --gp-lambda', () => {
    const c = resolveGanConfig({ loss: 'wgan-lp' });
    expect([c.lrG, c.lrD, c.beta1G, c.beta2G, c.beta1D, c.beta2D, c.kD, c.gpLambda]).toEqual([1e-4, 1e-4, 0, 0.9, 0, 0.9, 5, 10]);
  });
});

describe('--loss wgan-gp', () => {
  it('takes Gulrajani et al.\'s defaults (Adam 1e-4, β (0, 0.9), 5 critic steps) unless given', () => {
    const c = resolveGanConfig({ loss: 'wgan-gp' });
    expect([c.lrG, c.lrD, c.beta1G, c.beta2G, c.beta1D, c.beta2D, c.kD, c.gpLambda]).toEqual([1e-4, 1e-4, 0, 0.9, 0, 0.9, 5, 10]);
    const given = resolveGanConfig({ loss: 'wgan-gp', lrG: 3e-4, kD: 2, gpLambda: 1 });
    expect([given.lrG, given.lrD, given.kD, given.gpLambda]).toEqual([3e-4, 1e-4, 2, 1]);
    expect(resolveGanConfig({ loss: 'wgan' }).lrG).toBe(3e-3); // other losses keep the playground's
    expect(() => resolveGanConfig({ loss: 'wgan-gp', gpLambda: -1 })).toThrow(/gpLambda must be between 0 and 1000000, got -1/);
  });

  it('trains on the CPU: finite losses, the critic score gap shrinks', async () => {
    const gan = createGan(getTarget('normal'), { loss: 'wgan-gp', gLayers: 2, gWidth: 32, dLayers: 2, dWidth: 32, activation: 'leaky', seed: 1, dataset: 512, evalSamples: 500 });
    for (let e = 0; e < 4; e++) await gan.trainEpoch();
    for (const r of gan.history) for (const k of ['gLoss', 'dLoss', 'w1']) expect(Number.isFinite(r[k]), `epoch ${r.epoch} ${k}`).toBe(true);
    expect(gan.steps).toBe(16); // 4 epochs of 512 / 128 generator steps, each after 5 critic steps
    gan.dispose();
  });
});

describe('--loss wgan-gp on WebGPU', () => {
  beforeAll(async () => {
    await gpuBackend();
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('the first epochs match the CPU run of the same seed', async () => {
    const run = async (backend: 'cpu' | 'webgpu'): Promise<Record<string, number>[]> => {
      expect(await setBackend(backend)).toBe(backend);
      const gan = createGan(getTarget('normal'), { loss: 'wgan-gp', seed: 0, dataset: 512, evalSamples: 500 });
      for (let e = 0; e < 2; e++) await gan.trainEpoch();
      const h = gan.history.map((r) => ({ ...r }));
      gan.dispose();
      return h;
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    for (let e = 0; e < 2; e++) {
      for (const k of ['gLoss', 'dLoss', 'genMean', 'genStd']) {
        expect(Math.abs(gpu[e][k] - cpu[e][k]), `epoch ${e + 1} ${k}: gpu ${gpu[e][k]} cpu ${cpu[e][k]}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu[e][k])));
      }
    }
  }, 180_000);
});

describe('gradlab train --loss wgan-gp', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  }, 120_000);
  const gradlab = (...args: string[]) => spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 90_000 });

  it('trains and reports, with --gp-lambda', () => {
    const r = gradlab('train', '--model', 'gan', '--target', 'normal', '--loss', 'wgan-gp', '--gp-lambda', '5', '--epochs', '2', '--dataset', '256', '--json');
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, number>;
    expect(Number.isFinite(json.w1)).toBe(true);
  });

  it('trains with --loss wgan-lp', () => {
    const r = gradlab('train', '--model', 'gan', '--target', 'normal', '--loss', 'wgan-lp', '--gp-lambda', '5', '--epochs', '2', '--dataset', '256', '--json');
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, number>;
    expect(Number.isFinite(json.w1)).toBe(true);
  });

  it('refuses --gp-lambda with another loss, and a negative λ', () => {
    const other = gradlab('train', '--model', 'gan', '--target', 'normal', '--loss', 'wgan', '--gp-lambda', '5', '--epochs', '1');
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/--gp-lambda applies to --loss wgan-gp or wgan-lp only/);
    const negative = gradlab('train', '--model', 'gan', '--target', 'normal', '--loss', 'wgan-gp', '--gp-lambda', '-1', '--epochs', '1');
    expect(negative.status).toBe(2);
    expect(negative.stderr).toMatch(/--gp-lambda must be between 0 and 1e6, got -1/);
  });
});
