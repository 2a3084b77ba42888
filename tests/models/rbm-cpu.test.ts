// The RBM's fused CPU loops (models/rbm/rbm-cpu.ts) against the engine's definition: the same Gibbs
// sweep given the same random numbers, and the same gradient as backward() of the CD loss.
import { describe, expect, it } from 'vitest';
import { captureStep, createRng, mean, randn, sub, type Tensor } from '../../engine/index';
import { createModel } from '../../models/core/registry';
import { createRbm, type Rbm } from '../../models/rbm/rbm';
import { engineNoise, RbmCpu } from '../../models/rbm/rbm-cpu';
import { availableParallelism } from 'node:os';
import { setCpuThreads } from '../../kernels/cpu/gemm-wasm';
import { gibbsKernel, gibbsThreads, setGibbsThreadsMinWork, whenGibbsThreadsReady } from '../../models/rbm/gibbs-wasm';
import { getTarget } from '../../models/data/targets';

/** An RBM with hidden units not a multiple of 4, trained a little so that no bias is zero. */
async function trainedRbm(target: string, hidden: number): Promise<Rbm> {
  const model = createRbm(getTarget(target), { seed: 3, hidden, dataset: 256, batch: 32, evalSamples: 200, gibbsSteps: 20, lr: 1e-2 });
  await model.trainEpoch({ score: false });
  return model;
}

function arrays(model: Rbm): { weight: Float32Array; visibleBias: Float32Array; hiddenBias: Float32Array } {
  return { weight: model.weight.dataSync() as Float32Array, visibleBias: model.visibleBias.dataSync() as Float32Array, hiddenBias: model.hiddenBias.dataSync() as Float32Array };
}

describe('RBM, fused CPU loops', () => {
  for (const [target, width] of [['1d-trimodal', 1], ['2d-mix-gauss', 2]] as const) {
    it(`a Gibbs sweep draws the same numbers and lands on the same states as the engine's (${width} visible)`, async () => {
      const model = await trainedRbm(target, 37);
      const start = randn([50, width], createRng(11), { std: 1.5 });
      const expected = await model.gibbsFrom(start, 3, createRng(12)).data();
      const v = new Float32Array(await start.data());
      new RbmCpu(width, 37, model.config.sigma).sweep(arrays(model), v, 3, engineNoise(createRng(12)));
      for (let i = 0; i < v.length; i++) expect(v[i]).toBeCloseTo(expected[i], 4);
      const spread = Math.max(...v) - Math.min(...v);
      expect(spread).toBeGreaterThan(0.5); // the states moved apart, not to one value
      model.dispose();
    });

    it(`the CD gradient and the data's free energy equal backward() of mean F(v₀) − mean F(v_k) (${width} visible)`, async () => {
      const model = await trainedRbm(target, 37);
      const v0 = randn([24, width], createRng(21));
      const vk = randn([24, width], createRng(22), { std: 2 });
      const params: Tensor[] = [model.weight, model.visibleBias, model.hiddenBias];
      for (const p of params) { p.grad?.dispose(); p.grad = null; }
      const dataEnergy = mean(model.freeEnergy(v0));
      sub(dataEnergy, mean(model.freeEnergy(vk))).backward();
      const g = new RbmCpu(width, 37, model.config.sigma).cdGradient(arrays(model), new Float32Array(await v0.data()), new Float32Array(await vk.data()));
      expect(g.dataEnergy).toBeCloseTo(await dataEnergy.item(), 2);
      const ours = [g.weight, g.visibleBias, g.hiddenBias];
      for (let k = 0; k < 3; k++) {
        const engine = await params[k].grad!.data();
        const scale = Math.max(...Array.from(engine, Math.abs));
        expect(scale).toBeGreaterThan(0);
        for (let i = 0; i < engine.length; i++) expect(Math.abs(ours[k][i] - engine[i])).toBeLessThan(1e-4 * scale + 1e-6);
      }
      model.dispose();
    });
  }

  it('training on the CPU is deterministic: the same seed gives the same weights', async () => {
    const weights = [];
    for (let run = 0; run < 2; run++) {
      const model = createRbm(getTarget('1d-trimodal'), { seed: 4, hidden: 50, dataset: 256, batch: 32, evalSamples: 200, gibbsSteps: 20 });
      await model.trainEpoch({ score: false });
      weights.push(Array.from(await model.weight.data()));
      model.dispose();
    }
    expect(weights[0]).toEqual(weights[1]);
    expect(new Set(weights[0]).size).toBe(50);
  });
});

describe('fast paths step aside while dispatches are watched', () => {
  for (const kind of ['rbm', 'diffusion'] as const) {
    it(`the ${kind}'s step shows its engine graph to captureStep, after fast steps and before more`, async () => {
      const model = createModel(kind, getTarget('1d-trimodal'), { seed: 0, dataset: 256, batch: 32, evalSamples: 200, hidden: 20 });
      model.trainStep(); // the fast path (fused loops, or the recording of the compiled step)
      model.trainStep();
      const graphs = await captureStep(() => model.trainStep());
      expect(graphs.length).toBe(1);
      expect(graphs[0].nodes.length).toBeGreaterThan(5);
      model.trainStep();
      const samples = Array.from(await model.sample(50));
      expect(samples.every(Number.isFinite)).toBe(true);
      model.dispose();
    });
  }
});

describe('RBM, the WebAssembly SIMD kernel (gibbs.wat) against the JavaScript loops', () => {
  const kernel = gibbsKernel()!;

  /** Random parameters that put many units near their switching point, and some saturated. */
  function randomParameters(V: number, H: number, seed: number): { weight: Float32Array; visibleBias: Float32Array; hiddenBias: Float32Array } {
    const rng = createRng(seed);
    const weight = new Float32Array(V * H);
    const visibleBias = new Float32Array(V);
    const hiddenBias = new Float32Array(H);
    rng.fillNormal(weight, 0, 0.3);
    rng.fillNormal(visibleBias, 0, 0.5);
    rng.fillNormal(hiddenBias, 0, 0.4);
    return { weight, visibleBias, hiddenBias };
  }

  /** The kernel's memory holds at least `bytes`. */
  function reserve(bytes: number): void {
    const have = kernel.memory.buffer.byteLength;
    if (have < bytes) kernel.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  it('compiles here (Node has WebAssembly SIMD)', () => {
    expect(kernel).not.toBeNull();
  });

  it('draws the engine\'s uniforms: Philox four blocks at a time equals rng.fillUniform', () => {
    for (const [seed, n] of [[5, 16], [2 ** 40 + 3, 799 * 3], [7, 1000]] as const) {
      const expected = new Float32Array(n);
      const rng = createRng(seed);
      rng.reserve(4 * 2 ** 30 - 8); // the counter's low word wraps inside the draw
      const first = rng.getState().counter;
      rng.fillUniform(expected);
      reserve(4 * n + 64);
      const mem = new Float32Array(kernel.memory.buffer);
      const groups = Math.ceil(n / 16);
      const [k0, k1] = createRng(seed).key;
      kernel.uniforms(k0 | 0, k1 | 0, first % 2 ** 32 | 0, Math.floor(first / 2 ** 32) | 0, groups, 0);
      expect(Array.from(mem.subarray(0, n))).toEqual(Array.from(expected));
      expect(new Set(expected).size).toBeGreaterThan(n * 0.99);
    }
  });

  it('its double-precision exponential is Math.exp bit for bit, on fresh random inputs and the extremes', () => {
    const rng = createRng(Date.now() % 1e9);
    const x = new Float64Array(200_000);
    for (let i = 0; i < x.length; i++) x[i] = (2 * rng.uniform() - 1) * [1e-9, 0.4, 1.1, 3, 40, 400, 720, 1e4][i % 8];
    x.set([0, -0, 2 ** -30, -(2 ** -30), 0.5 * Math.LN2, 1.5 * Math.LN2, -708, -708.4, -745.2, 709.7, 709.8, Infinity, -Infinity, NaN, 20, -20]);
    reserve(16 * x.length);
    const mem = new Float64Array(kernel.memory.buffer);
    mem.set(x, 0);
    kernel.expArray(0, 8 * x.length, x.length / 2);
    const out = new Float64Array(kernel.memory.buffer, 8 * x.length, x.length);
    let mismatches = 0;
    for (let i = 0; i < x.length; i++) if (!Object.is(out[i], Math.exp(x[i]))) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('its first-test exponential is within 3·10⁻⁷ of Math.exp on [−30, 30] (fresh random inputs and the ends), and NaN stays NaN', () => {
    const rng = createRng(Date.now() % 1e9 + 1);
    const x = new Float32Array(100_000);
    for (let i = 0; i < x.length; i++) x[i] = 60 * rng.uniform() - 30;
    x.set([-30, 30, 0, -0, 1e-20, -87, 87, -1e30, 1e30]);
    x[x.length - 1] = NaN;
    reserve(8 * x.length);
    new Float32Array(kernel.memory.buffer).set(x, 0);
    kernel.expFastArray(0, 4 * x.length, x.length / 4);
    const fast = new Float32Array(kernel.memory.buffer, 4 * x.length, x.length);
    let worst = 0;
    for (let i = 0; i < x.length - 1; i++) {
      const clamped = Math.min(30, Math.max(-30, x[i]));
      worst = Math.max(worst, Math.abs(fast[i] - Math.exp(clamped)) / Math.exp(clamped));
    }
    expect(worst).toBeLessThan(3e-7);
    expect(fast[x.length - 1]).toBeNaN();
  });

  for (const [V, H, n] of [[1, 37, 50], [2, 37, 24], [1, 799, 128], [3, 10, 7]] as const) {
    it(`sweeps land on the JavaScript loops' states bit for bit (V ${V}, H ${H}, ${n} rows), with the engine's stream and with given numbers`, () => {
      const p = randomParameters(V, H, 31 + H);
      const start = new Float32Array(n * V);
      createRng(32).fillNormal(start, 0, 1.5);
      const runs = [true, false].map((wasm) => {
        const v = start.slice();
        const recon = new Float64Array(1);
        new RbmCpu(V, H, 0.2, wasm).sweep(p, v, 4, engineNoise(createRng(33)), recon);
        return { v, recon: recon[0] };
      });
      expect(Array.from(runs[0].v)).toEqual(Array.from(runs[1].v));
      expect(runs[0].recon).toBe(runs[1].recon);
      expect(new Set(runs[0].v).size).toBe(n * V);
      const given = start.slice();
      const rng = createRng(33);
      new RbmCpu(V, H, 0.2).sweep(p, given, 4, { uniforms: (out) => rng.fillUniform(out), normals: (out, std) => rng.fillNormal(out, 0, std) });
      expect(Array.from(given)).toEqual(Array.from(runs[0].v));
    });

    it(`the CD gradient is the JavaScript loops' bit for bit (V ${V}, H ${H}, ${n} rows)`, () => {
      const p = randomParameters(V, H, 41 + H);
      const v0 = new Float32Array(n * V);
      const vk = new Float32Array(n * V);
      createRng(42).fillNormal(v0, 0, 1);
      createRng(43).fillNormal(vk, 0, 2);
      const [ours, loops] = [true, false].map((wasm) => new RbmCpu(V, H, 0.2, wasm).cdGradient(p, v0, vk));
      expect(Array.from(ours.weight)).toEqual(Array.from(loops.weight));
      expect(Array.from(ours.hiddenBias)).toEqual(Array.from(loops.hiddenBias));
      expect(Array.from(ours.visibleBias)).toEqual(Array.from(loops.visibleBias));
      // F's hidden term is summed by blocks of 32 units (a logarithm of a product), the loops' unit by unit
      expect(Math.abs(ours.dataEnergy - loops.dataEnergy)).toBeLessThan(1e-12 * (1 + Math.abs(loops.dataEnergy)));
      expect(Math.abs(loops.dataEnergy)).toBeGreaterThan(0.1);
      expect(new Set(ours.weight).size).toBeGreaterThan(0.99 * V * H);
    });
  }
});

describe('RBM kernel on both cores', () => {
  it('one thread and two give the same bits: sweeps cut by rows, the gradient by hidden units', async () => {
    expect(await whenGibbsThreadsReady()).toBe(Math.min(2, availableParallelism()));
    setGibbsThreadsMinWork(0); // split even the small cases
    try {
      for (const [V, H, n] of [[1, 799, 128], [2, 37, 23], [1, 10, 3]] as const) {
        const rng = createRng(50 + H);
        const p = { weight: new Float32Array(V * H), visibleBias: new Float32Array(V), hiddenBias: new Float32Array(H) };
        rng.fillNormal(p.weight, 0, 0.3);
        rng.fillNormal(p.hiddenBias, 0, 0.4);
        const start = new Float32Array(n * V);
        rng.fillNormal(start, 0, 1.5);
        const runs = [1, 2, 1].map((threads) => {
          setCpuThreads(threads);
          expect(gibbsThreads()).toBe(Math.min(threads, availableParallelism()));
          const v = start.slice();
          const rbm = new RbmCpu(V, H, 0.2);
          rbm.sweep(p, v, 3, engineNoise(createRng(51)));
          return { v: Array.from(v), g: rbm.cdGradient(p, start, v) };
        });
        const loops = start.slice();
        const js = new RbmCpu(V, H, 0.2, false);
        js.sweep(p, loops, 3, engineNoise(createRng(51)));
        for (const run of runs) {
          expect(run.v).toEqual(Array.from(loops));
          expect(Array.from(run.g.weight)).toEqual(Array.from(js.cdGradient(p, start, loops).weight));
          expect(Array.from(run.g.hiddenBias)).toEqual(Array.from(runs[0].g.hiddenBias));
          expect(run.g.dataEnergy).toBe(runs[0].g.dataEnergy);
        }
      }
    } finally {
      setGibbsThreadsMinWork(undefined);
      setCpuThreads(Infinity);
    }
  });
});
