// The RBM's fused CPU loops (models/rbm/rbm-cpu.ts) against the engine's definition: the same Gibbs
// sweep given the same random numbers, and the same gradient as backward() of the CD loss.
import { describe, expect, it } from 'vitest';
import { captureStep, createRng, mean, randn, sub, type Tensor } from '../../engine/index';
import { createModel } from '../../models/core/registry';
import { createRbm, type Rbm } from '../../models/rbm/rbm';
import { engineNoise, RbmCpu } from '../../models/rbm/rbm-cpu';
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
