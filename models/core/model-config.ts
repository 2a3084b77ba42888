// Checking a model's settings: defaults filled in, unknown keys refused, numbers range-checked,
// with messages that name the setting. Shared by the VAE, RBM and diffusion models.

import { UsageError, type FlagSpec, type Flags } from '../cli/args';
import { batchWithin, numberInRange, positiveNumber } from '../cli/flag-checks';
import type { BaseConfig } from './model';
import { checkOptions, specFromDefaults } from '../../engine/options';
import { MAX_SEED } from './seeds';

/** [min, max, integer?] for a numeric setting. */
export type NumericRange = [number, number, boolean];

/** Ranges of the settings every model has. */
export const BASE_RANGES: Record<keyof BaseConfig, NumericRange> = {
  seed: [0, MAX_SEED, true],
  dataset: [16, 10_000_000, true],
  batch: [1, 10_000_000, true],
  evalSamples: [16, 10_000_000, true],
  bins: [0, 1000, true],
};

/**
 * defaults ⊕ partial, checked. `complete`: every setting must be present (a checkpoint's config).
 * `choices` lists the allowed values of string settings.
 */
export function resolveConfig<C extends BaseConfig>(
  defaults: C,
  partial: Partial<C>,
  ranges: Record<string, NumericRange>,
  source: string,
  complete = false,
  choices: Record<string, readonly string[]> = {},
): C {
  checkOptions(source, partial, specFromDefaults(defaults), { noun: 'setting' });
  const known = Object.keys(defaults);
  const given = partial as Record<string, unknown>;
  const config: Record<string, unknown> = { ...(defaults as object) };
  for (const key of known) {
    const value = given[key];
    if (value === undefined) {
      if (complete) throw new Error(`${source}: setting '${key}' is missing`);
      continue;
    }
    config[key] = value;
  }
  for (const [key, [lo, hi, integer]] of Object.entries(ranges)) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: ${key} must be a number, got ${JSON.stringify(v)}`);
    if (integer && !Number.isInteger(v)) throw new Error(`${source}: ${key} must be an integer, got ${v}`);
    if (v < lo || v > hi) throw new Error(`${source}: ${key} must be between ${lo} and ${hi}, got ${v}`);
  }
  for (const [key, allowed] of Object.entries(choices)) {
    if (!allowed.includes(config[key] as string)) throw new Error(`${source}: ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(config[key])}`);
  }
  const c = config as unknown as C;
  if (c.batch > c.dataset) throw new Error(`${source}: batch must be between 1 and the dataset size (${c.dataset}), got ${c.batch}`);
  return c;
}

// ---- command-line options shared by the VAE, the RBM and the diffusion model ----

/**
 * The options every one of these models takes. No `default` fields: the train command must see
 * which options were given; the defaults are in the help text.
 */
export function sharedCliFlags(defaults: BaseConfig & { hidden: number; lr: number }): FlagSpec {
  return {
    batch: { type: 'int', help: `minibatch size B (default ${defaults.batch})` },
    dataset: { type: 'int', help: `dataset size N, drawn once (default ${defaults.dataset})` },
    bins: { type: 'int', help: 'K > 0: binned mode, the data as one-hot rows of K bins (1D only; default 0)' },
    hidden: { type: 'int', help: `hidden width H (default ${defaults.hidden})` },
    lr: { type: 'number', help: `Adam learning rate (default ${defaults.lr})` },
  };
}

/** batch, dataset, bins, hidden and lr from parsed flags (only those given), range-checked. */
export function sharedConfigFromFlags(flags: Flags, defaults: BaseConfig): Partial<BaseConfig & { hidden: number; lr: number }> {
  const out: Partial<BaseConfig & { hidden: number; lr: number }> = {};
  const { batch, dataset } = batchWithin(flags, defaults.dataset);
  if (batch !== undefined) out.batch = batch;
  if (dataset !== undefined) out.dataset = dataset;
  const bins = numberInRange(flags, 'bins', 0, 1000);
  if (bins !== undefined) out.bins = bins;
  const hidden = numberInRange(flags, 'hidden', 1, 100000);
  if (hidden !== undefined) out.hidden = hidden;
  const lr = positiveNumber(flags, 'lr', 10);
  if (lr !== undefined) out.lr = lr;
  return out;
}

/** Check a partial config by resolving it; a problem becomes a UsageError. */
export function checkedForCli<T>(partial: T, resolve: (p: T) => unknown): T {
  try {
    resolve(partial);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return partial;
}
