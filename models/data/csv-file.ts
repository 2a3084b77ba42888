// Node-only: read a CSV file from disk and parse it with parseCsv (see models/data/csv.ts). The file's
// size is checked before it is read, and its rows are counted before they are parsed, so an
// oversized file is refused at once, naming the limit it breaks.

import { readFileSync, statSync } from 'node:fs';
import { MAX_ROWS, parseCsv, type CsvOptions, type ParsedCsv } from './csv';

/** Largest CSV file read: 10 million rows of two short numbers fit well within it. */
export const MAX_CSV_BYTES = 256 * 1024 * 1024;

/** Read and parse a CSV file; a missing, unreadable or oversized file gives an Error naming the path. */
export function readCsvFile(path: string, options: CsvOptions = {}): ParsedCsv {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_CSV_BYTES) {
      throw Object.assign(new Error(`the file is ${(size / 2 ** 20).toFixed(0)} MiB; the largest CSV read is ${MAX_CSV_BYTES / 2 ** 20} MiB (at most ${MAX_ROWS} rows)`), { code: 'E2BIG' });
    }
    const bytes = readFileSync(path);
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
 * Lines whose first byte could start a number (a digit, a sign or a point), counted on the raw
 * bytes up to `stop`: an upper bound on the data rows, found in a fraction of a second where
 * parsing 20 million rows takes a minute and gigabytes.
 */
export function countNumericLines(bytes: Uint8Array, stop: number): number {
  let count = 0;
  let lineStart = true;
  for (let i = 0; i < bytes.length && count < stop; i++) {
    const b = bytes[i];
    if (lineStart && ((b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2d || b === 0x2e)) count++;
    lineStart = b === 0x0a;
  }
  return count;
}
