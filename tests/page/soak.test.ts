// The page left training (full lane only): each model tab, on the CPU and on WebGPU, trains with
// every panel open (under the hood, the graph following training, the lesson, diagnostics,
// questions) and a GIF movie recording, for GRADLAB_SOAK_SECONDS (25 by default: about 5 min
// for the eight runs; set it higher to soak longer). After the first third of the run: the heap
// after a forced GC (the least of three readings) stays flat, an epoch costs no more CPU time and the epoch rate does not
// fall, the DOM does not grow, the movie
// keeps a bounded number of frames, and no error appears. `npm run soak:page -- --minutes 30`
// is the long version (docs/long-runs.md).

import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type Session } from './browser';
import { cpuPerEpoch, epochRate, soak, type SoakOptions } from './soak-run';

const SECONDS = Number(process.env.GRADLAB_SOAK_SECONDS ?? 25);
/**
 * Heap growth allowed from the first sample at or after min(60 s, a third of the run) to the end,
 * in MB. In a 25-s run that baseline still falls in the warm-up (compiled code, WebGPU pipelines:
 * up to 1.4 MB measured on a loaded machine); a soak of a few minutes measures from minute 1.
 */
const HEAP_GROWTH_MB = SECONDS >= 180 ? 1 : 2;
/** Epochs a third of the run must hold for its speed to be compared. */
const MIN_EPOCHS = 10;
/** The GIF recorder's bound (demo/movie-control.ts). */
const GIF_MAX_FRAMES = 400;

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

describe(`the page left training ${SECONDS} s with every panel open`, () => {
  for (const backend of ['cpu', 'webgpu'] as const) {
    for (const tab of ['gan', 'vae', 'rbm', 'diffusion'] as SoakOptions['tab'][]) {
      it(`${tab} on ${backend}`, async () => {
        const at = [1, 2, 3, 4, 5, 6].map((k) => Math.round((SECONDS * k) / 6));
        const { samples, errors, movieFrames } = await soak(session, { tab, backend, at });
        expect(errors).toEqual([]);
        expect(samples.length).toBe(at.length);
        const [third, end] = [samples[1], samples[5]];
        const early = epochRate(samples[1], samples[3]);
        const late = epochRate(samples[3], samples[5]);
        const cpuEarly = cpuPerEpoch(samples[1], samples[3]);
        const cpuLate = cpuPerEpoch(samples[3], samples[5]);
        const line = samples.map((s) => `${s.t.toFixed(0)} s: epoch ${s.epoch}, ${s.heapMB.toFixed(2)} MB, ${s.domNodes} nodes`).join('; ');
        console.log(`soak ${tab}/${backend} (load ${loadavg()[0].toFixed(1)}): ${line}; epochs/s ${early.toFixed(1)} then ${late.toFixed(1)}; main-thread CPU ms per epoch ${cpuEarly.toFixed(1)} then ${cpuLate.toFixed(1)}; GIF frames ${movieFrames}`);
        expect(end.epoch).toBeGreaterThan(third.epoch);
        const base = samples.find((x) => x.t >= Math.min(60, SECONDS / 3) - 0.5) ?? third;
        expect(end.heapMB - base.heapMB, line).toBeLessThan(HEAP_GROWTH_MB);
        // Steady: an epoch of the last third costs the page's main thread at most twice the CPU
        // time of one in the middle third, and the last third runs at least a third as many epochs
        // a second. On a loaded 2-core machine single thirds of a short run vary by that much
        // (the page's per-second costs, redraws and graph captures, weigh more when epochs are
        // slow), so this catches a collapse; a drift shows in `npm run soak:page` (docs/long-runs.md).
        // Judged where each third holds enough epochs for the counts' rounding not to decide it
        // (the diffusion model on WebGPU in Chromium's software renderer runs under one a second).
        if (Math.min(samples[3].epoch - samples[1].epoch, samples[5].epoch - samples[3].epoch) >= MIN_EPOCHS) {
          expect(cpuLate, line).toBeLessThan(2 * cpuEarly);
          expect(late, line).toBeGreaterThan(early / 3);
        }
        expect(end.domNodes, line).toBeLessThan(1.2 * third.domNodes + 100);
        expect(movieFrames).toBeLessThanOrEqual(GIF_MAX_FRAMES);
      }, SECONDS * 1000 + 120_000);
    }
  }
});
