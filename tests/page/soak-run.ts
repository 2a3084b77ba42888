// A page left training, measured: open a model tab on a backend with every panel open (under
// the hood, the graph following training, the derivative lesson, the diagnostics card, the
// teaching questions) and a GIF movie recording, press Start, and sample at fixed times: the
// epoch counter, the JavaScript heap after a forced garbage collection (the DevTools protocol's
// HeapProfiler.collectGarbage, then Runtime.getHeapUsage) and the DOM node count
// (Memory.getDOMCounters, after the same collection), and the main thread's CPU time. Used by tests/page/soak.test.ts (short,
// in the full lane) and by `npm run soak:page` (minutes long; tests/page/soak-page.ts).

import type { CDPSession, Page } from 'playwright-core';
import { openPage, type Session } from './browser';

export interface SoakSample {
  /** Seconds since Start was pressed. */
  t: number;
  epoch: number;
  /** Used JavaScript heap after a forced GC (the least of three readings), MB. */
  heapMB: number;
  /** Live DOM nodes after the same GC. */
  domNodes: number;
  listeners: number;
  /** CPU seconds the page's main thread has used so far (Performance.getMetrics' ThreadTime). */
  cpuSeconds: number;
}

export interface SoakOptions {
  tab: 'gan' | 'vae' | 'rbm' | 'diffusion';
  backend: 'cpu' | 'webgpu';
  /** Seconds after Start at which to sample (increasing). */
  at: number[];
  onSample?(s: SoakSample): void;
}

export interface SoakResult {
  samples: SoakSample[];
  errors: string[];
  /** Frames in the GIF being recorded at the end (bounded by the movie control). */
  movieFrames: number;
  /** Graph captures made by "follow training". */
  graphCaptures: number;
}

/**
 * The heap the page holds: the smallest of three readings, each right after a forced GC. Training
 * goes on between a GC and its reading (a slice of steps each animation frame), so one reading
 * also counts what the last slice allocated, up to a few MB on a fast model; the smallest of three
 * is the closest to what is retained.
 */
async function retainedHeapBytes(cdp: CDPSession): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    least = Math.min(least, (await cdp.send('Runtime.getHeapUsage')).usedSize);
  }
  return least;
}

async function measure(cdp: CDPSession, page: Page, tab: string, t: number): Promise<SoakSample> {
  const heapBytes = await retainedHeapBytes(cdp);
  const dom = await cdp.send('Memory.getDOMCounters');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const text = await page.locator(`[data-tabpanel="${tab}"] [data-status="epoch"] b`).textContent();
  return {
    t, epoch: Number(text), heapMB: heapBytes / 2 ** 20, domNodes: dom.nodes, listeners: dom.jsEventListeners,
    cpuSeconds: metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN,
  };
}

/** Open every <details> on the page, follow training in the graph, record a GIF of the distribution. */
async function openEverything(page: Page, tab: string): Promise<void> {
  await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
  await page.check('#graph [data-action="follow"]');
  const panel = `[data-tabpanel="${tab}"]`;
  await page.selectOption(`${panel} [data-movie-format]`, 'gif');
  await page.click(`${panel} [data-action="movie-record"]`);
}

/** Resolve when `seconds` have passed since `start` (the soak samples at set times: time is the condition). */
function until(start: number, seconds: number): Promise<void> {
  const ms = start + seconds * 1000 - Date.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export async function soak(session: Session, options: SoakOptions): Promise<SoakResult> {
  const { page, errors } = await openPage(session, `?backend=${options.backend}${options.tab === 'gan' ? '' : `&tab=${options.tab}`}`);
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await openEverything(page, options.tab);
    const panel = `[data-tabpanel="${options.tab}"]`;
    await page.click(`${panel} [data-action="start"]`);
    const start = Date.now();
    const samples: SoakSample[] = [];
    for (const t of options.at) {
      await until(start, t);
      const s = await measure(cdp, page, options.tab, (Date.now() - start) / 1000);
      samples.push(s);
      options.onSample?.(s);
      if (errors.length > 0) break;
    }
    await page.click(`${panel} [data-action="start"]`);
    const movieFrames = Number(await page.locator(`${panel} [data-movie]`).getAttribute('data-frames') ?? 0);
    const graphCaptures = Number(await page.locator('#graph').getAttribute('data-captures') ?? 0);
    await cdp.detach();
    return { samples, errors: [...errors], movieFrames, graphCaptures };
  } finally {
    await page.close();
  }
}

/**
 * Main-thread CPU milliseconds per epoch between two samples: the page's own cost of an epoch
 * (training, plots, panels), which other programs on a shared machine do not inflate.
 */
export function cpuPerEpoch(a: SoakSample, b: SoakSample): number {
  return (1000 * (b.cpuSeconds - a.cpuSeconds)) / Math.max(1, b.epoch - a.epoch);
}

/** Epochs per second between two samples. */
export function epochRate(a: SoakSample, b: SoakSample): number {
  return (b.epoch - a.epoch) / Math.max(1e-9, b.t - a.t);
}
