// Helpers for the page tests: build the demo once, serve dist/demo/ on a free localhost port
// (a secure context, so navigator.gpu exists), and drive Debian's chromium with playwright-core.
// WebGPU in headless chromium runs on SwiftShader (see tests/setup/browser-probe.mjs).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs module without types (demo/serve.mjs)
import { serveDirectory } from '../../demo/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

export interface Session {
  browser: Browser;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Build the page (unless PAGE_NO_BUILD is set), serve it, launch chromium. */
export async function openSession(): Promise<Session> {
  if (!process.env.PAGE_NO_BUILD || !existsSync('dist/demo/main.js')) execFileSync(process.execPath, ['build.mjs'], { stdio: 'inherit' });
  mkdirSync('test-results', { recursive: true });
  const server = (await serveDirectory('dist/demo', 0)) as Server;
  const url = `http://localhost:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser, server, url,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

/** Open the page at `query` and wait until main.ts says it is ready. */
export async function openPage(session: Session, query: string): Promise<OpenedPage> {
  const page = await session.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(session.url + query);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, errors };
}

/** The number shown in a tab's status line for `key` (epoch, steps, ...). */
export async function statusNumber(page: Page, tab: string, key: string): Promise<number> {
  const text = await page.locator(`[data-tabpanel="${tab}"] [data-status="${key}"] b`).textContent();
  return Number(text);
}

/** Click Start in a tab, wait until the epoch counter reaches `epochs`, click Stop. */
export async function trainUntil(page: Page, tab: string, epochs: number, timeoutMs = 90_000): Promise<number> {
  const panel = `[data-tabpanel="${tab}"]`;
  await page.click(`${panel} [data-action="start"]`);
  const reached = await page.waitForFunction(
    ({ panel, epochs }) => {
      const epoch = Number(document.querySelector(`${panel} [data-status="epoch"] b`)?.textContent ?? 0);
      return epoch >= epochs ? epoch : false;
    },
    { panel, epochs }, { timeout: timeoutMs, polling: 200 },
  );
  const epoch = Number(await reached.jsonValue());
  await page.click(`${panel} [data-action="start"]`);
  // Wait (on conditions, not a clock: a loaded machine is slow) until the last slice finished
  // and the plots show the epoch the counter shows.
  await page.waitForFunction((panel) => {
    if (document.querySelector(`${panel} [data-action="start"]`)?.textContent !== 'Start') return false;
    const shown = document.querySelector(`${panel} [data-status="epoch"] b`)?.textContent ?? '';
    return shown !== '' && document.querySelector<HTMLElement>(`${panel} [data-drawn-epoch]`)?.dataset.drawnEpoch === shown;
  }, panel, { timeout: timeoutMs, polling: 200 });
  return epoch;
}
