// What a full GC costs the next plain reference GAN steps on the CPU backend (docs/performance.md,
// "Where the speed goals stand"): V8 may drop the optimized code of the step's closures, which
// the step makes anew on every call, and the steps after it run slower until V8 has optimized
// them again.
//   node build.mjs --script models/scripts/plain-step-gc.ts && node --expose-gc dist/scripts/plain-step-gc.js
// prints the CPU ms per step over each tenth of 1000 steps right after a forced full GC (`gc()`),
// a full GC asked as `gc({ type: 'major' })`, and a minor GC (medians of 12 bursts each,
// alternating), and each burst's extra CPU time against the minor GC's.

import { setBackend } from '../../engine/index';
import { createEngineGan } from '../bench/engine-gan';

const gc = (globalThis as { gc?: (options?: { type: 'major' | 'minor' }) => void }).gc;
type Kind = 'forced' | 'major' | 'minor';
const KINDS: Kind[] = ['forced', 'major', 'minor'];
if (!gc) {
  console.error('plain-step-gc: run with node --expose-gc');
  process.exit(2);
}

const BURST = 1000;
const TENTHS = 10;
const BURSTS = 12;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  await setBackend('cpu');
  const gan = createEngineGan(0);
  const step = (): void => {
    const s = gan.step();
    s.dLoss.dispose();
    s.gLoss.dispose();
  };
  const warmUntil = performance.now() + 3000;
  while (performance.now() < warmUntil) step();

  const tenths: Record<Kind, number[][]> = { forced: [], major: [], minor: [] };
  for (let b = 0; b < BURSTS; b++) {
    for (const type of KINDS) {
      if (type === 'forced') gc!();
      else gc!({ type });
      await sleep(50);
      const row: number[] = [];
      for (let t = 0; t < TENTHS; t++) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < BURST / TENTHS; i++) step();
        row.push(cpuMs(c0) / (BURST / TENTHS));
      }
      tenths[type].push(row);
    }
  }
  const burstMs = (type: Kind): number => median(tenths[type].map((row) => row.reduce((sum, x) => sum + x, 0) * (BURST / TENTHS)));
  for (const type of KINDS) {
    const m = Array.from({ length: TENTHS }, (_, t) => median(tenths[type].map((row) => row[t])));
    const extra = type === 'minor' ? '' : `, ${(burstMs(type) - burstMs('minor')).toFixed(0)} ms more than after a minor GC`;
    console.log(`after a ${type} GC: CPU ms per step, each tenth of ${BURST} steps: ${m.map((x) => x.toFixed(3)).join(' ')} (burst ${burstMs(type).toFixed(0)} ms${extra})`);
  }
  gan.dispose();
  process.exit(0);
}

void main();
