// The backend note at the top of the page: the start-up timing, and the rate training runs at on
// the backend in use, which follows a switch (demo/backend-pick.ts).

import { describe, expect, it } from 'vitest';
import { describeBackend } from '../../demo/backend-pick';

describe('the backend note', () => {
  const startup = { rates: { webgpu: 190, cpu: 120 }, chosen: 'webgpu' as const };

  it('says the start-up figures are a bare step and reports the measured training rate', () => {
    const text = describeBackend({ startup, backend: 'webgpu', trainingRate: 34.2 });
    expect(text).toMatch(/bare timing.*CPU 120 steps\/s, WebGPU 190 steps\/s/);
    expect(text).toMatch(/Training runs at 34 steps\/s on WebGPU/);
  });

  it('changes when the backend is switched', () => {
    const text = describeBackend({ startup, backend: 'cpu', trainingRate: null });
    expect(text).toMatch(/had picked WebGPU/);
    expect(text).toMatch(/Now on CPU/);
    expect(describeBackend({ startup: null, backend: 'cpu', trainingRate: 80 })).toBe('Training runs at 80 steps/s on CPU (measured while it trains: the step, scoring each epoch and drawing the plots).');
  });
});
