// The divergence rule for generated samples: one farther from the data's mean than
// gain·100·max(σ, unit) + 2·|μ| ends the run with a DivergenceError and a non-zero exit. The GAN,
// the VAE and the RBM sample in one pass through a network (gain 1, unit 0). Diffusion's
// ancestral sampler feeds its network its own output for T steps: an undertrained but healthy
// run strays far (and is not refused); non-finite samples end it, and so does an epoch's loss
// more than 4 times that of predicting no noise (DIFFUSION_LOSS_LIMIT).

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliIn, lastLine, root } from './cli-process';
import { checkSamples, ONE_PASS } from '../../models/core/divergence';
import { createModel } from '../../models/core/registry';
import { budgetedConfig } from '../../models/eval/compare';
import { getTarget } from '../../models/data/targets';

describe('checkSamples: one rule, a gain per sampler', () => {
  const target = { mean: [4], std: [0.5] };
  it('one pass (gain 1): 100·σ + 2·|μ| from the mean', () => {
    expect(() => checkSamples('vae', [4 + 57.9], target, 1, 1, 10, ONE_PASS)).not.toThrow();
    expect(() => checkSamples('vae', [4 + 58.1], target, 1, 1, 10, ONE_PASS)).toThrow(/vae diverged at epoch 1 \(step 10\): generated sample 0 is 62\.10, far outside the data .* the limit is 100·std \+ 2·\|mean\|/);
  });
  it('a sampler of gain 150 over a unit noise of 1: 15000·max(σ, 1) + 2·|μ|', () => {
    const bound = { gain: 150, unit: 1 };
    expect(() => checkSamples('diffusion', [4 - 15007], target, 1, 2, 32, bound)).not.toThrow();
    expect(() => checkSamples('diffusion', [4 - 15009], target, 1, 2, 32, bound)).toThrow(/diffusion diverged at epoch 2 \(step 32\): .* the limit is 15000·max\(std, 1\) \+ 2·\|mean\|/);
    expect(() => checkSamples('diffusion', [Number.NaN], target, 1, 2, 32, bound)).toThrow(/generated sample 0 is NaN/);
  });
});

describe('diffusion: far-out samples of a healthy run are not refused; a loss worse than predicting nothing is', () => {
  it('a run whose samples collapse far away (lr 1: mean ≈ 1000 on a target of mean 4, exit 0 before) is refused by its loss', async () => {
    const model = createModel('diffusion', getTarget('normal'), { seed: 1, lr: 1, evalSamples: 500 });
    try {
      await expect(model.trainEpoch()).rejects.toThrow(/diffusion diverged at epoch 1 \(step 16\): the loss averaged [\d.e+]+ over the epoch, more than 4 times that of predicting no noise at all \(1\)\. Try a lower learning rate/);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('low learning rates (1e-4 on 2D, 3.5e-4) train on without a refusal, their far-out samples coming in', async () => {
    for (const [name, lr] of [['2d-mix-gauss', 1e-4], ['normal', 3.5e-4]] as const) {
      const model = createModel('diffusion', getTarget(name), { seed: 0, lr, evalSamples: 500 });
      try {
        const w1 = [];
        for (let e = 0; e < 5; e++) w1.push((await model.trainEpoch()).w1);
        expect(w1[4], name).toBeLessThan(w1[0]);
      } finally {
        model.dispose();
      }
    }
  }, 120_000);

  // Runs the one-pass rule refused after their first epoch (samples at −420 on σ 2, 250 on σ 1.6).
  for (const [name, seed] of [['1d-poisson', 0], ['normal-10-2', 0], ['2d-mix-gauss', 1], ['1d-beta', 0]] as const) {
    it(`${name} seed ${seed}, the defaults: each of the first three epochs is scored without a refusal`, async () => {
      const model = createModel('diffusion', getTarget(name), { seed, evalSamples: 1000 });
      try {
        for (let e = 0; e < 3; e++) await model.trainEpoch();
        expect(model.epoch).toBe(3);
      } finally {
        model.dispose();
      }
    }, 60_000);
  }

  it("the quality table's setting (1d-trimodal, T 100, budget 1600, lr 1e-3), seeds 0–2: 5 scored epochs, then evaluate()", async () => {
    for (const seed of [0, 1, 2]) {
      const model = createModel('diffusion', getTarget('1d-trimodal'), { seed, steps: 100, lr: 1e-3, ...budgetedConfig('diffusion', 1600, 1).config, evalSamples: 2000 });
      try {
        for (let e = 0; e < 5; e++) await model.trainEpoch();
        expect(Number.isFinite((await model.evaluate()).w1)).toBe(true);
      } finally {
        model.dispose();
      }
    }
  }, 120_000);
});

describe('the command line', () => {
  let dir = '';
  const gradlab = cliIn(() => dir);
  beforeAll(() => {
    execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'gradlab-divergence-'));
  }, 120_000);

  it('train --model diffusion --lr 1 --seed 1 (a collapsed run, exit 0 with W1 ≈ 1000 before) exits 1 naming the loss', () => {
    const r = gradlab('train', '--model', 'diffusion', '--target', 'normal', '--lr', '1', '--epochs', '5', '--seed', '1', '--json');
    expect(r.status, r.stdout).toBe(1);
    expect(lastLine(r.stderr)).toMatch(/gradlab train: diffusion diverged at epoch 1 \(step 16\): the loss averaged .* more than 4 times that of predicting no noise/);
  }, 120_000);

  it('train --model diffusion --lr 10 exits 1 with the divergence message', () => {
    const r = gradlab('train', '--model', 'diffusion', '--target', 'normal', '--lr', '10', '--epochs', '3', '--seed', '0', '--json');
    expect(r.status, r.stdout).toBe(1);
    expect(lastLine(r.stderr)).toMatch(/gradlab train: diffusion diverged at epoch 1 \(step 16\): .*Try a lower learning rate/);
    expect(r.stdout).toBe('');
  }, 120_000);
});
