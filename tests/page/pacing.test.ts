// Pacing, as GAN Lab: the speed control holds training to the steps per second it shows (steps
// counted between two waited-for step counts, timed by the page's own clock), epochs still
// close and reach the plots; full speed runs faster than the slow pace; the slow-motion step
// marks, one after the other, the rows of the kernel list and the boxes of the computation
// graph; a tab brought back from the background says that training paused meanwhile.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, statusNumber, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

const PANEL = '[data-tabpanel="gan"]';

/** Set the speed slider to the stop labelled `label` (e.g. '5 steps/s', 'full speed'). */
async function setPace(page: Page, label: string): Promise<void> {
  await page.evaluate(([panel, label]) => {
    const slider = document.querySelector(`${panel} [data-action="pace"]`) as HTMLInputElement;
    const out = document.querySelector(`${panel} [data-pace-label]`) as HTMLElement;
    for (let v = Number(slider.min); v <= Number(slider.max); v++) {
      slider.value = String(v);
      slider.dispatchEvent(new Event('input'));
      if (out.textContent === label) return;
    }
    throw new Error(`no speed stop labelled ${label}`);
  }, [PANEL, label]);
}

/** Wait until the step counter reaches `steps`; returns the page's clock (ms) when it did. */
async function stepsReached(page: Page, steps: number, timeout = 60_000): Promise<number> {
  const handle = await page.waitForFunction(({ panel, steps }) => {
    const n = Number(document.querySelector(`${panel} [data-status="steps"] b`)?.textContent ?? 0);
    return n >= steps ? { n, t: performance.now() } : false;
  }, { panel: PANEL, steps }, { timeout, polling: 'raf' });
  const { t } = (await handle.jsonValue()) as { n: number; t: number };
  return t;
}

describe('pacing', () => {
  it('holds training to the speed chosen, closes epochs, and runs faster at full speed', async () => {
    // 512 samples in batches of 128: 4 steps an epoch.
    const { page, errors } = await openPage(session, '?backend=cpu&dataset=512&batch=128');
    await setPace(page, '5 steps/s');
    expect(await page.locator(`${PANEL} [data-pace-label]`).textContent()).toBe('5 steps/s');
    await page.click(`${PANEL} [data-action="start"]`);
    const s0 = (await statusNumber(page, 'gan', 'steps')) + 2;
    const t0 = await stepsReached(page, s0);
    const t1 = await stepsReached(page, s0 + 15);
    const slowRate = (15 * 1000) / (t1 - t0);
    // At most the pace (a step is counted when the status line redraws, up to 250 ms late at
    // either end); at least a third of it on a loaded machine.
    expect(slowRate, `paced at ${slowRate.toFixed(2)} steps/s`).toBeLessThan(6);
    expect(slowRate).toBeGreaterThan(5 / 3);
    expect(await statusNumber(page, 'gan', 'epoch')).toBeGreaterThanOrEqual(3);
    const losses = await page.evaluate(() => (window as unknown as { gradlab: { plotted(t: string, p: string): number[][] } }).gradlab.plotted('gan', 'losses'));
    expect(losses[0].length).toBeGreaterThanOrEqual(3);
    for (const v of losses[0]) expect(Number.isFinite(v)).toBe(true);

    await setPace(page, 'full speed');
    const f0 = (await statusNumber(page, 'gan', 'steps')) + 4;
    const u0 = await stepsReached(page, f0);
    const u1 = await stepsReached(page, f0 + 60);
    const fastRate = (60 * 1000) / (u1 - u0);
    console.log(`pace 5 steps/s: ${slowRate.toFixed(2)} steps/s measured; full speed: ${fastRate.toFixed(1)} steps/s`);
    expect(fastRate).toBeGreaterThan(2 * slowRate);
    await page.click(`${PANEL} [data-action="start"]`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('one step a second', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    await setPace(page, '1 step/s');
    await page.click(`${PANEL} [data-action="start"]`);
    const s0 = (await statusNumber(page, 'gan', 'steps')) + 1;
    const t0 = await stepsReached(page, s0);
    const t1 = await stepsReached(page, s0 + 3);
    const rate = (3 * 1000) / (t1 - t0);
    expect(rate, `${rate.toFixed(2)} steps/s`).toBeLessThan(1.25);
    expect(rate).toBeGreaterThan(1 / 3);
    await page.click(`${PANEL} [data-action="start"]`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the slow-motion step marks the kernel rows and the graph boxes in turn', async () => {
    // R1 off: the step is then one D update and one G update, the graph's passes.
    const { page, errors } = await openPage(session, '?backend=cpu&r1Gamma=0');
    await page.evaluate(() => { for (const id of ['hood', 'graph']) (document.getElementById(id) as HTMLDetailsElement).open = true; });
    await page.waitForFunction(() => Number(document.getElementById('graph')?.dataset.captures ?? 0) >= 1, undefined, { timeout: 60_000 });
    await page.click('#hood [data-action="slow-motion"]');
    const rows = new Set<string>();
    const boxes = new Set<string>();
    // Watch the marks move: each waited-for change of the marked row is recorded with the box marked with it.
    let last = '';
    while (rows.size < 12) {
      const seen = await page.waitForFunction((last) => {
        const hood = document.getElementById('hood') as HTMLElement;
        const row = hood.dataset.current ?? '';
        if (hood.dataset.slow === 'done') return { row: 'done', box: '', marked: 0, boxMarked: 0 };
        if (row === '' || row === last) return false;
        const box = document.getElementById('graph')?.dataset.current ?? '';
        return {
          row, box,
          marked: document.querySelectorAll(`#hood tr.op.current[data-index="${row}"]`).length,
          boxMarked: document.querySelectorAll(`#graph .gnode.current[data-id="${box}"]`).length,
        };
      }, last, { timeout: 30_000, polling: 'raf' });
      const { row, box, marked, boxMarked } = (await seen.jsonValue()) as { row: string; box: string; marked: number; boxMarked: number };
      if (row === 'done') break;
      expect(marked, `row ${row}, rows so far ${[...rows].join(',')}`).toBe(1);
      rows.add(row);
      if (box) {
        boxes.add(box);
        expect(boxMarked).toBe(1);
      }
      last = row;
    }
    expect(rows.size).toBeGreaterThanOrEqual(12);
    expect(boxes.size, [...boxes].join(',')).toBeGreaterThanOrEqual(3);
    // The rows came in order, one after the other.
    const order = [...rows].map(Number);
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1]);
    // A second click stops it; the marks go.
    await page.click('#hood [data-action="slow-motion"]');
    await page.waitForFunction(() => document.getElementById('hood')?.dataset.slow === 'done', undefined, { timeout: 30_000 });
    expect(await page.locator('#hood tr.current, #graph .gnode.current').count()).toBe(0);
    await page.screenshot({ path: 'test-results/slow-motion.png' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says that training paused while the tab was in the background', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    await page.click(`${PANEL} [data-action="start"]`);
    await stepsReached(page, 32);
    // The browser stops animation frames in a hidden tab; here the page is told it is hidden and
    // visible again, as a browser does when the learner switches tabs.
    const setVisibility = (state: string): Promise<void> => page.evaluate((state) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
    await setVisibility('hidden');
    const hiddenAt = Date.now();
    await page.waitForFunction((t) => Date.now() - t > 1500, hiddenAt);
    await setVisibility('visible');
    const note = page.locator(`${PANEL} .message.info`);
    await expect.poll(() => note.textContent()).toMatch(/Training paused while this tab was in the background \(\d+ s\); it went on from epoch \d+ when you came back\./);
    await page.click(`${PANEL} [data-action="start"]`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
