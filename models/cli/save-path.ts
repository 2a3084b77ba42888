// Checking where an output will go before training starts, so a bad --save, --movie or --out
// path costs a usage error and not a finished run; and a last resort when a write still fails at
// the end: a rescue file, named on stderr.

import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UsageError } from './args';
import { NAME_MAX, errnoText, fitName, followLinks, kindOf, writeFileAtomic, type Content } from './atomic-write';
import { quote } from './safe-text';

/** The longest path Linux takes (PATH_MAX, with its terminating zero byte). */
const PATH_MAX = 4095;

/**
 * Throws a UsageError naming the path when a file cannot be written there: an empty path, a
 * folder that is missing or not writable, a name too long for the file system, or a path holding
 * something other than a regular file (a folder, a device, a FIFO, a socket; symbolic links are
 * followed to what they point at).
 */
export function checkWritablePath(flag: string, path: string): void {
  if (path.trim() === '') throw new UsageError(`${flag}: the path is empty`);
  const name = basename(resolve(path));
  if (Buffer.byteLength(name) > NAME_MAX) throw new UsageError(`${flag}: the file name ${quote(fitName(name, 40))}... is ${Buffer.byteLength(name)} bytes; file systems take at most ${NAME_MAX}`);
  if (Buffer.byteLength(resolve(path)) > PATH_MAX) throw new UsageError(`${flag}: the path is ${Buffer.byteLength(resolve(path))} bytes; the longest a path may be is ${PATH_MAX}`);
  let target;
  try {
    target = followLinks(path);
  } catch (e) {
    throw new UsageError(`${flag}: cannot use ${quote(path)}: ${errnoText(e)}`);
  }
  if (target.stats?.isDirectory()) throw new UsageError(`${flag}: ${quote(path)} is a directory; give a file name`);
  if (target.stats && !target.stats.isFile()) throw new UsageError(`${flag}: ${quote(path)} is ${kindOf(target.stats)}; give the path of a regular file (it would be replaced)`);
  const folder = dirname(target.path);
  let folderStats;
  try {
    folderStats = statSync(folder);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${flag}: the folder of ${quote(path)} does not exist`);
    if (code === 'ENOTDIR') throw new UsageError(`${flag}: ${quote(dirname(path))} is not a folder`);
    throw new UsageError(`${flag}: cannot use the folder of ${quote(path)}: ${errnoText(e)}`);
  }
  if (!folderStats.isDirectory()) throw new UsageError(`${flag}: ${quote(dirname(path))} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag}: ${quote(path)} is not writable (${errnoText(e)})`);
  }
}

/** The rescue file's name for `path`: gradlab-rescued-NAME-TIME.EXT, shortened to fit NAME_MAX. */
export function rescueName(path: string, fallbackExt = '.json'): string {
  const ext = fitName(extname(path), 16) || fallbackExt;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const prefix = 'gradlab-rescued-';
  // Room for the name itself: the rest, and the temporary suffix writeFileAtomic adds.
  const room = NAME_MAX - 40 - prefix.length - stamp.length - 1 - ext.length;
  const name = fitName(basename(path, extname(path)) || 'output', room);
  return `${prefix}${name}-${stamp}${ext}`;
}

/**
 * Write `content` to `path`; if that fails, keep the work by writing it to a rescue file (in the
 * working folder, else the system's temporary folder). Returns where it went and why the first
 * choice failed (null when it did not). Throws only when no rescue file could be written either.
 */
export function saveWithFallback(path: string, content: Content | (() => Content)): { written: string; failure: string | null } {
  const bytes = (): Content => (typeof content === 'function' ? content() : content);
  try {
    writeFileAtomic(path, bytes());
    return { written: path, failure: null };
  } catch (first) {
    const name = rescueName(path);
    const tried: string[] = [];
    for (const folder of [process.cwd(), tmpdir()]) {
      const fallback = join(folder, name);
      try {
        writeFileAtomic(fallback, bytes());
        return { written: fallback, failure: (first as Error).message };
      } catch (e) {
        tried.push((e as Error).message);
      }
    }
    throw new Error(`${(first as Error).message}; no rescue file could be written either (${tried.join('; ')})`);
  }
}

/** Make sure `folder` is a writable folder (creating it if missing); a UsageError names what is wrong. */
export function checkOutputFolder(flag: string, folder: string): void {
  if (folder.trim() === '') throw new UsageError(`${flag}: the path is empty`);
  let stats = null;
  try {
    stats = statSync(folder);
  } catch {
    // missing: made below
  }
  if (stats && !stats.isDirectory()) throw new UsageError(`${flag}: ${quote(folder)} exists and is not a folder`);
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag}: cannot use the folder ${quote(folder)}: ${errnoText(e)}`);
  }
}
