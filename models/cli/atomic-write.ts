// Writing a file so that a crash, a kill -9 or a full disk never leaves it half-written: the
// bytes go to a temporary file in the same folder, are flushed to the disk (fsync), and only
// then renamed over the target. A rename within one file system is atomic, so a reader sees
// either the old file or the new one, never a mix. Node-only.
//
// What is at the path is respected: a symbolic link (dangling too) is followed, so its target is
// replaced and the link stays; an existing file keeps its permission bits; a path holding
// anything but a regular file (a device such as /dev/null, a FIFO, a socket, a folder) is
// refused rather than renamed over.

import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, readlinkSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The longest file name (one path component) the common file systems take, in bytes. */
export const NAME_MAX = 255;

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
    ENAMETOOLONG: 'the name is too long',
    ELOOP: 'too many symbolic links',
  };
  return e?.code ? `${Object.hasOwn(reasons, e.code) ? reasons[e.code] : e.code} (${e.code})` : String((e as Error)?.message ?? err);
}

/** What a path names once its symbolic links are followed: the final path and what is there (null: nothing yet). */
export interface ResolvedPath {
  path: string;
  stats: Stats | null;
}

/** Follow symbolic links (a dangling one too: its target is where the file will be made). */
export function followLinks(path: string): ResolvedPath {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let link: Stats;
    try {
      link = lstatSync(current);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { path: current, stats: null };
      throw e;
    }
    if (!link.isSymbolicLink()) return { path: current, stats: link };
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw Object.assign(new Error('too many symbolic links'), { code: 'ELOOP' });
}

/** What kind of thing a non-regular path holds, in words. */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A file name shortened (on a character boundary) to at most `bytes` UTF-8 bytes. */
export function fitName(name: string, bytes: number): string {
  if (Buffer.byteLength(name) <= bytes) return name;
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

/** The temporary name beside `path`: `.NAME.PID.TIME.tmp`, NAME shortened so the whole fits NAME_MAX. */
export function temporaryPath(path: string): string {
  const suffix = `.${process.pid}.${Date.now().toString(36)}.tmp`;
  return join(dirname(path), `.${fitName(basename(path), NAME_MAX - 1 - suffix.length)}${suffix}`);
}

/** Bytes to write: one string or buffer, or a sequence of them (a checkpoint too big for one string). */
export type Content = string | Uint8Array | Iterable<string | Uint8Array>;

function* pieces(content: Content): Generator<Uint8Array> {
  if (typeof content === 'string') yield Buffer.from(content, 'utf8');
  else if (content instanceof Uint8Array) yield content;
  else for (const part of content) yield typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
}

/** Write `content` to `path` atomically; on failure the old file (if any) is untouched and the error names the path. */
export function writeFileAtomic(path: string, content: Content): void {
  let target: ResolvedPath;
  try {
    target = followLinks(path);
  } catch (err) {
    throw new Error(`cannot write '${path}': ${errnoText(err)}`);
  }
  if (target.stats && !target.stats.isFile()) throw new Error(`cannot write '${path}': it is ${kindOf(target.stats)}, not a regular file`);
  const temp = temporaryPath(target.path);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'wx', target.stats ? target.stats.mode & 0o7777 : 0o644);
    // The umask may have cleared bits of the old file's mode: set them exactly.
    if (target.stats) fchmodSync(fd, target.stats.mode & 0o7777);
    for (const bytes of pieces(content)) {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    // Between the check above and now something else may have appeared at the path.
    const now = statOrNull(target.path);
    if (now && !now.isFile()) throw new Error(`it is ${kindOf(now)}, not a regular file`);
    renameSync(temp, target.path);
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
  syncFolder(dirname(target.path));
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
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
