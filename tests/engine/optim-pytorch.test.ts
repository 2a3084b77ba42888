// SGD, Adam and AdamW with weight decay, the learning-rate schedules and clipGradNorm, step by
// step against PyTorch 1.13 (Debian's python3-torch) in float64.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { expectClose } from './helpers.js';
import { runPython } from './pytorch/run-python.js';

const A0 = [[0.7, -1.2, 0.4], [1.5, -0.3, 2.1]];
const B0 = [0.9, -2.2, 0.35];
const CA = [[0.3, -1.5, 2], [-0.8, 1.1, 0.25]];
const CB = [1.3, -0.6, 2.4];

type Schedule = { kind: 'step'; stepSize: number; gamma: number } | { kind: 'exponential'; gamma: number } | { kind: 'cosine'; totalSteps: number; minLr?: number };
interface Case {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  options: { lr: number; momentum?: number; weightDecay?: number };
  schedule?: Schedule;
  clip?: number;
  steps: number;
}

const CASES: Case[] = [
  { name: 'SGD with momentum and weight decay', optimizer: 'SGD', options: { lr: 0.1, momentum: 0.9, weightDecay: 0.05 }, steps: 5 },
  { name: 'Adam with (L2) weight decay', optimizer: 'Adam', options: { lr: 0.05, weightDecay: 0.1 }, steps: 5 },
  { name: 'AdamW (decoupled weight decay)', optimizer: 'AdamW', options: { lr: 0.05, weightDecay: 0.1 }, steps: 5 },
  { name: 'AdamW with its default weight decay', optimizer: 'AdamW', options: { lr: 0.2 }, steps: 4 },
  { name: 'SGD with stepLR', optimizer: 'SGD', options: { lr: 0.2 }, schedule: { kind: 'step', stepSize: 2, gamma: 0.5 }, steps: 6 },
  { name: 'Adam with exponentialLR', optimizer: 'Adam', options: { lr: 0.1 }, schedule: { kind: 'exponential', gamma: 0.8 }, steps: 5 },
  { name: 'AdamW with cosineLR', optimizer: 'AdamW', options: { lr: 0.1, weightDecay: 0.05 }, schedule: { kind: 'cosine', totalSteps: 6, minLr: 0.01 }, steps: 6 },
  { name: 'SGD with clipGradNorm', optimizer: 'SGD', options: { lr: 0.3, momentum: 0.5 }, clip: 0.5, steps: 4 },
  { name: 'Adam with clipGradNorm above the norm (no clipping)', optimizer: 'Adam', options: { lr: 0.1 }, clip: 1e3, steps: 3 },
];

interface Reference { thetas: number[][]; lrs: number[]; norms: number[] }

function schedule(s: Schedule | undefined): g.LrSchedule | undefined {
  if (s === undefined) return undefined;
  if (s.kind === 'step') return g.stepLR({ stepSize: s.stepSize, gamma: s.gamma });
  if (s.kind === 'exponential') return g.exponentialLR({ gamma: s.gamma });
  return g.cosineLR({ totalSteps: s.totalSteps, minLr: s.minLr });
}

function runGradlab(c: Case): Reference {
  const a = g.tensor(A0, { dtype: 'float64', requiresGrad: true });
  const b = g.tensor(B0, { dtype: 'float64', requiresGrad: true });
  const options = { ...c.options, schedule: schedule(c.schedule) };
  const opt = c.optimizer === 'SGD' ? new g.SGD([a, b], options) : c.optimizer === 'Adam' ? new g.Adam([a, b], options) : new g.AdamW([a, b], options);
  const ca = g.tensor(CA, { dtype: 'float64' });
  const cb = g.tensor(CB, { dtype: 'float64' });
  const out: Reference = { thetas: [], lrs: [], norms: [] };
  for (let s = 0; s < c.steps; s++) {
    opt.zeroGrad();
    g.tidy(() => ca.mul(a).sum().add(a.mul(a).sum().mul(0.5)).add(cb.mul(b.sin()).sum()).backward());
    if (c.clip !== undefined) {
      const norm = g.clipGradNorm([a, b], c.clip);
      out.norms.push(norm.dataSync()[0]);
      norm.dispose();
    }
    opt.step();
    out.lrs.push(opt.lr);
    out.thetas.push([...a.dataSync(), ...b.dataSync()]);
  }
  return out;
}

describe('optimizers against PyTorch 1.13', () => {
  const reference = runPython<Reference[]>('optim_reference.py', { a0: A0, b0: B0, ca: CA, cb: CB, cases: CASES });

  CASES.forEach((c, k) => {
    it(c.name, () => {
      const before = g.liveTensors();
      const got = runGradlab(c);
      const want = reference[k];
      expectClose(got.lrs, want.lrs, 1e-15);
      expectClose(got.norms, want.norms, 1e-13);
      for (let s = 0; s < c.steps; s++) expectClose(got.thetas[s], want.thetas[s], 1e-13);
      // the run moved the parameters (not a test on a fixed point)
      expect(Math.abs(got.thetas[c.steps - 1][0] - A0[0][0])).toBeGreaterThan(1e-3);
      expect(g.liveTensors() - before).toBeLessThanOrEqual(8); // a, b, ca, cb, their grads, optimizer state
    });
  });

  it('clipGradNorm really clipped: the norm before exceeds maxNorm', () => {
    const clipped = reference[CASES.findIndex((c) => c.clip === 0.5)];
    expect(clipped.norms[0]).toBeGreaterThan(1);
  });
});

describe('cosineLR warm-up', () => {
  it('rises linearly to lr over warmupSteps, then follows the cosine to minLr and stays there', () => {
    const s = g.cosineLR({ totalSteps: 10, warmupSteps: 4, minLr: 0.1 });
    expectClose([0, 1, 2, 3].map((t) => s(t, 1)), [0.25, 0.5, 0.75, 1], 1e-15);
    // after the warm-up: 0.1 + 0.9 (1 + cos(π t / 6)) / 2 for t = step − 4
    expectClose([4, 7, 10, 12].map((t) => s(t, 1)), [1, 0.1 + 0.45 * (1 + Math.cos(Math.PI / 2)), 0.1, 0.1], 1e-15);
  });

  it('refuses a warm-up as long as the schedule, and unknown options', () => {
    expect(() => g.cosineLR({ totalSteps: 5, warmupSteps: 5 })).toThrow(/warmupSteps must be a whole number below totalSteps \(5\)/);
    expect(() => g.stepLR({ stepSize: 0 })).toThrow(/stepSize must be a positive integer/);
    expect(() => g.exponentialLR({ gamma: 1.5 })).toThrow(/gamma must be in \[0, 1\]/);
    expect(() => g.cosineLR({ totalSteps: 5, warmup: 2 } as never)).toThrow(/unknown option 'warmup'.*warmupSteps/);
  });
});

describe('optimizer options', () => {
  it('refuses a negative weight decay and a schedule that is not a function', () => {
    const p = g.tensor([1, 2], { requiresGrad: true });
    expect(() => new g.AdamW([p], { weightDecay: -1 })).toThrow(/AdamW: weightDecay must be in \[0, Infinity\)/);
    expect(() => new g.SGD([p], { schedule: 0.5 as never })).toThrow(/SGD: option 'schedule' must be a function/);
  });

  it('clipGradNorm says when nothing has a gradient, and refuses a bad maxNorm', () => {
    const p = g.tensor([1, 2], { requiresGrad: true });
    expect(() => g.clipGradNorm([p], 1)).toThrow(/none of the 1 parameters has a gradient/);
    expect(() => g.clipGradNorm([p], 0)).toThrow(/maxNorm must be a positive finite number/);
  });
});

describe('compiled steps', () => {
  it('AdamW with a schedule, weight decay and clipGradNorm: compile() replays give the plain steps bit for bit', () => {
    const run = (compiled: boolean): number[] => {
      const w = g.tensor([0.4, -1.3, 2.2, 0.9], { requiresGrad: true });
      const target = g.tensor([1, 2, 3, -1]);
      const opt = new g.AdamW([w], { lr: 0.1, weightDecay: 0.2, schedule: g.cosineLR({ totalSteps: 6, warmupSteps: 2 }) });
      const sgd = new g.SGD([w], { lr: 0.05, momentum: 0.5, weightDecay: 0.1, schedule: g.exponentialLR({ gamma: 0.7 }) });
      const body = (): void => g.tidy(() => {
        opt.zeroGrad();
        w.sub(target).pow(2).sum().backward();
        g.clipGradNorm([w], 1);
        opt.step();
        sgd.step();
      });
      const step = compiled ? g.compile(body) : body;
      for (let i = 0; i < 6; i++) step();
      if ('dispose' in step) (step as g.CompiledStep<void>).dispose();
      expect(opt.stepCount).toBe(6);
      expect(sgd.stepCount).toBe(6);
      return Array.from(w.dataSync());
    };
    const plain = run(false);
    expect(run(true)).toEqual(plain);
    expect(plain[0]).not.toBeCloseTo(0.4, 2);
  });
});
