import { describe, expect, it } from 'vitest';
import { createRng, type FloatArray } from '../engine/rng.js';
import {
  ADAM_BETA1,
  ADAM_BETA2,
  ADAM_EPS,
  ADAM_LR,
  BATCH,
  DATASET_SIZE,
  D_HIDDEN,
  G_HIDDEN,
  LATENT,
  createFloorGan,
  floorGanGradients,
  type GanParams,
} from '../models/bench/floor-gan.js';

type Key = keyof GanParams;
const G_KEYS: readonly Key[] = ['gW1', 'gb1', 'gW2', 'gb2'];
const D_KEYS: readonly Key[] = ['dW1', 'db1', 'dW2', 'db2'];
const SHAPES: Record<Key, number> = {
  gW1: LATENT * G_HIDDEN, gb1: G_HIDDEN, gW2: G_HIDDEN, gb2: 1,
  dW1: D_HIDDEN, db1: D_HIDDEN, dW2: D_HIDDEN, db2: 1,
};

// ---- An independent float64 reference of the forward pass (no shared code with the floor). ----

function refGenerator(p: GanParams<FloatArray>, z: ArrayLike<number>, B: number): Float64Array {
  const out = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    let y = p.gb2[0];
    for (let h = 0; h < G_HIDDEN; h++) {
      let a = p.gb1[h];
      for (let k = 0; k < LATENT; k++) a += z[i * LATENT + k] * p.gW1[k * G_HIDDEN + h];
      y += Math.max(a, 0) * p.gW2[h];
    }
    out[i] = y;
  }
  return out;
}

function refLogit(p: GanParams<FloatArray>, x: number): number {
  let l = p.db2[0];
  for (let h = 0; h < D_HIDDEN; h++) l += Math.max(x * p.dW1[h] + p.db1[h], 0) * p.dW2[h];
  return l;
}

/** softplus(ℓ) − ℓ·t = −t·log σ(ℓ) − (1 − t)·log(1 − σ(ℓ)). */
function refBce(l: number, t: number): number {
  return Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))) - l * t;
}

function refLosses(p: GanParams<FloatArray>, real: Float64Array, zD: Float64Array, zG: Float64Array): { dLoss: number; gLoss: number } {
  const B = real.length;
  const fakeD = refGenerator(p, zD, B);
  const fakeG = refGenerator(p, zG, B);
  let lossReal = 0;
  let lossFake = 0;
  let lossG = 0;
  for (let i = 0; i < B; i++) {
    lossReal += refBce(refLogit(p, real[i]), 1);
    lossFake += refBce(refLogit(p, fakeD[i]), 0);
    lossG += refBce(refLogit(p, fakeG[i]), 1);
  }
  return { dLoss: lossReal / B + lossFake / B, gLoss: lossG / B };
}

function makeParams64(make: (key: Key, n: number) => Float64Array): GanParams<Float64Array> {
  return {
    gW1: make('gW1', SHAPES.gW1), gb1: make('gb1', SHAPES.gb1), gW2: make('gW2', SHAPES.gW2), gb2: make('gb2', SHAPES.gb2),
    dW1: make('dW1', SHAPES.dW1), db1: make('db1', SHAPES.db1), dW2: make('dW2', SHAPES.dW2), db2: make('db2', SHAPES.db2),
  };
}

describe('floor GAN (hand-written Float32Array step)', () => {
  it('manual gradients match central finite differences in float64', () => {
    const rng = createRng(123);
    const B = 16;
    // Random parameters (biases too, so every gradient is exercised away from the init).
    const p = makeParams64((key, n) => {
      const a = new Float64Array(n);
      rng.fillNormal(a, 0, key.includes('W') ? 0.5 : 0.2);
      return a;
    });
    const real = new Float64Array(B);
    rng.fillNormal(real, 4, 0.5);
    const zD = new Float64Array(B * LATENT);
    const zG = new Float64Array(B * LATENT);
    rng.fillNormal(zD);
    rng.fillNormal(zG);

    const grad = makeParams64((_key, n) => new Float64Array(n));
    const losses = floorGanGradients(p, { real, zD, zG }, grad);
    const ref = refLosses(p, real, zD, zG);
    expect(Math.abs(losses.dLoss - ref.dLoss)).toBeLessThan(1e-12);
    expect(Math.abs(losses.gLoss - ref.gLoss)).toBeLessThan(1e-12);

    const h = 1e-5;
    let worst = 0;
    let checked = 0;
    const check = (keys: readonly Key[], which: 'dLoss' | 'gLoss'): void => {
      for (const key of keys) {
        const theta = p[key];
        for (let i = 0; i < theta.length; i++) {
          const saved = theta[i];
          theta[i] = saved + h;
          const up = refLosses(p, real, zD, zG)[which];
          theta[i] = saved - h;
          const down = refLosses(p, real, zD, zG)[which];
          theta[i] = saved;
          const numeric = (up - down) / (2 * h);
          const analytic = grad[key][i];
          // Relative error, with a floor of 1e-3 on the scale so that (near-)zero gradients,
          // e.g. of dead ReLU units, are held to an absolute 1e-9 instead.
          const rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3);
          if (!(rel < 1e-6)) throw new Error(`${which}: d/d${key}[${i}] analytic ${analytic} vs numeric ${numeric} (rel ${rel})`);
          worst = Math.max(worst, rel);
          checked++;
        }
      }
    };
    check(D_KEYS, 'dLoss'); // D step: gradient of loss_D into D's parameters (G detached)
    check(G_KEYS, 'gLoss'); // G step: gradient of loss_G through D into G's parameters
    expect(checked).toBe(Object.values(SHAPES).reduce((s, n) => s + n, 0));
    console.log(`floor GAN gradient check: ${checked} gradients, worst relative error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-6);
  });

  it('step() follows the documented random draw order and matches floorGanGradients', () => {
    const seed = 5;
    const gan = createFloorGan(seed);
    const p0 = gan.params();
    // Recreate the stream: init weights, dataset, then the first step's draws.
    const rng = createRng(seed);
    const expected = {
      gW1: new Float32Array(SHAPES.gW1), gW2: new Float32Array(SHAPES.gW2),
      dW1: new Float32Array(SHAPES.dW1), dW2: new Float32Array(SHAPES.dW2),
    };
    rng.fillNormal(expected.gW1, 0, Math.sqrt(2 / (LATENT + G_HIDDEN)));
    rng.fillNormal(expected.gW2, 0, Math.sqrt(2 / (G_HIDDEN + 1)));
    rng.fillNormal(expected.dW1, 0, Math.sqrt(2 / (1 + D_HIDDEN)));
    rng.fillNormal(expected.dW2, 0, Math.sqrt(2 / (D_HIDDEN + 1)));
    expect(p0.gW1).toEqual(expected.gW1);
    expect(p0.gW2).toEqual(expected.gW2);
    expect(p0.dW1).toEqual(expected.dW1);
    expect(p0.dW2).toEqual(expected.dW2);
    for (const key of ['gb1', 'gb2', 'db1', 'db2'] as const) expect(p0[key].every((v) => v === 0)).toBe(true);

    const data = new Float32Array(DATASET_SIZE);
    rng.fillNormal(data, 4, 0.5);
    const real = new Float32Array(BATCH);
    for (let i = 0; i < BATCH; i++) real[i] = data[rng.int(DATASET_SIZE)];
    const zD = new Float32Array(BATCH * LATENT);
    const zG = new Float32Array(BATCH * LATENT);
    rng.fillNormal(zD);
    rng.fillNormal(zG);

    // Snapshot the init parameters before step() changes them in place.
    const init: GanParams = {
      gW1: p0.gW1.slice(), gb1: p0.gb1.slice(), gW2: p0.gW2.slice(), gb2: p0.gb2.slice(),
      dW1: p0.dW1.slice(), db1: p0.db1.slice(), dW2: p0.dW2.slice(), db2: p0.db2.slice(),
    };
    const { dLoss } = gan.step();
    const grad: GanParams = {
      gW1: new Float32Array(SHAPES.gW1), gb1: new Float32Array(SHAPES.gb1), gW2: new Float32Array(SHAPES.gW2), gb2: new Float32Array(1),
      dW1: new Float32Array(SHAPES.dW1), db1: new Float32Array(SHAPES.db1), dW2: new Float32Array(SHAPES.dW2), db2: new Float32Array(1),
    };
    const viaGradients = floorGanGradients(init, { real, zD, zG }, grad);
    expect(dLoss).toBe(viaGradients.dLoss);

    // Adam's first step: m̂ = g and v̂ = g² (up to rounding), so θ moves by ≈ lr·sign(g).
    const p1 = gan.params();
    for (const key of D_KEYS) {
      for (let i = 0; i < grad[key].length; i++) {
        const g = grad[key][i];
        const m = (1 - ADAM_BETA1) * g / (1 - ADAM_BETA1);
        const v = (1 - ADAM_BETA2) * g * g / (1 - ADAM_BETA2);
        expect(p1[key][i]).toBeCloseTo(init[key][i] - ADAM_LR * m / (Math.sqrt(v) + ADAM_EPS), 5);
      }
    }
  });

  it('is deterministic: the same seed gives identical losses over 20 steps', () => {
    const a = createFloorGan(42);
    const b = createFloorGan(42);
    const c = createFloorGan(43);
    let differs = false;
    for (let i = 0; i < 20; i++) {
      const la = a.step();
      const dA = la.dLoss;
      const gA = la.gLoss;
      const lb = b.step();
      expect(lb.dLoss).toBe(dA);
      expect(lb.gLoss).toBe(gA);
      if (c.step().dLoss !== dA) differs = true;
    }
    expect(differs).toBe(true);
    for (const key of [...G_KEYS, ...D_KEYS]) expect(b.params()[key]).toEqual(a.params()[key]);
  });

  it('2000 steps from seed 0 move the generated mean toward 4', () => {
    const gan = createFloorGan(0);
    const zRng = createRng(999);
    const n = 4096;
    const z = new Float64Array(n * LATENT);
    zRng.fillNormal(z);
    const stats = (): { mean: number; std: number } => {
      const x = refGenerator(gan.params(), z, n);
      let s = 0;
      for (const v of x) s += v;
      const mean = s / n;
      let ss = 0;
      for (const v of x) ss += (v - mean) ** 2;
      return { mean, std: Math.sqrt(ss / n) };
    };

    const before = stats();
    const trace: string[] = [];
    let allFinite = true;
    let last = { dLoss: 0, gLoss: 0 };
    for (let t = 1; t <= 2000; t++) {
      const { dLoss, gLoss } = gan.step();
      if (!Number.isFinite(dLoss) || !Number.isFinite(gLoss)) allFinite = false;
      last = { dLoss, gLoss };
      if (t % 250 === 0) {
        const s = stats();
        trace.push(`step ${t}: loss_D ${dLoss.toFixed(4)} loss_G ${gLoss.toFixed(4)} G mean ${s.mean.toFixed(3)} std ${s.std.toFixed(3)}`);
      }
    }
    const after = stats();
    console.log(`floor GAN seed 0: G mean ${before.mean.toFixed(3)} (std ${before.std.toFixed(3)}) at init\n${trace.join('\n')}`);

    expect(allFinite).toBe(true);
    expect(Number.isFinite(last.dLoss) && Number.isFinite(last.gLoss)).toBe(true);
    // Robust claim only: at least half of the initial distance to the data mean is closed.
    expect(Math.abs(after.mean - 4)).toBeLessThan(0.5 * Math.abs(before.mean - 4));
  });
});
