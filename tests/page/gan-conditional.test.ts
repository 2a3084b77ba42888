// The conditional GAN on the page: the condition picker shows one class's distribution (its
// data, G(z, c), D(x, c) and the component's density) or all classes mixed by their shares.
// Screenshots go to test-results/.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, trainUntil, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

/**
 * The distribution plot's last data: the grid over bimodal's range [0, 8], then the real KDE,
 * the generated KDE, D(x) and the true density.
 */
async function distribution(page: import('playwright-core').Page): Promise<number[][]> {
  const curves = await page.evaluate(() => (window as unknown as { gradlab: { plotted(tab: string, plot: string): number[][] } }).gradlab.plotted('gan', 'distribution'));
  const n = curves[0].length;
  return [Array.from({ length: n }, (_, i) => (8 * i) / (n - 1)), ...curves];
}

/** Where a curve peaks on the grid. */
const peak = (grid: number[], ys: number[]): number => grid[ys.indexOf(Math.max(...ys))];

describe('GAN playground: conditional GAN', () => {
  it('the condition picker shows one class (its component) or all classes', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu&target=bimodal&conditional=on&showClass=1&gLayers=2&gWidth=32&dLayers=2&activation=leaky&beta1=0.5&lr=0.001&lrD=0.001');
    expect(await trainUntil(page, 'gan', 3)).toBeGreaterThanOrEqual(3);
    const title = page.locator('[data-tabpanel="gan"] [data-plot="distribution"] .u-title');
    await expect.poll(() => title.textContent()).toMatch(/class 1: G\(z, c = 1\)/);
    let [grid, real, gen, , pdf] = await distribution(page);
    // Class 1 is the component N(6, 0.4): its data and its density peak there.
    expect(Math.abs(peak(grid, real) - 6)).toBeLessThan(0.5);
    expect(Math.abs(peak(grid, pdf) - 6)).toBeLessThan(0.1);
    for (const v of gen) expect(Number.isFinite(v)).toBe(true);
    await page.screenshot({ path: 'test-results/gan-conditional-class1.png', fullPage: true });

    await page.selectOption('[data-tabpanel="gan"] [data-key="showClass"]', '0');
    await expect.poll(() => title.textContent()).toMatch(/class 0: G\(z, c = 0\)/);
    [grid, real, , , pdf] = await distribution(page);
    expect(Math.abs(peak(grid, real) - 2)).toBeLessThan(0.5);
    expect(Math.abs(peak(grid, pdf) - 2)).toBeLessThan(0.1);

    await page.selectOption('[data-tabpanel="gan"] [data-key="showClass"]', 'all');
    await expect.poll(() => title.textContent()).toMatch(/all classes/);
    [grid, real] = await distribution(page);
    // All classes: both modes in the data's curve.
    const left = real.filter((_, i) => grid[i] < 4).reduce((a, b) => a + b, 0);
    const right = real.filter((_, i) => grid[i] >= 4).reduce((a, b) => a + b, 0);
    expect(left / (left + right)).toBeGreaterThan(0.35);
    expect(left / (left + right)).toBeLessThan(0.65);
    await page.screenshot({ path: 'test-results/gan-conditional-all.png', fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a target without components shows why the conditional GAN cannot be built', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu&target=normal&conditional=on');
    await expect.poll(() => page.locator('[data-tabpanel="gan"]').textContent()).toMatch(/target 'normal' has none: choose a mixture target/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
