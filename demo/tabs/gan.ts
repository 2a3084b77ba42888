// The GAN playground: every control and plot of the TF.js playground (the TensorFlow.js GAN playground post), and more:
// losses other than the non-saturating one, label smoothing, k D-steps, single D or G updates,
// D(x) drawn over the densities, the gradient arrows D sends the samples, latent walks, a live
// reading of the run, 2D targets and the user's own data. Conditional mode: G(z, c) and D(x, c)
// per mixture component, with a picker that shows one class's distribution or all of them.

import { createGan, GAN_DEFAULTS, GAN_PRESETS, type Gan, type GanConfig, type GanPreset } from '../../models/gan';
import { GAN_LOSSES, isCritic, usesGradientPenalty } from '../../models/gan/config';
import { kde, linspace } from '../../models/eval/metrics';
import type { HistoryRecord } from '../../models/core/model';
import type { Target } from '../../models/data/targets';
import { createRng, type Tensor } from '../../engine/index';
import type { AppServices } from '../app';
import type { ControlSpec } from '../controls';
import { callout, card } from '../panel';
import { COLORS, DensityPlot, LinePlot, PointPlot } from '../plots';
import { choiceField, choiceNumberField, intField, numberField, writeSettings, type AnyField, type Values } from '../url-state';
import { ganGradcheck } from './gan-gradcheck';
import { diagnose, mountCallouts, mountQuestions } from './gan-teaching';
import { CSV_TARGET, ModelTab, targetField, targetOptions, type Notify } from './model-tab';
import { discriminate, latentWalk, sampleWithGradients } from '../gan-views';

const LN2 = Math.log(2);
const GRID_POINTS = 200;
const FIELD_CELLS = 36;
const WALK_POINTS = 48;
/** The condition picker's choices: all classes mixed by share, or one class (the built-in mixtures have at most 4). */
const SHOW_CLASSES = ['all', '0', '1', '2', '3', '4', '5', '6', '7'];

const FIELDS: AnyField[] = [
  targetField('normal'),
  choiceNumberField('dataset', 2048, [512, 1024, 2048, 4096, 10000]),
  choiceNumberField('batch', 128, [32, 64, 128, 256]),
  choiceField('preset', 'default', Object.keys(GAN_PRESETS)),
  numberField('lr', GAN_DEFAULTS.lrG, 1e-4, 1e-1),
  intField('latent', 10, 1, 32),
  intField('gLayers', 1, 1, 4),
  intField('gWidth', 16, 8, 64),
  intField('dLayers', 1, 1, 4),
  intField('dWidth', 32, 8, 64),
  choiceField('activation', GAN_DEFAULTS.activation, ['relu', 'leaky']),
  choiceField('loss', 'nonsaturating', [...GAN_LOSSES]),
  numberField('gpLambda', 10, 0, 100),
  numberField('dDropout', 0, 0, 0.5),
  choiceField('gBatchNorm', 'off', ['off', 'on']),
  choiceField('conditional', 'off', ['off', 'on']),
  choiceField('showClass', 'all', SHOW_CLASSES),
  numberField('smoothing', 0, 0, 0.5),
  intField('kD', 1, 1, 5),
  choiceNumberField('beta1', GAN_DEFAULTS.beta1G, [0.9, 0.5]),
  intField('seed', 0, 0, 999999),
];

const CONTROLS: ControlSpec[] = [
  { kind: 'select', key: 'preset', label: 'Preset', options: [{ value: 'default', label: 'defaults' }, { value: 'post', label: 'the post\'s settings' }], help: `defaults: LeakyReLU, Adam ${GAN_DEFAULTS.lrG} with β₁ ${GAN_DEFAULTS.beta1G} and the learning rates decaying as lr·τ/(τ + epoch), τ ${GAN_DEFAULTS.lrDecay} (they converge and stay converged); the post's settings: the TensorFlow.js GAN playground post's ReLU, Adam ${GAN_PRESETS.post.lrG}, β₁ ${GAN_PRESETS.post.beta1G}, constant rates, whose D dies on normal after a few hundred epochs` },
  { kind: 'select', key: 'target', label: 'Target', options: targetOptions() },
  { kind: 'select', key: 'dataset', label: 'Dataset', options: [512, 1024, 2048, 4096, 10000].map((v) => ({ value: v, label: String(v) })), help: 'N samples drawn once; one epoch = N / batch steps' },
  { kind: 'select', key: 'batch', label: 'Batch', options: [32, 64, 128, 256].map((v) => ({ value: v, label: String(v) })) },
  { kind: 'log', key: 'lr', label: 'Learning rate', minExp: -4, maxExp: -1, step: 0.1, help: 'Adam step size for G and D (applies at once, no reset)' },
  { kind: 'range', key: 'latent', label: 'Latent dim', min: 1, max: 32, step: 1 },
  { kind: 'range', key: 'gLayers', label: 'G layers', min: 1, max: 4, step: 1 },
  { kind: 'range', key: 'gWidth', label: 'G width', min: 8, max: 64, step: 8 },
  { kind: 'range', key: 'dLayers', label: 'D layers', min: 1, max: 4, step: 1 },
  { kind: 'range', key: 'dWidth', label: 'D width', min: 8, max: 64, step: 8 },
  { kind: 'select', key: 'activation', label: 'Activation', options: [{ value: 'relu', label: 'ReLU' }, { value: 'leaky', label: 'LeakyReLU 0.2' }] },
  { kind: 'select', key: 'loss', label: 'Loss', options: [{ value: 'nonsaturating', label: 'non-saturating' }, { value: 'minimax', label: 'min-max (original)' }, { value: 'wgan', label: 'WGAN (clipped critic)' }, { value: 'wgan-gp', label: 'WGAN-GP (gradient penalty)' }, { value: 'wgan-lp', label: 'WGAN-LP (one-sided penalty)' }] },
  { kind: 'range', key: 'gpLambda', label: 'GP λ', min: 0, max: 50, step: 1, help: 'WGAN-GP: weight of the penalty λ·(‖∇ₓC(x̂)‖ − 1)² (Gulrajani et al. 2017 use 10, with Adam β (0, 0.9) and 5 critic steps); WGAN-LP: of λ·max(0, ‖∇ₓC(x̂)‖ − 1)² (Petzka et al. 2018)' },
  { kind: 'range', key: 'dDropout', label: 'D dropout', min: 0, max: 0.5, step: 0.05, help: 'Dropout(p) after each hidden layer of D (the PyTorch GAN tutorial uses 0.3); off when D draws its curve' },
  { kind: 'select', key: 'gBatchNorm', label: 'G BatchNorm', options: [{ value: 'off', label: 'off' }, { value: 'on', label: 'BatchNorm1d after each hidden layer' }] },
  { kind: 'select', key: 'conditional', label: 'Conditional', options: [{ value: 'off', label: 'off' }, { value: 'on', label: 'G(z, c), D(x, c): c = mixture component' }], help: 'conditional GAN (Mirza & Osindero 2014): the component c of each sample, as a one-hot row, is an input of G and D; mixture targets only (bimodal, mixture, 1d-trimodal, 1d-quadmodal, 2d-mix-gauss)' },
  { kind: 'select', key: 'showClass', label: 'Show class', options: SHOW_CLASSES.map((v) => ({ value: v, label: v === 'all' ? 'all classes (mixed by share)' : `class ${v}: G(z, c = ${v})` })), help: 'conditional GAN: the plots show G(z, c) and D(x, c) for one class, or all classes mixed by their shares (changes the view only)' },
  { kind: 'range', key: 'smoothing', label: 'Label smooth', min: 0, max: 0.5, step: 0.05, help: 'real label 1 becomes 1 − s/2' },
  { kind: 'range', key: 'kD', label: 'k D-steps', min: 1, max: 5, step: 1, help: 'discriminator updates per generator update' },
  { kind: 'select', key: 'beta1', label: 'Adam β₁', options: [{ value: 0.9, label: '0.9 (the post)' }, { value: 0.5, label: '0.5 (GAN papers)' }] },
  { kind: 'number', key: 'seed', label: 'Seed', min: 0, max: 999999 },
];

/** The preset a page's values name (the defaults unless 'post'). */
function presetOf(values: Values): GanPreset {
  return values.preset === 'post' ? 'post' : 'default';
}

export function ganConfig(values: Values): Partial<GanConfig> {
  const lr = Number(values.lr);
  const beta1 = Number(values.beta1);
  return {
    seed: Number(values.seed), dataset: Number(values.dataset), batch: Number(values.batch),
    latent: Number(values.latent), gLayers: Number(values.gLayers), gWidth: Number(values.gWidth),
    dLayers: Number(values.dLayers), dWidth: Number(values.dWidth),
    activation: values.activation === 'leaky' ? 'leaky' : 'relu',
    loss: values.loss as GanConfig['loss'], labelSmoothing: Number(values.smoothing), kD: Number(values.kD),
    dDropout: Number(values.dDropout), gBatchNorm: values.gBatchNorm === 'on', conditional: values.conditional === 'on',
    lrG: lr, lrD: lr, beta1G: beta1, beta1D: beta1,
    lrDecay: GAN_PRESETS[presetOf(values)].lrDecay,
    // WGAN-GP and WGAN-LP: the penalty's weight, and Gulrajani et al.'s Adam betas (0, 0.9).
    ...(usesGradientPenalty(values.loss as GanConfig['loss']) ? { gpLambda: Number(values.gpLambda), beta1G: 0, beta1D: 0, beta2G: 0.9, beta2D: 0.9 } : {}),
    // The page scores each epoch on fewer samples than the command line: plots refresh faster.
    evalSamples: 2000,
    // The WGAN critic wants a smaller step than the BCE players (see the callout).
    clip: GAN_DEFAULTS.clip,
  };
}

/** |z(t)| along the walk between the same two latent points the model uses (Gan.latentWalk). */
function walkNorms(latent: number, points: number, seed: number): { lerp: number[]; slerp: number[] } {
  const ends = new Float64Array(2 * latent);
  createRng(seed).fillNormal(ends);
  const z0 = ends.subarray(0, latent);
  const z1 = ends.subarray(latent);
  const norm = (z: ArrayLike<number>): number => Math.sqrt(Array.from(z).reduce((s, v) => s + v * v, 0));
  const cos = z0.reduce((s, v, i) => s + v * z1[i], 0) / (norm(z0) * norm(z1));
  const theta = Math.acos(Math.min(1, Math.max(-1, cos)));
  const lerp: number[] = [];
  const slerp: number[] = [];
  for (let i = 0; i < points; i++) {
    const t = i / (points - 1);
    const at = (a: number, b: number): number => norm(Array.from(z0, (v, j) => a * v + b * z1[j]));
    lerp.push(at(1 - t, t));
    slerp.push(Math.sin(theta) > 1e-6 ? at(Math.sin((1 - t) * theta) / Math.sin(theta), Math.sin(t * theta) / Math.sin(theta)) : at(1 - t, t));
  }
  return { lerp, slerp };
}

export class GanTab extends ModelTab<Gan> {
  readonly id = 'gan';
  readonly title = 'GAN playground';
  protected readonly intro = 'A generator G turns Gaussian noise z into samples; a discriminator D learns to tell them from the data; G learns from D\'s gradient to fool it. Both are small MLPs trained here, step by step, by our own autodiff engine.';
  protected readonly urlPrefix = '';
  protected override stepName = 'one GAN step: k discriminator updates (forward, backward, Adam), then one generator update';

  private dist1d: DensityPlot | null = null;
  private dist2d: PointPlot | null = null;
  private distBox!: HTMLElement;
  private losses!: LinePlot;
  private dOut!: LinePlot;
  private stats!: LinePlot;
  private quality!: LinePlot;
  private walkBox!: HTMLElement;
  private walk: LinePlot | null = null;
  private walkNorm: LinePlot | null = null;
  private walk2d: PointPlot | null = null;
  private walkSeed = 1;
  private diagnosis!: HTMLElement;
  private realKde: Float64Array | null = null;
  private grid: Float64Array = new Float64Array();

  protected fields(): AnyField[] {
    return FIELDS;
  }

  protected controlSpecs(): ControlSpec[] {
    return CONTROLS;
  }

  protected createModel(target: Target, values: Values, data?: Float64Array): Gan {
    const config = ganConfig(values);
    if (data) {
      const rows = data.length / target.dim;
      if (Number(config.batch) > rows) {
        config.batch = rows;
        this.notify(`Your data has ${rows} rows, fewer than the batch: training with batch ${rows}.`, 'info');
      }
    }
    return createGan(target, config, data);
  }

  protected override applyLive(model: Gan, key: string, value: string | number): boolean {
    if (key === 'preset') {
      // The preset sets the visible settings it differs in; the model is then rebuilt.
      const preset = GAN_PRESETS[presetOf(this.values)];
      const shown: Values = { lr: preset.lrG, activation: preset.activation, beta1: preset.beta1G };
      for (const [k, v] of Object.entries(shown)) {
        this.values[k] = v;
        this.panel.controls.set(k, v);
      }
      // As for any setting, the URL keeps the last built-in target (a CSV cannot travel in a link).
      writeSettings(FIELDS.filter((f) => f.key !== 'target' || this.values.target !== CSV_TARGET), this.values, this.urlPrefix);
      return false;
    }
    if (key === 'showClass') {
      this.realKde = this.classKde(model);
      void this.loop.renderNow();
      return true;
    }
    if (key !== 'lr') return false;
    model.setLearningRates(Number(value), Number(value));
    return true;
  }

  protected override extraButtons(): { label: string; key: string; title: string; onClick(): void }[] {
    const single = (which: 'D' | 'G'): void => {
      this.loop.stop();
      void this.loop.exclusive(() => (which === 'D' ? this.model?.stepD() : this.model?.stepG()))
        .then(() => this.loop.renderNow())
        .catch((e: unknown) => this.panel.showMessage('error', String(e)));
    };
    return [
      { label: 'step D', key: 'step-d', title: 'One discriminator update only: watch D(x) sharpen while G stands still', onClick: () => single('D') },
      { label: 'step G', key: 'step-g', title: 'One generator update only: the samples move along the arrows', onClick: () => single('G') },
    ];
  }

  plotted(plot: string): number[][] | null {
    const plots: Record<string, { lastData: number[][] } | null> = {
      losses: this.losses, discriminator: this.dOut, stats: this.stats, quality: this.quality, distribution: this.dist1d,
    };
    return plots[plot]?.lastData ?? this.diagnostics.plotted(plot);
  }

  protected distributionCard(): HTMLElement {
    return this.distBox;
  }

  protected namedParameters(model: Gan): [string, Tensor][] {
    return model.namedParameters();
  }

  protected override gradcheck = ganGradcheck;

  protected statusValues(last: HistoryRecord | undefined): [string, number][] {
    return [['G loss', last?.gLoss ?? NaN], ['D loss', last?.dLoss ?? NaN], ['W1', last?.w1 ?? NaN]];
  }

  protected mountPlots(body: HTMLElement): void {
    mountCallouts(body);
    const grid = document.createElement('div');
    grid.className = 'plot-grid';
    body.append(grid);
    this.distBox = card(grid, '', 'wide dist-card');
    this.diagnosis = callout(grid, 'hint', '');
    this.diagnosis.classList.add('wide', 'diagnosis');
    this.diagnosis.dataset.diagnosis = '';

    const lossBox = card(grid, '');
    this.losses = new LinePlot(lossBox, {
      title: 'Losses', xLabel: 'epoch', yLabel: 'loss', height: 230,
      series: [{ label: 'G loss', color: COLORS.g }, { label: 'D loss', color: COLORS.dLoss }],
      refs: [{ value: LN2, label: 'ln 2', color: '#fbbf24' }, { value: 2 * LN2, label: '2 ln 2', color: '#f59e0b' }],
    });
    lossBox.dataset.plot = 'losses';
    const dBox = card(grid, '');
    this.dOut = new LinePlot(dBox, {
      title: 'Discriminator response', xLabel: 'epoch', yLabel: 'mean D output', height: 230,
      series: [{ label: 'D(x) real', color: COLORS.real }, { label: 'D(G(z)) fake', color: COLORS.generated }],
      refs: [{ value: 0.5, label: '0.5', color: '#f59e0b' }],
    });
    const statBox = card(grid, '');
    this.stats = new LinePlot(statBox, {
      title: 'Generated statistics', xLabel: 'epoch', yLabel: 'value', height: 230,
      series: [{ label: 'gen mean', color: COLORS.mean }, { label: 'gen std', color: COLORS.std }],
      refs: [{ value: 0, label: 'target mean', color: COLORS.mean }, { value: 0, label: 'target std', color: COLORS.std }],
    });
    const qBox = card(grid, '');
    this.quality = new LinePlot(qBox, {
      title: 'Distance to the target (log scale)', xLabel: 'epoch', yLabel: 'W1 / KLD', height: 230, logY: true,
      series: [{ label: 'W1', color: '#7c3aed' }, { label: 'KLD', color: '#db2777' }],
    });
    this.walkBox = card(grid, 'Latent walk: G(z) along a straight line (lerp) and along the sphere (slerp)', 'wide walk-card');
    const again = document.createElement('button');
    again.className = 'btn small';
    again.textContent = 'new endpoints';
    again.dataset.action = 'walk-new';
    again.addEventListener('click', () => { this.walkSeed++; void this.loop.renderNow(); });
    this.walkBox.append(again);
    mountQuestions(body);
  }

  protected override modelBuilt(model: Gan): void {
    const target = model.target;
    this.grid = linspace(target.range[0], target.range[1], GRID_POINTS);
    this.realKde = this.classKde(model);
    this.diagnostics.setReal(model.dataset.raw, model.dim, target.range);
    this.rebuildDistribution(model);
    // The target's mean and std, dashed, on the statistics plot.
    this.stats.setRefValue(0, target.mean[0]);
    this.stats.setRefValue(1, target.std[0]);
  }

  /**
   * The class the plots show: a class id of a conditional GAN, or undefined for all classes (a
   * plain GAN, the 'all' choice, or a class beyond the model's).
   */
  private shownClass(model: Gan): number | undefined {
    const c = Number(this.values.showClass);
    return model.classes && Number.isInteger(c) && c < model.classes.k ? c : undefined;
  }

  /** The dataset rows of the shown class (all rows without one). */
  private shownRows(model: Gan): Float64Array {
    const c = this.shownClass(model);
    if (c === undefined) return model.dataset.raw;
    const labels = (model.classes as NonNullable<Gan['classes']>).labels;
    return model.dataset.raw.filter((_, i) => labels[Math.floor(i / model.dim)] === c);
  }

  private classKde(model: Gan): Float64Array | null {
    return model.dim === 1 ? kde(this.shownRows(model), this.grid) : null;
  }

  /** Density of the shown class's component N(μ_c, σ_c) (1D), or of the whole target. */
  private shownPdf(model: Gan): ((x: number) => number) | undefined {
    const c = this.shownClass(model);
    const target = model.target;
    if (c === undefined || !target.components) return target.pdf;
    const { mean: [mu], std: [sigma] } = target.components[c];
    return (x) => Math.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
  }

  /** The distribution and walk plots depend on the dimension and the range: rebuilt per model. */
  private rebuildDistribution(model: Gan): void {
    this.distBox.replaceChildren();
    const walkButton = this.walkBox.querySelector('button');
    this.walkBox.querySelectorAll('.uplot, .walk-row').forEach((n) => n.remove());
    this.dist1d = this.dist2d = null;
    this.walk = this.walkNorm = this.walk2d = null;
    const target = model.target;
    const wgan = isCritic(model.config.loss);
    if (model.dim === 1) {
      const series = [
        { label: 'real (KDE of the dataset)', color: COLORS.real, dash: [2, 4], width: 3 },
        { label: 'generated (KDE)', color: COLORS.generated, width: 2.5 },
        { label: wgan ? 'critic C(x), rescaled to [0, 1]' : 'D(x)', color: COLORS.d, width: 2, scale: 'p' },
      ];
      if (target.pdf && !target.discrete) series.push({ label: 'true density', color: '#94a3b8', width: 1 } as typeof series[0]);
      this.dist1d = new DensityPlot(this.distBox, { title: 'Distribution', range: target.range, series, rightAxis: wgan ? 'C(x) rescaled' : 'D(x)', height: 320 });
    } else {
      this.dist2d = new PointPlot(this.distBox, 'Samples (blue: data, green: generated); shading: D (blue = "real", orange = "fake"); red: ∂D/∂x', target.range,
        [{ label: 'data', color: COLORS.real }, { label: 'generated', color: COLORS.generated }, { label: '∂D/∂x', color: COLORS.arrow }], 360);
    }
    this.distBox.dataset.plot = 'distribution';
    const caption = document.createElement('p');
    caption.className = 'caption';
    caption.textContent = model.dim === 1
      ? 'Ticks under the axis: generated samples (the rug). Red arrows: ∂D/∂x at some of them, lengths scaled to the longest. Orange: D(x) over x (right axis), the picture of the original GAN paper: where D says "real" (near 1) and "fake" (near 0).'
      : 'Each red arrow is ∂D/∂x at a generated sample, scaled to the longest: the direction that would make it look more real to D.';
    this.distBox.append(caption);
    const row = document.createElement('div');
    row.className = 'walk-row plot-grid';
    this.walkBox.insertBefore(row, walkButton);
    const left = document.createElement('div');
    const right = document.createElement('div');
    row.append(left, right);
    if (model.dim === 1) {
      this.walk = new LinePlot(left, {
        title: 'G(z(t)) from t = 0 to 1', xLabel: 't', yLabel: 'x = G(z)', height: 210,
        series: [{ label: 'lerp', color: '#dc2626' }, { label: 'slerp', color: '#2563eb' }],
      });
    } else {
      this.walk2d = new PointPlot(left, 'G(z(t)) in the plane', target.range, [{ label: 'lerp', color: '#dc2626' }, { label: 'slerp', color: '#2563eb' }], 240);
    }
    this.walkNorm = new LinePlot(right, {
      title: '|z(t)|: lerp dips toward the origin', xLabel: 't', yLabel: '|z|', height: 210,
      series: [{ label: 'lerp', color: '#dc2626' }, { label: 'slerp', color: '#2563eb' }],
      refs: [{ value: Math.sqrt(model.config.latent), label: '√latent', color: '#94a3b8' }],
    });
  }

  protected async draw(model: Gan): Promise<void> {
    const h = model.history;
    const epochs = h.map((r) => r.epoch);
    const col = (k: string): number[] => h.map((r) => r[k]);
    this.losses.setData(epochs, [col('gLoss'), col('dLoss')]);
    this.dOut.setData(epochs, [col('dReal'), col('dFake')]);
    this.stats.setData(epochs, [col('genMean'), col('genStd')]);
    this.quality.setData(epochs, [col('w1'), col('kld')]);
    const reading = diagnose(h, model.target, model.config.loss);
    this.diagnosis.className = `callout ${reading.kind} wide diagnosis`;
    this.diagnosis.innerHTML = reading.html;

    const target = model.target;
    const span = target.range[1] - target.range[0];
    const shown = this.shownClass(model);
    const { samples: arrowsAt, grads } = await sampleWithGradients(model, model.dim === 1 ? 40 : 70, shown);
    const samplesOf = (n: number): Promise<Float64Array> => (shown === undefined ? model.sample(n) : model.sampleClass(n, shown));
    const classTitle = shown === undefined ? (model.classes ? ' — all classes' : '') : ` — class ${shown}: G(z, c = ${shown})`;
    let maxGrad = 0;
    for (const g of grads) maxGrad = Math.max(maxGrad, Math.abs(g));
    const scale = maxGrad > 0 ? (0.07 * span) / maxGrad : 0;

    if (this.dist1d) {
      const samples = await samplesOf(1000);
      this.diagnostics.show(samples, model.epoch);
      const genKde = kde(samples, this.grid);
      let d = await discriminate(model, this.grid, shown);
      if (isCritic(model.config.loss)) {
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of d) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        d = d.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5));
      }
      const curves: ArrayLike<number>[] = [this.realKde ?? new Float64Array(this.grid.length), genKde, d];
      const pdf = this.shownPdf(model);
      if (pdf && !target.discrete) curves.push(Array.from(this.grid, (x) => pdf(x)));
      this.dist1d.rug = samples.subarray(0, 400);
      this.dist1d.arrows = Array.from(arrowsAt, (x, i) => ({ x, dx: grads[i] * scale }));
      this.dist1d.setTitle(`Distribution${classTitle} — epoch ${model.epoch}`);
      this.dist1d.setData(this.grid, curves);
    } else if (this.dist2d) {
      const [lo, hi] = target.range;
      const cell = (hi - lo) / FIELD_CELLS;
      const centres = new Float64Array(2 * FIELD_CELLS * FIELD_CELLS);
      for (let i = 0; i < FIELD_CELLS; i++) {
        for (let j = 0; j < FIELD_CELLS; j++) {
          centres[2 * (i * FIELD_CELLS + j)] = lo + (j + 0.5) * cell;
          centres[2 * (i * FIELD_CELLS + j) + 1] = lo + (i + 0.5) * cell;
        }
      }
      let field = await discriminate(model, centres, shown);
      if (isCritic(model.config.loss)) {
        const min = Math.min(...field);
        const max = Math.max(...field);
        field = field.map((v) => (max > min ? (v - min) / (max - min) : 0.5));
      }
      const samples = await samplesOf(700);
      this.diagnostics.show(samples, model.epoch);
      this.dist2d.field = { values: field, n: FIELD_CELLS };
      this.dist2d.layers = [
        { points: this.shownRows(model).subarray(0, 1400), color: COLORS.real, alpha: 0.35, radius: 2 },
        { points: samples, color: COLORS.generated, alpha: 0.6, radius: 2 },
      ];
      this.dist2d.arrows = [];
      for (let i = 0; i < arrowsAt.length / 2; i++) {
        this.dist2d.arrows.push({ x: arrowsAt[2 * i], y: arrowsAt[2 * i + 1], dx: grads[2 * i] * scale, dy: grads[2 * i + 1] * scale });
      }
      this.dist2d.redraw();
    }
    await this.drawWalk(model);
  }

  private async drawWalk(model: Gan): Promise<void> {
    const [lerp, slerp] = await Promise.all([
      latentWalk(model, WALK_POINTS, 'lerp', this.walkSeed, this.shownClass(model)),
      latentWalk(model, WALK_POINTS, 'slerp', this.walkSeed, this.shownClass(model)),
    ]);
    const ts = Array.from({ length: WALK_POINTS }, (_, i) => i / (WALK_POINTS - 1));
    const norms = walkNorms(model.config.latent, WALK_POINTS, this.walkSeed);
    this.walkNorm?.setData(ts, [norms.lerp, norms.slerp]);
    if (this.walk) this.walk.setData(ts, [Array.from(lerp), Array.from(slerp)]);
    if (this.walk2d) {
      this.walk2d.layers = [{ points: model.dataset.raw.subarray(0, 800), color: COLORS.real, alpha: 0.15, radius: 1.5 }];
      this.walk2d.paths = [{ points: lerp, color: '#dc2626' }, { points: slerp, color: '#2563eb', dash: [5, 3] }];
      this.walk2d.redraw();
    }
  }
}

export function createGanTab(services: AppServices, notify: Notify): GanTab {
  return new GanTab(services, notify);
}
