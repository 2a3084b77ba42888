// Each model's step through compile(), as the page's "under the hood" panel asks for it: the plan
// lists kernel calls (some refreshed at each replay), the step counts as taken, nothing leaks,
// and the model trains on after it.
import { describe, expect, it } from 'vitest';
import { backendStats, liveTensors } from '../../engine/index';
import type { ModelKind } from '../../models/core/model';
import { createModel } from '../../models/core/registry';
import { getTarget } from '../../models/data/targets';

describe('compiledStepPlan', () => {
  for (const kind of ['gan', 'vae', 'rbm', 'diffusion'] as ModelKind[]) {
    it(`${kind}: one step recorded as a plan, then training goes on`, async () => {
      const model = createModel(kind, getTarget('1d-trimodal'), { seed: 3, dataset: 256, batch: 64, evalSamples: 200 });
      // Warm up both paths once: a first step creates Adam's moments, and a model that compiles
      // its own step (diffusion) keeps that plan's gradient buffers until it is disposed.
      model.trainStep();
      model.compiledStepPlan();
      model.trainStep();
      const tensors = liveTensors();
      const buffers = backendStats().liveBuffers;
      const steps = model.steps;
      const plan = model.compiledStepPlan();
      model.trainStep();
      const runs = plan.filter((e) => e.kind === 'run');
      expect(runs.length).toBeGreaterThan(10);
      expect(runs.filter((e) => e.kind === 'run' && e.refreshed).length).toBeGreaterThanOrEqual(2); // a random draw and Adam
      expect(plan.some((e) => e.kind === 'effect')).toBe(true);
      expect(model.steps).toBe(steps + 2);
      expect(liveTensors()).toBe(tensors);
      expect(backendStats().liveBuffers).toBe(buffers);
      const record = await model.trainEpoch();
      for (const [key, value] of Object.entries(record)) expect(Number.isFinite(value), `${kind} ${key}`).toBe(true);
      model.dispose();
    });
  }
});
