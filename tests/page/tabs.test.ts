// The VAE, RBM and diffusion tabs in a real browser: each loads without console errors, trains
// on WebGPU and on the CPU (the epoch counter advances, the plotted losses are finite), and
// leaves a screenshot in test-results/.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, trainUntil, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

const MODEL_TABS = ['vae', 'rbm', 'diffusion'] as const;

describe('model tabs', () => {
  for (const tab of MODEL_TABS) {
    for (const backend of ['webgpu', 'cpu'] as const) {
      it(`${tab} trains on ${backend}`, async () => {
        const { page, errors } = await openPage(session, `?tab=${tab}&backend=${backend}`);
        expect(await page.locator(`[data-tabpanel="${tab}"] [data-status="backend"] b`).textContent()).toBe(backend);
        const epochs = await trainUntil(page, tab, 3);
        expect(epochs).toBeGreaterThanOrEqual(3);
        const losses = await page.evaluate((t) => (window as unknown as { gradlab: { plotted(tab: string, plot: string): number[][] } }).gradlab.plotted(t, 'losses'), tab);
        expect(losses.length).toBeGreaterThanOrEqual(1);
        for (const series of losses) {
          expect(series.length).toBeGreaterThanOrEqual(3);
          for (const v of series) expect(Number.isFinite(v)).toBe(true);
        }
        await page.screenshot({ path: `test-results/${tab}-${backend}.png`, fullPage: true });
        expect(errors).toEqual([]);
        await page.close();
      });
    }
  }
});
