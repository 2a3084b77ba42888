// Settings live in the URL's query string, so a learner can share a configuration by copying
// the address. Each setting is a field with a default and a parser; a value the parser refuses
// falls back to the default and produces a notice the page shows.

export interface Field<T> {
  readonly key: string;
  readonly default: T;
  /** The value for a URL string, or undefined if the string is not acceptable. */
  parse(text: string): T | undefined;
  /** The URL string for a value. */
  format(value: T): string;
  /** What a good value looks like, for the notice. */
  readonly expects: string;
}

export type Values = Record<string, string | number>;

/** An integer in [lo, hi]. */
export function intField(key: string, fallback: number, lo: number, hi: number): Field<number> {
  return {
    key, default: fallback, expects: `an integer from ${lo} to ${hi}`,
    parse(text) {
      if (!/^[+-]?\d+$/.test(text.trim())) return undefined;
      const v = Number(text);
      return v >= lo && v <= hi ? v : undefined;
    },
    format: (v) => String(v),
  };
}

/** A number in [lo, hi]. */
export function numberField(key: string, fallback: number, lo: number, hi: number): Field<number> {
  return {
    key, default: fallback, expects: `a number from ${lo} to ${hi}`,
    parse(text) {
      if (text.trim() === '') return undefined;
      const v = Number(text);
      return Number.isFinite(v) && v >= lo && v <= hi ? v : undefined;
    },
    format: (v) => String(v),
  };
}

/** One of a fixed list of numbers (a select's options). */
export function choiceNumberField(key: string, fallback: number, choices: readonly number[]): Field<number> {
  return {
    key, default: fallback, expects: `one of ${choices.join(', ')}`,
    parse(text) {
      const v = Number(text);
      return choices.includes(v) ? v : undefined;
    },
    format: (v) => String(v),
  };
}

/** One of a fixed list of words. */
export function choiceField(key: string, fallback: string, choices: readonly string[]): Field<string> {
  return {
    key, default: fallback, expects: `one of ${choices.join(', ')}`,
    parse: (text) => (choices.includes(text) ? text : undefined),
    format: (v) => v,
  };
}

export type AnyField = Field<number> | Field<string>;

export interface ReadResult {
  values: Values;
  /** One line per refused value: "lr=abc is not a number from 1e-4 to 1e-1; using 0.003". */
  notices: string[];
}

/** Read the fields from a query string; missing keys take their defaults silently. */
export function readSettings(fields: readonly AnyField[], search: string, prefix = ''): ReadResult {
  const params = new URLSearchParams(search);
  const values: Values = {};
  const notices: string[] = [];
  for (const f of fields) {
    const text = params.get(prefix + f.key);
    const fallback = f.default;
    if (text === null) {
      values[f.key] = fallback;
      continue;
    }
    const parsed = (f as Field<string | number>).parse(text);
    if (parsed === undefined) {
      notices.push(`${prefix}${f.key}=${JSON.stringify(text)} is not ${f.expects}; using the default ${String(fallback)}`);
      values[f.key] = fallback;
    } else {
      values[f.key] = parsed;
    }
  }
  return { values, notices };
}

/**
 * Write the fields into the page's URL (without reloading or adding history entries). Values
 * equal to their defaults are left out, so a shared link stays short. Other keys are kept.
 */
export function writeSettings(fields: readonly AnyField[], values: Values, prefix = ''): void {
  const url = new URL(window.location.href);
  for (const f of fields) {
    const v = values[f.key];
    if (v === undefined || v === f.default) url.searchParams.delete(prefix + f.key);
    else url.searchParams.set(prefix + f.key, (f as Field<string | number>).format(v));
  }
  window.history.replaceState(null, '', url.toString());
}

/** Set (or clear, with null) one plain URL parameter such as the open tab. */
export function writeParam(key: string, value: string | null): void {
  const url = new URL(window.location.href);
  if (value === null) url.searchParams.delete(key);
  else url.searchParams.set(key, value);
  window.history.replaceState(null, '', url.toString());
}
