// A short soak of every model on the CPU and on WebGPU: after warm-up, live tensors and live
// buffers stay exactly flat, and disposing the model returns them to where they started.
// (`npm run soak` runs the 10,000-step version and reports RSS; README: Reliability.)

import { describe, expect, it } from 'vitest';
import { setBackend } from '../../engine/index';
import type { ModelKind } from '../../models/core/model';
import { formatSoak, soak } from '../../models/scripts/soak-core';
import './../webgpu/setup';

const MODELS: ModelKind[] = ['gan', 'vae', 'rbm', 'diffusion'];

describe.each([
  ['cpu', 1000],
  ['webgpu', 300],
] as const)('soak on %s', (backend, steps) => {
  it.each(MODELS)(`%s: ${steps} steps, flat tensors and buffers`, async (kind) => {
    expect(await setBackend(backend)).toBe(backend);
    const r = await soak(kind, steps, 100);
    console.log(formatSoak(r));
    expect(r.end.liveTensors).toBe(r.warm.liveTensors);
    expect(r.end.liveBuffers).toBe(r.warm.liveBuffers);
    expect(r.disposed.liveTensors).toBe(r.start.liveTensors);
    expect(r.disposed.liveBuffers).toBe(r.start.liveBuffers);
  });
});
