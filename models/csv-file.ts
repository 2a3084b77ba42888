// Node-only: read a CSV file from disk and parse it with parseCsv (see models/csv.ts).

import { readFileSync } from 'node:fs';
import { parseCsv, type ParsedCsv } from './csv';

/** Read and parse a CSV file; a missing or unreadable file gives an Error naming the path. */
export function readCsvFile(path: string): ParsedCsv {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(err);
    throw new Error(`cannot read CSV file '${path}': ${reason}`);
  }
  return parseCsv(text, path);
}
