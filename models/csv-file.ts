// Node-only: read a CSV file from disk and parse it with parseCsv (see models/csv.ts). The file's
// size is checked before it is read, so an oversized file is refused at once.

import { readFileSync, statSync } from 'node:fs';
import { parseCsv, type CsvOptions, type ParsedCsv } from './csv';

/** Largest CSV file read: 10 million rows of two short numbers fit well within it. */
export const MAX_CSV_BYTES = 256 * 1024 * 1024;

/** Read and parse a CSV file; a missing, unreadable or oversized file gives an Error naming the path. */
export function readCsvFile(path: string, options: CsvOptions = {}): ParsedCsv {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_CSV_BYTES) {
      throw Object.assign(new Error(`the file is ${(size / 2 ** 20).toFixed(0)} MiB; the largest CSV read is ${MAX_CSV_BYTES / 2 ** 20} MiB (at most 10000000 rows)`), { code: 'E2BIG' });
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'E2BIG' ? (err as Error).message : String(err);
    throw new Error(`cannot read CSV file '${path}': ${reason}`);
  }
  return parseCsv(text, path, options);
}
