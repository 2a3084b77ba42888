// The GAN playground in a real browser: loads without console errors, trains on WebGPU and on
// the CPU (the epoch counter advances, the plotted losses are finite), a bad URL value shows a
// notice, a bad CSV shows its error; without a backend in the URL it picks the faster one. Screenshots go to test-results/.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, trainUntil, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

/** The y values the loss plot was last given (G loss, D loss), read from the page. */
async function plottedLosses(page: import('playwright-core').Page): Promise<number[][]> {
  return page.evaluate(() => (window as unknown as { gradlab: { plotted(tab: string, plot: string): number[][] } }).gradlab.plotted('gan', 'losses'));
}

describe('GAN playground', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`trains on ${backend}`, async () => {
      const { page, errors } = await openPage(session, `?backend=${backend}`);
      expect(await page.locator('[data-tabpanel="gan"] [data-status="backend"] b').textContent()).toBe(backend);
      const epochs = await trainUntil(page, 'gan', 4);
      expect(epochs).toBeGreaterThanOrEqual(4);
      const losses = await plottedLosses(page);
      expect(losses.length).toBe(2);
      for (const series of losses) {
        expect(series.length).toBeGreaterThanOrEqual(4);
        for (const v of series) expect(Number.isFinite(v)).toBe(true);
      }
      await page.screenshot({ path: `test-results/gan-${backend}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('without a backend in the URL, times both backends at start and trains on the faster', async () => {
    const { page, errors } = await openPage(session, '');
    const note = (await page.locator('#backend-note').textContent()) ?? '';
    const m = note.match(/CPU (\d+) steps\/s, WebGPU (\d+) steps\/s/);
    expect(m, note).not.toBeNull();
    const [cpu, webgpu] = [Number(m?.[1]), Number(m?.[2])];
    console.log(`default GAN at start: CPU ${cpu} steps/s, WebGPU ${webgpu} steps/s`);
    expect(cpu).toBeGreaterThan(0);
    expect(webgpu).toBeGreaterThan(0);
    const chosen = await page.locator('[data-tabpanel="gan"] [data-status="backend"] b').textContent();
    expect(chosen).toBe(webgpu > cpu ? 'webgpu' : 'cpu');
    expect(await trainUntil(page, 'gan', 2)).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('falls back to the default on a bad URL value, with a notice', async () => {
    const { page, errors } = await openPage(session, '?lr=banana&gLayers=9');
    const notices = await page.locator('#notices .notice').allTextContents();
    expect(notices.join('\n')).toMatch(/lr="banana" is not a number from 0.0001 to 0.1; using the default 0.003/);
    expect(notices.join('\n')).toMatch(/gLayers="9" is not an integer from 1 to 4/);
    expect(await page.locator('[data-key="gLayers"]').inputValue()).toBe('2');
    await page.screenshot({ path: 'test-results/gan-bad-url.png' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the error of a bad CSV', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    await page.selectOption('[data-key="target"]', 'csv');
    await page.fill('[data-csv-text]', 'x\n1.0\n2.0\nNaN\n');
    await page.click('[data-action="use-csv"]');
    const error = page.locator('.data-box .csv-error');
    await expect.poll(() => error.textContent()).toMatch(/pasted data, line 4: .*NaN value 'NaN'/);
    await page.screenshot({ path: 'test-results/gan-bad-csv.png' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a loaded CSV shows its row count in place of the dataset size, and the URL says the file is not in it', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    await page.selectOption('[data-key="target"]', 'csv');
    const rows = Array.from({ length: 300 }, (_, i) => (3 + Math.sin(i) + 0.01 * i).toFixed(4));
    await page.fill('[data-csv-text]', `x\n${rows.join('\n')}\n`);
    await page.click('[data-action="use-csv"]');
    const note = page.locator('[data-tabpanel="gan"] [data-control="dataset"] .control-note');
    await expect.poll(() => note.textContent()).toMatch(/^300 rows \(pasted data\)/);
    expect(await page.locator('[data-tabpanel="gan"] select[data-key="dataset"]').isVisible()).toBe(false);
    expect(new URL(page.url()).searchParams.get('data')).toMatch(/a local file: not in this link/);
    // Opening that link says the file did not travel.
    const { page: shared } = await openPage(session, new URL(page.url()).search);
    await expect.poll(() => shared.locator('#notices').textContent()).toMatch(/which a link cannot carry/);
    await shared.close();
    expect(errors).toEqual([]);
    await page.close();
  });
});
