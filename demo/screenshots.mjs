#!/usr/bin/env node
// `npm run screenshots`: a picture of each tab of the page at 1400 px (a desktop) and at 390 px
// (a phone), written to docs/img/ as PNG. Serves the built page (dist/demo/, build it first) on a
// free port of http://localhost, drives Debian's chromium with playwright-core, trains each model
// tab for a few epochs on the CPU backend so the plots have something to show, and also takes the
// three "under the hood" panels at 1400 px. CHROMIUM_PATH overrides /usr/bin/chromium.
//
// Usage: npm run screenshots [-- --only gan,vae]   (exit 2 on a usage error)

import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { serveDirectory } from './serve.mjs';

const TABS = ['gan', 'vae', 'rbm', 'diffusion', 'compare'];
const WIDTHS = [1400, 390];
/** Epochs each model tab trains before its picture. */
const EPOCHS = { gan: 40, vae: 10, rbm: 5, diffusion: 10 };
/** Tallest picture, in CSS pixels: the top of a long page is what a reader sees first. */
const MAX_HEIGHT = { 1400: 2200, 390: 3600 };
const OUT = 'docs/img';

function usage(message) {
  process.stderr.write(`screenshots: ${message}\nusage: npm run screenshots [-- --only ${TABS.join(',')}]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let only = TABS;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only' && args[i + 1]) {
    only = args[++i].split(',');
    const unknown = only.filter((t) => !TABS.includes(t));
    if (unknown.length) usage(`unknown tab(s) ${unknown.join(', ')}`);
  } else usage(`unknown argument '${args[i]}'`);
}

mkdirSync(OUT, { recursive: true });
const server = await serveDirectory('dist/demo', 0);
const url = `http://localhost:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--enable-unsafe-webgpu', '--no-first-run'],
});

async function open(width, tab) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${url}?tab=${tab}&backend=cpu`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  return page;
}

/** Train a model tab until its epoch counter reaches `epochs` and the plots show that epoch. */
async function train(page, tab, epochs) {
  const panel = `[data-tabpanel="${tab}"]`;
  await page.click(`${panel} [data-action="start"]`);
  await page.waitForFunction(({ panel, epochs }) => Number(document.querySelector(`${panel} [data-status="epoch"] b`)?.textContent ?? 0) >= epochs,
    { panel, epochs }, { timeout: 300_000, polling: 250 });
  await page.click(`${panel} [data-action="start"]`);
  await page.waitForFunction((panel) => {
    const shown = document.querySelector(`${panel} [data-status="epoch"] b`)?.textContent ?? '';
    return document.querySelector(`${panel} [data-action="start"]`)?.textContent === 'Start'
      && document.querySelector(`${panel} [data-drawn-epoch]`)?.dataset.drawnEpoch === shown;
  }, panel, { timeout: 120_000, polling: 250 });
}

async function shoot(page, width, name) {
  const height = Math.min(MAX_HEIGHT[width], await page.evaluate(() => document.documentElement.scrollHeight));
  const path = `${OUT}/${name}.png`;
  await page.screenshot({ path, clip: { x: 0, y: 0, width, height }, fullPage: true });
  process.stdout.write(`${path}\n`);
}

try {
  for (const tab of only) {
    for (const width of WIDTHS) {
      const page = await open(width, tab);
      if (EPOCHS[tab]) await train(page, tab, EPOCHS[tab]);
      await shoot(page, width, `${tab}-${width}`);
      if (tab === 'gan' && width === 1400) {
        // The three panels under the tabs, each opened alone and scrolled to the top.
        for (const id of ['hood', 'graph', 'lesson']) {
          await page.evaluate((id) => document.querySelectorAll('details.hood').forEach((d) => { d.open = d.id === id; }), id);
          await page.waitForTimeout(1500); // the panel records one step and draws; a picture, not a test
          const top = await page.evaluate((id) => document.getElementById(id).getBoundingClientRect().top + window.scrollY, id);
          const height = Math.min(1400, await page.evaluate(() => document.documentElement.scrollHeight) - top);
          await page.screenshot({ path: `${OUT}/${id}-1400.png`, clip: { x: 0, y: top, width, height }, fullPage: true });
          process.stdout.write(`${OUT}/${id}-1400.png\n`);
        }
      }
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
