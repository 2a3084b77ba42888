// Which backend trains faster here? At start the page times a few training steps of the default
// GAN (GAN_DEFAULTS on `normal`: batch 128, the networks, R1 and all) on each backend and picks
// the faster. Models this small are often faster on the CPU, above all on a software WebGPU
// adapter (SwiftShader), where every dispatch is emulated: each kernel launch costs more than
// the arithmetic it does.

import { flush, setBackend, type BackendName } from '../engine/index';
import { getTarget } from '../models/data/targets';
import { createGan } from '../models/gan';

/** Training steps per second of the default GAN on each backend. */
export interface BackendRates {
  webgpu: number;
  cpu: number;
}

/** Steps per second on `name`: two untimed steps (pipelines, pools), then `steps` timed ones. */
async function stepsPerSecond(name: BackendName, steps: number): Promise<number> {
  await setBackend(name);
  const gan = createGan(getTarget('normal'));
  const run = (): void => gan.trainStep();
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

/** What the backend note says: the start-up timing (if any), the backend in use and the rate training runs at. */
export interface BackendNoteState {
  /** The start-up timing and its pick; null when the URL named the backend. */
  startup: { rates: BackendRates; chosen: BackendName } | null;
  backend: BackendName;
  /** Steps per second measured while a model trains on the page (scoring and drawing included); null before. */
  trainingRate: number | null;
}

const BACKEND_LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', cpu: 'CPU' };

export function describeBackend(s: BackendNoteState): string {
  const f = (x: number): string => `${x.toFixed(0)} steps/s`;
  const startup = s.startup
    ? `At start a bare timing of the default GAN's step (no scoring, no plots) gave CPU ${f(s.startup.rates.cpu)}, WebGPU ${f(s.startup.rates.webgpu)}; the page ${s.startup.chosen === s.backend ? 'picked' : 'had picked'} ${BACKEND_LABEL[s.startup.chosen]}. `
    : '';
  const now = s.trainingRate === null
    ? `Now on ${BACKEND_LABEL[s.backend]}: the rate training runs at shows here once a model trains.`
    : `Training runs at ${f(s.trainingRate)} on ${BACKEND_LABEL[s.backend]} (measured while it trains: the step, scoring each epoch and drawing the plots).`;
  return startup + now;
}
