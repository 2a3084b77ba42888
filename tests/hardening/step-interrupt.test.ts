// A run stopped between two steps of an epoch (Ctrl+C) resumes bit for bit: the checkpoint holds
// the unfinished epoch's step count and running loss sums beside the weights, optimizer states
// and generator, so the resumed run ends with the weights, optimizer states, generator and
// history records of a run that never stopped. In-process for every model and the GAN's options
// that draw their own randomness or keep state (Dropout, BatchNorm, the gradient penalty, k D
// updates, the learning-rate decay, bins, classes); then as a process: SIGINT part-way through an
// epoch, --resume, and the checkpoint and --json compared with an uninterrupted run's.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, cliIn, lastLine, root } from './cli-process';
import { createModel, loadModel } from '../../models/core/registry';
import { runTraining } from '../../models/core/train-loop';
import { getTarget } from '../../models/data/targets';
import { validateCheckpoint } from '../../models/core/checkpoint';
import type { Checkpoint, GenerativeModel, ModelKind } from '../../models/core/model';

/** What must match bit for bit: everything but the wall-clock-dependent scores of epochs not forced to score. */
function essentials(cp: Checkpoint): unknown {
  const losses = cp.history.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !['w1', 'kld', 'genMean', 'genStd', 'scoredEpoch'].includes(k))));
  return { epoch: cp.epoch, steps: cp.steps, weights: cp.weights, optimizers: cp.optimizers, rng: cp.rng, losses, last: cp.history[cp.history.length - 1], partial: cp.partialEpoch };
}

/** Through JSON and the checkpoint checks, as a file would be. */
const viaJson = (cp: Checkpoint): Checkpoint => validateCheckpoint(JSON.parse(JSON.stringify(cp)), 'checkpoint');

interface Case { name: string; kind: ModelKind; target: string; config: Record<string, unknown> }

const SMALL = { dataset: 512, batch: 32, evalSamples: 300, seed: 5 };
const CASES: Case[] = [
  { name: 'gan', kind: 'gan', target: 'bimodal', config: {} },
  { name: 'gan --d-dropout --g-batchnorm --loss wgan-gp --k-d 2 --lr-decay', kind: 'gan', target: 'bimodal', config: { dDropout: 0.3, gBatchNorm: true, loss: 'wgan-gp', kD: 2, lrDecay: 5 } },
  { name: 'gan --bins 16', kind: 'gan', target: 'bimodal', config: { bins: 16 } },
  { name: 'gan --conditional', kind: 'gan', target: '1d-trimodal', config: { conditional: true } },
  { name: 'vae', kind: 'vae', target: 'bimodal', config: {} },
  { name: 'rbm', kind: 'rbm', target: 'bimodal', config: {} },
  { name: 'diffusion', kind: 'diffusion', target: 'bimodal', config: { steps: 20 } },
  { name: 'diffusion --bins 16', kind: 'diffusion', target: 'bimodal', config: { steps: 20, bins: 16 } },
];

function make(c: Case): GenerativeModel {
  return createModel(c.kind, getTarget(c.target), { ...SMALL, ...c.config });
}

describe('a checkpoint taken part-way through an epoch resumes bit for bit (in-process, CPU)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const straight = make(c);
      await runTraining(straight, { epochs: 3 });
      const expected = await straight.save();
      straight.dispose();

      // Stopped after 1 epoch and 7 steps of the second, saved, loaded, trained on to epoch 3.
      const first = make(c);
      await runTraining(first, { epochs: 1 });
      for (let i = 0; i < 7; i++) first.trainStep();
      expect(first.epochStepsDone).toBe(7);
      const saved = viaJson(await first.save());
      first.dispose();
      expect(saved.partialEpoch?.steps).toBe(7);
      const resumed = loadModel(saved);
      expect(resumed.epochStepsDone).toBe(7);
      const r = await runTraining(resumed, { epochs: 2 });
      expect(r.steps).toBe(2 * resumed.stepsPerEpoch - 7);
      const got = await resumed.save();
      resumed.dispose();
      expect(got.partialEpoch).toBeUndefined();
      expect(essentials(got)).toEqual(essentials(expected));
    }, 120_000);
  }

  it('runTraining stops between steps when shouldStop says so, and the run resumes bit for bit', async () => {
    const c: Case = { name: 'gan', kind: 'gan', target: 'bimodal', config: { dataset: 8192, batch: 4, dDropout: 0.2 } };
    const straight = make(c);
    await runTraining(straight, { epochs: 2 });
    const expected = await straight.save();
    straight.dispose();

    const first = make(c);
    let asked = 0;
    const stop = await runTraining(first, { epochs: 2, shouldStop: () => ++asked >= 2 });
    expect(stop.stopped).toBe(true);
    expect(stop.epochs).toBe(0); // inside the first epoch (2048 steps; asked every 50 ms of steps)
    const part = first.epochStepsDone;
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThan(first.stepsPerEpoch);
    const saved = viaJson(await first.save());
    first.dispose();
    const resumed = loadModel(saved);
    await runTraining(resumed, { epochs: 2 });
    const got = await resumed.save();
    resumed.dispose();
    expect(essentials(got)).toEqual(essentials(expected));
  }, 180_000);

  it('refuses a partial epoch that does not fit the model, naming the field', async () => {
    const model = make(CASES[4]);
    await runTraining(model, { epochs: 1 });
    model.trainStep();
    const cp = viaJson(await model.save());
    model.dispose();
    expect(() => loadModel({ ...cp, partialEpoch: { steps: 16, sums: cp.partialEpoch!.sums } }, 'cp.json')).toThrow(/cp.json: "partialEpoch" has 16 steps, but an epoch of this model has 16/);
    expect(() => loadModel({ ...cp, partialEpoch: { steps: 1, sums: {} } }, 'cp.json')).toThrow(/cp.json: "partialEpoch" has no sum for the loss/);
    expect(() => validateCheckpoint({ ...cp, partialEpoch: { steps: 0, sums: {} } }, 'cp.json')).toThrow(/"partialEpoch" steps must be a whole number from 1, got 0/);
    expect(() => validateCheckpoint({ ...cp, partialEpoch: { steps: 1, sums: { loss: 1e39 } } }, 'cp.json')).toThrow(/sum 'loss' is 1e\+39, not a finite float32 number/);
    expect(() => validateCheckpoint({ ...cp, partialEpoch: { steps: 1, sums: {}, extra: 1 } }, 'cp.json')).toThrow(/unknown field "extra"/);
  }, 60_000);
});

describe('Ctrl+C stops at the next step, saves, and the run resumes bit for bit (the CLI as a process)', () => {
  let dir = '';
  const gradlab = cliIn(() => dir);
  beforeAll(() => {
    execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'gradlab-step-interrupt-'));
  }, 120_000);

  /** Run gradlab, send `signal` once stderr matches `ready`, and wait for the exit. */
  async function interrupted(args: string[], ready: RegExp, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    while (!ready.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill(signal);
    const code = await new Promise<number | null>((r) => child.once('close', r));
    return { code, stderr };
  }

  const read = (name: string): Checkpoint => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Checkpoint;
  /** The --json summary without its timing. */
  const summary = (stdout: string): unknown => ({ ...JSON.parse(lastLine(stdout)), seconds: 0 });

  // Long epochs (4096 rows, batch 4: 1024 steps), so that a signal sent as training starts lands inside one.
  const RUNS: [string, string[]][] = [
    ['gan --d-dropout', ['--model', 'gan', '--d-dropout', '0.2']],
    ['vae', ['--model', 'vae']],
    ['rbm', ['--model', 'rbm']],
    ['diffusion', ['--model', 'diffusion', '--timesteps', '20']],
  ];
  for (const [name, model] of RUNS) {
    it(`${name}: SIGINT in epoch 2 → exit 130 with a part-way checkpoint; --resume ends where an unstopped run ends`, async () => {
      const common = [...model, '--target', 'bimodal', '--dataset', '4096', '--batch', '4', '--seed', '3'];
      const tag = name.replace(/\W+/g, '-');
      const straight = gradlab('train', ...common, '--epochs', '3', '--save', `${tag}-straight.json`, '--json');
      expect(straight.status, straight.stderr).toBe(0);
      const one = gradlab('train', ...common, '--epochs', '1', '--save', `${tag}-1.json`);
      expect(one.status, one.stderr).toBe(0);
      // Resumed at epoch 1 and stopped as the second epoch starts: the stop comes after a step of it.
      const stop = await interrupted(['train', '--resume', `${tag}-1.json`, '--epochs', '2', '--save', `${tag}-stopped.json`], /resuming at epoch 1 \(step \d+\)/, 'SIGINT');
      expect(stop.code, stop.stderr).toBe(130);
      expect(stop.stderr).toMatch(/SIGINT: stopping after this step to save the model/);
      expect(stop.stderr).toMatch(/stopped by SIGINT after 0 of 2 epochs \(now at epoch 1 and \d+ of the 1024 steps of epoch 2 \(step \d+\)\)/);
      const stopped = read(`${tag}-stopped.json`);
      expect(stopped.epoch).toBe(1);
      expect(stopped.partialEpoch?.steps).toBeGreaterThan(0);
      expect(stopped.steps).toBe(1024 + stopped.partialEpoch!.steps);
      const resumed = gradlab('train', '--resume', `${tag}-stopped.json`, '--epochs', '2', '--save', `${tag}-resumed.json`, '--json');
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resuming at epoch 1 and \d+ of the 1024 steps of epoch 2/);
      expect(essentials(read(`${tag}-resumed.json`))).toEqual(essentials(read(`${tag}-straight.json`)));
      expect(summary(resumed.stdout)).toEqual(summary(straight.stdout));
    }, 300_000);
  }
});
