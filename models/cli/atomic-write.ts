// Writing a file so that a crash, a kill -9 or a full disk never leaves it half-written: the
// text goes to a temporary file in the same folder, is flushed to the disk (fsync), and only
// then renamed over the target. A rename within one file system is atomic, so a reader sees
// either the old file or the new one, never a mix. Node-only.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The errno code of a Node error ('ENOSPC', 'EACCES', ...), or the message when there is none. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a directory',
    ENOENT: 'no such file or folder',
    ENOTDIR: 'a part of the path is not a folder',
    EROFS: 'read-only file system',
    EDQUOT: 'disk quota exceeded',
    EEXIST: 'it already exists',
  };
  return e?.code ? `${reasons[e.code] ?? e.code} (${e.code})` : String((e as Error)?.message ?? err);
}

/** Write `text` (UTF-8) or bytes to `path` atomically; on failure the old file (if any) is untouched and the error names the path. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'wx', 0o644);
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // the temporary file was never made, or is already gone
    }
    throw new Error(`cannot write '${path}': ${errnoText(err)}`);
  }
  syncFolder(dirname(path));
}

/** fsync the folder so the rename itself survives a power cut (best effort: not every OS allows it). */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some systems refuse fsync on a folder; the file itself is already on the disk.
  }
}
