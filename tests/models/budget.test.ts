// The parameter-budget solver: each model's solved count lies within one hidden unit's worth of
// the budget, and the models built with the solved width have exactly that many parameters.
import { describe, expect, it } from 'vitest';
import { budgetedConfig } from '../../models/eval/compare';
import {
  diffusionParameterCount, ganParameterCount, mlpParameterCount, rbmParameterCount, solveHidden, vaeParameterCount,
} from '../../models/core/budget';
import type { ModelKind } from '../../models/core/model';
import { createModel } from '../../models/core/registry';
import { getTarget } from '../../models/data/targets';

const counts: Record<string, (h: number) => number> = {
  'vae 1D': (h) => vaeParameterCount(h, { width: 1, latent: 2, layers: 2 }),
  'vae 20 bins': (h) => vaeParameterCount(h, { width: 20, latent: 2, layers: 2 }),
  'vae one layer': (h) => vaeParameterCount(h, { width: 2, latent: 2, layers: 1 }),
  'diffusion 1D': (h) => diffusionParameterCount(h, { width: 1, embedding: 8, layers: 2 }),
  'diffusion 2D': (h) => diffusionParameterCount(h, { width: 2, embedding: 8, layers: 2 }),
  'rbm 1D': (h) => rbmParameterCount(h, { visible: 1 }),
  'rbm 20 bins': (h) => rbmParameterCount(h, { visible: 20 }),
  'gan 2 layers': (h) => ganParameterCount(h, { width: 1, latent: 10, gLayers: 2, dLayers: 2 }),
  'gan 1 layer (linear in H)': (h) => ganParameterCount(h, { width: 1, latent: 16, gLayers: 1, dLayers: 1 }),
};

describe('parameter budget', () => {
  it('counts an MLP as Σ (in·out + out)', () => {
    expect(mlpParameterCount([1, 25, 25, 4])).toBe(50 + 650 + 104);
    expect(vaeParameterCount(25, { width: 1, latent: 2, layers: 2 })).toBe(1555);
    expect(diffusionParameterCount(34, { width: 1, embedding: 8, layers: 2 })).toBe(1565);
    expect(rbmParameterCount(800, { visible: 1 })).toBe(1601);
  });

  for (const [name, count] of Object.entries(counts)) {
    it(`solves ${name} to within one hidden unit's worth of P, and to the closest width`, () => {
      for (const budget of [200, 500, 1000, 1600, 2500, 5000, 12345, 100000]) {
        const { hidden, parameters } = solveHidden(count, budget);
        expect(parameters).toBe(count(hidden));
        const unit = count(hidden + 1) - count(hidden);
        if (count(1) <= budget) expect(Math.abs(parameters - budget)).toBeLessThanOrEqual(unit);
        // No other width is closer.
        for (const h of [hidden - 1, hidden + 1]) if (h >= 1) expect(Math.abs(count(h) - budget)).toBeGreaterThanOrEqual(Math.abs(parameters - budget));
      }
    });
  }

  it('refuses a non-positive budget', () => {
    expect(() => solveHidden(counts['rbm 1D'], 0)).toThrow(/positive/);
  });

  it('builds every model with exactly the solved count (1D, binned, 2D)', () => {
    const cases: [string, number][] = [['1d-trimodal', 0], ['1d-poisson', 20], ['2d-mix-gauss', 0]];
    for (const [name, bins] of cases) {
      const target = getTarget(name);
      for (const kind of ['gan', 'vae', 'rbm', 'diffusion'] as ModelKind[]) {
        if (kind === 'gan' && bins > 0) continue; // the GAN has no binned mode yet
        const { config, parameters, hidden } = budgetedConfig(kind, 1600, target.dim, bins);
        const model = createModel(kind, target, { ...config, bins, dataset: 256, batch: 64 });
        expect(model.parameterCount(), `${kind} on ${name}`).toBe(parameters);
        const unit = budgetedConfig(kind, 1600, target.dim, bins);
        expect(unit.hidden).toBe(hidden);
        model.dispose();
      }
    }
  });
});
