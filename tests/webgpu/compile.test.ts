// compile(step) on WebGPU: the compiled reference GAN step gives the losses of the plain step,
// is one submit, and a warm replay creates no buffer and no bind group.

import { beforeAll, describe, expect, test } from 'vitest';
import { backendStats, compile, setBackend } from '../../engine/index';
import { createEngineGan } from '../../models/bench/engine-gan';
import { gpuBackend } from './setup';

beforeAll(async () => {
  await gpuBackend();
  expect(await setBackend('webgpu')).toBe('webgpu');
});

describe('compiled step on WebGPU', () => {
  test('same losses as the plain step, one submit per step, nothing created when warm', async () => {
    const plain = createEngineGan(3);
    const other = createEngineGan(3);
    const step = compile(() => other.step());
    for (let i = 0; i < 20; i++) {
      const a = plain.step();
      const b = step();
      for (const [x, y] of [[a.dLoss, b.dLoss], [a.gLoss, b.gLoss]]) {
        const [u, v] = [await x.item(), await y.item()];
        expect(Math.abs(u - v), `step ${i}`).toBeLessThan(1e-5);
      }
      for (const t of [a.dLoss, a.gLoss, b.dLoss, b.gLoss]) t.dispose();
    }
    const before = backendStats();
    for (let i = 0; i < 10; i++) for (const t of Object.values(step())) t.dispose();
    await (await gpuBackend()).flush();
    const after = backendStats();
    expect(after.submits - before.submits).toBe(10);
    expect(after.bufferCreations - before.bufferCreations).toBe(0);
    expect((after.bindGroupCreations ?? 0) - (before.bindGroupCreations ?? 0)).toBe(0);
    expect(after.dispatches - before.dispatches).toBe(10 * (24 + 2)); // the step, plus one copy per returned loss
    step.dispose();
    plain.dispose();
    other.dispose();
    await setBackend('cpu');
  });
});
