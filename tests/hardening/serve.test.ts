// The page server under hostile requests: malformed URLs, odd methods, traversal, symlinks out
// of the root, unreadable files and a burst of concurrent requests. Afterwards it must still
// serve the page. Raw sockets are used where fetch() would clean the URL up first.

import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Running as root, chmod 000 does not stop a read; so a file named 'locked.txt' gets a read
// (a stream, or the whole file at once) that fails as an unreadable file's would (EACCES on open).
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const { Readable } = await import('node:stream');
  const locked = (path: unknown): boolean => String(path).endsWith('locked.txt');
  return {
    ...fs,
    readFileSync: (path: string, ...rest: unknown[]) => {
      if (locked(path)) throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
      return (fs.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
    },
    createReadStream: (path: string, ...rest: unknown[]) => {
      if (!String(path).endsWith('locked.txt')) return (fs.createReadStream as (...a: unknown[]) => unknown)(path, ...rest);
      const stream = new Readable({ read() {} });
      setImmediate(() => stream.destroy(Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' })));
      return stream;
    },
  };
});
// @ts-expect-error: a plain .mjs module without types (demo/serve.mjs)
import { serveDirectory } from '../../demo/serve.mjs';

let server: Server;
let port = 0;
let root = '';

/** Send one raw HTTP/1.1 request and return the status code (0 if the socket closed without one). */
function raw(method: string, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${method} ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => (text += d));
    socket.on('end', () => done(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on('error', fail);
  });
}

beforeAll(async () => {
  const top = mkdtempSync(join(tmpdir(), 'gradlab-serve-'));
  root = join(top, 'site');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(top, 'secret.txt'), 'outside the root');
  symlinkSync(join(top, 'secret.txt'), join(root, 'leak.txt'));
  writeFileSync(join(root, 'locked.txt'), 'no read permission');
  chmodSync(join(root, 'locked.txt'), 0o000);
  server = (await serveDirectory(root, 0)) as Server;
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('demo/serve.mjs under bad requests', () => {
  it('answers malformed percent-escapes with 400 and keeps serving', async () => {
    expect(await raw('GET', '/%')).toBe(400);
    expect(await raw('GET', '/%E0%A4%A')).toBe(400);
    expect(await raw('GET', '/index.html')).toBe(200);
  });

  it('answers GET and HEAD only; other methods get 405 with Allow', async () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND']) expect(await raw(m, '/index.html'), m).toBe(405);
    // A method Node's HTTP parser does not know is a malformed request.
    expect(await raw('BREW', '/index.html')).toBe(400);
    const head = await fetch(`http://127.0.0.1:${port}/index.html`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' });
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('sends nosniff and a same-origin Content-Security-Policy', async () => {
    for (const path of ['/', '/missing.js']) {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(r.headers.get('content-security-policy')).not.toMatch(/https?:|\*/);
    }
  });

  it('refuses traversal and symlinks that lead out of the root', async () => {
    expect(await raw('GET', '/..%2fsecret.txt')).toBe(403);
    expect(await raw('GET', '/..%2f..%2fetc%2fpasswd')).toBe(403);
    expect(await raw('GET', '/leak.txt')).toBe(403);
    expect(await raw('GET', '/a%00b')).toBe(400);
  });

  it('answers an unreadable file with an error status, not a crash', async () => {
    expect(await raw('GET', '/locked.txt')).toBe(403);
    expect(await raw('GET', '/index.html')).toBe(200);
  });

  it('survives 200 concurrent mixed requests and still serves the page', async () => {
    const paths = ['/', '/%', '/index.html', '/nope', '/..%2fx', '/%E0%A4%A', '/leak.txt', '/locked.txt'];
    const methods = ['GET', 'HEAD', 'POST', 'DELETE'];
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => raw(methods[i % methods.length], paths[i % paths.length])));
    expect(all.every((s) => s >= 200 && s < 600)).toBe(true);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<title>page<\/title>/);
  });
});
