// The reference GAN of the playground (models/bench/engine-gan.ts) on WebGPU against the CPU:
// the same seed gives the same loss curve (to float32 rounding), a whole D + G step is one
// submit, and 2,000 steps leak no buffer and no tensor.

import { beforeAll, describe, expect, test } from 'vitest';
import { backendStats, liveTensors, setBackend } from '../../engine/index';
import { createEngineGan } from '../../models/bench/engine-gan';
import { gpuBackend } from './setup';

/** Losses of `steps` steps from seed 0 on the named backend (read back every step). */
async function lossCurve(backend: 'cpu' | 'webgpu', steps: number): Promise<{ d: number[]; g: number[] }> {
  expect(await setBackend(backend)).toBe(backend);
  const gan = createEngineGan(0);
  const d: number[] = [];
  const g: number[] = [];
  for (let i = 0; i < steps; i++) {
    const s = gan.step();
    d.push(await s.dLoss.item());
    g.push(await s.gLoss.item());
    s.dLoss.dispose();
    s.gLoss.dispose();
  }
  gan.dispose();
  return { d, g };
}

beforeAll(async () => {
  await gpuBackend(); // fails loudly, naming the fix, when there is no adapter
});

describe('reference GAN on WebGPU', () => {
  test('300 steps from one seed: CPU and WebGPU losses agree within 1e-3 for the first 50 steps and stay close after', async () => {
    const cpu = await lossCurve('cpu', 300);
    const gpu = await lossCurve('webgpu', 300);
    await setBackend('cpu');
    for (let i = 0; i < 50; i++) {
      expect(Math.abs(gpu.d[i] - cpu.d[i]), `D loss at step ${i}`).toBeLessThan(1e-3);
      expect(Math.abs(gpu.g[i] - cpu.g[i]), `G loss at step ${i}`).toBeLessThan(1e-3);
    }
    // After that float32 rounding differences may grow (a GAN amplifies them), but the curves
    // must still describe the same run: close on average over every 50-step window.
    let worst = 0;
    for (let w = 50; w < 300; w += 50) {
      let sum = 0;
      for (let i = w; i < w + 50; i++) sum += Math.abs(gpu.d[i] - cpu.d[i]) + Math.abs(gpu.g[i] - cpu.g[i]);
      worst = Math.max(worst, sum / 100);
    }
    console.log(`reference GAN CPU vs WebGPU: worst mean |Δloss| over a 50-step window after step 50: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-3);
  });

  test('one submit per training step (D and G updates together) when no value is read', async () => {
    await setBackend('webgpu');
    const gan = createEngineGan(1);
    for (let i = 0; i < 3; i++) {
      const s = gan.step();
      s.dLoss.dispose();
      s.gLoss.dispose();
    }
    const before = backendStats();
    for (let i = 0; i < 10; i++) {
      const s = gan.step();
      s.dLoss.dispose();
      s.gLoss.dispose();
    }
    const after = backendStats();
    expect(after.submits - before.submits).toBe(10);
    gan.dispose();
    await setBackend('cpu');
  });

  test('2,000 steps leave the live-buffer and live-tensor counts where they were after step 10, with no GPU buffer created', async () => {
    await setBackend('webgpu');
    const gan = createEngineGan(2);
    const run = (): void => {
      const s = gan.step();
      s.dLoss.dispose();
      s.gLoss.dispose();
    };
    for (let i = 0; i < 10; i++) run();
    const { flush } = await import('../../engine/index');
    await flush();
    const buffers = backendStats().liveBuffers;
    const tensors = liveTensors();
    const created = backendStats().bufferCreations;
    for (let i = 10; i < 2000; i++) {
      run();
      if (i % 250 === 0) await flush(); // let the device keep up
    }
    await flush();
    expect(backendStats().liveBuffers).toBe(buffers);
    expect(liveTensors()).toBe(tensors);
    expect(backendStats().bufferCreations).toBe(created);
    gan.dispose();
    await setBackend('cpu');
  }, 300_000);
});
