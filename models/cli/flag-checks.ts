// Range and choice checks for command-line values, with the messages the usage errors show.
// parseFlags has already checked that numbers are numbers (and ints integers).

import { UsageError, type Flags } from './args';

/** The value of --name, or undefined when not given; throws unless lo <= value <= hi. */
export function numberInRange(flags: Flags, name: string, lo: number, hi: number, what = `between ${lo} and ${hi}`): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw new UsageError(`--${name} must be ${what}, got ${String(v)}`);
  return v;
}

/** Like numberInRange, with lo excluded (learning rates: > 0). */
export function positiveNumber(flags: Flags, name: string, hi = Infinity): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0 && v <= hi)) throw new UsageError(`--${name} must be a positive number${hi < Infinity ? ` up to ${hi}` : ''}, got ${String(v)}`);
  return v;
}

/** The value of --name if it is one of `choices`. */
export function oneOf<T extends string>(flags: Flags, name: string, choices: readonly T[]): T | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${String(v)}'`);
  return v as T;
}

/** --batch against the dataset size (given, or the model's default). */
export function batchWithin(flags: Flags, defaultDataset: number): { batch?: number; dataset?: number } {
  const dataset = numberInRange(flags, 'dataset', 16, 10_000_000, 'between 16 and 10000000');
  const n = dataset ?? defaultDataset;
  const batch = numberInRange(flags, 'batch', 1, n, `between 1 and the dataset size (${n})`);
  return { batch, dataset };
}
