// What the VAE, the RBM and the diffusion model share: the fixed dataset (digitised in binned
// mode, standardised where the model wants it), the seeded generators, the epoch loop with its
// history and divergence checks, evaluation, sampling and checkpoints. Each model adds its
// networks, one optimisation step and a way to generate rows.
//
// Model space vs data space: the networks see rows of `width` numbers: the data as they are,
// centred (x − mean) or standardised ((x − mean)/std) per column, as each model chooses, or
// one-hot rows of K bins in binned mode. Samples are mapped back (x = z·std + mean, or the
// centre of the chosen bin) before anything is scored or shown.
//
// Random streams: training draws from `rng` (minibatches, noise), saved in checkpoints so that a
// resumed run repeats exactly. The samples scored after epoch e come from a generator made from
// (seed, e), so evaluation never shifts the training stream. sample() has its own generator.

import {
  add, compile, createRng, keep, noGrad, tensor, tidy,
  type Adam, type PlanEntry, type Rng, type Tensor,
} from '../../engine/index';
import { readOptimizers, readWeights, writeOptimizers, writeWeights } from './checkpoint';
import { createDataset, type Dataset } from '../data/dataset';
import { checkLosses, checkSamples, checkWeights, ONE_PASS, type SampleBound } from './divergence';
import { referenceSamples, scoreSamples } from '../eval/evaluate';
import { mean as sampleMean, std as sampleStd } from '../eval/metrics';
import { createBinning, decodeHard, decodeUniform, digitise, type Binning } from '../data/binning';
import { mixSeed } from './seeds';
import { getTarget, targetFromSamples, type Target } from '../data/targets';
import { trimHistory, type BaseConfig, type Checkpoint, type FinalMetrics, type GenerativeModel, type HistoryRecord, type ModelKind, type PartialEpoch } from './model';
import { stepsLeft, TRAINING_SCORE_SAMPLES, type EpochOptions } from './score-schedule';

/** A generator for the evaluation after epoch `epoch`: a fixed function of (seed, epoch). */
export function evaluationRng(seed: number, epoch: number): Rng {
  return createRng(mixSeed(seed, 7919, epoch, 104729, 0x5eed));
}

/** The generator that draws a new model's dataset from its target (apart from training's). */
export function datasetRng(seed: number): Rng {
  return dataStreams(seed).dataset;
}

/** Generators apart from training's: one draws the dataset, one serves sample(). */
function dataStreams(seed: number): { dataset: Rng; sampling: Rng } {
  const parent = createRng(seed);
  return { dataset: parent.fork(), sampling: parent.fork() };
}

/** The target a checkpoint was trained on: a built-in one by name, or its own data (a CSV's). */
export function checkpointTarget(checkpoint: Checkpoint): Target {
  try {
    return getTarget(checkpoint.target);
  } catch {
    const n = Number(checkpoint.config.dataset);
    const dim = checkpoint.data.length === 2 * n ? 2 : 1;
    return targetFromSamples(checkpoint.target, Float64Array.from(checkpoint.data), dim);
  }
}

/** Per-column mean and std of interleaved rows (std 1 where a column is constant). */
function columnStats(raw: Float64Array, dim: number): { shift: number[]; scale: number[] } {
  const shift: number[] = [];
  const scale: number[] = [];
  for (let d = 0; d < dim; d++) {
    const col = raw.filter((_, i) => i % dim === d);
    shift.push(sampleMean(col));
    const s = sampleStd(col);
    scale.push(s > 0 ? s : 1);
  }
  return { shift, scale };
}

/** A partial epoch's sum of the loss `name`, refused when missing. */
export function partialSum(partial: PartialEpoch, name: string, source: string): number {
  const v = Object.hasOwn(partial.sums, name) ? partial.sums[name] : undefined;
  if (typeof v !== 'number') throw new Error(`${source}: "partialEpoch" has no sum for the loss '${name}'`);
  return v;
}

/** Whether two arrays hold the same values bit for bit (NaN equal to NaN, −0 apart from 0). */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** none: the data as they are; centre: x − mean; standardise: (x − mean)/std (per column). */
export type Scaling = 'none' | 'centre' | 'standardise';

export interface ModelData {
  target: Target;
  /** The dataset in data space (interleaved pairs in 2D): what checkpoints store. */
  raw: Float64Array;
  /** What continuous data go through before the networks see them. */
  scaling: Scaling;
  /**
   * Widens the model-space rows before they become the dataset (a conditional GAN appends each
   * row's one-hot class); the networks' own `width` stays the data's.
   */
  columns?: (rows: Float64Array, width: number) => { rows: Float64Array; width: number };
}

export abstract class BaseModel<C extends BaseConfig> implements GenerativeModel {
  abstract readonly kind: ModelKind;
  readonly config: C & Record<string, unknown>;
  readonly target: Target;
  readonly dim: 1 | 2;
  /** The bins in binned mode, else null. */
  readonly binning: Binning | null;
  /** Numbers per row the networks see: the data dimension, or K in binned mode. */
  readonly width: number;
  epoch = 0;
  steps = 0;
  readonly history: HistoryRecord[] = [];
  historyLimit = Infinity;
  /** The training stream (saved in checkpoints). */
  protected readonly rng: Rng;
  protected readonly data: Dataset;
  /** x = z·scale + shift per column (identity when not standardising, unused in binned mode). */
  protected readonly shift: number[];
  protected readonly scale: number[];
  /** How far generated samples may stray before the run counts as diverged (see SampleBound). */
  protected get sampleBound(): SampleBound {
    return ONE_PASS;
  }
  /** Names of the losses step() returns, in order; their epoch means go into the history. */
  protected abstract readonly lossNames: readonly string[];
  /** The generator of sample() (and other draws for display); not saved in checkpoints. */
  protected readonly sampleRng: Rng;
  private lossSums: Tensor[] | null = null;
  private stepsSummed = 0;
  /** Fresh target samples to score against, by sample count. */
  private readonly references = new Map<number, Float64Array>();
  /**
   * The last full score (evalSamples, this epoch's generator) with the weights it was measured
   * on: evaluate() reuses it only while the step, the epoch and every weight are unchanged.
   */
  private lastFullScore: { steps: number; epoch: number; weights: Float32Array; metrics: FinalMetrics } | null = null;

  protected constructor(config: C, source: ModelData) {
    this.config = config as C & Record<string, unknown>;
    this.target = source.target;
    this.dim = source.target.dim;
    this.rng = createRng(config.seed);
    this.sampleRng = dataStreams(config.seed).sampling;
    const raw = source.raw;
    if (raw.length !== config.dataset * this.dim) {
      throw new Error(`dataset: expected ${config.dataset} rows of ${this.dim} values (${config.dataset * this.dim} numbers), got ${raw.length}`);
    }
    this.binning = config.bins > 0 ? createBinning(this.target, config.bins) : null;
    this.width = this.binning ? this.binning.k : this.dim;
    let rows: Float64Array;
    if (this.binning) {
      this.shift = [0];
      this.scale = [1];
      rows = digitise(this.binning, raw);
    } else {
      const stats = columnStats(raw, this.dim);
      this.shift = source.scaling === 'none' ? stats.shift.map(() => 0) : stats.shift;
      this.scale = source.scaling === 'standardise' ? stats.scale : stats.scale.map(() => 1);
      rows = raw.map((x, i) => (x - this.shift[i % this.dim]) / this.scale[i % this.dim]);
    }
    const wide = source.columns ? source.columns(rows, this.width) : { rows, width: this.width };
    this.data = createDataset(wide.rows, wide.width, raw);
  }

  /** Draw the fixed dataset for a new model: the user's rows, or `dataset` target samples. */
  protected static drawData(target: Target, config: BaseConfig, data: Float64Array | undefined): Float64Array {
    if (data) {
      if (data.length % target.dim !== 0) throw new Error(`data: ${data.length} values are not rows of ${target.dim}`);
      return Float64Array.from(data);
    }
    return target.sample(config.dataset, datasetRng(config.seed));
  }

  get stepsPerEpoch(): number {
    return Math.max(1, Math.floor(this.data.n / this.config.batch));
  }

  /** Steps of the unfinished epoch taken with trainStep() (their losses are in the running sums). */
  get epochStepsDone(): number {
    return this.stepsSummed;
  }

  // ---- what each model supplies ----

  /** Parameters with stable checkpoint names, in a fixed order. */
  abstract namedParameters(): [string, Tensor][];
  /** The optimizers by checkpoint name. */
  protected abstract optimizers(): Record<string, Adam>;
  /** One optimisation step (run inside a tidy); returns the scalar losses named by lossNames. */
  protected abstract step(): Tensor[];
  /** n rows in model space, [n, width]; the caller disposes the result. Runs under noGrad. */
  protected abstract generateRows(n: number, rng: Rng): Tensor;
  /** Free the model's own tensors beyond parameters and optimizers (tables, ...). */
  protected disposeExtras(): void {}
  /** Tensors saved with the weights that are not trained (BatchNorm's running statistics). */
  namedBuffers(): [string, Tensor][] {
    return [];
  }
  /** Whether each scored history record also holds the generated mean and std (genMean, genStd). */
  protected readonly recordsMoments: boolean = false;

  // ---- training ----

  /** The first n training rows in model space, n·width numbers (a fixed batch for the demo's gradient check). */
  async firstRows(n: number): Promise<Float64Array> {
    const all = await this.data.tensor.data();
    return Float64Array.from(all.subarray(0, Math.min(n, this.data.n) * this.data.width));
  }

  parameterCount(): number {
    return this.namedParameters().reduce((s, [, t]) => s + t.size, 0);
  }

  trainStep(): void {
    tidy(() => {
      const losses = this.step();
      const previous = this.lossSums;
      const sums = losses.map((l, i) => (previous ? add(previous[i], l.detach()) : l.detach()));
      previous?.forEach((t) => t.dispose());
      this.lossSums = sums.map((t) => keep(t));
    });
    this.stepsSummed++;
    this.steps++;
  }

  /**
   * Take one training step through compile() and return the plan it recorded: the kernel calls,
   * buffer writes and effects that every later call of a compiled step would replay, and nothing
   * else (the page's "under the hood" panel shows it). Throws compile()'s message when the step
   * cannot be compiled. The step's losses are not added to the epoch's means.
   */
  compiledStepPlan(): PlanEntry[] {
    // While compile() records, every model takes its plain engine step (not the RBM's fused CPU
    // loops, not diffusion's own compiled step): see dispatchesWatched().
    const compiled = compile(() => tidy(() => this.step().map((l) => l.detach())));
    try {
      tidy(() => { compiled(); }); // the copies of the losses it returns are freed here
      this.steps++;
      return [...compiled.plan];
    } finally {
      compiled.dispose();
    }
  }

  /** Mean of each loss over the steps since the last call (reads back). */
  private async drainLosses(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const sums = this.lossSums;
    const n = this.stepsSummed;
    this.lossSums = null;
    this.stepsSummed = 0;
    if (!sums) return out;
    for (let i = 0; i < sums.length; i++) {
      out[this.lossNames[i]] = (await sums[i].item()) / n;
      sums[i].dispose();
    }
    return out;
  }

  async trainEpoch(options: EpochOptions = {}): Promise<HistoryRecord> {
    const started = performance.now();
    const steps = stepsLeft(this.kind, this.stepsPerEpoch, options);
    // Steps taken outside an epoch (the page's "under the hood") do not count in its losses;
    // steps of this epoch taken one by one (options.stepsDone) do.
    if (steps === this.stepsPerEpoch) await this.drainLosses();
    for (let i = 0; i < steps; i++) this.trainStep();
    this.epoch++;
    const losses = await this.closeEpoch();
    const trained = performance.now();
    options.schedule?.addTraining(trained - started);
    const previous = this.history[this.history.length - 1];
    const scores = await this.epochScores(options, previous);
    if (scores.scoredEpoch === undefined) options.schedule?.addScoring(performance.now() - trained);
    const record: HistoryRecord = { epoch: this.epoch, step: this.steps, ...scores, ...losses };
    this.history.push(record);
    trimHistory(this.history, this.historyLimit);
    return record;
  }

  /** The epoch's mean losses, after checking that the losses and weights are finite and bounded (reads back). */
  protected async closeEpoch(): Promise<Record<string, number>> {
    const losses = await this.drainLosses();
    checkLosses(this.kind, losses, this.epoch, this.steps, this.target);
    checkWeights(this.kind, await readWeights(this.namedParameters()), this.epoch, this.steps, undefined, this.target);
    return losses;
  }

  /**
   * W1 and KLD (and the generated mean and std, see recordsMoments) for this epoch's record: a fresh score, or the last one repeated with the epoch
   * it was measured at in `scoredEpoch` (see score-schedule.ts).
   */
  private async epochScores(options: EpochOptions, previous: HistoryRecord | undefined): Promise<{ w1: number; kld: number; [key: string]: number }> {
    const scheduled = options.score === undefined && options.schedule !== undefined;
    const score = options.score ?? options.schedule?.due() ?? true;
    const moments = (genMean: number, genStd: number): Record<string, number> => (this.recordsMoments ? { genMean, genStd } : {});
    if (!score && previous) return { w1: previous.w1, kld: previous.kld, ...moments(previous.genMean, previous.genStd), scoredEpoch: previous.scoredEpoch ?? previous.epoch };
    const n = scheduled ? Math.min(this.config.evalSamples, TRAINING_SCORE_SAMPLES) : this.config.evalSamples;
    const metrics = await this.scoreNow(n, scheduled);
    // In 2D, the generated mean and std of the first coordinate.
    return { w1: metrics.w1, kld: metrics.kld, ...moments(metrics.mean[0], metrics.std[0]) };
  }

  // ---- samples and metrics ----

  /**
   * Model-space rows to data-space values. Bins decode to their centres for a discrete target,
   * and to a uniform point within the bin for a continuous one (drawn with `rng`).
   */
  protected decode(rows: ArrayLike<number>, rng: Rng = this.sampleRng): Float64Array {
    if (this.binning) return this.target.discrete ? decodeHard(this.binning, rows) : decodeUniform(this.binning, rows, rng);
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = rows[i] * this.scale[i % this.dim] + this.shift[i % this.dim];
    return out;
  }

  protected async sampleWith(n: number, rng: Rng): Promise<Float64Array> {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${this.kind}.sample: n must be a positive integer, got ${n}`);
    const rows = noGrad(() => this.generateRows(n, rng));
    const values = await rows.data();
    rows.dispose();
    return this.decode(values, rng);
  }

  sample(n: number): Promise<Float64Array> {
    return this.sampleWith(n, this.sampleRng);
  }

  /**
   * Samples for a score taken while training (never the final one): by default the same as
   * sampleWith; a model whose sampling is costly may serve cheaper approximate samples here
   * (the RBM's persistent chains).
   */
  protected trainingSamples(n: number, rng: Rng): Promise<Float64Array> {
    return this.sampleWith(n, rng);
  }

  /** Samples for display while training (compare's snapshots): trainingSamples from sample()'s generator. */
  previewSamples(n: number): Promise<Float64Array> {
    return this.trainingSamples(n, this.sampleRng);
  }

  /**
   * Metrics of n samples (drawn with the generator of the current epoch) against n fresh target
   * samples; `duringTraining` lets the model use its cheaper trainingSamples.
   */
  private async scoreNow(n: number, duringTraining = false): Promise<FinalMetrics> {
    const rng = evaluationRng(this.config.seed, this.epoch);
    const samples = await (duringTraining ? this.trainingSamples(n, rng) : this.sampleWith(n, rng));
    checkSamples(this.kind, samples, this.target, this.dim, this.epoch, this.steps, this.sampleBound);
    let reference = this.references.get(n);
    if (!reference) {
      reference = referenceSamples(this.target, n, this.config.seed);
      this.references.set(n, reference);
    }
    const metrics = scoreSamples(samples, this.target, reference);
    if (!duringTraining && n === this.config.evalSamples) this.lastFullScore = { steps: this.steps, epoch: this.epoch, weights: await this.weightValues(), metrics };
    return metrics;
  }

  /**
   * Every parameter and buffer value, in order (one read): what a reused score must have been
   * measured on. Weights can change without a training step (assign, loadStateDict, an
   * optimizer stepped by hand), so the step counter alone cannot vouch for a cached score.
   */
  private async weightValues(): Promise<Float32Array> {
    const tensors = [...this.namedParameters(), ...this.namedBuffers()].map(([, t]) => t);
    const parts = await Promise.all(tensors.map((t) => t.data()));
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /**
   * Metrics of `evalSamples` samples (drawn with the generator of the current epoch) against
   * fresh target samples. When the last epoch's record was scored in full at this very step, on
   * these very weights, these are the same numbers, so they are reused rather than sampled again.
   */
  async evaluate(): Promise<FinalMetrics> {
    const last = this.lastFullScore;
    if (last && last.steps === this.steps && last.epoch === this.epoch && sameValues(last.weights, await this.weightValues())) return { ...last.metrics };
    return this.scoreNow(this.config.evalSamples);
  }

  // ---- checkpoints ----

  /**
   * The unfinished epoch's progress for a checkpoint (undefined at an epoch boundary): its steps
   * and the running sums of its losses, read without resetting them.
   */
  protected async partialEpoch(): Promise<PartialEpoch | undefined> {
    const steps = this.epochStepsDone;
    if (steps === 0 || steps >= this.stepsPerEpoch) return undefined;
    const sums: Record<string, number> = {};
    for (let i = 0; i < this.lossNames.length; i++) sums[this.lossNames[i]] = this.lossSums ? await this.lossSums[i].item() : 0;
    return { steps, sums };
  }

  /** Put a checkpoint's unfinished epoch back: its step count and running sums. */
  protected restorePartialEpoch(partial: PartialEpoch, source: string): void {
    const values = this.lossNames.map((name) => partialSum(partial, name, source));
    this.lossSums = values.map((v) => keep(tensor([v], [])));
    this.stepsSummed = partial.steps;
  }

  async save(): Promise<Checkpoint> {
    // Steps taken outside an epoch (beyond its length, the page's "under the hood") are not an epoch's progress.
    if (this.epochStepsDone >= this.stepsPerEpoch) await this.drainLosses();
    const partialEpoch = await this.partialEpoch();
    return {
      format: 'gradlab-checkpoint',
      version: 1,
      model: this.kind,
      target: this.target.name,
      config: { ...this.config },
      epoch: this.epoch,
      steps: this.steps,
      weights: await readWeights([...this.namedParameters(), ...this.namedBuffers()]),
      optimizers: await readOptimizers(this.optimizers()),
      rng: this.rng.getState(),
      data: Array.from(this.data.raw),
      history: this.history.map((r) => ({ ...r })),
      ...(partialEpoch ? { partialEpoch } : {}),
    };
  }

  /** Put a checkpoint's weights, optimizer states, generator and history into this fresh model. */
  protected restore(checkpoint: Checkpoint, source: string): void {
    try {
      writeWeights([...this.namedParameters(), ...this.namedBuffers()], checkpoint.weights, source);
      writeOptimizers(this.optimizers(), checkpoint.optimizers, source);
      this.rng.setState(checkpoint.rng);
      const partial = checkpoint.partialEpoch;
      if (partial) {
        if (partial.steps >= this.stepsPerEpoch) throw new Error(`${source}: "partialEpoch" has ${partial.steps} steps, but an epoch of this model has ${this.stepsPerEpoch}`);
        this.restorePartialEpoch(partial, source);
      }
    } catch (e) {
      this.dispose(); // a refused checkpoint leaves no tensors behind
      throw e;
    }
    this.epoch = checkpoint.epoch;
    this.steps = checkpoint.steps;
    this.history.push(...checkpoint.history.map((r) => ({ ...r })));
  }

  dispose(): void {
    this.lossSums?.forEach((t) => t.dispose());
    this.lossSums = null;
    for (const [, p] of this.namedParameters()) {
      p.grad?.dispose();
      p.grad = null;
      p.dispose();
    }
    for (const [, b] of this.namedBuffers()) b.dispose(); // BatchNorm's running statistics
    for (const opt of Object.values(this.optimizers())) opt.dispose();
    this.data.dispose();
    this.disposeExtras();
  }
}
