#!/usr/bin/env node
// `npm start`: build everything with build.mjs, then serve dist/demo/ on http://localhost:8080
// (PORT=... to change it). The page is fully bundled (uPlot and our code), so nothing is
// fetched from anywhere else. http://localhost counts as a secure context, which WebGPU needs.
//
// The page tests import serveDirectory() to serve the built page on a free port.

import { execFileSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
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
 * Serve the files under `root` on the loopback interface. port 0 lets the OS pick a free one.
 * Resolves to the running server; its URL is http://localhost:<server.address().port>/.
 */
export function serveDirectory(root, port = 0, host = '127.0.0.1') {
  const base = resolve(root);
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    let size;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolvePromise(server));
  });
}

async function main() {
  const repo = resolve(fileURLToPath(import.meta.url), '..', '..');
  execFileSync(process.execPath, ['build.mjs'], { cwd: repo, stdio: 'inherit' });
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT must be an integer from 0 to 65535, got '${process.env.PORT}'`);
    process.exit(2);
  }
  const server = await serveDirectory(join(repo, 'dist', 'demo'), port).catch((err) => {
    console.error(`serve: cannot listen on port ${port}: ${err.message}${err.code === 'EADDRINUSE' ? ' (in use; try PORT=8081 npm start)' : ''}`);
    process.exit(1);
  });
  console.log(`gradlab demo: http://localhost:${server.address().port}/  (Ctrl+C to stop)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
