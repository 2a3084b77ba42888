// The GAN: a generator G: z → x and a discriminator D: x → logit, trained against each other
// on a fixed dataset (the TensorFlow.js GAN playground post's loop): per step, k updates of D on a real minibatch and a
// detached fake one, then one update of G on fresh noise.
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

import { mixSeed } from '../core/seeds';
import { Adam, add, compile, concat, gather, randint, sliceAxis, sub, createRng, keep, MLP, noGrad, randn, softmax, sum, tensor, tidy, trainingStep, type PlanEntry, type Rng, type Tensor } from '../../engine/index';
import { createBinning, decodeHard, decodeSoft, decodeUniform, digitise, gumbelSoftmax, oneHotOfMax, sampleCategorical, type Binning } from '../data/binning';
import { checkLosses, checkSamples, checkWeights } from '../core/divergence';
import { createDataset, type Dataset } from '../data/dataset';
import { referenceSamples, scoreSamples } from '../eval/evaluate';
import { trimHistory, type Checkpoint, type FinalMetrics, type GenerativeModel, type HistoryRecord } from '../core/model';
import { stepsLeft, TRAINING_SCORE_SAMPLES, type EpochOptions } from '../core/score-schedule';
import type { Target } from '../data/targets';
import { clipInPlace } from './clip';
import { EpochSums } from './epoch-sums';
import { latentPath } from './latent-path';
import { GAN_CONDITIONAL, isCritic, resolveGanConfig, usesGradientPenalty, type GanConfig } from './config';
import { classReport, datasetClasses, joinColumns, momentsOf, oneHotRows, type ClassReport, type GanClasses } from './conditional';
import { listTargets } from '../data/targets';
import { ganCheckpoint, parseGanCheckpoint, restoreGan } from './persist';
import { discriminatorLoss, discriminatorOutput, generatorLoss, gradientPenalty, momentLoss, shareFakeSide, shareRealSide } from './losses';

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

/** A seed for a side stream (evaluation, display) derived from the run's seed: no shared state. */
export function derivedSeed(seed: number, salt: number): number {
  return mixSeed(seed, 0x9e3779b1, salt, 0x85ebca77, 0x5eed);
}

export class Gan implements GenerativeModel {
  readonly kind = 'gan' as const;
  readonly dim: 1 | 2;
  /** The bins in binned mode, else null. */
  readonly binning: Binning | null;
  /** Numbers per row G outputs and D reads: the data dimension, or K in binned mode. */
  readonly width: number;
  readonly G: MLP;
  readonly D: MLP;
  readonly optG: Adam;
  readonly optD: Adam;
  readonly dataset: Dataset;
  readonly stepsPerEpoch: number;
  /** Conditional mode: the classes, their labels and shares; null otherwise. */
  readonly classes: GanClasses | null;
  history: HistoryRecord[] = [];
  historyLimit = Infinity;
  epoch = 0;
  steps = 0;
  /** Training randomness: minibatches and noise. Saved in checkpoints. */
  readonly rng: Rng;
  /** Noise for sample() and the display helpers: never disturbs training. */
  readonly viewRng: Rng;
  private readonly dataMoments: { mu: Tensor; sigma: Tensor; mean: number[]; std: number[] };
  private readonly sums = new EpochSums();
  /** False while compiledStepPlan() records a step: the running sums stay out of the plan. */
  private summing = true;
  /** Conditional mode: the one-hot label of each dataset row, [n, K] (kept); classes are drawn from it. */
  private readonly labelTable: Tensor | null;
  /** Fresh target samples to score against, by sample count. */
  private readonly references = new Map<number, Float64Array>();

  /** The settings (the contract's config is open-ended: hence the index signature). */
  readonly config: GanConfig & Record<string, unknown>;

  /**
   * Use createGan() or Gan.load(). `data` holds the dataset rows (interleaved in 2D), `labels`
   * their classes (conditional mode; without data, the target's sampler gives both).
   */
  constructor(readonly target: Target, config: GanConfig, data?: Float64Array, labels?: Int32Array) {
    this.config = { ...config };
    this.dim = target.dim;
    const c = this.config;
    this.rng = createRng(c.seed);
    this.viewRng = createRng(derivedSeed(c.seed, 1));
    if (labels && !c.conditional) throw new Error('gan: class labels were given, but the GAN is not conditional');
    let raw: Float64Array;
    if (c.conditional) {
      const drawn = data ? { samples: data, labels } : labelledSamples(target, c.dataset, this.rng);
      if (!drawn.labels) throw new Error('gan: the conditional GAN needs a class label for each data row (--label-column N)');
      raw = drawn.samples;
      this.classes = datasetClasses(target, raw, drawn.labels, 'gan');
    } else {
      raw = data ?? target.sample(c.dataset, this.rng);
      this.classes = null;
    }
    const k = this.classes?.k ?? 0;
    this.binning = c.bins > 0 ? createBinning(target, c.bins) : null;
    this.width = this.binning ? this.binning.k : this.dim;
    const rows = this.binning ? digitise(this.binning, raw) : raw;
    if (this.classes) {
      const oneHot = oneHotRows(this.classes.labels, k);
      this.dataset = createDataset(joinColumns(rows, this.width, oneHot, k), this.width + k, raw);
      this.labelTable = keep(tensor(oneHot, [this.classes.labels.length, k]));
    } else {
      this.dataset = createDataset(rows, this.width, raw);
      this.labelTable = null;
    }
    const act = c.activation === 'leaky' ? 'leakyRelu' : 'relu';
    const hidden = (layers: number, width: number): number[] => Array.from({ length: layers }, () => width);
    this.G = new MLP({ inputs: c.latent + k, hidden: hidden(c.gLayers, c.gWidth), outputs: this.width, activation: act, slope: 0.2, init: 'glorotNormal', rng: this.rng, batchNorm: c.gBatchNorm });
    this.D = new MLP({ inputs: this.width + k, hidden: hidden(c.dLayers, c.dWidth), outputs: 1, activation: act, slope: 0.2, init: 'glorotNormal', rng: this.rng, dropout: c.dDropout });
    // Adam for the WGAN critic too (the paper used RMSprop; Adam with a small lr works here).
    this.optG = new Adam(this.G.parameters(), { lr: c.lrG, beta1: c.beta1G, beta2: c.beta2G });
    this.optD = new Adam(this.D.parameters(), { lr: c.lrD, beta1: c.beta1D, beta2: c.beta2D });
    this.stepsPerEpoch = Math.max(1, Math.floor(this.dataset.n / c.batch));
    this.dataMoments = this.momentsOf(rows);
  }

  /** Validate a checkpoint and rebuild the GAN it holds (refuses a corrupt or mismatched one). */
  static load(checkpoint: Checkpoint | unknown, source = 'checkpoint'): Gan {
    const { checkpoint: cp, target, config, data, labels } = parseGanCheckpoint(checkpoint, source);
    const gan = new Gan(target, config, data, labels);
    try {
      restoreGan(gan, cp, source);
    } catch (e) {
      gan.dispose();
      throw e;
    }
    return gan;
  }

  /** Config, weights, Adam states, counters, RNG state, dataset and history, as JSON. */
  save(): Promise<Checkpoint> {
    return ganCheckpoint(this);
  }

  parameterCount(): number {
    return this.G.parameterCount + this.D.parameterCount;
  }

  /** Named parameters for checkpoints: 'G.layers.0.weight', ..., 'D.layers.1.bias'. */
  namedParameters(): [string, Tensor][] {
    return [
      ...this.G.namedParameters().map(([n, t]): [string, Tensor] => [`G.${n}`, t]),
      ...this.D.namedParameters().map(([n, t]): [string, Tensor] => [`D.${n}`, t]),
    ];
  }

  /** BatchNorm's running statistics of G (empty without --g-batchnorm): saved with checkpoints. */
  namedBuffers(): [string, Tensor][] {
    return this.G.namedBuffers().map(([n, t]): [string, Tensor] => [`G.${n}`, t]);
  }

  /** Run fn with G and D in eval mode (Dropout off, BatchNorm on its running statistics). */
  private evaluating<T>(fn: () => T): T {
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
    this.optG.lr = this.config.lrG = lrG;
    this.optD.lr = this.config.lrD = lrD;
  }

  /** One discriminator (critic) update on a real minibatch and a detached fake batch. */
  stepD(): void {
    const c = this.config;
    tidy(() => {
      const real = this.dataset.minibatch(c.batch, this.rng);
      // Conditional: the fakes are made for the real rows' classes (their one-hot columns).
      const cond = this.classes ? sliceAxis(real, 1, this.width) : null;
      const fake = noGrad(() => this.withCondition(this.fakeRows(c.batch, cond), cond));
      this.optD.zeroGrad();
      const realLogits = this.D.forward(real);
      const fakeLogits = this.D.forward(fake);
      let loss = discriminatorLoss(c.loss, realLogits, fakeLogits, c.labelSmoothing);
      if (usesGradientPenalty(c.loss)) loss = loss.add(gradientPenalty((x) => this.D.forward(x), real, fake, c.gpLambda, this.rng, c.loss === 'wgan-lp'));
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
   * One training step through compile(), returning the plan it recorded (the page's "under the
   * hood" panel shows it). The epoch's running sums are left out of this step: they are
   * bookkeeping whose buffers change every step, not part of the optimisation a replay repeats.
   */
  compiledStepPlan(): PlanEntry[] {
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

  /** k D updates then one G update; on WebGPU the whole step is one submit. */
  trainStep(): void {
    trainingStep(() => {
      for (let k = 0; k < this.config.kD; k++) this.stepD();
      this.stepG();
    });
  }

  async trainEpoch(options: EpochOptions = {}): Promise<HistoryRecord> {
    const started = performance.now();
    const steps = stepsLeft('GAN', this.stepsPerEpoch, options);
    for (let i = 0; i < steps; i++) this.trainStep();
    this.epoch++;
    const { means, weightsOk } = await this.sums.read(this.namedParameters().map(([, p]) => p), WEIGHT_LIMIT);
    if (!weightsOk) await this.explainWeights();
    checkLosses('GAN', { 'discriminator loss': means.dLoss, 'generator loss': means.gLoss }, this.epoch, this.steps);
    const trained = performance.now();
    options.schedule?.addTraining(trained - started);
    const record: HistoryRecord = {
      epoch: this.epoch, step: this.steps,
      gLoss: means.gLoss, dLoss: means.dLoss, dReal: means.dReal, dFake: means.dFake,
      accReal: means.accReal, accFake: means.accFake,
      ...(await this.epochScores(options)),
    };
    if (record.scoredEpoch === undefined) options.schedule?.addScoring(performance.now() - trained);
    this.history.push(record);
    trimHistory(this.history, this.historyLimit);
    return record;
  }

  /**
   * W1, KLD and the generated mean and std for this epoch's record: fresh, or the last ones
   * repeated with the epoch they were measured at in `scoredEpoch` (see score-schedule.ts).
   */
  private async epochScores(options: EpochOptions): Promise<{ w1: number; kld: number; genMean: number; genStd: number; scoredEpoch?: number }> {
    const previous = this.history[this.history.length - 1];
    const scheduled = options.score === undefined && options.schedule !== undefined;
    if (!(options.score ?? options.schedule?.due() ?? true) && previous) {
      return { w1: previous.w1, kld: previous.kld, genMean: previous.genMean, genStd: previous.genStd, scoredEpoch: previous.scoredEpoch ?? previous.epoch };
    }
    // Evaluation uses its own stream for each epoch, so a resumed run scores the same way.
    const n = scheduled ? Math.min(this.config.evalSamples, TRAINING_SCORE_SAMPLES) : this.config.evalSamples;
    const samples = await this.generate(n, createRng(derivedSeed(this.config.seed, 1000 + this.epoch)));
    checkSamples('GAN', samples, this.target, this.dim, this.epoch, this.steps);
    const m = scoreSamples(samples, this.target, this.referenceSample(n));
    // In 2D, the generated mean and std of the first coordinate.
    return { w1: m.w1, kld: m.kld, genMean: m.mean[0], genStd: m.std[0] };
  }

  async sample(n: number): Promise<Float64Array> {
    return this.generate(n, this.viewRng);
  }

  /** Conditional mode: n samples of G(z, c) for the one class c. */
  async sampleClass(n: number, c: number): Promise<Float64Array> {
    this.checkClass('sampleClass', c);
    return this.generate(n, this.viewRng, c);
  }

  /**
   * Conditional mode: for each class c, the mean and std of n samples of G(z, c) (its own
   * evaluation stream per class), beside the class's share, mean and std, and the share of the
   * samples nearer to its mean than to any other class mean.
   */
  async classReports(n = this.config.evalSamples): Promise<ClassReport[]> {
    if (!this.classes) throw new Error('classReports: the GAN is not conditional');
    const reports: ClassReport[] = [];
    for (let c = 0; c < this.classes.k; c++) {
      const samples = await this.generate(n, createRng(derivedSeed(this.config.seed, 3000 + c)), c);
      checkSamples('GAN', samples, this.target, this.dim, this.epoch, this.steps);
      reports.push(classReport(this.classes, c, samples, this.dim));
    }
    return reports;
  }

  async evaluate(): Promise<FinalMetrics> {
    const samples = await this.generate(this.config.evalSamples, createRng(derivedSeed(this.config.seed, 2)));
    checkSamples('GAN', samples, this.target, this.dim, this.epoch, this.steps);
    return scoreSamples(samples, this.target, this.referenceSample());
  }

  /**
   * D(x) at each point (rows of `dim` values): sigmoid of the logit, the raw critic for WGAN.
   * In binned mode each value is given to D as the one-hot row of its bin. Conditional mode:
   * D(x, c) for class c, or without c the class shares' mix Σ_c share_c·D(x, c).
   */
  async discriminate(xs: Float64Array, c?: number): Promise<Float64Array> {
    if (xs.length % this.dim !== 0) throw new Error(`discriminate: ${xs.length} values do not form points of dimension ${this.dim}`);
    if (c !== undefined) this.checkClass('discriminate', c);
    const rows = this.binning ? digitise(this.binning, xs) : xs;
    const n = xs.length / this.dim;
    const dOf = (x: Tensor, cls: number | undefined): Tensor => discriminatorOutput(this.config.loss, this.D.forward(this.withCondition(x, cls === undefined ? null : this.classRows(n, cls))));
    const out = this.evaluating(() => tidy(() => noGrad(() => {
      const x = tensor(rows, [n, this.width]);
      if (!this.classes || c !== undefined) return dOf(x, c);
      const shares = this.classes.share;
      return shares.map((share, cls) => dOf(x, cls).mul(share)).reduce((a, b) => add(a, b));
    })));
    try {
      return Float64Array.from(await out.data());
    } finally {
      out.dispose();
    }
  }

  /**
   * n generated samples and ∂D/∂x at each (the arrows of GAN Lab: where D would push each
   * sample to look more real). D is sigmoid(logit), or the raw critic for WGAN.
   */
  async sampleWithGradients(n: number, c?: number): Promise<{ samples: Float64Array; grads: Float64Array }> {
    checkCount('sampleWithGradients', n);
    if (c !== undefined) this.checkClass('sampleWithGradients', c);
    if (this.binning) throw new Error('sampleWithGradients: not available in binned mode (D reads one-hot rows, not points with a gradient)');
    const dParams = this.D.parameters();
    for (const p of dParams) p.requiresGrad = false;
    // Conditional: the classes of the samples (given, or drawn with the class shares), for G and D.
    const cond = this.classes ? tidy(() => (c === undefined ? this.drawClasses(n, this.viewRng) as Tensor : this.classRows(n, c))) : null;
    let x: Tensor;
    try {
      x = this.evaluating(() => tidy(() => noGrad(() => this.G.forward(this.withCondition(randn([n, this.config.latent], this.viewRng), cond)))));
      x.requiresGrad = true;
      this.evaluating(() => tidy(() => sum(discriminatorOutput(this.config.loss, this.D.forward(this.withCondition(x, cond)))).backward()));
    } finally {
      for (const p of dParams) p.requiresGrad = true;
      cond?.dispose();
    }
    try {
      const [samples, grads] = await Promise.all([x.data(), x.grad!.data()]);
      return { samples: Float64Array.from(samples), grads: Float64Array.from(grads) };
    } finally {
      x.grad?.dispose();
      x.dispose();
    }
  }

  /**
   * G(z) along the lerp or slerp path between two latent points drawn from `seed` (latent-path.ts).
   * In binned mode, the expectation Σ_k softmax(ℓ)_k·c_k over the bin centres. Conditional
   * mode: G(z, c) for the class c (default 0).
   */
  async latentWalk(points: number, mode: 'lerp' | 'slerp', seed = 0, c = 0): Promise<Float64Array> {
    checkCount('latentWalk', points);
    if (this.classes) this.checkClass('latentWalk', c);
    const zs = latentPath(this.config.latent, points, mode, seed);
    const out = tidy(() => noGrad(() => {
      const cond = this.classes ? this.classRows(points, c) : null;
      const x = this.G.forward(this.withCondition(tensor(zs, [points, this.config.latent]), cond));
      return this.binning ? softmax(x, -1) : x;
    }));
    try {
      const values = await out.data();
      return this.binning ? decodeSoft(this.binning, values) : Float64Array.from(values);
    } finally {
      out.dispose();
    }
  }

  dispose(): void {
    for (const p of [...this.G.parameters(), ...this.D.parameters()]) {
      p.grad?.dispose();
      p.grad = null;
      p.dispose();
    }
    this.optG.dispose();
    this.optD.dispose();
    this.dataset.dispose();
    this.labelTable?.dispose();
    this.dataMoments.mu.dispose();
    this.dataMoments.sigma.dispose();
    this.sums.dispose();
  }

  // ---- internals (also used by checkpoint loading) ----

  /** Restore the counters and streams of a checkpoint (weights and optimizers are written apart). */
  restoreProgress(epoch: number, steps: number, history: HistoryRecord[], rng: { seed: number; counter: number }): void {
    this.epoch = epoch;
    this.steps = steps;
    this.history = history.map((r) => ({ ...r }));
    this.rng.setState(rng);
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

  /**
   * Generated samples from the noise of `rng` (interleaved pairs in 2D). Binned mode: one-hot
   * draws from softmax(G(z)), decoded to bin centres (discrete target) or to a uniform point
   * within the bin (continuous target), as the other models decode theirs. Conditional mode:
   * G(z, c) for class c, or for classes drawn with the class shares when c is not given.
   */
  private async generate(n: number, rng: Rng, c?: number): Promise<Float64Array> {
    checkCount('sample', n);
    const out = this.evaluating(() => tidy(() => noGrad(() => {
      const cond = c === undefined ? this.drawClasses(n, rng) : this.classRows(n, c);
      const x = this.G.forward(this.withCondition(randn([n, this.config.latent], rng), cond));
      return this.binning ? sampleCategorical(x, rng) : x;
    })));
    let values: Float64Array;
    try {
      values = Float64Array.from(await out.data());
    } finally {
      out.dispose();
    }
    if (!this.binning) return values;
    return this.target.discrete ? decodeHard(this.binning, values) : decodeUniform(this.binning, values, rng);
  }

  /** [x | onehot(c)] in conditional mode (cond holds the one-hot rows), x itself otherwise. */
  private withCondition(x: Tensor, cond: Tensor | null): Tensor {
    return cond ? concat([x, cond], 1) : x;
  }

  /** Conditional mode: n one-hot class rows drawn from the dataset's labels (the class shares); else null. */
  private drawClasses(n: number, rng: Rng): Tensor | null {
    return this.labelTable ? gather(this.labelTable, randint([n], this.labelTable.shape[0], rng)) : null;
  }

  /** n copies of the one-hot row of class c, [n, K]. */
  private classRows(n: number, c: number): Tensor {
    const k = (this.classes as GanClasses).k;
    return tensor(oneHotRows(new Int32Array(n).fill(c), k), [n, k]);
  }

  private checkClass(op: string, c: number): void {
    if (!this.classes) throw new Error(`${op}: a class was given, but the GAN is not conditional`);
    if (!Number.isInteger(c) || c < 0 || c >= this.classes.k) throw new Error(`${op}: class must be an integer from 0 to ${this.classes.k - 1}, got ${c}`);
  }

  private referenceSample(n = this.config.evalSamples): Float64Array {
    let reference = this.references.get(n);
    if (!reference) {
      reference = referenceSamples(this.target, n, this.config.seed);
      this.references.set(n, reference);
    }
    return reference;
  }

  /** The weight guard tripped: read the weights to name the culprit (throws DivergenceError). */
  private async explainWeights(): Promise<void> {
    const weights: Record<string, ArrayLike<number>> = {};
    for (const [name, p] of this.namedParameters()) weights[name] = await p.data();
    checkWeights('GAN', weights, this.epoch, this.steps, WEIGHT_LIMIT);
  }

  /**
   * The dataset's per-column mean and std (population), as numbers and as [1, width] rows. In
   * binned mode the columns are the one-hot bins: the means are the bins' frequencies.
   */
  private momentsOf(rows: Float64Array): { mu: Tensor; sigma: Tensor; mean: number[]; std: number[] } {
    const w = this.width;
    const { mean, std } = momentsOf(rows, w);
    return { mu: keep(tensor(mean, [1, w])), sigma: keep(tensor(std, [1, w])), mean, std };
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

function checkCount(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${op}: the number of points must be a positive integer, got ${n}`);
}
