// Checking where a checkpoint will go before training starts, so a bad --save path costs a
// usage error and not a finished run; and a last resort when the save still fails at the end.

import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args';
import { errnoText, writeFileAtomic } from './atomic-write';

/** Throws a UsageError naming the path when a file cannot be written there. */
export function checkWritablePath(flag: string, path: string): void {
  if (path.trim() === '') throw new UsageError(`${flag}: the path is empty`);
  const full = resolve(path);
  if (existsSync(full) && statSync(full).isDirectory()) throw new UsageError(`${flag}: '${path}' is a directory; give a file name`);
  const folder = dirname(full);
  if (!existsSync(folder)) throw new UsageError(`${flag}: the folder of '${path}' does not exist`);
  if (!statSync(folder).isDirectory()) throw new UsageError(`${flag}: '${dirname(path)}' is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
    if (existsSync(full)) accessSync(full, constants.W_OK);
  } catch {
    throw new UsageError(`${flag}: '${path}' is not writable (permission denied)`);
  }
}

/**
 * Write `text` to `path`; if that fails, keep the work by writing it to a fallback file (in the
 * working folder, else the system's temporary folder). Returns where it went and why the
 * first choice failed (null when it did not).
 */
export function saveWithFallback(path: string, text: string | Uint8Array): { written: string; failure: string | null } {
  try {
    writeFileAtomic(path, text);
    return { written: path, failure: null };
  } catch (first) {
    const name = `gradlab-rescued-${basename(path) || 'checkpoint'}-${new Date().toISOString().replace(/[:.]/g, '-')}${typeof text === 'string' ? '.json' : '.safetensors'}`;
    for (const folder of [process.cwd(), tmpdir()]) {
      const fallback = join(folder, name);
      try {
        writeFileAtomic(fallback, text);
        return { written: fallback, failure: (first as Error).message };
      } catch {
        // try the next folder
      }
    }
    throw first;
  }
}

/** Make sure `folder` is a writable folder (creating it if missing); a UsageError names what is wrong. */
export function checkOutputFolder(flag: string, folder: string): void {
  if (folder.trim() === '') throw new UsageError(`${flag}: the path is empty`);
  if (existsSync(folder) && !statSync(folder).isDirectory()) throw new UsageError(`${flag}: '${folder}' exists and is not a folder`);
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag}: cannot use the folder '${folder}': ${errnoText(e)}`);
  }
}
