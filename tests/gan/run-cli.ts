// The built CLI (dist/cli.js) as the GAN's command-line tests run it: a child process that
// must exit on its own, and the --json line it ends with.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';

export const root = resolve(__dirname, '../..');
export const cli = resolve(root, 'dist/cli.js');

export function gradlab(...args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 90_000 });
  // Exited by itself (not killed by the timeout) with a status code.
  expect(r.signal, `gradlab ${args.join(' ')} did not exit on its own`).toBeNull();
  return r;
}

/** The last line of stdout, parsed: the --json summary. */
export function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}
