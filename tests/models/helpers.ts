// Shared by the VAE, RBM and diffusion tests: the quality protocol, the fitted-Gaussian bar and
// the resume check.
import { expect } from 'vitest';
import { gaussianBaseline } from '../../models/eval/baseline';
import type { Checkpoint, FinalMetrics, GenerativeModel } from '../../models/core/model';
import { loadModel } from '../../models/core/registry';
import type { Target } from '../../models/data/targets';

/** Train `steps` optimisation steps, then score 5000 samples against 5000 fresh target samples. */
export async function trainAndScore(model: GenerativeModel, steps: number): Promise<FinalMetrics> {
  for (let i = 0; i < steps; i++) model.trainStep();
  const metrics = await model.evaluate();
  model.dispose();
  return metrics;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The fitted Gaussian's metrics (same reference sample as a model with this seed and 5000 samples). */
export function gaussianBar(target: Target, seed: number, n = 5000): FinalMetrics {
  return gaussianBaseline(target, n, seed);
}

/**
 * Resume exactness: A trains 2 epochs, is saved, trains 1 more. B is loaded from the saved
 * checkpoint (through JSON) and trains 1 epoch. Their weights, history and next samples agree.
 */
export async function expectExactResume(create: () => GenerativeModel): Promise<void> {
  const a = create();
  await a.trainEpoch();
  await a.trainEpoch();
  const saved = JSON.parse(JSON.stringify(await a.save())) as Checkpoint;
  await a.trainEpoch();
  const b = loadModel(saved);
  expect(b.epoch).toBe(2);
  expect(b.history.length).toBe(2);
  await b.trainEpoch();
  const wa = (await a.save()).weights;
  const wb = (await b.save()).weights;
  expect(Object.keys(wb)).toEqual(Object.keys(wa));
  for (const name of Object.keys(wa)) expect(wb[name], name).toEqual(wa[name]);
  expect(b.history).toEqual(a.history);
  expect([b.epoch, b.steps]).toEqual([a.epoch, a.steps]);
  expect((await b.save()).optimizers).toEqual((await a.save()).optimizers);
  a.dispose();
  b.dispose();
}
