// Every tab on a phone (390 px) and a desktop (1400 px): nothing scrolls sideways, and axe-core
// (Deque's accessibility engine) finds no serious or critical violation. The tab bar works from
// the keyboard: arrow keys move between tabs.

import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openSession, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 180_000);
afterAll(async () => { await session?.close(); });

const TABS = ['gan', 'vae', 'rbm', 'diffusion', 'compare'] as const;

async function open(width: number, tab: string): Promise<Page> {
  // axe-core's Playwright runner needs a page made through a browser context.
  const context = await session.browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${session.url}?tab=${tab}&backend=cpu`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
  return page;
}

/** Serious and critical axe violations, one line each (rule, impact, first element). */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} element(s), e.g. ${v.nodes[0]?.target.join(' ')}`);
}

describe('every screen', () => {
  for (const width of [390, 1400]) {
    for (const tab of TABS) {
      it(`${tab} at ${width} px: no sideways scroll, no serious accessibility violation`, async () => {
        const page = await open(width, tab);
        // The under-the-hood panels open too, so their content is checked.
        await page.evaluate(() => document.querySelectorAll('details.hood').forEach((d) => { (d as HTMLDetailsElement).open = true; }));
        await page.waitForFunction(() => document.querySelector('#hood .op-list table, #hood .hood-body') !== null);
        const overflow = await page.evaluate(() => {
          const wide = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('[hidden], .op-list, pre, .source-view, .graph-scroll'))
            .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${(e as HTMLElement).className}`);
          return { scroll: document.documentElement.scrollWidth, wide };
        });
        expect(overflow.scroll, `wider than the screen: ${overflow.wide.join(', ')}`).toBeLessThanOrEqual(width);
        expect(await violations(page)).toEqual([]);
        await page.context().close();
      });
    }
  }

  it('arrow keys move between tabs', async () => {
    const page = await open(1400, 'gan');
    await page.focus('[data-tab="gan"]');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('[data-tab="vae"]')?.getAttribute('aria-selected') === 'true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-tab'))).toBe('vae');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => document.querySelector('[data-tab="compare"]')?.getAttribute('aria-selected') === 'true');
    expect(await page.locator('[data-tabpanel="compare"]').isVisible()).toBe(true);
    await page.context().close();
  });

  it('GP λ shows only with a gradient penalty, its help as text', async () => {
    const page = await open(1400, 'gan');
    const gp = page.locator('[data-tabpanel="gan"] [data-control="gpLambda"]');
    expect(await gp.isVisible()).toBe(false);
    await page.selectOption('[data-tabpanel="gan"] select[data-key="loss"]', 'wgan-gp');
    await gp.waitFor({ state: 'visible' });
    expect(await gp.locator('.control-help').textContent()).toMatch(/gradient penalty/);
    await page.context().close();
  });
});
