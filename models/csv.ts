// Parse a CSV of user data: one column (1D samples) or two columns (2D points).
// Browser-safe: no Node imports (models/csv-file.ts adds reading from disk).
//
// Accepted: comma-separated cells (semicolons or whitespace also work), an optional header as
// the first non-blank line, blank lines anywhere. Refused, with "file, line N: reason":
// no numbers, more than 2 columns, ragged rows, NaN / infinite / non-numeric cells, < 16 rows.

/** Fewest data rows accepted: too few points cannot describe a distribution. */
export const MIN_ROWS = 16;

export interface ParsedCsv {
  /** Values; for dim 2 interleaved pairs x0, y0, x1, y1, ... */
  data: Float64Array;
  dim: 1 | 2;
  rows: number;
}

/** A plain decimal number: optional sign, digits with optional point, optional exponent. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Spellings of NaN / infinity that we reject with a specific reason rather than "header". */
const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;

/** Split one line into cells on commas, semicolons or runs of whitespace. */
function splitCells(line: string): string[] {
  return line.trim().split(/\s*[,;]\s*|\s+/);
}

/** Why a cell is not a usable number, or null if it is fine. */
function cellProblem(cell: string): string | null {
  if (cell === '') return 'empty cell';
  if (SPECIAL.test(cell)) return /nan/i.test(cell) ? `NaN value '${cell}'` : `infinite value '${cell}'`;
  if (!NUMBER.test(cell)) return `not a number: '${cell}'`;
  if (!Number.isFinite(Number(cell))) return `infinite value '${cell}' (out of range)`;
  return null;
}

/** Parse CSV text; throws an Error naming the file, the 1-based line and the reason. */
export function parseCsv(text: string, fileName: string): ParsedCsv {
  const fail = (line: number, reason: string): never => {
    throw new Error(`${fileName}, line ${line}: ${reason}`);
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const values: number[] = [];
  let columns = 0; // set by the first data row
  let firstDataLine = 0;
  let lastDataLine = 0;
  let headerLine = 0;
  let seenContent = false;

  for (let k = 0; k < lines.length; k++) {
    const lineNo = k + 1;
    if (lines[k].trim() === '') continue;
    const cells = splitCells(lines[k]);
    // The first non-blank line is a header when none of its cells looks like a number.
    if (!seenContent) {
      seenContent = true;
      if (cells.every((c) => c !== '' && !NUMBER.test(c) && !SPECIAL.test(c))) {
        headerLine = lineNo;
        continue;
      }
    }
    if (columns === 0) {
      columns = cells.length;
      firstDataLine = lineNo;
      if (columns > 2) fail(lineNo, `${columns} columns; expected 1 (1D data) or 2 (2D data)`);
    } else if (cells.length !== columns) {
      fail(lineNo, `ragged row: ${cells.length} column(s), but line ${firstDataLine} has ${columns}`);
    }
    for (let c = 0; c < cells.length; c++) {
      const problem = cellProblem(cells[c]);
      if (problem) fail(lineNo, `column ${c + 1}: ${problem}`);
      values.push(Number(cells[c]));
    }
    lastDataLine = lineNo;
  }

  if (columns === 0) {
    fail(headerLine + 1, headerLine ? 'no numbers found: the file has only a header' : 'no numbers found: the file is empty');
  }
  const rows = values.length / columns;
  if (rows < MIN_ROWS) fail(lastDataLine, `only ${rows} data row(s); at least ${MIN_ROWS} are needed`);
  return { data: Float64Array.from(values), dim: columns as 1 | 2, rows };
}
