// The Compare tab in a real browser: loads without console errors, runs a short comparison of
// all four models on WebGPU and on the CPU (the progress line names the model and its epoch, the
// epoch advances, every plotted KLD, W1 and histogram value is finite, the table has a row per
// model), and leaves a screenshot in test-results/. A bad URL value falls back with a notice.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, openSession, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

const EPOCHS = 2;
const MODELS = ['gan', 'vae', 'rbm', 'diffusion'];

function plotted(page: Page, plot: string): Promise<number[][]> {
  return page.evaluate((p) => (window as unknown as { gradlab: { plotted(tab: string, plot: string): number[][] } }).gradlab.plotted('compare', p), plot);
}

/** Text of one item of the Compare tab's status line, or '' when it is not shown. */
function statusText(page: Page, key: string): Promise<string> {
  return page.evaluate((k) => document.querySelector(`[data-tabpanel="compare"] [data-status="${k}"] b`)?.textContent ?? '', key);
}

describe('Compare tab', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`runs a short comparison on ${backend}`, async () => {
      const started = performance.now();
      const { page, errors } = await openPage(session, `?tab=compare&backend=${backend}&cmp.epochs=${EPOCHS}`);
      expect(await statusText(page, 'backend')).toBe(backend);
      await page.click('[data-tabpanel="compare"] [data-action="run"]');

      // While it runs, the status line names a model and its epoch "e / EPOCHS"; e advances.
      const seen = new Set<string>();
      const deadline = Date.now() + 240_000;
      while (Date.now() < deadline) {
        const phase = await statusText(page, 'phase');
        if (phase.startsWith('Done')) break;
        const model = await statusText(page, 'model');
        const epoch = await statusText(page, 'epoch');
        if (model && epoch) seen.add(`${model.split(' ')[0]} ${epoch}`);
        await page.waitForTimeout(100);
      }
      expect(await statusText(page, 'phase')).toMatch(/^Done: 4 models × 2 epochs/);
      expect([...seen].some((s) => s.endsWith(`${EPOCHS} / ${EPOCHS}`) || s.endsWith(`1 / ${EPOCHS}`))).toBe(true);
      expect(seen.size).toBeGreaterThanOrEqual(2);

      for (const plot of ['kld', 'w1']) {
        const lines = await plotted(page, plot);
        expect(lines.length).toBe(MODELS.length);
        for (const line of lines) {
          expect(line.length).toBe(EPOCHS);
          for (const v of line) expect(Number.isFinite(v) && v >= 0).toBe(true);
        }
      }
      const finals = await plotted(page, 'finals');
      expect(finals.length).toBe(2 * MODELS.length); // target and model curve per 1D histogram
      for (const curve of finals) for (const v of curve) expect(Number.isFinite(v)).toBe(true);
      for (const m of MODELS) {
        const cells = await page.locator(`[data-tabpanel="compare"] tr[data-row="${m}"] td`).allTextContents();
        expect(cells[3]).toBe(String(EPOCHS));
        expect(Number(cells[4])).toBeGreaterThan(0); // W1
      }
      await page.screenshot({ path: `test-results/compare-${backend}.png`, fullPage: true });
      expect(errors).toEqual([]);
      console.log(`compare on ${backend}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      await page.close();
    }, 300_000);
  }

  it('stops a run with Stop and keeps the results so far', async () => {
    const { page, errors } = await openPage(session, '?tab=compare&backend=cpu&cmp.models=gan,rbm');
    // Stop is a plain mouse click, as a learner's: page.click's actionability checks need several
    // round trips to a page that is busy for a whole RBM epoch (about 2 s on the CPU) at a time.
    const box = await page.locator('[data-tabpanel="compare"] [data-action="run"]').boundingBox();
    if (!box) throw new Error('the Run/Stop button is not on screen');
    await page.click('[data-tabpanel="compare"] [data-action="run"]');
    await page.waitForFunction(() => (document.querySelector('[data-tabpanel="compare"] [data-status="model"] b')?.textContent ?? '').startsWith('RBM'), null, { timeout: 60_000, polling: 50 });
    const clicked = Date.now();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => (document.querySelector('[data-tabpanel="compare"] [data-status="phase"] b')?.textContent ?? '').startsWith('Stopped'), null, { timeout: 60_000 });
    console.log(`compare: stopped ${Date.now() - clicked} ms after the click`);
    expect(Date.now() - clicked).toBeLessThan(10_000);
    expect(await page.locator('[data-tabpanel="compare"] [data-action="run"]').textContent()).toBe('Run');
    const gan = await page.locator('[data-tabpanel="compare"] tr[data-row="gan"] td').allTextContents();
    expect(gan[3]).toBe('10');
    const rbm = await page.locator('[data-tabpanel="compare"] tr[data-row="rbm"] td').allTextContents();
    expect(Number(rbm[3])).toBeLessThan(10);
    expect(rbm[7]).toMatch(/stopped/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('falls back to the defaults on bad URL values, with a notice', async () => {
    const { page, errors } = await openPage(session, '?tab=compare&cmp.budget=12&cmp.models=gan,cat');
    const notices = (await page.locator('#notices .notice').allTextContents()).join('\n');
    expect(notices).toMatch(/cmp\.budget="12" is not one of 200, 400, 800, 1600, 3200, 6400; using the default 1600/);
    expect(notices).toMatch(/cmp\.models="gan,cat" is not a comma-separated list of gan, vae, rbm, diffusion/);
    expect(await page.locator('[data-tabpanel="compare"] [data-key="budget"]').inputValue()).toBe('1600');
    for (const m of MODELS) expect(await page.locator(`[data-tabpanel="compare"] [data-model="${m}"]`).isChecked()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
