// `npm run soak`: 10,000 training steps of each model on the CPU and on WebGPU, printing live
// tensors, live buffers and RSS after warm-up, at the end and after dispose (README: Reliability).
//   npm run soak -- --steps 10000 --backends cpu,webgpu --models gan,vae,rbm,diffusion [--no-await]

import { setBackend, type BackendName } from '../../engine/index';
import type { ModelKind } from '../core/model';
import { dawnWithoutAwait } from './dawn-no-await';
import { formatSoak, soak, soakWithoutAwait, type SoakResult } from './soak-core';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const steps = Number(option('steps', '10000'));
if (!Number.isInteger(steps) || steps < 100) {
  console.error(`soak: --steps must be an integer of at least 100, got ${option('steps', '')}`);
  process.exit(2);
}
const backends = option('backends', 'cpu,webgpu').split(',') as BackendName[];
const models = option('models', 'gan,vae,rbm,diffusion').split(',') as ModelKind[];

const results: SoakResult[] = [];
console.log('| model | backend | steps | live tensors (warm → end → disposed) | live buffers | RSS MB | seconds |');
console.log('|---|---|---|---|---|---|---|');
for (const backend of backends) {
  const used = await setBackend(backend);
  if (used !== backend) {
    console.error(`soak: the ${backend} backend is not available; skipped`);
    continue;
  }
  for (const kind of models) {
    const r = await soak(kind, steps);
    results.push(r);
    console.log(formatSoak(r));
  }
}
console.log(JSON.stringify(results));

// The same steps in a loop that never awaits (README: Reliability).
if (process.argv.includes('--no-await')) {
  for (const backend of backends) {
    if ((await setBackend(backend)) !== backend) continue;
    const r = await soakWithoutAwait('gan', steps);
    console.log(`no-await loop, gan on ${backend}: ${r.steps} steps, RSS ${r.before.rssMB.toFixed(0)} → ${r.after.rssMB.toFixed(0)} MB (${((r.after.rssMB - r.before.rssMB) * 1024 / r.steps).toFixed(1)} KB a step), live buffers ${r.before.liveBuffers} → ${r.after.liveBuffers}`);
  }
  if (backends.includes('webgpu')) {
    const dispatches = 60; // about one reference GAN step's worth
    const raw = await dawnWithoutAwait(steps, dispatches);
    console.log(`no-await loop, Dawn alone (no gradlab, ${dispatches} dispatches a submit): ${steps} submits, RSS ${raw.before.toFixed(0)} → ${raw.after.toFixed(0)} MB, ${((raw.after - raw.before) * 1024 / steps).toFixed(1)} KB a submit`);
  }
}
