// Node-only: read a CSV file from disk and parse it with parseCsv (see models/data/csv.ts). What is
// read is capped as it is read (stat's size is 0 for a device or a pipe, so it cannot be trusted),
// and the rows are counted before they are parsed, so an oversized input is refused at once,
// naming the limit it breaks.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { MAX_ROWS, parseCsv, type CsvOptions, type ParsedCsv } from './csv';

/** Largest CSV file read: 10 million rows of two short numbers fit well within it. */
export const MAX_CSV_BYTES = 256 * 1024 * 1024;

/** Read and parse a CSV file; a missing, unreadable or oversized file gives an Error naming the path. */
export function readCsvFile(path: string, options: CsvOptions = {}): ParsedCsv {
  let text: string;
  try {
    // A regular file's size is known at once; a device or a pipe is capped as it is read.
    const stats = statSync(path);
    if (stats.isFile() && stats.size > MAX_CSV_BYTES) {
      throw Object.assign(new Error(`the file is ${(stats.size / 2 ** 20).toFixed(0)} MiB; the largest CSV read is ${MAX_CSV_BYTES / 2 ** 20} MiB (at most ${MAX_ROWS} rows)`), { code: 'E2BIG' });
    }
    const bytes = readFileBounded(path, MAX_CSV_BYTES, `the largest CSV read is ${MAX_CSV_BYTES / 2 ** 20} MiB (at most ${MAX_ROWS} rows)`);
    const rows = countNumericLines(bytes, MAX_ROWS + 1);
    if (rows > MAX_ROWS) {
      throw Object.assign(new Error(`it has more than ${MAX_ROWS} rows of numbers; a dataset holds at most ${MAX_ROWS} rows (refused before parsing)`), { code: 'E2BIG' });
    }
    text = bytes.toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'E2BIG' ? (err as Error).message : String(err);
    throw new Error(`cannot read CSV file '${path}': ${reason}`);
  }
  return parseCsv(text, path, options);
}

/**
 * The bytes of a file, a device or a pipe, reading at most `limit` of them: one more is an error
 * (code E2BIG) whose message says it is bigger and adds `why`. Refusing as it reads, not by
 * stat's size, so /dev/zero or an endless pipe is refused after `limit` bytes.
 */
export function readFileBounded(path: string, limit: number, why: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 24, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) throw Object.assign(new Error(`it holds more than ${(limit / 2 ** 20).toFixed(0)} MiB; ${why}`), { code: 'E2BIG' });
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * Lines whose first byte after any spaces or tabs could start a number (a digit, a sign or a
 * point), counted on the raw bytes up to `stop`: an upper bound on the data rows, found in a
 * fraction of a second where parsing 20 million rows takes a minute and gigabytes. A line ends
 * at LF, CR or CR LF, as the parser's lines do.
 */
export function countNumericLines(bytes: Uint8Array, stop: number): number {
  let count = 0;
  let lineStart = true;
  for (let i = 0; i < bytes.length && count < stop; i++) {
    const b = bytes[i];
    if (lineStart && ((b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2d || b === 0x2e)) count++;
    // Leading blanks keep the line at its start; a CR or LF starts a new one.
    lineStart = b === 0x0a || b === 0x0d || (lineStart && (b === 0x20 || b === 0x09));
  }
  return count;
}
