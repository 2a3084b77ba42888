// The VAE, the RBM and the diffusion model on the WebGPU backend (lavapipe in CI): the same seed
// gives the same first epochs as on the CPU (float32 sums in another order: tiny differences),
// in continuous and binned mode, with noise drawn on the device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flush, setBackend } from '../../engine/index';
import type { ModelKind } from '../../models/core/model';
import { createModel } from '../../models/core/registry';
import { getTarget } from '../../models/data/targets';
import { gpuBackend } from '../webgpu/setup';

beforeAll(async () => {
  await gpuBackend();
});

afterAll(async () => {
  await setBackend('cpu');
});

const CASES: [ModelKind, string, number, Record<string, unknown>][] = [
  ['vae', '1d-trimodal', 0, {}],
  ['rbm', '1d-trimodal', 0, { gibbsSteps: 20 }],
  ['rbm', '1d-trimodal', 0, { gibbsSteps: 20, hidden: 799 }], // the width of the budget-1600 job: the CPU's SIMD kernel on both cores
  ['diffusion', '2d-mix-gauss', 0, { steps: 20 }],
  ['vae', '1d-poisson', 20, {}],
  ['rbm', '1d-poisson', 20, { gibbsSteps: 20 }],
  ['diffusion', '1d-poisson', 20, { steps: 20 }],
];

async function historyOn(backend: 'cpu' | 'webgpu', kind: ModelKind, target: string, bins: number, extra: Record<string, unknown>): Promise<Record<string, number>[]> {
  expect(await setBackend(backend)).toBe(backend);
  const model = createModel(kind, getTarget(target), { seed: 0, bins, dataset: 512, batch: 128, evalSamples: 300, ...extra });
  await model.trainEpoch();
  await model.trainEpoch();
  const history = model.history.map((r) => ({ ...r }));
  model.dispose();
  await flush();
  return history;
}

describe('VAE, RBM and diffusion on WebGPU', () => {
  for (const [kind, target, bins, extra] of CASES) {
    it(`${kind} on ${target}${bins ? ` (${bins} bins)` : ''}${extra.hidden ? ` (${String(extra.hidden)} hidden)` : ''}: the first epochs match the CPU run`, async () => {
      const cpu = await historyOn('cpu', kind, target, bins, extra);
      const gpu = await historyOn('webgpu', kind, target, bins, extra);
      for (let e = 0; e < 2; e++) {
        for (const k of Object.keys(cpu[e])) {
          expect(Math.abs(gpu[e][k] - cpu[e][k]), `epoch ${e + 1} ${k}: gpu ${gpu[e][k]} cpu ${cpu[e][k]}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu[e][k])));
        }
      }
    }, 60_000);
  }
});
