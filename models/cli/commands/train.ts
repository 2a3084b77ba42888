// `gradlab train`: train one model on a target (or the user's CSV), report the final metrics,
// optionally save a checkpoint or resume from one. Progress goes to stderr; the results to
// stdout (with --json, the last line is one JSON object).

import { basename, extname, resolve } from 'node:path';
import { flush, type BackendName } from '../../../engine/index';
import { checkpointJson } from '../../core/checkpoint';
import { readCheckpointFile } from '../checkpoint-file';
import { escapeControls, quote } from '../safe-text';
import { signalExitCode, watchInterrupts } from '../interrupt';
import { readCsvFile } from '../../data/csv-file';
import { DELIMITERS, type DelimiterName } from '../../data/csv';
import { batchForRows } from '../../core/batch-rule';
import type { Checkpoint, FinalMetrics, GenerativeModel, HistoryRecord, ModelKind } from '../../core/model';
import { availableModels, isModelKind, loadModel, modelEntry, MODEL_KINDS, modelFlags } from '../../core/registry';
import { getTarget, listTargets, targetFromSamples, type Target } from '../../data/targets';
import { epochsForSteps, runTraining, type TrainResult } from '../../core/train-loop';
import { MAX_SEED } from '../../core/seeds';
import { MovieRecorder } from '../../report/movie/recorder';
import { budgetedConfig } from '../../eval/compare';
import { InputError, UsageError, describeFlags, type FlagSpec, type Flags } from '../args';
import { numberInRange, oneOf } from '../flag-checks';
import type { Command } from '../command';
import { createProgress } from '../progress';
import { BACKEND_CHOICES, useCliBackend } from '../backend-choice';
import { checkWritablePath, saveWithFallback } from '../save-path';
import { networksToSafetensors, wantsSafetensors } from '../safetensors-export';
import { describeClasses, type ClassSummary } from '../../gan/classes-summary';
import { GAN_CONDITIONAL_EPOCHS } from '../../gan/config';

const DEFAULT_EPOCHS = 100;

/** Options every model shares; each model adds its own (models/core/registry.ts). */
const COMMON: FlagSpec = {
  model: { type: 'string', help: `${MODEL_KINDS.join(' | ')} (default gan)` },
  target: { type: 'string', help: "a built-in target ('gradlab targets' lists them)" },
  data: { type: 'string', help: 'a CSV file of your own data (one column for 1D, two for 2D)' },
  'label-column': { type: 'int', help: "with --data and 'gan --conditional': the CSV column (from 1) holding each row's class label, whole numbers 0, 1, ..., K−1; the other 1 or 2 columns are the data" },
  delimiter: { type: 'string', help: "the CSV's column separator: , ; tab space (default: any of them; with ; tab or space, commas are decimal commas)" },
  budget: { type: 'int', help: "parameter budget P: the model's hidden width is solved so its parameter count is closest to P (as in 'gradlab compare')" },
  epochs: { type: 'int', help: `epochs to train (default ${DEFAULT_EPOCHS}, gan --conditional ${GAN_CONDITIONAL_EPOCHS}; one epoch = floor(N / B) steps)` },
  steps: { type: 'int', help: 'steps to train, rounded up to whole epochs' },
  seed: { type: 'int', help: 'random seed (default 0)' },
  backend: { type: 'string', help: 'cpu | webgpu | auto (default cpu; webgpu fails without a GPU, auto falls back to the CPU)' },
  save: { type: 'string', help: "write a checkpoint (JSON) here at the end; a name ending in .safetensors writes the networks' weights for PyTorch instead" },
  resume: { type: 'string', help: 'continue training from this checkpoint' },
  json: { type: 'boolean', help: 'print the final metrics as one JSON object (last line of stdout)' },
  movie: { type: 'string', help: 'record the training as an animated GIF (FILE.gif): the distribution plot, one frame per --movie-every epochs (1D: the densities and D(x); 2D: the points in the plane)' },
  'movie-every': { type: 'int', help: 'epochs between movie frames (default: about 100 frames over the run)' },
};

const USAGE =
  'gradlab train --model gan --target NAME | --data FILE [--budget P] [--epochs N | --steps N] [--seed S] [--backend cpu|webgpu|auto] ' +
  '[--batch B] [--dataset N] [--lr X] [--latent Z] [--g-layers L --g-width W --d-layers L --d-width W] [--activation relu|leaky] ' +
  '[--beta1 X] [--beta2 X] [--k-d N] [--loss nonsaturating|minimax|wgan|wgan-gp|wgan-lp [--gp-lambda X]] [--label-smoothing X] [--moment X] [--d-dropout P] [--g-batchnorm] [--bins K [--temperature T]] ' +
  '[--conditional [--label-column N]] ' +
  '[--save FILE] [--resume FILE] [--json] [--movie FILE.gif [--movie-every K]]';

/**
 * `train --help`: the common options, then each model's own (each once, in its own section);
 * with --model NAME, only that model's.
 */
function trainHelp(argv: string[]): string {
  const at = argv.findIndex((a) => a === '--model' || a.startsWith('--model='));
  const named = at < 0 ? undefined : argv[at].includes('=') ? argv[at].slice('--model='.length) : argv[at + 1];
  const kinds = named !== undefined && isModelKind(named) ? [named] : availableModels();
  const own = (kind: ModelKind): FlagSpec => Object.fromEntries(Object.entries(modelEntry(kind).cliFlags).filter(([name]) => !Object.hasOwn(COMMON, name)));
  const sections = kinds.map((kind) => `${kind} options:\n${describeFlags(own(kind))}`);
  const usage = kinds.length === 1 ? `gradlab train --model ${kinds[0]} --target NAME | --data FILE [options]` : USAGE;
  const more = kinds.length === 1 ? '' : "\n\n'gradlab train --model NAME --help' shows one model's options.";
  return `usage: ${usage}\n\n${trainCommand.summary}\n\noptions:\n${describeFlags(COMMON)}\n\n${sections.join('\n\n')}${more}`;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a generative model on a target or a CSV and report its final metrics',
  usage: USAGE,
  // Common options first in the help; a model may not redefine them.
  flags: Object.assign({ ...COMMON }, modelFlags(), COMMON),
  help: trainHelp,
  run: train,
};

async function train(flags: Flags): Promise<number> {
  if (flags.epochs !== undefined && flags.steps !== undefined) throw new UsageError('give --epochs or --steps, not both');
  const epochs = numberInRange(flags, 'epochs', 0, 1e7, 'a whole number between 0 and 1e7');
  const steps = numberInRange(flags, 'steps', 1, 1e9, 'a whole number between 1 and 1e9');
  const backend = oneOf(flags, 'backend', BACKEND_CHOICES) ?? 'cpu';
  if (flags.delimiter !== undefined && flags.data === undefined && flags.resume === undefined) throw new UsageError('--delimiter is the column separator of --data FILE; the built-in targets (--target) have none');
  // Every output path is checked before any training: a bad one costs a usage error, not a run.
  if (flags.save !== undefined) checkWritablePath('--save', String(flags.save));
  const movie = movieFlags(flags);
  const kind = chosenModel(flags);
  const usedBackend = await useCliBackend('train', backend);

  const interrupts = watchInterrupts('train');
  let model: GenerativeModel;
  try {
    model = flags.resume !== undefined ? resumeModel(flags, kind) : newModel(flags, kind);
  } catch (e) {
    interrupts.dispose();
    throw e;
  }
  try {
    checkBeforeTraining(model);
    const progress = createProgress(process.stderr);
    const defaultEpochs = modelEntry(model.kind).defaultEpochs?.(model) ?? DEFAULT_EPOCHS;
    const total = steps === undefined ? (epochs ?? defaultEpochs) : epochsForSteps(steps, model.stepsPerEpoch);
    const shouldStop = (): Promise<boolean> => interrupts.stopRequested();
    if (flags.resume !== undefined) console.error(`gradlab train: resuming at ${position(model)}`);
    const result = movie
      ? await trainWithMovie(model, total, movie, progress, shouldStop)
      : await runTraining(model, {
        epochs: total,
        onEpoch: (r) => progress.update(r),
        onProgress: (done, all) => progress.tick(done, all),
        shouldStop,
      });
    progress.done();
    // The checkpoint first: it is the run itself; the movie and the report can be made again from it.
    let failed = false;
    const signal = result.stopped ? interrupts.signal : null;
    if (flags.save !== undefined || signal) {
      const path = flags.save !== undefined ? String(flags.save) : `gradlab-interrupted-${model.kind}.json`;
      // A .safetensors path takes the networks' weights (PyTorch's names and layouts); anything else the whole checkpoint.
      const weightsOnly = wantsSafetensors(path);
      const contents = weightsOnly ? await networksToSafetensors(model) : await checkpointWriter(model);
      const { written, failure } = saveWithFallback(path, contents);
      if (failure) {
        failed = true;
        console.error(`gradlab train: ${escapeControls(failure)}; the trained model was saved to ${quote(written)} instead`);
      } else if (!flags.json || signal) (signal ? console.error : console.log)(`saved ${weightsOnly ? 'the networks\' weights' : 'checkpoint'} ${escapeControls(written)}`);
    }
    if (movie) {
      const { written, failure } = saveWithFallback(movie.path, movie.recorder?.gif() ?? new Uint8Array());
      if (failure) {
        failed = true;
        console.error(`gradlab train: ${escapeControls(failure)}; the movie was saved to ${quote(written)} instead`);
      } else if (!flags.json) console.log(`saved movie ${escapeControls(written)} (${movie.recorder?.frameCount ?? 0} frames)`);
    }
    if (signal) {
      console.error(`gradlab train: stopped by ${signal} after ${result.epochs} of ${total} epochs (now at ${position(model)}); continue with --resume`);
      return signalExitCode(signal);
    }
    const metrics = await model.evaluate();
    await flush();
    const summary = { ...summarise(model, metrics, usedBackend, result.seconds), ...(await modelEntry(model.kind).summaryExtras?.(model)) };
    if (flags.json) console.log(JSON.stringify(summary));
    else console.log(describe(model, summary, result.epochs, result.steps));
    return failed ? 1 : 0;
  } finally {
    interrupts.dispose();
    model.dispose();
  }
}

/** Where a run stands: "epoch 3 (step 120)", or part-way: "epoch 3 and 17 of the 64 steps of epoch 4 (step 137)". */
function position(model: GenerativeModel): string {
  const part = model.epochStepsDone;
  const within = part > 0 && part < model.stepsPerEpoch ? ` and ${part} of the ${model.stepsPerEpoch} steps of epoch ${model.epoch + 1}` : '';
  return `epoch ${model.epoch}${within} (step ${model.steps})`;
}

/** The checkpoint, written piece by piece when saved (so its size is not bound by V8's string length). */
async function checkpointWriter(model: GenerativeModel): Promise<() => ReturnType<typeof checkpointJson>> {
  const checkpoint = await model.save();
  return () => checkpointJson(checkpoint);
}

/** What can only be checked once the model exists, refused as usage errors before any training. */
function checkBeforeTraining(model: GenerativeModel): void {
  const config = model.config as { gBatchNorm?: boolean; batch?: number };
  if (config.gBatchNorm === true && config.batch !== undefined && config.batch < 2) {
    throw new UsageError(`--g-batchnorm needs a batch of at least 2 rows (batch statistics of one row are undefined), got --batch ${config.batch}`);
  }
}

function chosenModel(flags: Flags): ModelKind | undefined {
  if (flags.model === undefined) return undefined;
  const name = String(flags.model);
  if (!isModelKind(name)) throw new UsageError(`--model must be one of ${MODEL_KINDS.join(', ')}, got '${name}'`);
  if (!availableModels().includes(name)) throw new UsageError(`--model ${name} is not implemented yet (available: ${availableModels().join(', ')})`);
  return name;
}

/** The options of the other models, given to this one: refused by name. */
function checkModelOptions(flags: Flags, kind: ModelKind): void {
  const own = modelEntry(kind).cliFlags;
  for (const name of Object.keys(flags)) {
    if (flags[name] !== undefined && !Object.hasOwn(COMMON, name) && !Object.hasOwn(own, name)) throw new UsageError(`--${name} is not an option of the ${kind} model`);
  }
}

function newModel(flags: Flags, requested: ModelKind | undefined): GenerativeModel {
  const kind = requested ?? 'gan';
  checkModelOptions(flags, kind);
  if ((flags.target === undefined) === (flags.data === undefined)) throw new UsageError('give --target NAME or --data FILE (one of them)');
  let target: Target;
  let data: Float64Array | undefined;
  let labels: Int32Array | undefined;
  const modelFlagsGiven: Flags = { ...flags };
  const labelColumn = labelColumnFlag(flags);
  if (flags.data !== undefined) {
    const path = String(flags.data);
    let csv;
    try {
      csv = readCsvFile(path, { delimiter: oneOf(flags, 'delimiter', Object.keys(DELIMITERS) as DelimiterName[]), labelColumn });
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    if (flags.dataset !== undefined) throw new UsageError(`--dataset cannot be used with --data: the dataset is the file's ${csv.rows} rows`);
    for (const warning of csv.warnings ?? []) console.error(`gradlab train: ${escapeControls(warning)}`);
    target = targetFromSamples(basename(path), csv.data, csv.dim);
    data = csv.data;
    labels = csv.labels;
    modelFlagsGiven.dataset = csv.rows; // so that --batch is checked against the file's rows
  } else {
    try {
      target = getTarget(String(flags.target));
    } catch {
      throw new UsageError(`unknown --target '${String(flags.target)}' (valid: ${listTargets().map((t) => t.name).join(', ')})`);
    }
  }
  const entry = modelEntry(kind);
  if (data && flags.batch === undefined) {
    const { batch, notice } = batchForRows(kind, data.length / target.dim);
    modelFlagsGiven.batch = batch;
    if (notice) console.error(`gradlab train: ${notice}`);
  }
  const config = entry.configFromFlags(modelFlagsGiven);
  if (data) delete config.dataset;
  if (flags.budget !== undefined) {
    const budget = numberInRange(flags, 'budget', 10, 10_000_000, 'an integer from 10 to 10000000') as number;
    const solved = budgetedConfig(kind, budget, target.dim, Number(config.bins ?? 0));
    for (const key of Object.keys(solved.config)) {
      if (Object.hasOwn(config, key) && config[key] !== solved.config[key]) throw new UsageError(`--budget sets the ${key} of the ${kind} model; do not give it as well`);
    }
    Object.assign(config, solved.config);
    console.error(`gradlab train: budget ${budget} → hidden width ${solved.hidden}, ${solved.parameters} parameters`);
  }
  config.seed = numberInRange(flags, 'seed', 0, MAX_SEED, `an integer from 0 to ${MAX_SEED}`) ?? 0;
  try {
    return entry.create(target, config, data, labels);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** --label-column N: only with --data and the conditional GAN. */
function labelColumnFlag(flags: Flags): number | undefined {
  const column = numberInRange(flags, 'label-column', 1, 3, 'a column number from 1 to 3');
  if (column === undefined) return undefined;
  if (flags.data === undefined) throw new UsageError('--label-column names a column of --data FILE; the built-in targets give their classes themselves');
  if (flags.conditional !== true) throw new UsageError('--label-column is for the conditional GAN: give --model gan --conditional');
  return column;
}

function resumeModel(flags: Flags, requested: ModelKind | undefined): GenerativeModel {
  for (const name of Object.keys(flags)) {
    if (flags[name] === undefined || ['resume', 'epochs', 'steps', 'save', 'json', 'backend', 'model'].includes(name)) continue;
    throw new UsageError(`--${name} cannot be used with --resume: the checkpoint fixes the data and the configuration`);
  }
  const path = String(flags.resume);
  let checkpoint: Checkpoint;
  try {
    checkpoint = readCheckpointFile(path, requested);
    if (!availableModels().includes(checkpoint.model)) throw new Error(`${path}: holds a ${checkpoint.model} model, which is not implemented yet`);
    return loadModel(checkpoint, path);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

interface Summary {
  model: ModelKind;
  target: string;
  backend: BackendName;
  seed: number;
  epochs: number;
  steps: number;
  seconds: number;
  w1: number;
  kld: number;
  ks: number | null;
  mean: number | number[];
  std: number | number[];
  targetMean: number | number[];
  targetStd: number | number[];
  [metric: string]: unknown;
}

/** The --json object: 1D means and stds as numbers, 2D as arrays; NaN (2D KS) as null. */
function summarise(model: GenerativeModel, m: FinalMetrics, backend: BackendName, seconds: number): Summary {
  const one = (xs: number[]): number | number[] => (model.dim === 1 ? xs[0] : xs);
  const last: HistoryRecord | undefined = model.history[model.history.length - 1];
  const keys = modelEntry(model.kind).summaryKeys ?? Object.keys(last ?? {}).filter((k) => !['epoch', 'step', 'w1', 'kld', 'scoredEpoch'].includes(k));
  const extra: Record<string, number | null> = {};
  for (const k of keys) extra[k] = last && Number.isFinite(last[k]) ? last[k] : null;
  return {
    model: model.kind, target: model.target.name, backend, seed: model.config.seed,
    epochs: model.epoch, steps: model.steps, seconds: Math.round(seconds * 1000) / 1000,
    w1: m.w1, kld: m.kld, ks: Number.isFinite(m.ks) ? m.ks : null,
    mean: one(m.mean), std: one(m.std), targetMean: one(m.targetMean), targetStd: one(m.targetStd),
    ...extra,
  };
}

function describe(model: GenerativeModel, s: Summary, epochs: number, steps: number): string {
  const f = (x: unknown): string => (Array.isArray(x) ? `(${x.map((v: number) => v.toFixed(3)).join(', ')})` : typeof x === 'number' ? x.toFixed(3) : String(x));
  const extras = Object.keys(s).filter((k) => !['model', 'target', 'backend', 'seed', 'epochs', 'steps', 'seconds', 'w1', 'kld', 'ks', 'mean', 'std', 'targetMean', 'targetStd', 'classes'].includes(k));
  return [
    `${s.model} on ${s.target} (${model.dim}D), seed ${s.seed}, ${s.backend}: ${epochs} epochs (${steps} steps) in ${s.seconds.toFixed(1)} s; now at epoch ${s.epochs}, step ${s.steps}`,
    `W1 ${f(s.w1)}  KLD ${f(s.kld)}${s.ks === null ? '' : `  KS ${f(s.ks)}`}`,
    `mean ${f(s.mean)} (target ${f(s.targetMean)})  std ${f(s.std)} (target ${f(s.targetStd)})`,
    ...(extras.length ? [extras.map((k) => `${k} ${f(s[k])}`).join('  ')] : []),
    ...(Array.isArray(s.classes) ? describeClasses(s.classes as ClassSummary[]) : []),
  ].join('\n');
}

interface MovieRequest {
  path: string;
  every: number | undefined;
  /** Set once training starts; the GIF is written after the checkpoint. */
  recorder?: MovieRecorder;
}

/** --movie FILE.gif and --movie-every K, checked before any training. */
function movieFlags(flags: Flags): MovieRequest | undefined {
  const every = numberInRange(flags, 'movie-every', 1, 1e7, 'a whole number of epochs between 1 and 1e7');
  if (flags.movie === undefined) {
    if (every !== undefined) throw new UsageError('--movie-every needs --movie FILE.gif');
    return undefined;
  }
  const path = String(flags.movie);
  if (path.trim() === '') throw new UsageError('--movie: the path is empty; give a file name ending in .gif');
  if (basename(path).toLowerCase() === '.gif') throw new UsageError(`--movie: ${quote(path)} has no name before .gif`);
  const ext = extname(path).toLowerCase();
  if (ext !== '.gif') {
    throw new UsageError(`--movie: '${path}' must end in .gif (the command line writes animated GIF; the page records WebM)`);
  }
  // The GIF is written last: over the checkpoint just saved, or the one resumed from, it would lose the model.
  for (const other of ['save', 'resume'] as const) {
    if (flags[other] !== undefined && resolve(String(flags[other])) === resolve(path)) {
      throw new UsageError(`--movie and --${other} name the same file ${quote(path)}; the movie would replace the checkpoint`);
    }
  }
  checkWritablePath('--movie', path);
  return { path, every };
}

/**
 * Train `total` epochs as one run (so one score schedule spans it), drawing a frame before the
 * first epoch, after every k-th and after the last (or the one a stop request ended on).
 */
async function trainWithMovie(model: GenerativeModel, total: number, movie: MovieRequest, progress: ReturnType<typeof createProgress>, shouldStop: () => Promise<boolean>): Promise<TrainResult> {
  const recorder = new MovieRecorder(model);
  movie.recorder = recorder;
  const every = movie.every ?? Math.max(1, Math.round(total / 100));
  await recorder.capture(0);
  const result = await runTraining(model, {
    epochs: total,
    onEpoch: (r) => progress.update(r),
    onProgress: (done, all) => progress.tick(done, all),
    afterEpoch: async (_record, done) => {
      if (done % every === 0 || done === total) await recorder.capture(done / total);
    },
    shouldStop,
  });
  if (result.stopped && result.epochs % every !== 0) await recorder.capture(result.epochs / total);
  return result;
}
