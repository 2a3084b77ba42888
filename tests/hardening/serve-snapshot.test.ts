// The page server's answers stay whole and labelled: a file replaced while it is being fetched
// is served from one snapshot (Content-Length from the bytes sent), Node's own 400 and 431
// answers carry nosniff and the CSP, CONNECT is answered, and an empty PORT= is refused.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without types (demo/serve.mjs)
import { serveDirectory } from '../../demo/serve.mjs';

let server: Server;
let port = 0;
let root = '';

/** Send raw bytes, return everything the server answered before it closed the socket. */
function rawExchange(request: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => done(text));
    socket.on('error', fail);
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gradlab-serve-snapshot-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  server = await serveDirectory(root, 0);
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the page server', () => {
  it('serves a file being replaced from one snapshot: the length always matches the body', async () => {
    const big = join(root, 'bundle.js');
    const versions = [Buffer.alloc(750_000, 0x61), Buffer.alloc(1_000, 0x62), Buffer.alloc(0)];
    writeFileSync(big, versions[0]);
    let checked = 0;
    for (let round = 0; round < 60; round++) {
      // Replace the file as a non-atomic writer would (truncate, then write), and by rename.
      const v = versions[round % versions.length];
      if (round % 2) writeFileSync(big, v);
      else {
        writeFileSync(`${big}.new`, v);
        renameSync(`${big}.new`, big);
      }
      const answers = await Promise.all([0, 1, 2].map(() => fetch(`http://127.0.0.1:${port}/bundle.js`)));
      for (const r of answers) {
        const body = Buffer.from(await r.arrayBuffer());
        expect(r.status).toBe(200);
        expect(Number(r.headers.get('content-length'))).toBe(body.length);
        expect(versions.some((v) => v.length === body.length && v.equals(body))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(180);
  }, 60_000);

  it("puts nosniff and the CSP on Node's own 400 and 431 answers", async () => {
    for (const [request, status] of [['GARBAGE\r\n\r\n', 400], [`GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431]] as const) {
      const text = await rawExchange(request);
      expect(text.startsWith(`HTTP/1.1 ${status}`), text.slice(0, 80)).toBe(true);
      expect(text).toMatch(/x-content-type-options: nosniff/i);
      expect(text).toMatch(/content-security-policy: default-src 'self'/i);
    }
  });

  it('answers CONNECT with 405 instead of leaving the socket open', async () => {
    const text = await rawExchange('CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n');
    expect(text.startsWith('HTTP/1.1 405')).toBe(true);
    expect(text).toMatch(/x-content-type-options: nosniff/i);
  });

  it('refuses an empty PORT= (it would pick a random port) with exit 2', () => {
    const r = spawnSync(process.execPath, [resolve(__dirname, '../../demo/serve.mjs')], { env: { ...process.env, PORT: '' }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/PORT must be an integer from 0 to 65535, got ''/);
  }, 120_000);
});
