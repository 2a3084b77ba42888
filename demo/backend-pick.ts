// Which backend trains faster here? At start the page times a few steps of the default GAN (the
// playground's: batch 128, G 10-16-1, D 1-32-1) on each backend and picks the faster. Models this
// small are often faster on the CPU, above all on a software WebGPU adapter (SwiftShader), where
// every dispatch is emulated: each kernel launch costs more than the arithmetic it does.

import { flush, setBackend, type BackendName } from '../engine/index';
import { createEngineGan } from '../models/bench/engine-gan';

/** Training steps per second of the default GAN on each backend. */
export interface BackendRates {
  webgpu: number;
  cpu: number;
}

/** Steps per second on `name`: two untimed steps (pipelines, pools), then `steps` timed ones. */
async function stepsPerSecond(name: BackendName, steps: number): Promise<number> {
  await setBackend(name);
  const gan = createEngineGan(0);
  const run = (): void => {
    const s = gan.step();
    s.dLoss.dispose();
    s.gLoss.dispose();
  };
  try {
    run();
    run();
    await flush();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) run();
    await flush();
    return (steps * 1000) / Math.max(performance.now() - t0, 1e-3);
  } finally {
    gan.dispose();
  }
}

/** Time both backends; leaves the faster one current. */
export async function pickFasterBackend(steps = 10): Promise<{ rates: BackendRates; chosen: BackendName }> {
  const rates = { webgpu: await stepsPerSecond('webgpu', steps), cpu: await stepsPerSecond('cpu', steps) };
  const chosen: BackendName = rates.webgpu > rates.cpu ? 'webgpu' : 'cpu';
  await setBackend(chosen);
  return { rates, chosen };
}

export function describeRates(r: BackendRates, chosen: BackendName): string {
  const f = (x: number): string => `${x.toFixed(0)} steps/s`;
  return `Timed the default GAN at start: CPU ${f(r.cpu)}, WebGPU ${f(r.webgpu)}. Using the ${chosen === 'cpu' ? 'CPU' : 'WebGPU'} backend, the faster here; the switch above changes it.`;
}
