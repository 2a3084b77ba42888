// A JavaScript peer in its own process, driven by the bench (models/bench/peers.ts) line by line:
//
//   node run-peer.mjs jax|tfjs WORKLOAD_JSON
//   → {"ready": true, "name", "detail", "losses": [D loss, G loss] of step `checkSteps`}
//   ← "N"      → runs N steps, waits for them, answers {"ms", "cpuMs"}: wall and CPU time per step
//   ← "quit"   (or the end of stdin) → exits
//
// Each peer gets its own process, so gradlab's JavaScript and the peers' never share V8's
// optimized code or the heap. torch_gan.py answers the same protocol.

import { createInterface } from 'node:readline';
import { readSpec } from './gan-spec.mjs';

const PEERS = {
  jax: async (spec) => (await import('./jax-gan.mjs')).createJaxGan(spec),
  tfjs: async (spec) => (await import('./tfjs-gan.mjs')).createTfjsGan(spec),
};

const [which, json] = process.argv.slice(2);
if (!(which in PEERS)) throw new Error(`run-peer: unknown peer '${which}' (${Object.keys(PEERS).join(', ')})`);
const spec = readSpec(json);
const gan = await PEERS[which](spec);

let losses = [NaN, NaN];
for (let i = 1; i <= spec.checkSteps; i++) losses = gan.step(i === spec.checkSteps) ?? losses;
console.log(JSON.stringify({ ready: true, name: gan.name, detail: gan.detail, losses }));

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'quit') break;
  const steps = Number(line);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) gan.step();
  await gan.sync();
  const ms = (performance.now() - t0) / steps;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 / steps }));
}
process.exit(0);
