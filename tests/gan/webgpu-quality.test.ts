// The GAN on the WebGPU backend (Mesa's lavapipe in CI), the reduced version of the quality
// tests: a shorter stable-config run on `normal` meets the per-seed goals. Full lane only.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flush, setBackend } from '../../engine/index';
import { createGan, GAN_STABLE } from '../../models/gan';
import { getTarget } from '../../models/data/targets';
import { gpuBackend } from '../webgpu/setup';

const normal = getTarget('normal');

beforeAll(async () => {
  await gpuBackend(); // fails loudly, with the fix, when there is no adapter
});

afterAll(async () => {
  await setBackend('cpu');
});

describe('GAN quality on WebGPU', () => {
  it('reduced quality: stable config on normal, 60 epochs, seed 0: |mean − 4| < 0.15, W1 < 0.25', async () => {
    expect(await setBackend('webgpu')).toBe('webgpu');
    const gan = createGan(normal, { ...GAN_STABLE, seed: 0, evalSamples: 1000 });
    for (let e = 0; e < 60; e++) await gan.trainEpoch();
    const m = await gan.evaluate();
    gan.dispose();
    await flush();
    expect(Math.abs(m.mean[0] - 4)).toBeLessThan(0.15);
    expect(m.w1).toBeLessThan(0.25);
  }, 300_000);
});
