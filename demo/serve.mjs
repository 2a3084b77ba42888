#!/usr/bin/env node
// `npm start`: build everything with build.mjs, then serve dist/demo/ on http://localhost:8080
// (PORT=... to change it). The page is fully bundled (uPlot and our code), so nothing is
// fetched from anywhere else. http://localhost counts as a secure context, which WebGPU needs.
//
// The server is small but defensive: a malformed URL is a 400, a method other than GET or HEAD
// a 405, a path or symlink leading out of the served root a 403, an unreadable file a 500; none
// of them stops the server. Every answer says `nosniff` and carries a Content-Security-Policy
// that allows only the page's own origin. Its 'unsafe-eval' lets the CPU backend compile one loop
// per elementwise op (kernels/cpu/unary.ts, new Function over the op table's own functions):
// no script from elsewhere, and without it the page would still run, on slower shared loops.
// 'wasm-unsafe-eval' lets it compile its WebAssembly SIMD matrix product (kernels/cpu/gemm-wasm.ts,
// bytes built in the bundle, nothing fetched); without it the products run in JavaScript loops.
//
// The page tests import serveDirectory() to serve the built page on a free port.

import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import http from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Sent with every answer: no MIME sniffing, and nothing loaded from any other origin. The two
 * cross-origin headers make the page cross-origin isolated, which is what lets it create shared
 * memory (SharedArrayBuffer): the CPU backend's large products then run on every core, in Web
 * Workers started from blob: URLs (kernels/cpu/gemm-threads.ts; hence worker-src blob:).
 */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; worker-src 'self' blob:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** The largest file served: the page's bundle is well under a megabyte. */
const MAX_FILE_BYTES = 64 * 2 ** 20;

/** A raw HTTP/1.1 answer on a socket (Node's own errors and CONNECT), with the security headers. */
function rawAnswer(socket, status, reason, text) {
  const body = `${text}\n`;
  const head = [`HTTP/1.1 ${status} ${reason}`, ...Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}`), 'content-type: text/plain; charset=utf-8', `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function answer(res, status, text, extra = {}) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...extra }).end(`${text}\n`);
}

/** Whether `file` is `base` itself or lies inside it. */
function inside(base, file) {
  return file === base || file.startsWith(base + sep);
}

/**
 * Serve the files under `root` on the loopback interface. port 0 lets the OS pick a free one.
 * Resolves to the running server; its URL is http://localhost:<server.address().port>/.
 */
export function serveDirectory(root, port = 0, host = '127.0.0.1') {
  const base = realpathSync(resolve(root));
  const server = http.createServer((req, res) => {
    try {
      handle(base, req, res);
    } catch (err) {
      answer(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  // A client that sends garbage instead of HTTP gets a 400 and a closed socket, nothing more.
  // Node's own answers to a malformed request carry the same headers as every other answer.
  server.on('clientError', (err, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') rawAnswer(socket, 431, 'Request Header Fields Too Large', 'request header fields too large');
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') rawAnswer(socket, 408, 'Request Timeout', 'request timeout');
    else rawAnswer(socket, 400, 'Bad Request', 'bad request');
  });
  // CONNECT (a proxy tunnel) is not for a file server: answered, not left hanging.
  server.on('connect', (_req, socket) => rawAnswer(socket, 405, 'Method Not Allowed', 'method not allowed: CONNECT'));
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolvePromise(server));
  });
}

function handle(base, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    answer(res, 405, `method not allowed: ${req.method}`, { allow: 'GET, HEAD' });
    return;
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    answer(res, 400, 'bad request: malformed URL');
    return;
  }
  if (path.includes('\0')) {
    answer(res, 400, 'bad request: NUL in path');
    return;
  }
  const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
  if (!inside(base, file)) {
    answer(res, 403, 'forbidden');
    return;
  }
  let real;
  let size;
  try {
    real = realpathSync(file);
    const st = statSync(real);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    answer(res, 404, `not found: ${JSON.stringify(path)}`);
    return;
  }
  // A symlink under the root that leads out of it is refused.
  if (!inside(base, real)) {
    answer(res, 403, 'forbidden');
    return;
  }
  // One read of the whole file, then an answer built from those bytes: a rebuild replacing the
  // file meanwhile cannot make the length and the body disagree (the page's files are small).
  if (size > MAX_FILE_BYTES) {
    answer(res, 500, 'internal error: file too large to serve');
    return;
  }
  let bytes;
  try {
    bytes = readFileSync(real);
  } catch (err) {
    answer(res, err.code === 'EACCES' ? 403 : err.code === 'ENOENT' ? 404 : 500, err.code === 'EACCES' ? 'forbidden: file not readable' : err.code === 'ENOENT' ? `not found: ${JSON.stringify(path)}` : 'internal error: cannot read file');
    return;
  }
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': TYPES[extname(real)] ?? 'application/octet-stream',
    'content-length': bytes.length,
    'cache-control': 'no-store',
  };
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

async function main() {
  const repo = resolve(fileURLToPath(import.meta.url), '..', '..');
  const given = process.env.PORT;
  // An empty PORT= would be Number('') = 0, a random port: refuse it like any other bad value.
  const port = given === undefined ? 8080 : given.trim() === '' ? NaN : Number(given);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT must be an integer from 0 to 65535, got '${process.env.PORT}'`);
    process.exit(2);
  }
  execFileSync(process.execPath, ['build.mjs'], { cwd: repo, stdio: 'inherit' });
  const server = await serveDirectory(join(repo, 'dist', 'demo'), port).catch((err) => {
    console.error(`serve: cannot listen on port ${port}: ${err.message}${err.code === 'EADDRINUSE' ? ' (in use; try PORT=8081 npm start)' : ''}`);
    process.exit(1);
  });
  console.log(`gradlab demo: http://localhost:${server.address().port}/  (Ctrl+C to stop)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
