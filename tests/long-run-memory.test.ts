// Bounded memory for long runs: the page's decimated histories (demo/history.ts) keep every
// recent point and each older bucket's min and max (a spike or a collapse stays visible, the
// stored points stay bounded); a model's historyLimit trims its own history while the default
// keeps every epoch; trainEpoch({ stepsDone }) finishes an epoch begun step by step exactly as a
// whole epoch; the GIF recorder thins its frames past maxFrames.

import { describe, expect, it } from 'vitest';
import { createRng, setBackend } from '../engine/index.js';
import { BoundedSeries, EpochHistory } from '../demo/history.js';
import { createGan } from '../models/gan/index.js';
import { getTarget } from '../models/data/targets.js';
import { MovieRecorder } from '../models/report/movie/recorder.js';

/** A noisy random walk with a few one-epoch spikes and one collapse (a long low plateau). */
function run(n: number, seed: number): { x: number[]; y: number[]; spikes: number[] } {
  const rng = createRng(seed);
  const noise = new Float64Array(n);
  rng.fillNormal(noise);
  const y: number[] = [];
  let level = 1;
  for (let i = 0; i < n; i++) {
    level += 0.01 * noise[i];
    y.push(i > 0.6 * n && i < 0.62 * n ? -5 : level);
  }
  const spikes = [Math.floor(0.05 * n), Math.floor(0.33 * n) + 7, Math.floor(0.71 * n) + 3];
  for (const s of spikes) y[s] = 40 + s / n;
  return { x: Array.from({ length: n }, (_, i) => i + 1), y, spikes };
}

describe('BoundedSeries', () => {
  const limits = { recent: 200, buckets: 64, firstBucket: 4 };

  it('keeps every point while the run is short', () => {
    const s = new BoundedSeries(['a', 'b'], limits);
    for (let i = 1; i <= 150; i++) s.push(i, [Math.sin(i), i * i]);
    const { x, ys } = s.data();
    expect(x).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(ys[1][149]).toBe(150 * 150);
  });

  it('stays bounded over a long run, and keeps every spike, the collapse and the recent past', () => {
    const n = 200_000;
    const { x, y, spikes } = run(n, 7);
    const s = new BoundedSeries(['loss', 'neg'], limits);
    let most = 0;
    for (let i = 0; i < n; i++) {
      s.push(x[i], [y[i], -y[i]]);
      most = Math.max(most, s.stored);
    }
    expect(s.length).toBe(n);
    expect(most).toBeLessThanOrEqual(limits.recent + limits.recent / 4 + limits.buckets + 1);
    const out = s.data();
    expect(out.x.length).toBeLessThanOrEqual(limits.recent + limits.recent / 4 + 2 * (limits.buckets + 1));
    // x increases (two points per bucket at its ends, then the recent points).
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]).toBeGreaterThanOrEqual(out.x[i - 1]);
    expect(out.x[0]).toBe(1);
    expect(out.x[out.x.length - 1]).toBe(n);
    // Each spike's exact value is plotted, near its epoch; so is the collapse, in both series.
    for (const sp of spikes) {
      const i = out.ys[0].indexOf(y[sp]);
      expect(i, `spike at epoch ${x[sp]}`).toBeGreaterThanOrEqual(0);
      expect(Math.abs(out.x[i] - x[sp])).toBeLessThanOrEqual(s.span);
      expect(out.ys[1]).toContain(-y[sp]);
    }
    expect(Math.min(...out.ys[0])).toBe(-5);
    expect(Math.max(...out.ys[1])).toBe(5);
    // The overall extremes over the whole run are the plotted extremes.
    expect(Math.max(...out.ys[0])).toBe(y.reduce((a, b) => Math.max(a, b)));
    // The recent past: the last 200 epochs one by one.
    expect(out.x.slice(-200)).toEqual(x.slice(-200));
    expect(out.ys[0].slice(-200)).toEqual(y.slice(-200));
  });

  it('gives each bucket the min and max of exactly the points it spans, in the order they came', () => {
    const n = 5000;
    const { x, y } = run(n, 11);
    const s = new BoundedSeries(['v'], { recent: 100, buckets: 16, firstBucket: 2 });
    for (let i = 0; i < n; i++) s.push(x[i], [y[i]]);
    const out = s.data();
    // Walk the points two by two: a bucket's two points (and two recent neighbours alike) must be
    // the min and max of the epochs between them, the one that came first first.
    let i = 0;
    for (; i + 1 < out.x.length; i += 2) {
      const [x0, x1] = [out.x[i], out.x[i + 1]];
      const span = y.slice(x0 - 1, x1);
      const lo = Math.min(...span);
      const hi = Math.max(...span);
      expect([out.ys[0][i], out.ys[0][i + 1]].sort((a, b) => a - b)).toEqual([lo, hi]);
      expect(out.ys[0][i]).toBe(span.indexOf(lo) <= span.indexOf(hi) ? lo : hi);
    }
    expect(i).toBeGreaterThan(10);
  });

  it('leaves non-finite values out of a bucket and refuses a wrong number of values', () => {
    const s = new BoundedSeries(['v'], { recent: 4, buckets: 4, firstBucket: 3 });
    for (let i = 1; i <= 12; i++) s.push(i, [i === 2 ? NaN : i === 3 ? Infinity : i]);
    const { ys } = s.data();
    for (const v of ys[0]) expect(Number.isNaN(v) || Number.isFinite(v)).toBe(true);
    expect(ys[0][0]).toBe(1);
    expect(() => s.push(13, [1, 2])).toThrow(/2 values for 1 series \(v\)/);
    expect(() => new BoundedSeries(['v'], { recent: 0, buckets: 4, firstBucket: 1 })).toThrow(/recent >= 1/);
  });
});

describe('EpochHistory', () => {
  it('plots every metric of the records, and NaN for one never recorded', () => {
    const h = new EpochHistory({ recent: 50, buckets: 8, firstBucket: 2 });
    for (let e = 1; e <= 500; e++) h.push({ epoch: e, step: 16 * e, w1: 1 / e, kld: e === 300 ? 9 : 0.1, gLoss: Math.cos(e) });
    h.push({ epoch: 500, step: 8000, w1: 5, kld: 5 }); // the same epoch again: ignored
    const v = h.view();
    expect(v.epochs[v.epochs.length - 1]).toBe(500);
    expect(v.column('kld')).toContain(9);
    expect(Math.max(...v.column('w1'))).toBe(1);
    expect(v.column('w1')[v.epochs.length - 1]).toBe(1 / 500);
    expect(v.column('dReal').every(Number.isNaN)).toBe(true);
    expect(h.stored).toBeLessThan(50 + 13 + 9);
    h.clear();
    expect(h.view().epochs).toEqual([]);
  });
});

describe('models on the page', () => {
  it('historyLimit trims a model\'s history; the default keeps every epoch', async () => {
    await setBackend('cpu');
    const target = getTarget('normal');
    const kept = createGan(target, { seed: 3, dataset: 256, batch: 64, evalSamples: 200 });
    const trimmed = createGan(target, { seed: 3, dataset: 256, batch: 64, evalSamples: 200 });
    trimmed.historyLimit = 4;
    for (let i = 0; i < 20; i++) {
      await kept.trainEpoch();
      await trimmed.trainEpoch();
    }
    expect(kept.history.length).toBe(20);
    expect(trimmed.history.length).toBeGreaterThanOrEqual(4);
    expect(trimmed.history.length).toBeLessThanOrEqual(8);
    expect(trimmed.history[trimmed.history.length - 1]).toEqual(kept.history[19]);
    kept.dispose();
    trimmed.dispose();
  });

  it('trainEpoch({ stepsDone }) after single steps gives the same record as a whole epoch', async () => {
    await setBackend('cpu');
    const target = getTarget('bimodal');
    const whole = createGan(target, { seed: 5, dataset: 256, batch: 64, evalSamples: 200 });
    const paced = createGan(target, { seed: 5, dataset: 256, batch: 64, evalSamples: 200 });
    const a = await whole.trainEpoch();
    paced.trainStep();
    paced.trainStep();
    const b = await paced.trainEpoch({ stepsDone: 2 });
    expect(b).toEqual(a);
    await expect(paced.trainEpoch({ stepsDone: 4 })).rejects.toThrow(/stepsDone must be an integer from 0 to 3 \(the epoch has 4 steps\), got 4/);
    whole.dispose();
    paced.dispose();
  });
});

describe('MovieRecorder', () => {
  it('keeps at most maxFrames, spanning the whole run, with the final frame', async () => {
    await setBackend('cpu');
    const gan = createGan(getTarget('normal'), { seed: 1, dataset: 128, batch: 64, evalSamples: 200 });
    const recorder = new MovieRecorder(gan, { width: 60, height: 30, maxFrames: 8 });
    for (let i = 0; i <= 40; i++) {
      await recorder.capture(i / 40);
      expect(recorder.frameCount).toBeLessThanOrEqual(8);
    }
    expect(recorder.frameCount).toBeGreaterThanOrEqual(4);
    expect(() => new MovieRecorder(gan, { maxFrames: 1 })).toThrow(/maxFrames must be an integer >= 2/);
    gan.dispose();
  });
});
