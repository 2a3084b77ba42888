// Both cores in the page: demo/serve.mjs sends the cross-origin isolation headers, so the page
// may create shared memory and the CPU backend's large products run in Web Workers too
// (kernels/cpu/gemm-threads.ts); the page says how many threads. Served without the headers, it
// says why it uses one core, and still trains.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, trainUntil, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

type Handle = { gradlab: { cpuThreads(): number } };

describe('worker threads in the page', () => {
  it('is cross-origin isolated, uses a thread per core, says so, and trains', async () => {
    const response = await fetch(session.url);
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const { page, errors } = await openPage(session, '?backend=cpu');
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await page.waitForFunction((n) => (window as unknown as Handle).gradlab.cpuThreads() === Math.min(n, 8), cores, { timeout: 30_000 });
    const note = page.locator('#threads-note');
    await expect.poll(() => note.textContent(), { timeout: 30_000 }).toContain(cores > 1 ? `run on ${Math.min(cores, 8)} threads` : 'one core');
    expect(await note.isVisible()).toBe(true);
    expect(await trainUntil(page, 'gan', 2)).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('served without the isolation headers: one core, a note that says why, and training still runs', async () => {
    // A proxy in front of the page's server that drops the two headers.
    const proxy: Server = createServer(async (req, res) => {
      const upstream = await fetch(new URL(req.url ?? '/', session.url));
      const headers: Record<string, string> = {};
      upstream.headers.forEach((v, k) => { if (!k.startsWith('cross-origin-') && k !== 'content-encoding' && k !== 'content-length') headers[k] = v; });
      res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, 'localhost', resolve));
    try {
      const page = await session.browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`http://localhost:${(proxy.address() as AddressInfo).port}/?backend=cpu`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(false);
      expect(await page.evaluate(() => (window as unknown as Handle).gradlab.cpuThreads())).toBe(1);
      await expect.poll(() => page.locator('#threads-note').textContent(), { timeout: 30_000 }).toContain('without the cross-origin isolation headers');
      expect(await trainUntil(page, 'gan', 2)).toBeGreaterThanOrEqual(2);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
