// The diagnostics card (Q-Q, ECDFs with the KS statistic, histogram difference) and the movie
// recorder in a real browser. Each model tab trains briefly on the CPU, the card is opened and
// its three plots checked (quantiles increasing, ECDFs rising to 1, the marked KS gap equal to
// the largest gap drawn, the histogram difference integrating to about 0); a 2D target shows
// one coordinate at a time. The movie: a few epochs recorded, stopped, and a non-empty Blob
// offered for download, as GIF (our encoder) and, where chromium records it, WebM.
// Screenshots and the two downloaded movies go to test-results/.

import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, trainUntil, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

function plotted(page: Page, tab: string, plot: string): Promise<number[][] | null> {
  return page.evaluate(([t, p]) => (window as unknown as { gradlab: { plotted(tab: string, plot: string): number[][] | null } }).gradlab.plotted(t, p), [tab, plot]);
}

/** Open the tab's diagnostics card and wait until it has drawn the current epoch. */
async function openDiagnostics(page: Page, tab: string): Promise<void> {
  const card = `[data-tabpanel="${tab}"] [data-diagnostics]`;
  await page.click(`${card} > summary`);
  await page.waitForFunction((c) => document.querySelector(c)?.getAttribute('data-epoch') !== null, card, { timeout: 20_000 });
}

const increasing = (xs: number[]): boolean => xs.every((v, i) => i === 0 || v >= xs[i - 1]);

/** The three plots hold sane numbers. */
async function checkPlots(page: Page, tab: string): Promise<number> {
  const qq = await plotted(page, tab, 'qq');
  expect(qq?.length).toBe(2);
  const [targetQ, genQ] = qq as number[][];
  expect(targetQ.length).toBe(99);
  for (const q of [targetQ, genQ]) {
    expect(q.every(Number.isFinite)).toBe(true);
    expect(increasing(q)).toBe(true);
    expect(q[98]).toBeGreaterThan(q[0]);
  }
  const ecdf = await plotted(page, tab, 'ecdf') as number[][];
  const [xs, fTarget, fGen, [ksX, ksD, ksTarget, ksGen]] = ecdf;
  expect(increasing(xs)).toBe(true);
  for (const f of [fTarget, fGen]) {
    expect(increasing(f)).toBe(true);
    expect(f[f.length - 1]).toBe(1);
    expect(f.every((v) => v >= 0 && v <= 1)).toBe(true);
  }
  expect(ksD).toBeGreaterThan(0);
  expect(ksD).toBeLessThanOrEqual(1);
  expect(Math.abs(ksGen - ksTarget)).toBeCloseTo(ksD, 12);
  const at = xs.indexOf(ksX);
  expect(at).toBeGreaterThanOrEqual(0);
  const gaps = xs.map((_, i) => Math.abs(fGen[i] - fTarget[i]));
  expect(Math.max(...gaps)).toBeCloseTo(ksD, 12);
  const [centres, diff, gen, target] = await plotted(page, tab, 'histdiff') as number[][];
  expect(centres.length).toBe(40);
  const w = centres[1] - centres[0];
  diff.forEach((d, i) => expect(d).toBeCloseTo(gen[i] - target[i], 12));
  // Both densities put at most all their mass in the range, so the difference integrates to within ±1.
  expect(Math.abs(diff.reduce((s, d) => s + d * w, 0))).toBeLessThanOrEqual(1 + 1e-9);
  expect(target.reduce((s, d) => s + d * w, 0)).toBeGreaterThan(0.9);
  expect(diff.some((d) => d !== 0)).toBe(true);
  // uPlot drew three canvases, each with something on it.
  const drawn = await page.evaluate((t) => Array.from(document.querySelectorAll(`[data-tabpanel="${t}"] [data-diag-plot] canvas`)).map((c) => {
    const canvas = c as HTMLCanvasElement;
    const data = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
    return ink;
  }), tab);
  expect(drawn.length).toBe(3);
  for (const ink of drawn) expect(ink).toBeGreaterThan(500);
  return ksD;
}

describe('diagnostics card', () => {
  for (const tab of ['gan', 'vae', 'rbm', 'diffusion'] as const) {
    it(`${tab}: Q-Q, ECDFs with KS, histogram difference`, async () => {
      const { page, errors } = await openPage(session, `?tab=${tab}&backend=cpu`);
      await trainUntil(page, tab, 2);
      await openDiagnostics(page, tab);
      const ks = await checkPlots(page, tab);
      console.log(`${tab}: KS after 2 epochs = ${ks.toFixed(3)}`);
      // It keeps up with training.
      const before = Number(await page.getAttribute(`[data-tabpanel="${tab}"] [data-diagnostics]`, 'data-epoch'));
      await trainUntil(page, tab, before + 2);
      await expect.poll(async () => Number(await page.getAttribute(`[data-tabpanel="${tab}"] [data-diagnostics]`, 'data-epoch'))).toBeGreaterThan(before);
      await checkPlots(page, tab);
      await page.locator(`[data-tabpanel="${tab}"] [data-diagnostics]`).screenshot({ path: `test-results/diagnostics-${tab}.png` });
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('2D target: one coordinate at a time, picked by the selector', async () => {
    const { page, errors } = await openPage(session, '?target=2d-mix-gauss&backend=cpu');
    await trainUntil(page, 'gan', 2);
    await openDiagnostics(page, 'gan');
    const selector = '[data-tabpanel="gan"] [data-diag-coord]';
    expect(await page.locator(selector).isVisible()).toBe(true);
    await checkPlots(page, 'gan');
    const x1 = (await plotted(page, 'gan', 'qq') as number[][])[0];
    await page.selectOption(selector, '1');
    await expect.poll(async () => (await plotted(page, 'gan', 'qq') as number[][])[0]).not.toEqual(x1);
    await checkPlots(page, 'gan');
    expect(await page.locator('[data-tabpanel="gan"] [data-diag-plot="qq"] .u-title').textContent()).toMatch(/x₂/);
    await page.locator('[data-tabpanel="gan"] [data-diagnostics]').screenshot({ path: 'test-results/diagnostics-gan-2d.png' });
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** Record while training a few epochs, stop, and return what the page offers for download. */
async function record(page: Page, format: 'gif' | 'webm'): Promise<{ type: string; size: number; head: string; name: string; frames: number }> {
  const bar = '[data-tabpanel="gan"] [data-movie]';
  await page.selectOption(`${bar} [data-movie-format]`, format);
  await page.click(`${bar} [data-action="movie-record"]`);
  await trainUntil(page, 'gan', 4);
  await page.click(`${bar} [data-action="movie-record"]`);
  const link = page.locator(`${bar} [data-movie-download]`);
  await link.waitFor({ state: 'visible', timeout: 20_000 });
  const frames = Number(await page.getAttribute(bar, 'data-frames'));
  const type = (await page.getAttribute(bar, 'data-type')) ?? '';
  // The link really downloads (the page's CSP keeps fetch() off blob: URLs; the download is the test).
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const name = download.suggestedFilename();
  const path = `test-results/movie.${format}`;
  await download.saveAs(path);
  const bytes = readFileSync(path);
  expect(Number(await page.getAttribute(bar, 'data-bytes'))).toBe(bytes.length);
  const blob = { type, size: bytes.length, head: bytes.subarray(0, 6).toString('hex'), name };
  return { ...blob, frames };
}

describe('movie recording', () => {
  it('records the distribution plot as an animated GIF (our encoder)', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    const movie = await record(page, 'gif');
    console.log(`GIF: ${movie.frames} frames, ${movie.size} bytes`);
    expect(movie.type).toBe('image/gif');
    expect(movie.head).toBe('474946383961'); // "GIF89a"
    expect(movie.frames).toBeGreaterThanOrEqual(2);
    expect(movie.size).toBeGreaterThan(1000);
    expect(movie.name).toMatch(/^gradlab-gan-epochs-\d+-\d+\.gif$/);
    await page.locator('[data-tabpanel="gan"] [data-movie]').screenshot({ path: 'test-results/movie-gif-bar.png' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('records WebM with MediaRecorder where chromium supports it', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    const supported = await page.evaluate(() => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported('video/webm'));
    console.log(`headless chromium MediaRecorder video/webm: ${supported}`);
    const option = page.locator('[data-tabpanel="gan"] [data-movie-format] option[value="webm"]');
    expect(await option.isDisabled()).toBe(!supported);
    if (supported) {
      const movie = await record(page, 'webm');
      console.log(`WebM: ${movie.frames} frames, ${movie.size} bytes`);
      expect(movie.type).toBe('video/webm');
      expect(movie.frames).toBeGreaterThanOrEqual(2);
      expect(movie.head.slice(0, 8)).toBe('1a45dfa3'); // the EBML magic of Matroska/WebM
      expect(movie.size).toBeGreaterThan(1000);
      expect(movie.name).toMatch(/\.webm$/);
    }
    await page.screenshot({ path: 'test-results/movie-webm.png', fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
