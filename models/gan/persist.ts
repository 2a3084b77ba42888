// Reading a GAN's checkpoint: the checks and what building the GAN needs (Gan.save() and
// BaseModel.restore() write and read the tensors). A GAN checkpoint holds the config (plus the data's dimension and whether it was the user's own
// data), every weight, both Adam states, the epoch and step counters, the training RNG state,
// the dataset and the history: loading it and training on continues bit for bit as if the run
// had never stopped (CPU backend), also when saved part-way through an epoch (its running sums
// and step count are saved as "partialEpoch").

import { getTarget, targetFromSamples, type Target } from '../data/targets';
import { validateCheckpoint } from '../core/checkpoint';
import type { Checkpoint, HistoryRecord } from '../core/model';
import { GAN_DEFAULTS, resolveGanConfig, type GanConfig } from './config';

/** Check a checkpoint and extract what building the GAN needs; throws naming the first problem. */
export function parseGanCheckpoint(value: unknown, source: string): { checkpoint: Checkpoint; target: Target; config: GanConfig; data: Float64Array; labels?: Int32Array } {
  const cp = validateCheckpoint(value, source, 'gan');
  const { dim, userData, ...rest } = cp.config as Record<string, unknown>;
  if (dim !== 1 && dim !== 2) throw new Error(`${source}: config.dim must be 1 or 2, got ${JSON.stringify(dim)}`);
  let config: GanConfig;
  try {
    // Checkpoints written before binned mode have no temperature (they ran with bins 0, where it
    // is unused); before WGAN-GP, Dropout, BatchNorm and the conditional GAN, none of those
    // settings: the defaults; before the decay (and its power), constant rates; before R1 and G's weight average, neither.
    const older = { temperature: GAN_DEFAULTS.temperature, gpLambda: GAN_DEFAULTS.gpLambda, dDropout: 0, gBatchNorm: false, conditional: false, lrDecay: 0, lrDecayPower: 1, r1Gamma: 0, gAverageFrom: 0 };
    config = resolveGanConfig({ ...older, ...rest } as Partial<GanConfig>, 'config', true);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  const data = Float64Array.from(cp.data);
  if (data.length !== config.dataset * dim) {
    throw new Error(`${source}: the dataset holds ${data.length} values, the config says ${config.dataset} rows of dimension ${dim}`);
  }
  if (cp.rng.seed !== config.seed) throw new Error(`${source}: the RNG state is for seed ${cp.rng.seed}, the config has seed ${config.seed}`);
  for (const [i, r] of cp.history.entries()) {
    if (!r || typeof r !== 'object' || !Number.isInteger((r as HistoryRecord).epoch)) throw new Error(`${source}: history record ${i} is not a record of numbers with an epoch`);
  }
  const labels = checkpointLabels(cp, config, source);
  const target = userData === true ? targetFromSamples(cp.target, data, dim) : builtInTarget(cp.target, dim, source);
  return { checkpoint: cp, target, config, data, labels };
}

/** A conditional GAN's labels: one whole number per dataset row (their classes are checked when the GAN is built). */
function checkpointLabels(cp: Checkpoint, config: GanConfig, source: string): Int32Array | undefined {
  if (!config.conditional) {
    if (cp.labels !== undefined) throw new Error(`${source}: holds class labels, but its config is not conditional`);
    return undefined;
  }
  if (!Array.isArray(cp.labels) || cp.labels.length !== config.dataset) {
    throw new Error(`${source}: a conditional GAN's checkpoint needs "labels", one per dataset row (${config.dataset})`);
  }
  const bad = cp.labels.findIndex((c) => !Number.isInteger(c) || c < 0);
  if (bad >= 0) throw new Error(`${source}: label ${bad} is ${JSON.stringify(cp.labels[bad])}, not a class id (a whole number from 0)`);
  return Int32Array.from(cp.labels);
}

function builtInTarget(name: string, dim: number, source: string): Target {
  let target: Target;
  try {
    target = getTarget(name);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  if (target.dim !== dim) throw new Error(`${source}: target '${name}' is ${target.dim}D but the checkpoint's data is ${dim}D`);
  return target;
}

/** Targets built from the user's data are not in the built-in list. */
export function isUserData(target: Target): boolean {
  try {
    return getTarget(target.name) !== target;
  } catch {
    return true;
  }
}
