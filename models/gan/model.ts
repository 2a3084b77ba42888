// The GAN: a generator G: z → x and a discriminator D: x → logit, trained against each other
// on a fixed dataset (the TensorFlow.js GAN playground post's loop): per step, k updates of D on a real minibatch and a
// detached fake one, then one update of G on fresh noise. A BaseModel like the VAE, the RBM and
// diffusion (dataset, random streams, scoring, checkpoints); its own hooks: the step at this
// step's learning rates (lrDecay), the epoch's sums kept on the device, and BatchNorm buffers and
// class labels in checkpoints. What the page draws from it (∂D/∂x arrows, latent walks) is in
// demo/gan-views.ts.
//
// Steps read nothing back: each step adds its losses and D's statistics to running sums kept
// on the device, read once per epoch together with a guard on the weights.
//
// Binned mode (bins K > 0, 1D): the data are one-hot rows of K bins; G outputs K logits ℓ and
// its head is the Gumbel-softmax y = softmax((ℓ + g)/τ), g Gumbel noise: a differentiable
// stand-in for a one-hot draw from softmax(ℓ), which D (K inputs) compares with the real
// one-hot rows. Samples are true draws from softmax(ℓ) (Gumbel-max), decoded to the bin centre
// (discrete target) or a uniform point within the bin (continuous target).
//
// Conditional mode (conditional.ts): each row carries a class c, a one-hot row concatenated to
// the input of both networks, G([z, onehot(c)]) and D([x, onehot(c)]). The dataset rows hold
// [x | onehot(c)]; D's fakes are made for the classes of its real minibatch, G's for classes
// drawn from the dataset's labels (so with the dataset's class shares).

import { Adam, add, compile, concat, createRng, gather, randint, sliceAxis, sub, keep, MLP, noGrad, randn, tensor, tidy, trainingStep, type PlanEntry, type Rng, type Tensor } from '../../engine/index';
import { digitise, gumbelSoftmax, oneHotOfMax, sampleCategorical } from '../data/binning';
import { BaseModel, datasetRng, evaluationRng, partialSum } from '../core/base-model';
import { checkLosses, checkSamples, checkWeights } from '../core/divergence';
import type { Dataset } from '../data/dataset';
import type { Checkpoint, PartialEpoch } from '../core/model';
import type { Target } from '../data/targets';
import { clipInPlace } from './clip';
import { averagedSteps, WeightAverage } from './average';
import { EpochSums, SUM_KEYS } from './epoch-sums';
import { GAN_CONDITIONAL, isCritic, resolveGanConfig, usesGradientPenalty, type GanConfig } from './config';
import { classReport, datasetClasses, joinColumns, momentsOf, oneHotRows, type ClassReport, type GanClasses } from './conditional';
import { listTargets } from '../data/targets';
import { isUserData, parseGanCheckpoint } from './persist';
import { discriminatorLoss, discriminatorOutput, generatorLoss, gradientPenalty, momentLoss, r1Penalty, shareFakeSide, shareRealSide } from './losses';

/** Weights beyond this magnitude count as exploding (divergence). */
const WEIGHT_LIMIT = 1e4;

/**
 * A new GAN learning `target`. `data` (rows of the user's CSV, interleaved in 2D) replaces the
 * samples drawn from the target; the dataset size is then the number of rows.
 */
export function createGan(target: Target, config: Partial<GanConfig> = {}, data?: Float64Array, labels?: Int32Array): Gan {
  const partial: Partial<GanConfig> & Record<string, unknown> = { ...conditionalDefaults(config), ...config };
  if (data) {
    if (data.length === 0 || data.length % target.dim !== 0) throw new Error(`gan: ${data.length} data values do not form rows of dimension ${target.dim}`);
    partial.dataset = data.length / target.dim;
  }
  return new Gan(target, resolveGanConfig(partial), data, labels);
}

/** GAN_CONDITIONAL for a conditional GAN (only its networks with a critic loss); nothing otherwise. */
function conditionalDefaults(config: Partial<GanConfig>): Partial<GanConfig> {
  if (!config.conditional) return {};
  if (config.loss !== undefined && isCritic(config.loss)) {
    const { gLayers, gWidth, dLayers, dWidth, activation } = GAN_CONDITIONAL;
    return { gLayers, gWidth, dLayers, dWidth, activation };
  }
  return GAN_CONDITIONAL;
}

/**
 * The GAN's dataset: the user's rows, or draws from the target on the dataset stream (with each
 * row's mixture component in conditional mode), and the classes they carry.
 */
function drawGanData(target: Target, c: GanConfig, data?: Float64Array, labels?: Int32Array): { raw: Float64Array; classes: GanClasses | null } {
  if (labels && !c.conditional) throw new Error('gan: class labels were given, but the GAN is not conditional');
  if (!c.conditional) return { raw: data ? Float64Array.from(data) : target.sample(c.dataset, datasetRng(c.seed)), classes: null };
  const drawn = data ? { samples: data, labels } : labelledSamples(target, c.dataset, datasetRng(c.seed));
  if (!drawn.labels) throw new Error('gan: the conditional GAN needs a class label for each data row (--label-column N)');
  return { raw: Float64Array.from(drawn.samples), classes: datasetClasses(target, drawn.samples, drawn.labels, 'gan') };
}

export class Gan extends BaseModel<GanConfig> {
  readonly kind = 'gan' as const;
  readonly G: MLP;
  readonly D: MLP;
  readonly optG: Adam;
  readonly optD: Adam;
  /** gAverageFrom > 0: the network that holds the running mean of G's weights (average.ts); null otherwise. */
  readonly Gavg: MLP | null;
  private readonly average: WeightAverage | null;
  /** Conditional mode: the classes, their labels and shares; null otherwise. */
  readonly classes: GanClasses | null;
  protected readonly lossNames = SUM_KEYS;
  protected override readonly recordsMoments = true;
  private readonly dataMoments: { mu: Tensor; sigma: Tensor; mean: number[]; std: number[] };
  private readonly sums = new EpochSums();
  /** False while compiledStepPlan() records a step: the running sums stay out of the plan. */
  private summing = true;
  /** Conditional mode: the one-hot label of each dataset row, [n, K] (kept); classes are drawn from it. */
  private readonly labelTable: Tensor | null;

  /**
   * Use createGan() or Gan.load(). `data` holds the dataset rows (interleaved in 2D), `labels`
   * their classes (conditional mode; without data, the target's sampler gives both).
   */
  constructor(target: Target, config: GanConfig, data?: Float64Array, labels?: Int32Array) {
    const { raw, classes } = drawGanData(target, config, data, labels);
    const k = classes?.k ?? 0;
    const oneHot = classes ? oneHotRows(classes.labels, k) : null;
    // Conditional mode: each dataset row is [x | onehot(c)].
    const columns = oneHot ? (rows: Float64Array, width: number) => ({ rows: joinColumns(rows, width, oneHot, k), width: width + k }) : undefined;
    super({ ...config }, { target, raw, scaling: 'none', columns });
    this.classes = classes;
    this.labelTable = oneHot ? keep(tensor(oneHot, [raw.length / this.dim, k])) : null;
    const c = this.config;
    const act = c.activation === 'leaky' ? 'leakyRelu' : 'relu';
    const hidden = (layers: number, width: number): number[] => Array.from({ length: layers }, () => width);
    this.G = new MLP({ inputs: c.latent + k, hidden: hidden(c.gLayers, c.gWidth), outputs: this.width, activation: act, slope: 0.2, init: 'glorotNormal', rng: this.rng, batchNorm: c.gBatchNorm });
    this.D = new MLP({ inputs: this.width + k, hidden: hidden(c.dLayers, c.dWidth), outputs: 1, activation: act, slope: 0.2, init: 'glorotNormal', rng: this.rng, dropout: c.dDropout });
    // G's weight average: its own initial draw (overwritten by the first average step), so
    // training's random stream is the same with and without it.
    this.Gavg = c.gAverageFrom > 0 ? new MLP({ inputs: c.latent + k, hidden: hidden(c.gLayers, c.gWidth), outputs: this.width, activation: act, slope: 0.2, init: 'glorotNormal', rng: createRng(0) }) : null;
    this.average = this.Gavg ? new WeightAverage(this.G.parameters(), this.Gavg.parameters()) : null;
    // Adam for the WGAN critic too (the paper used RMSprop; Adam with a small lr works here).
    this.optG = new Adam(this.G.parameters(), { lr: c.lrG, beta1: c.beta1G, beta2: c.beta2G });
    this.optD = new Adam(this.D.parameters(), { lr: c.lrD, beta1: c.beta1D, beta2: c.beta2D });
    const { mean, std } = momentsOf(this.binning ? digitise(this.binning, raw) : raw, this.width);
    this.dataMoments = { mu: keep(tensor(mean, [1, this.width])), sigma: keep(tensor(std, [1, this.width])), mean, std };
  }

  /** Validate a checkpoint and rebuild the GAN it holds (refuses a corrupt or mismatched one). */
  static load(checkpoint: Checkpoint | unknown, source = 'checkpoint'): Gan {
    const { checkpoint: cp, target, config, data, labels } = parseGanCheckpoint(checkpoint, source);
    const gan = new Gan(target, config, data, labels);
    gan.restore(cp, source);
    return gan;
  }

  /** The fixed dataset (rows as the networks see them, and the raw values). */
  get dataset(): Dataset {
    return this.data;
  }

  /** The stream of sample() and of the display helpers: never disturbs training. */
  get viewRng(): Rng {
    return this.sampleRng;
  }

  /**
   * Config (plus the data's dimension and whether they were the user's), weights and BatchNorm's
   * running statistics, Adam states, counters, RNG state, dataset, labels and history, as JSON.
   */
  override async save(): Promise<Checkpoint> {
    const cp = await super.save();
    return {
      ...cp,
      config: { ...cp.config, dim: this.dim, userData: isUserData(this.target) },
      ...(this.classes ? { labels: Array.from(this.classes.labels) } : {}),
    };
  }

  /** Named parameters for checkpoints: 'G.layers.0.weight', ..., 'D.layers.1.bias'. */
  namedParameters(): [string, Tensor][] {
    return [
      ...this.G.namedParameters().map(([n, t]): [string, Tensor] => [`G.${n}`, t]),
      ...this.D.namedParameters().map(([n, t]): [string, Tensor] => [`D.${n}`, t]),
    ];
  }

  /**
   * BatchNorm's running statistics of G (empty without --g-batchnorm) and G's weight average
   * (with gAverageFrom): saved with checkpoints.
   */
  override namedBuffers(): [string, Tensor][] {
    return [
      ...this.G.namedBuffers().map(([n, t]): [string, Tensor] => [`G.${n}`, t]),
      ...(this.Gavg ? this.Gavg.namedParameters().map(([n, t]): [string, Tensor] => [`Gavg.${n}`, t]) : []),
    ];
  }

  /** The generator samples come from: G's weight average once it has begun (gAverageFrom), else G. */
  get sampler(): MLP {
    return this.Gavg && averagedSteps(this.config.gAverageFrom, this.steps, this.stepsPerEpoch) > 0 ? this.Gavg : this.G;
  }

  protected optimizers(): Record<string, Adam> {
    return { G: this.optG, D: this.optD };
  }

  /** Run fn with G and D in eval mode (Dropout off, BatchNorm on its running statistics). */
  evaluating<T>(fn: () => T): T {
    this.G.eval();
    this.D.eval();
    try {
      return fn();
    } finally {
      this.G.train();
      this.D.train();
    }
  }

  setLearningRates(lrG: number, lrD: number): void {
    for (const [name, v] of [['lrG', lrG], ['lrD', lrD]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new Error(`setLearningRates: ${name} must be a non-negative number, got ${v}`);
    }
    this.config.lrG = lrG;
    this.config.lrD = lrD;
    this.applyDecay();
  }

  /**
   * The learning rates of this step: lr·(τ/(τ + e))^p with e = steps / stepsPerEpoch
   * (config.lrDecay τ, constant when 0; config.lrDecayPower p).
   */
  private applyDecay(): void {
    const tau = this.config.lrDecay;
    const p = this.config.lrDecayPower;
    const inverseTime = tau > 0 ? tau / (tau + this.steps / this.stepsPerEpoch) : 1;
    const factor = p === 1 ? inverseTime : inverseTime ** p;
    this.optG.lr = this.config.lrG * factor;
    this.optD.lr = this.config.lrD * factor;
  }

  /** One discriminator (critic) update on a real minibatch and a detached fake batch. */
  stepD(): void {
    const c = this.config;
    tidy(() => {
      const real = this.data.minibatch(c.batch, this.rng);
      // Conditional: the fakes are made for the real rows' classes (their one-hot columns).
      const cond = this.classes ? sliceAxis(real, 1, this.width) : null;
      const fake = noGrad(() => this.withCondition(this.fakeRows(c.batch, cond), cond));
      this.optD.zeroGrad();
      const realLogits = this.D.forward(real);
      const fakeLogits = this.D.forward(fake);
      let loss = discriminatorLoss(c.loss, realLogits, fakeLogits, c.labelSmoothing);
      if (usesGradientPenalty(c.loss)) loss = loss.add(gradientPenalty((x) => this.D.forward(x), real, fake, c.gpLambda, this.rng, c.loss === 'wgan-lp'));
      if (c.r1Gamma > 0) loss = loss.add(r1Penalty((x) => this.D.forward(x), real, c.r1Gamma, this.width));
      loss.backward();
      this.optD.step();
      if (c.loss === 'wgan') clipInPlace(this.D.parameters(), c.clip);
      if (this.summing) noGrad(() => {
        this.sums.add('dLoss', loss);
        this.sums.add('dReal', discriminatorOutput(c.loss, realLogits).mean());
        this.sums.add('dFake', discriminatorOutput(c.loss, fakeLogits).mean());
        this.sums.add('accReal', shareRealSide(realLogits));
        this.sums.add('accFake', shareFakeSide(fakeLogits));
      });
    });
    if (this.summing) this.sums.countD();
  }

  /** One generator update on fresh noise, D frozen (no gradients computed for it). */
  stepG(): void {
    const c = this.config;
    const dParams = this.D.parameters();
    for (const p of dParams) p.requiresGrad = false;
    try {
      tidy(() => {
        this.optG.zeroGrad();
        const cond = this.drawClasses(c.batch, this.rng);
        const x = this.fakeRows(c.batch, cond);
        let loss = generatorLoss(c.loss, this.D.forward(this.withCondition(x, cond)));
        if (c.momentLambda > 0) loss = loss.add(momentLoss(x, this.dataMoments.mu, this.dataMoments.sigma, c.momentLambda));
        loss.backward();
        this.optG.step();
        if (this.summing) this.sums.add('gLoss', loss);
      });
    } finally {
      for (const p of dParams) p.requiresGrad = true;
    }
    if (this.summing) this.sums.countG();
    this.steps++;
  }

  /**
   * k D updates then one G update. The losses and D's statistics go into running sums on the
   * device (epoch-sums.ts), read once per epoch by closeEpoch(): nothing is returned to sum.
   */
  protected step(): Tensor[] {
    for (let k = 0; k < this.config.kD; k++) this.stepD();
    this.stepG();
    return [];
  }

  /**
   * One training step through compile(), returning the plan it recorded (the page's "under the
   * hood" panel shows it). The epoch's running sums are left out of this step: they are
   * bookkeeping whose buffers change every step, not part of the optimisation a replay repeats.
   */
  override compiledStepPlan(): PlanEntry[] {
    this.summing = false;
    const compiled = compile(() => this.trainStep());
    try {
      compiled();
      return [...compiled.plan];
    } finally {
      compiled.dispose();
      this.summing = true;
    }
  }

  /** Steps of the unfinished epoch: the G updates in the running sums. */
  override get epochStepsDone(): number {
    return this.sums.steps;
  }

  /** The running sums of the unfinished epoch (all six, with the D updates counted apart). */
  protected override async partialEpoch(): Promise<PartialEpoch | undefined> {
    if (this.sums.steps === 0 || this.sums.steps >= this.stepsPerEpoch) return undefined;
    const { sums, dSteps, gSteps } = await this.sums.snapshot();
    return { steps: gSteps, sums, dSteps };
  }

  protected override restorePartialEpoch(partial: PartialEpoch, source: string): void {
    const sums = Object.fromEntries(SUM_KEYS.map((k) => [k, partialSum(partial, k, source)])) as Record<(typeof SUM_KEYS)[number], number>;
    this.sums.restore(sums, partial.dSteps ?? partial.steps * this.config.kD, partial.steps);
  }

  /** One step at this step's learning rates; on WebGPU the whole step is one submit. */
  override trainStep(): void {
    this.applyDecay();
    trainingStep(() => {
      const losses = this.step();
      const k = averagedSteps(this.config.gAverageFrom, this.steps, this.stepsPerEpoch);
      if (k > 0) this.average?.update(k);
      return losses;
    });
  }

  /** The epoch's means of the running sums, read in one transfer with a guard on the weights. */
  protected override async closeEpoch(): Promise<Record<string, number>> {
    const { means, weightsOk } = await this.sums.read(this.namedParameters().map(([, p]) => p), WEIGHT_LIMIT);
    if (!weightsOk) await this.explainWeights();
    checkLosses('GAN', { 'discriminator loss': means.dLoss, 'generator loss': means.gLoss }, this.epoch, this.steps, this.target);
    return means;
  }

  /** Conditional mode: n samples of G(z, c) for the one class c. */
  async sampleClass(n: number, c: number): Promise<Float64Array> {
    this.checkClass('sampleClass', c);
    checkCount('sample', n);
    const rows = noGrad(() => this.rowsFor(n, this.sampleRng, c));
    try {
      return this.decode(await rows.data(), this.sampleRng);
    } finally {
      rows.dispose();
    }
  }

  /**
   * Conditional mode: for each class c, the mean and std of n samples of G(z, c) (its own
   * evaluation stream per class), beside the class's share, mean and std, and the share of the
   * samples nearer to its mean than to any other class mean.
   */
  async classReports(n = this.config.evalSamples): Promise<ClassReport[]> {
    if (!this.classes) throw new Error('classReports: the GAN is not conditional');
    const reports: ClassReport[] = [];
    const streams = evaluationRng(this.config.seed, this.epoch);
    for (let c = 0; c < this.classes.k; c++) {
      const rng = streams.fork();
      const rows = noGrad(() => this.rowsFor(n, rng, c));
      const samples = this.decode(await rows.data(), rng);
      rows.dispose();
      checkSamples('GAN', samples, this.target, this.dim, this.epoch, this.steps);
      reports.push(classReport(this.classes, c, samples, this.dim));
    }
    return reports;
  }

  protected override disposeExtras(): void {
    this.labelTable?.dispose();
    this.dataMoments.mu.dispose();
    this.dataMoments.sigma.dispose();
    this.sums.dispose();
  }

  /** n generated rows from the noise of `rng` (in eval mode); see rowsFor. */
  protected generateRows(n: number, rng: Rng): Tensor {
    return this.rowsFor(n, rng);
  }

  /**
   * Generated rows in model space from the noise of `rng`: G(z), or in binned mode one-hot
   * draws from softmax(G(z)) (base-model.ts decodes them). Conditional mode: G(z, c) for class
   * c, or for classes drawn with the class shares when c is not given.
   */
  private rowsFor(n: number, rng: Rng, c?: number): Tensor {
    checkCount('sample', n);
    return this.evaluating(() => tidy(() => {
      const cond = c === undefined ? this.drawClasses(n, rng) : this.classRows(n, c);
      const x = this.sampler.forward(this.withCondition(randn([n, this.config.latent], rng), cond));
      return this.binning ? sampleCategorical(x, rng) : x;
    }));
  }

  /**
   * A batch of G's rows for training, from the training stream: G(z), or in binned mode the
   * Gumbel-softmax relaxation softmax((G(z) + g)/τ) of a draw of its bins (noise on the device).
   */
  private fakeRows(batch: number, cond: Tensor | null): Tensor {
    const x = this.G.forward(this.withCondition(randn([batch, this.config.latent], this.rng), cond));
    if (!this.binning) return x;
    const soft = gumbelSoftmax(x, this.config.temperature, this.rng);
    return add(sub(oneHotOfMax(soft), soft.detach()), soft);
  }

  /** [x | onehot(c)] in conditional mode (cond holds the one-hot rows), x itself otherwise. */
  withCondition(x: Tensor, cond: Tensor | null): Tensor {
    return cond ? concat([x, cond], 1) : x;
  }

  /** Conditional mode: n one-hot class rows drawn from the dataset's labels (the class shares); else null. */
  drawClasses(n: number, rng: Rng): Tensor | null {
    return this.labelTable ? gather(this.labelTable, randint([n], this.labelTable.shape[0], rng)) : null;
  }

  /** n copies of the one-hot row of class c, [n, K]. */
  classRows(n: number, c: number): Tensor {
    const k = (this.classes as GanClasses).k;
    return tensor(oneHotRows(new Int32Array(n).fill(c), k), [n, k]);
  }

  /** Throws `${op}: ...` unless the GAN is conditional and c is one of its classes. */
  checkClass(op: string, c: number): void {
    if (!this.classes) throw new Error(`${op}: a class was given, but the GAN is not conditional`);
    if (!Number.isInteger(c) || c < 0 || c >= this.classes.k) throw new Error(`${op}: class must be an integer from 0 to ${this.classes.k - 1}, got ${c}`);
  }

  /** The weight guard tripped: read the weights to name the culprit (throws DivergenceError). */
  private async explainWeights(): Promise<void> {
    const weights: Record<string, ArrayLike<number>> = {};
    for (const [name, p] of this.namedParameters()) weights[name] = await p.data();
    checkWeights('GAN', weights, this.epoch, this.steps, WEIGHT_LIMIT, this.target);
  }
}

/** n samples of a mixture target with the component of each (conditional mode needs them). */
function labelledSamples(target: Target, n: number, rng: Rng): { samples: Float64Array; labels: Int32Array } {
  if (!target.sampleLabelled) {
    const mixtures = listTargets().filter((t) => t.sampleLabelled).map((t) => t.name);
    throw new Error(`gan: the conditional GAN needs classes, and target '${target.name}' has none: choose a mixture target (${mixtures.join(', ')}) or give --data FILE with --label-column N`);
  }
  return target.sampleLabelled(n, rng);
}

/** Throws `${op}: ...` unless n is a positive integer. */
export function checkCount(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${op}: the number of points must be a positive integer, got ${n}`);
}
