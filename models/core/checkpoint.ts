// Checkpoints: plain JSON (config, weights, optimizer state, epoch, RNG state, dataset, history).
// load() checks everything before touching a model, and says what is wrong with a bad file.

import { assign, type Adam, type AdamState, type Tensor } from '../../engine/index';
import type { Checkpoint, ModelKind } from './model';
import { MAX_DATA_MAGNITUDE, spreadProblem } from '../data/csv';
import { MAX_SEED } from './seeds';

export async function readWeights(named: [string, Tensor][]): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of named) out[name] = Array.from(await t.data());
  return out;
}

/** Write checkpoint weights into the model's parameters, checking names and sizes first. */
export function writeWeights(named: [string, Tensor][], weights: Record<string, number[]>, source: string): void {
  const expected = new Set(named.map(([n]) => n));
  for (const name of Object.keys(weights)) {
    if (!expected.has(name)) throw new Error(`${source}: unexpected parameter '${name}' (the model has ${[...expected].join(', ')})`);
  }
  for (const [name, t] of named) {
    const values = weights[name];
    if (!Array.isArray(values)) throw new Error(`${source}: parameter '${name}' is missing`);
    if (values.length !== t.size) throw new Error(`${source}: parameter '${name}' has ${values.length} values, the model needs ${t.size} (shape [${t.shape.join(', ')}]); was it saved with another configuration?`);
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) throw new Error(`${source}: parameter '${name}' value ${i} is ${String(values[i])}`);
      if (!Number.isFinite(Math.fround(values[i]))) throw new Error(`${source}: parameter '${name}' value ${i} is ${values[i]}, beyond float32's range`);
    }
  }
  for (const [name, t] of named) assign(t, weights[name], 'load');
}

export async function readOptimizers(opts: Record<string, Adam>): Promise<Checkpoint['optimizers']> {
  const out: Checkpoint['optimizers'] = {};
  for (const [name, opt] of Object.entries(opts)) out[name] = await opt.getState();
  return out;
}

export function writeOptimizers(opts: Record<string, Adam>, states: Checkpoint['optimizers'], source: string): void {
  for (const [name, opt] of Object.entries(opts)) {
    const s = states?.[name] as AdamState | undefined;
    if (!s) throw new Error(`${source}: optimizer state '${name}' is missing`);
    try {
      opt.setState(s);
    } catch (e) {
      throw new Error(`${source}: optimizer '${name}': ${(e as Error).message}`);
    }
  }
}

/** Structural checks of a parsed checkpoint; throws a message naming the first problem. */
export function validateCheckpoint(value: unknown, source: string, expectedModel?: ModelKind): Checkpoint {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a valid gradlab checkpoint: ${why}`);
  };
  if (value === null || typeof value !== 'object') fail('expected a JSON object');
  const c = value as Partial<Checkpoint>;
  if (c.format !== 'gradlab-checkpoint') fail(`"format" is ${JSON.stringify(c.format)}, expected "gradlab-checkpoint"`);
  if (c.version !== 1) fail(`unsupported version ${JSON.stringify(c.version)} (this gradlab reads version 1)`);
  if (!['gan', 'vae', 'rbm', 'diffusion'].includes(c.model as string)) fail(`unknown model ${JSON.stringify(c.model)}`);
  if (expectedModel && c.model !== expectedModel) fail(`it holds a ${c.model} model, not a ${expectedModel}`);
  if (typeof c.target !== 'string') fail('"target" is missing');
  if (!c.config || typeof c.config !== 'object') fail('"config" is missing');
  // Values read from a file are range-checked as if typed in: counts and the generator's counter
  // are exact integers (below 2^53), the seed fits the seed's range, the data its magnitude rule.
  for (const k of ['epoch', 'steps'] as const) if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0) fail(`"${k}" must be a whole number from 0 to 2^53 − 1, got ${JSON.stringify(c[k])}`);
  if (!c.weights || typeof c.weights !== 'object') fail('"weights" is missing');
  if (!c.optimizers || typeof c.optimizers !== 'object') fail('"optimizers" is missing');
  if (!c.rng || typeof c.rng !== 'object' || !Number.isInteger(c.rng.seed) || !Number.isInteger(c.rng.counter)) fail('"rng" must hold integer seed and counter');
  const rng = c.rng as { seed: number; counter: number };
  if (rng.seed < 0 || rng.seed > MAX_SEED) fail(`"rng" seed ${rng.seed} is outside 0 to ${MAX_SEED}`);
  if (!Number.isSafeInteger(rng.counter) || rng.counter < 0) fail(`"rng" counter ${rng.counter} is outside 0 to 2^53 − 1`);
  if (!Array.isArray(c.data) || c.data.length === 0 || c.data.some((x) => typeof x !== 'number' || !Number.isFinite(x))) fail('"data" must be a non-empty array of finite numbers');
  const tooBig = (c.data as number[]).findIndex((x) => !Number.isFinite(Math.fround(x)));
  if (tooBig >= 0) fail(`"data" value ${tooBig} is ${(c.data as number[])[tooBig]}, beyond float32's range`);
  const beyond = (c.data as number[]).findIndex((x) => Math.abs(x) > MAX_DATA_MAGNITUDE);
  if (beyond >= 0) fail(`"data" value ${beyond} is ${(c.data as number[])[beyond]}; the models train on data of magnitude up to ${MAX_DATA_MAGNITUDE.toExponential(0)}`);
  // The dimension is the target's, checked later; all values together as one column here.
  const spread = spreadProblem(c.data as number[], 1, 0);
  if (spread) fail(`"data": ${spread.replace('column 1 ', 'the data ')}`);
  if (!Array.isArray(c.history)) fail('"history" must be an array');
  if (c.partialEpoch !== undefined) checkPartialEpoch(c.partialEpoch, fail);
  return c as Checkpoint;
}

/** An unfinished epoch's progress: a step count from 1, float32 sums, the GAN's D updates. */
function checkPartialEpoch(value: unknown, fail: (why: string) => never): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('"partialEpoch" must be an object');
  const p = value as Record<string, unknown>;
  for (const key of Object.keys(p)) if (!['steps', 'sums', 'dSteps'].includes(key)) fail(`"partialEpoch" has an unknown field ${JSON.stringify(key)}`);
  if (!Number.isSafeInteger(p.steps) || (p.steps as number) < 1) fail(`"partialEpoch" steps must be a whole number from 1, got ${JSON.stringify(p.steps)}`);
  if (p.dSteps !== undefined && (!Number.isSafeInteger(p.dSteps) || (p.dSteps as number) < 0)) fail(`"partialEpoch" dSteps must be a whole number from 0, got ${JSON.stringify(p.dSteps)}`);
  const sums = p.sums;
  if (sums === null || typeof sums !== 'object' || Array.isArray(sums)) fail('"partialEpoch" sums must be an object of numbers by loss name');
  for (const [name, v] of Object.entries(sums as Record<string, unknown>)) {
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) fail(`"partialEpoch" sum '${name}' is ${JSON.stringify(v)}, not a finite float32 number`);
  }
}

/** JSON.parse with the file name in the error. */
export function parseCheckpoint(text: string, source: string, expectedModel?: ModelKind): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the error: keep it on one line, control bytes escaped.
    const why = (e as Error).message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).slice(0, 200);
    throw new Error(`${source}: not a valid gradlab checkpoint: the JSON does not parse (${why})`);
  }
  return validateCheckpoint(value, source, expectedModel);
}

/** Numbers per piece when a long array is written out piecewise. */
const NUMBERS_PER_PIECE = 65536;

/**
 * The checkpoint's JSON text (the same text JSON.stringify gives) as a sequence of pieces, long
 * arrays of numbers split into pieces of NUMBERS_PER_PIECE: a model or dataset whose checkpoint
 * is longer than the longest string JavaScript can hold (about 2^29 characters in V8) can still
 * be written, piece by piece.
 */
export function* checkpointJson(value: unknown): Generator<string> {
  if (Array.isArray(value) && value.length > NUMBERS_PER_PIECE && value.every((x) => typeof x === 'number')) {
    for (let i = 0; i < value.length; i += NUMBERS_PER_PIECE) {
      const part = JSON.stringify(value.slice(i, i + NUMBERS_PER_PIECE));
      yield `${i === 0 ? '[' : ','}${part.slice(1, -1)}`;
    }
    yield ']';
  } else if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      yield* value[i] === undefined || typeof value[i] === 'function' ? ['null'] : checkpointJson(value[i]);
    }
    yield ']';
  } else if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    yield '{';
    let first = true;
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function') continue;
      yield `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      yield* checkpointJson(v);
    }
    yield '}';
  } else yield JSON.stringify(value) ?? 'null';
}
