// The built CLI (dist/cli.js) run as a process in a test's own temp folder: it must exit on its
// own; lastLine gives the one-line error a refused command ends with.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';

export const root = resolve(__dirname, '../..');
export const cli = resolve(root, 'dist/cli.js');

/** A runner of `gradlab ARGS...` in the folder `cwd()` returns (read at each call). */
export function cliIn(cwd: () => string): (...args: string[]) => SpawnSyncReturns<string> {
  return (...args) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: cwd(), encoding: 'utf8', timeout: 120_000 });
    expect(r.signal, `gradlab ${args.join(' ')} did not exit on its own`).toBeNull();
    return r;
  };
}

export const lastLine = (text: string): string => text.trim().split('\n').pop() ?? '';
