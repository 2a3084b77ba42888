// `gradlab train` and `gradlab targets` through the built CLI (node dist/cli.js), as a user runs
// them: exit codes, the --json line, CSV errors, checkpoints, divergence; every process must
// exit on its own (spawnSync's timeout would kill it otherwise, leaving a signal).

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, gradlab, lastJson, root } from './run-cli';

let dir = '';

beforeAll(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'gradlab-cli-'));
}, 120_000);

describe('gradlab train: usage errors (exit 2)', () => {
  it('an unknown option prints the usage line and what was wrong', () => {
    const r = gradlab('train', '--target', 'normal', '--nope', '3');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: gradlab train --model gan --target NAME \| --data FILE/m);
    expect(r.stderr).toMatch(/unknown option --nope/);
  });

  it('bad values are named', () => {
    const cases: [string[], RegExp][] = [
      [['--target', 'normal', '--loss', 'hinge'], /--loss must be one of nonsaturating, minimax, wgan, wgan-gp, wgan-lp, got 'hinge'/],
      [['--target', 'normal', '--batch', '4096'], /--batch must be between 1 and the dataset size \(2048\), got 4096/],
      [['--target', 'normal', '--lr', '-1'], /--lr must be a positive number/],
      [['--target', 'normal', '--epochs', '2.5'], /--epochs must be an integer/],
      [['--target', 'normal', '--epochs', '2', '--steps', '10'], /give --epochs or --steps, not both/],
      [['--target', 'nowhere'], /unknown --target 'nowhere' \(valid: normal, bimodal/],
      [['--epochs', '2'], /give --target NAME or --data FILE/],
      [['--target', 'normal', '--model', 'flow'], /--model must be one of gan, vae, rbm, diffusion/],
      [['--target', 'normal', '--backend', 'tpu'], /--backend must be one of cpu, webgpu/],
    ];
    for (const [args, message] of cases) {
      const r = gradlab('train', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^usage: gradlab train/m);
      expect(r.stderr).toMatch(message);
    }
  });

  it('a bad CSV is refused with the file, the line and the reason', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, ['x', ...Array.from({ length: 20 }, (_, i) => String(i)), 'oops', '3'].join('\n'));
    const r = gradlab('train', '--data', file, '--epochs', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}, line 22:`);
    expect(r.stderr).toMatch(/not a number: 'oops'/);
  });
});

describe('gradlab train: runs', () => {
  it('--json: the last line of stdout is one object with every field', () => {
    const r = gradlab('train', '--model', 'gan', '--target', 'normal', '--epochs', '3', '--seed', '1', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = lastJson(r.stdout);
    for (const k of ['model', 'target', 'backend', 'seed', 'epochs', 'steps', 'seconds', 'w1', 'kld', 'ks', 'mean', 'std', 'targetMean', 'targetStd', 'gLoss', 'dLoss', 'dReal', 'dFake']) {
      expect(j, k).toHaveProperty(k);
    }
    expect(j).toMatchObject({ model: 'gan', target: 'normal', backend: 'cpu', seed: 1, epochs: 3, steps: 48, targetMean: 4, targetStd: 0.5 });
    for (const k of ['w1', 'kld', 'ks', 'mean', 'std', 'gLoss', 'dLoss', 'dReal', 'dFake', 'seconds']) expect(typeof j[k], k).toBe('number');
  });

  it('--steps rounds up to whole epochs; 2D data from a CSV gives arrays of means', () => {
    const file = join(dir, 'points.csv');
    const rows = Array.from({ length: 64 }, (_, i) => `${Math.cos(i)},${Math.sin(i) + 2}`);
    writeFileSync(file, ['x,y', ...rows].join('\n'));
    const r = gradlab('train', '--data', file, '--steps', '5', '--batch', '16', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ target: 'points.csv', epochs: 2, steps: 8, ks: null });
    expect(Array.isArray(j.mean) && (j.mean as number[]).length === 2).toBe(true);
    expect(j.targetMean as number[]).toHaveLength(2);
  });

  it('--save then --resume continues the run exactly', () => {
    const cp = join(dir, 'run.json');
    const common = ['--target', 'bimodal', '--seed', '3', '--dataset', '512', '--batch', '64', '--activation', 'leaky'];
    const straight = lastJson(gradlab('train', ...common, '--epochs', '4', '--json').stdout);
    const first = gradlab('train', ...common, '--epochs', '2', '--save', cp, '--json');
    expect(first.status, first.stderr).toBe(0);
    const resumed = gradlab('train', '--resume', cp, '--epochs', '2', '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    const j = lastJson(resumed.stdout);
    expect(j.epochs).toBe(4);
    for (const k of ['gLoss', 'dLoss', 'dReal', 'dFake', 'w1', 'kld', 'mean', 'std']) expect(j[k], k).toBe(straight[k]);
    // The configuration is fixed by the checkpoint.
    const r = gradlab('train', '--resume', cp, '--latent', '4');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--latent cannot be used with --resume/);
  });

  it('a corrupt checkpoint is refused (exit 2); a divergence stops with its message (exit 1)', () => {
    const cp = join(dir, 'run2.json');
    expect(gradlab('train', '--target', 'normal', '--epochs', '1', '--save', cp).status).toBe(0);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, readFileSync(cp, 'utf8').slice(0, 100));
    const bad = gradlab('train', '--resume', broken);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/broken\.json: not a valid gradlab checkpoint: the JSON does not parse/);

    const exploding = JSON.parse(readFileSync(cp, 'utf8'));
    exploding.weights['D.layers.0.weight'][0] = 5e5;
    const boom = join(dir, 'boom.json');
    writeFileSync(boom, JSON.stringify(exploding));
    const r = gradlab('train', '--resume', boom, '--epochs', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/GAN diverged at epoch 2 .*weight 'D\.layers\.0\.weight'.*lower learning rate/);
  });

  it('gradlab targets lists every target with its mean and std', () => {
    const r = gradlab('targets');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^name\s+label\s+dim\s+mean\s+std/);
    expect(r.stdout).toMatch(/^normal\s+Normal N\(4, 0\.5\)\s+1D\s+4\s+0\.5$/m);
    expect(r.stdout).toMatch(/^2d-mix-gauss .* 2D\s+0, 0\s+1\.581, 1\.581$/m);
    const j = JSON.parse(gradlab('targets', '--json').stdout) as { name: string }[];
    expect(j.map((t) => t.name)).toContain('1d-trimodal');
  });
});

describe('gradlab train --budget', () => {
  it('solves the hidden width for the parameter budget and reports it', () => {
    const r = gradlab('train', '--model', 'vae', '--target', '1d-trimodal', '--budget', '1600', '--epochs', '1', '--dataset', '256', '--json');
    expect(r.status).toBe(0);
    // VAE 1-H-H-2(μ, log σ²) encoder and 2-H-H-1 decoder: H = 25 gives 1555 parameters, the closest to 1600.
    expect(r.stderr).toMatch(/budget 1600 → hidden width 25, 1555 parameters/);
    expect(lastJson(r.stdout).model).toBe('vae');
  });

  it('refuses a budget together with the width it solves', () => {
    const r = gradlab('train', '--model', 'vae', '--target', '1d-trimodal', '--budget', '1600', '--hidden', '10', '--epochs', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--budget sets the hidden of the vae model/);
  });
});

describe('gradlab train --backend webgpu', () => {
  it('trains on WebGPU (lavapipe in CI) and the process exits on its own', () => {
    const r = spawnSync(process.execPath, [cli, 'train', '--target', 'normal', '--epochs', '2', '--backend', 'webgpu', '--json'], {
      cwd: root, encoding: 'utf8', timeout: 90_000, env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    });
    expect(r.signal, 'the CLI did not exit on its own').toBeNull();
    expect(r.status).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.backend).toBe('webgpu');
    expect(Number.isFinite(out.w1)).toBe(true);
  });
});
