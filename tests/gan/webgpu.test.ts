// The GAN on the WebGPU backend (Mesa's lavapipe in CI): the same seed gives the same early
// training on both backends (float32 sums in another order: tiny differences, which GAN dynamics
// amplify later, so only the first epochs are compared). The reduced quality run on WebGPU is in
// webgpu-quality.test.ts (full lane).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flush, setBackend } from '../../engine/index';
import { createGan, GAN_STABLE, type GanConfig } from '../../models/gan';
import { getTarget } from '../../models/data/targets';
import { gpuBackend } from '../webgpu/setup';

const normal = getTarget('normal');

beforeAll(async () => {
  await gpuBackend(); // fails loudly, with the fix, when there is no adapter
});

afterAll(async () => {
  await setBackend('cpu');
});

async function historyOn(backend: 'cpu' | 'webgpu', epochs: number, target = normal, extra: Partial<GanConfig> = {}): Promise<Record<string, number>[]> {
  expect(await setBackend(backend)).toBe(backend);
  const gan = createGan(target, { ...GAN_STABLE, seed: 0, evalSamples: 1000, ...extra });
  for (let e = 0; e < epochs; e++) await gan.trainEpoch();
  const history = gan.history.map((r) => ({ ...r }));
  gan.dispose();
  await flush();
  return history;
}

describe('GAN on WebGPU', () => {
  it('the first epochs match the CPU run of the same seed', async () => {
    const cpu = await historyOn('cpu', 2);
    const gpu = await historyOn('webgpu', 2);
    for (let e = 0; e < 2; e++) {
      for (const k of ['gLoss', 'dLoss', 'dReal', 'dFake', 'genMean', 'genStd']) {
        expect(Math.abs(gpu[e][k] - cpu[e][k]), `epoch ${e + 1} ${k}: gpu ${gpu[e][k]} cpu ${cpu[e][k]}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu[e][k])));
      }
    }
  }, 120_000);

  it('binned mode (20 bins, 1d-poisson): the first epochs match the CPU run, Gumbel noise drawn on the device', async () => {
    const extra: Partial<GanConfig> = { bins: 20, dataset: 512 };
    const cpu = await historyOn('cpu', 2, getTarget('1d-poisson'), extra);
    const gpu = await historyOn('webgpu', 2, getTarget('1d-poisson'), extra);
    for (let e = 0; e < 2; e++) {
      for (const k of Object.keys(cpu[e])) {
        expect(Math.abs(gpu[e][k] - cpu[e][k]), `epoch ${e + 1} ${k}: gpu ${gpu[e][k]} cpu ${cpu[e][k]}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu[e][k])));
      }
    }
  }, 120_000);

  it("the default GAN's R1 penalty and G's weight average (from epoch 1): the first epochs match the CPU run", async () => {
    const post = { gLayers: 1, gWidth: 16, dLayers: 1, dWidth: 32, lrG: 3e-3, lrD: 6e-3, lrDecay: 100 };
    const extra: Partial<GanConfig> = { ...post, r1Gamma: 1, gAverageFrom: 1, dataset: 512 };
    const cpu = await historyOn('cpu', 3, normal, extra);
    const gpu = await historyOn('webgpu', 3, normal, extra);
    for (let e = 0; e < 3; e++) {
      for (const k of ['gLoss', 'dLoss', 'dReal', 'dFake', 'genMean', 'genStd', 'w1']) {
        expect(Math.abs(gpu[e][k] - cpu[e][k]), `epoch ${e + 1} ${k}: gpu ${gpu[e][k]} cpu ${cpu[e][k]}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu[e][k])));
      }
    }
  }, 120_000);
});
