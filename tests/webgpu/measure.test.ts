// Figures for the report (printed; the assertions are the ones a warm step must meet): GPU
// objects and submits per warm GAN-like step, and the cost of one dispatch batch.

import { expect, test } from 'vitest';
import { createRng, randn, tidy } from '../../engine/index';
import { gpuBackend, on } from './setup';
import { makeGan } from './models';

test('per warm GAN step: dispatches, submits, buffer and bind-group creations; one batch of dispatches', async () => {
  const gpu = await gpuBackend();
  const { step } = makeGan(gpu, 11);
  // Buffers and bind groups are warm after the first steps: the pool hands out the lowest-id
  // free buffer, so a repeated step gets the same buffers in the same roles every time.
  const first = gpu.stats();
  for (let i = 0; i < 5; i++) step();
  await gpu.flush();
  const afterFive = gpu.stats();
  for (let i = 5; i < 100; i++) step();
  await gpu.flush();
  const warmedUp = gpu.stats();
  expect(warmedUp.bindGroupCreations).toBe(afterFive.bindGroupCreations);
  expect(warmedUp.bufferCreations).toBe(afterFive.bufferCreations);
  console.log(`first 5 steps: ${afterFive.bufferCreations - first.bufferCreations} buffer creations, ` +
    `${(afterFive.bindGroupCreations ?? 0) - (first.bindGroupCreations ?? 0)} bind groups; steps 5-100: ` +
    `${warmedUp.bufferCreations - afterFive.bufferCreations} buffer creations, ${(warmedUp.bindGroupCreations ?? 0) - (afterFive.bindGroupCreations ?? 0)} bind groups`);
  const steps = 50;
  const before = gpu.stats();
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  await gpu.flush();
  const stepMs = (performance.now() - t0) / steps;
  const after = gpu.stats();
  const per = (k: 'dispatches' | 'submits' | 'bufferCreations' | 'bindGroupCreations' | 'pipelineCreations') =>
    ((after[k] ?? 0) - (before[k] ?? 0)) / steps;
  console.log(`warm GAN step: ${per('dispatches')} dispatches, ${per('submits')} submits, ${per('bufferCreations')} buffer creations, ` +
    `${per('bindGroupCreations')} bind-group creations, ${per('pipelineCreations')} pipeline creations, ${stepMs.toFixed(2)} ms/step (flushed)`);
  expect(per('bufferCreations')).toBe(0);
  expect(per('submits')).toBe(2);
  expect(per('bindGroupCreations')).toBe(0);

  // 100 tiny dispatches (x + 1 on 64 floats, chained) in one pass and one submit.
  const x = on(gpu, () => randn([64], createRng(1)));
  const chain = () => on(gpu, () => tidy(() => { let y = x; for (let i = 0; i < 100; i++) y = y.add(1); return y; }));
  chain().dispose();
  await gpu.flush();
  const times: number[] = [];
  const recordTimes: number[] = [];
  for (let r = 0; r < 20; r++) {
    t0 = performance.now();
    const y = chain();
    recordTimes.push(performance.now() - t0);
    await gpu.flush();
    times.push(performance.now() - t0);
    y.dispose();
  }
  times.sort((a, b) => a - b);
  recordTimes.sort((a, b) => a - b);
  console.log(`100 chained tiny dispatches in one submit: recording (JS: ops, tidy, planning, encoding) median ${recordTimes[10].toFixed(2)} ms; ` +
    `record + submit + wait median ${times[10].toFixed(2)} ms, best ${times[0].toFixed(2)} ms`);
  x.dispose();
});
