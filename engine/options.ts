// Checking an options object: every public function that takes one refuses keys it does not
// know (listing the ones it does, with the nearest as a suggestion) and values of the wrong type
// (naming the option). A typo such as { learningRate: 0.5 } or { requires_grad: true } would
// otherwise be ignored and the default used without a word. The models' configs use it too.

import { Tensor } from './tensor';

/** What an option holds: a type, or the list of allowed strings. */
export type OptionKind = 'number' | 'integer' | 'boolean' | 'string' | 'function' | 'object' | 'array' | 'tensor' | readonly string[];

export type OptionSpec = Readonly<Record<string, OptionKind>>;

export interface CheckOptionsExtras {
  /** The word for one key in messages: 'option' (default) or 'setting' (a model's config). */
  noun?: string;
  /** Advice for keys people write by mistake, e.g. { shape: 'pass the shape as the second argument' }. */
  hints?: Readonly<Record<string, string>>;
  /** What to write instead when `options` is not an object (e.g. "new Adam(params, { lr: 0.01 })"). */
  example?: string;
}

/** A spec whose kinds are those of the default values (a model's config: { lr: 0.001, activation: 'relu' }). */
export function specFromDefaults(defaults: object): OptionSpec {
  const spec: Record<string, OptionKind> = {};
  for (const [key, v] of Object.entries(defaults)) {
    spec[key] = typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : 'object';
  }
  return spec;
}

/** A short description of any value for an error message: 0.5, 'gelu', an array, a Tensor... */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the string '${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array [${v.slice(0, 4).map((x) => (Array.isArray(x) ? '[...]' : String(x))).join(', ')}${v.length > 4 ? ', ...' : ''}]`;
  if (v instanceof Tensor) return 'a Tensor';
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Levenshtein distance, for "did you mean 'momentum'?" (short keys, so the O(n·m) table is tiny). */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known key closest to `key` (ignoring case and underscores), if it is close enough to be a typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(norm(key), norm(k));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= (key.length <= 4 ? 1 : 2) ? best : undefined;
}

function matches(kind: OptionKind, v: unknown): boolean {
  if (typeof kind !== 'string') return typeof v === 'string' && kind.includes(v);
  switch (kind) {
    case 'number': return typeof v === 'number'; // NaN and ±Infinity too: each function checks its own range
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'array': return Array.isArray(v) || ArrayBuffer.isView(v);
    case 'object': return typeof v === 'object' && v !== null;
    // instanceof, not the constructor's name: a bundler may rename the class (esbuild: _Tensor).
    case 'tensor': return v instanceof Tensor;
    default: return typeof v === kind;
  }
}

function kindText(kind: OptionKind): string {
  if (typeof kind !== 'string') return `one of ${kind.map((s) => `'${s}'`).join(', ')}`;
  return kind === 'integer' ? 'an integer' : kind === 'array' ? 'an array' : kind === 'object' ? 'an object' : kind === 'tensor' ? 'a Tensor' : `a ${kind}`;
}

/**
 * Throw a clear error unless `options` is undefined or a plain object whose keys are all in
 * `spec` and whose values (where not undefined) have the kinds `spec` gives. `source` names the
 * function in the message ("Adam", "tensor").
 */
export function checkOptions(source: string, options: unknown, spec: OptionSpec, extras: CheckOptionsExtras = {}): void {
  if (options === undefined) return;
  const noun = extras.noun ?? 'option';
  if (typeof options !== 'object' || options === null || Array.isArray(options) || ArrayBuffer.isView(options)) {
    const instead = extras.example ? `; write ${extras.example}` : '';
    throw new Error(`${source}: expected an options object { ${Object.keys(spec).join(', ')} }, got ${describeValue(options)}${instead}`);
  }
  // Only a plain object: with another prototype, a reader of options.lr could get an inherited,
  // unchecked value ({ __proto__: { lr: 5 } }).
  const proto: unknown = Object.getPrototypeOf(options);
  if (proto !== Object.prototype && proto !== null) {
    throw new Error(`${source}: expected a plain options object { ${Object.keys(spec).join(', ')} }, got an object with another prototype (${describeValue(options)})`);
  }
  // A plain loop over the keys: this runs on every op call that takes options (randn, backward...).
  // Own properties only, of the options and of the spec: 'toString' or '__proto__' is unknown.
  for (const key in options) {
    if (!Object.prototype.hasOwnProperty.call(options, key)) continue;
    const value = (options as Record<string, unknown>)[key];
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      if (value === undefined) continue;
      const known = Object.keys(spec);
      const hint = extras.hints?.[key];
      const near = closestKey(key, known);
      const advice = hint ? `; ${hint}` : near ? `; did you mean '${near}'?` : '';
      throw new Error(`${source}: unknown ${noun} '${key}' (known: ${known.join(', ')})${advice}`);
    }
    if (value !== undefined && !matches(spec[key], value)) {
      throw new Error(`${source}: ${noun} '${key}' must be ${kindText(spec[key])}, got ${describeValue(value)}`);
    }
  }
}
