// "Under the hood" in a real browser: one recorded GAN step lists its dispatches (with
// workgroups on WebGPU), a click shows the WGSL and the CPU twin, and the live gradient check
// agrees with finite differences.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

describe('under the hood', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`shows the kernels of one GAN step on ${backend}, their sources, and a passing gradient check`, async () => {
      const { page, errors } = await openPage(session, `?backend=${backend}`);
      await page.click('#hood > summary');
      const rows = page.locator('#hood tr.op');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(20);
      const text = (await page.locator('#hood .op-list').textContent()) ?? '';
      expect(text).toMatch(/forward pass/);
      expect(text).toMatch(/backward pass/);
      expect(text).toMatch(/adam/);
      if (backend === 'webgpu') expect(await rows.first().locator('td').nth(4).textContent()).toMatch(/\d+×\d+×\d+/);
      await rows.first().click();
      expect(await page.locator('#hood pre.wgsl').first().textContent()).toMatch(/@compute/);
      expect(await page.locator('#hood pre.cpu-source').textContent()).toMatch(/export function/);
      await page.click('#hood [data-action="gradcheck"]');
      const result = page.locator('#hood .gradcheck .result table');
      await expect.poll(() => result.count(), { timeout: 30_000 }).toBe(1);
      const marks = await page.locator('#hood .gradcheck td.ok, #hood .gradcheck td.bad').allTextContents();
      expect(marks.length).toBeGreaterThanOrEqual(6);
      expect(marks.every((m) => m === '✓')).toBe(true);
      await page.locator('#hood').scrollIntoViewIfNeeded();
      await page.locator('#hood').screenshot({ path: `test-results/hood-${backend}.png` });
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
