// Parse a CSV of user data: one column (1D samples) or two columns (2D points).
// Browser-safe: no Node imports (models/data/csv-file.ts adds reading from disk).
//
// Accepted: comma-separated cells (semicolons or whitespace also work), an optional header as
// the first non-blank line, blank lines anywhere. Refused, with "file, line N: reason":
// no numbers, more than 2 columns, ragged rows, NaN / infinite / non-numeric cells, values
// beyond float32's range, < 16 rows or more than MAX_ROWS, data on a scale the models cannot
// train on, and rows that look like single numbers written with a decimal comma ('3,3718').
// Options: `delimiter` fixes the column separator; with ';', tab or space, a comma inside a
// cell is a decimal comma. Cells are quoted in messages, control bytes escaped.
// `labelColumn` N (1-based) names a column of class labels (whole numbers 0, 1, 2, ...; a
// conditional GAN's classes): it is taken out of the data, which keeps 1 or 2 other columns.

/** Fewest data rows accepted: too few points cannot describe a distribution. */
export const MIN_ROWS = 16;
/** Most data rows accepted: the largest dataset a model takes. */
export const MAX_ROWS = 10_000_000;
/** Largest |value| the models train on; beyond it the losses and metrics lose all meaning. */
export const MAX_DATA_MAGNITUDE = 1e6;

/** Column separators --delimiter accepts, by name. */
export const DELIMITERS = { ',': ',', ';': ';', tab: '\t', space: ' ' } as const;
export type DelimiterName = keyof typeof DELIMITERS;

export interface CsvOptions {
  /** The column separator; by default commas, semicolons or whitespace. */
  delimiter?: DelimiterName;
  /** 1-based column holding each row's class label (a whole number from 0); the others are the data. */
  labelColumn?: number;
}

export interface ParsedCsv {
  /** Values; for dim 2 interleaved pairs x0, y0, x1, y1, ... */
  data: Float64Array;
  dim: 1 | 2;
  rows: number;
  /** With `labelColumn`: the class label of each row. */
  labels?: Int32Array;
  /** Things the reader had to guess (to show on stderr): e.g. commas that could be decimal commas. */
  warnings?: string[];
}

/** The largest class label: labels are int32 numbers. */
export const MAX_LABEL = 2 ** 31 - 1;

/** A class label: a whole number from 0, written without sign, point or exponent. */
const LABEL = /^\d+$/;

/** A plain decimal number: optional sign, digits with optional point, optional exponent. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Spellings of NaN / infinity that we reject with a specific reason rather than "header". */
const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;

/** Split one line into cells on commas, semicolons or runs of whitespace (or on `delimiter` only). */
function splitCells(line: string, delimiter?: DelimiterName): string[] {
  if (delimiter === undefined) return line.trim().split(/\s*[,;]\s*|\s+/);
  const parts = delimiter === 'space' ? line.trim().split(/ +/) : line.split(DELIMITERS[delimiter]).map((c) => c.trim());
  // With another column separator, a comma is a decimal comma: '3,37' is 3.37.
  return delimiter === ',' ? parts : parts.map((c) => c.replace(',', '.'));
}

/** A cell as shown in a message: quoted, control bytes escaped, long cells cut. */
export function quoteCell(cell: string): string {
  const cut = cell.length > 40 ? `${cell.slice(0, 40)}…` : cell;
  return `'${cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029']/g, (c) => (c === "'" ? "\\'" : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))}'`;
}

/** Why a cell is not a usable number, or null if it is fine. */
function cellProblem(cell: string): string | null {
  if (cell === '') return 'empty cell';
  if (SPECIAL.test(cell)) return /nan/i.test(cell) ? `NaN value ${quoteCell(cell)}` : `infinite value ${quoteCell(cell)}`;
  if (!NUMBER.test(cell)) return `not a number: ${quoteCell(cell)}`;
  if (!Number.isFinite(Number(cell))) return `infinite value ${quoteCell(cell)} (out of range)`;
  if (!Number.isFinite(Math.fround(Number(cell)))) return `value ${quoteCell(cell)} is beyond float32's range (largest magnitude 3.4028e+38)`;
  return null;
}

/** Parse CSV text; throws an Error naming the file, the 1-based line and the reason. */
export function parseCsv(text: string, fileName: string, options: CsvOptions = {}): ParsedCsv {
  const delimiter = options.delimiter;
  if (delimiter !== undefined && !Object.hasOwn(DELIMITERS, delimiter)) throw new Error(`${fileName}: unknown delimiter ${quoteCell(String(delimiter))} (use one of ${Object.keys(DELIMITERS).join(' ')})`);
  const labelAt = options.labelColumn === undefined ? -1 : options.labelColumn - 1;
  if (options.labelColumn !== undefined && !(Number.isInteger(options.labelColumn) && options.labelColumn >= 1)) {
    throw new Error(`${fileName}: the label column must be a column number from 1, got ${options.labelColumn}`);
  }
  const labels: number[] = [];
  const dataColumns = (cells: number): number => cells - (labelAt >= 0 ? 1 : 0);
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
    const cells = splitCells(lines[k], delimiter);
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
      if (labelAt >= columns) fail(lineNo, `the label column is column ${labelAt + 1}, but the rows have ${columns} column(s)`);
      if (labelAt >= 0 && columns < 2) fail(lineNo, `1 column; with a label column the rows need 2 (1D data) or 3 (2D data)`);
      if (dataColumns(columns) > 2) fail(lineNo, `${columns} columns; expected ${labelAt >= 0 ? '2 or 3 with the label column' : '1 (1D data) or 2 (2D data)'}`);
    } else if (cells.length !== columns) {
      fail(lineNo, `ragged row: ${cells.length} column(s), but line ${firstDataLine} has ${columns}`);
    }
    for (let c = 0; c < cells.length; c++) {
      if (c === labelAt) {
        if (!LABEL.test(cells[c])) fail(lineNo, `column ${c + 1} (the label column): class label ${quoteCell(cells[c])} is not a whole number from 0`);
        if (Number(cells[c]) > MAX_LABEL) fail(lineNo, `column ${c + 1} (the label column): class label ${quoteCell(cells[c])} is beyond the largest label, ${MAX_LABEL}`);
        labels.push(Number(cells[c]));
        continue;
      }
      const problem = cellProblem(cells[c]);
      if (problem) fail(lineNo, `column ${c + 1}: ${problem}`);
      values.push(Number(cells[c]));
    }
    lastDataLine = lineNo;
    if (values.length / dataColumns(columns) > MAX_ROWS) fail(lineNo, `more than ${MAX_ROWS} data rows, the most a dataset may hold`);
  }

  if (columns === 0) {
    fail(headerLine + 1, headerLine ? 'no numbers found: the file has only a header' : 'no numbers found: the file is empty');
  }
  const dim = dataColumns(columns);
  const rows = values.length / dim;
  if (rows < MIN_ROWS) fail(lastDataLine, `only ${rows} data row(s); at least ${MIN_ROWS} are needed`);
  if (delimiter === undefined && columns === 2 && labelAt < 0) checkDecimalCommas(lines, fileName);
  const warnings = delimiter === undefined && columns === 2 && labelAt < 0 ? commaAmbiguity(lines, fileName) : [];
  try {
    checkScale(values, dim, fileName);
  } catch (e) {
    // '1,013.5' read as columns 1 and 13.5 fails as one-valued: the likely cause is the comma.
    if (warnings.length === 0) throw e;
    throw new Error(`${(e as Error).message}. Note: ${warnings[0]}`);
  }
  return { data: Float64Array.from(values), dim: dim as 1 | 2, rows, ...(labelAt >= 0 ? { labels: Int32Array.from(labels) } : {}), ...(warnings.length ? { warnings } : {}) };
}

/**
 * Two columns split at a comma where the comma could also be a decimal comma ('20,0', '18,7') or
 * a thousands separator ('1,013.5'): read as two columns, with a warning that says so and names
 * --delimiter. (checkDecimalCommas has already refused the files that are almost surely decimal.)
 */
function commaAmbiguity(lines: string[], fileName: string): string[] {
  const rows = lines.map((l, i) => [l.trim(), i + 1] as const).filter(([l]) => l !== '' && /^[+-]?[\d.]/.test(l));
  const decimal = rows.find(([l]) => /^[+-]?\d+,\d+$/.test(l));
  const thousands = rows.find(([l]) => /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(l));
  const example = thousands ?? decimal;
  if (!example) return [];
  const [text, line] = example;
  const could = thousands ? 'one number with a thousands separator' : 'one number with a decimal comma';
  return [
    `${fileName}, line ${line}: ${quoteCell(text)} could be ${could}; it was read as two columns. ` +
      "Give --delimiter ',' to confirm two columns, or --delimiter ';' (or tab or space) to read commas as decimal commas",
  ];
}

/**
 * Rows such as '3,3718' split into two integer columns, but are far more likely one number with a
 * decimal comma. Refuse when every data row is digits-comma-digits and the second parts look
 * like fractions (a leading zero somewhere, or at least three digits everywhere).
 */
function checkDecimalCommas(lines: string[], fileName: string): void {
  const rows = lines.map((l, i) => [l.trim(), i + 1] as const).filter(([l]) => l !== '' && /^[+-]?\d/.test(l));
  if (rows.length === 0 || !rows.every(([l]) => /^[+-]?\d+,\d+$/.test(l))) return;
  const fractions = rows.map(([l]) => l.split(',')[1]);
  if (!fractions.some((f) => f.length > 1 && f.startsWith('0')) && !fractions.every((f) => f.length >= 3)) return;
  const [example, line] = rows[0];
  throw new Error(
    `${fileName}, line ${line}: ${quoteCell(example)} looks like one number written with a decimal comma, not two columns. ` +
      "If so, give --delimiter ';' (or tab or space) so commas read as decimal points; if these really are two integer columns, give --delimiter ','",
  );
}

/** The smallest spread the models train on, relative to max(|mean|, 1): float32 keeps about 7 digits. */
export const MIN_RELATIVE_SPREAD = 1e-6;

/**
 * Why column `c` of interleaved rows cannot be trained on for its spread, or null: one value in
 * every row, or a standard deviation below MIN_RELATIVE_SPREAD·max(|mean|, 1) (data at the 1e-30
 * scale diverge at any learning rate).
 */
export function spreadProblem(values: ArrayLike<number>, columns: number, c: number): string | null {
  let n = 0;
  let sum = 0;
  for (let i = c; i < values.length; i += columns, n++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  let same = true;
  for (let i = c; i < values.length; i += columns) {
    squares += (values[i] - mean) ** 2;
    same &&= values[i] === values[c];
  }
  if (same) return `column ${c + 1} holds the same value (${values[c]}) in every row; there is no spread for a model to learn`;
  const std = Math.sqrt(squares / n);
  if (std < MIN_RELATIVE_SPREAD * Math.max(Math.abs(mean), 1)) {
    return `column ${c + 1} has a spread of ${std.toExponential(2)} (mean ${mean.toExponential(2)}); the models need a standard deviation of at least ${MIN_RELATIVE_SPREAD.toExponential(0)}·max(|mean|, 1). Rescale the data (e.g. change units so typical values are near 1)`;
  }
  return null;
}

/** Refuse data whose magnitude or spread the models cannot train on, naming the column. */
function checkScale(values: number[], columns: number, fileName: string): void {
  for (let c = 0; c < columns; c++) {
    let largest = 0;
    for (let i = c; i < values.length; i += columns) largest = Math.max(largest, Math.abs(values[i]));
    const spread = spreadProblem(values, columns, c);
    if (spread) throw new Error(`${fileName}: ${spread}`);
    if (largest > MAX_DATA_MAGNITUDE) {
      throw new Error(
        `${fileName}: column ${c + 1} holds values up to ${largest.toExponential(3)}; the models train on data of magnitude up to ${MAX_DATA_MAGNITUDE.toExponential(0)}. ` +
          'Rescale the data first (e.g. change units so typical values are near 1)',
      );
    }
  }
}
