// The GAN playground: every control and plot of the TF.js playground (the TensorFlow.js GAN playground post), and more:
// losses other than the non-saturating one, label smoothing, k D-steps, single D or G updates,
// D(x) drawn over the densities, the gradient arrows D sends the samples, latent walks, a live
// reading of the run, 2D targets and the user's own data. Conditional mode: G(z, c) and D(x, c)
// per mixture component, with a picker that shows one class's distribution or all of them.

import { createGan, GAN_DEFAULTS, GAN_PRESETS, type Gan, type GanConfig, type GanPreset } from '../../models/gan';
import { GAN_LOSSES, isCritic, usesGradientPenalty, type GanLoss } from '../../models/gan/config';
import { kde, linspace } from '../../models/eval/metrics';
import type { HistoryRecord } from '../../models/core/model';
import type { Target } from '../../models/data/targets';
import { createRng, type Tensor } from '../../engine/index';
import type { AppServices, HoodSource } from '../app';
import type { ControlSpec } from '../controls';
import { callout, card } from '../panel';
import { COLORS, DensityPlot, LinePlot, PointPlot } from '../plots';
import type { AnyField, Values } from '../url-state';
import { controlsOf, fieldsOf, numberChoice, seedSetting, type Relevance, type Setting } from '../settings';
import { ganGradcheck } from './gan-gradcheck';
import { mountCallouts, mountQuestions, updateCallouts } from './gan-teaching';
import { readGan } from '../gan-reading';
import { probeGan, type LayerUnits } from '../gan-probe';
import { dataSettings, ModelTab, type Notify } from './model-tab';
import { discriminate, latentWalk, sampleWithGradients } from '../gan-views';

const LN2 = Math.log(2);
const GRID_POINTS = 200;
const FIELD_CELLS = 36;
const WALK_POINTS = 48;
/** The condition picker's choices: all classes mixed by share, or one class (the built-in mixtures have at most 4). */
const SHOW_CLASSES = ['all', '0', '1', '2', '3', '4', '5', '6', '7'];

const LOSS_LABELS: Record<GanLoss, string> = {
  nonsaturating: 'non-saturating', minimax: 'min-max (original)', wgan: 'WGAN (clipped critic)',
  'wgan-gp': 'WGAN-GP (gradient penalty)', 'wgan-lp': 'WGAN-LP (one-sided penalty)',
};

/** Every setting of the tab, once: its control, its default and (derived) its URL field. */
const SETTINGS: Setting[] = [
  {
    kind: 'select', key: 'preset', label: 'Preset', default: 'default',
    options: [{ value: 'default', label: 'defaults' }, { value: 'post', label: 'the post\'s settings' }],
    help: `defaults: G ${GAN_DEFAULTS.gLayers}×${GAN_DEFAULTS.gWidth} and D ${GAN_DEFAULTS.dLayers}×${GAN_DEFAULTS.dWidth} LeakyReLU networks, Adam ${GAN_DEFAULTS.lrG} for G and ${GAN_DEFAULTS.lrD} for D with β₁ ${GAN_DEFAULTS.beta1G}, the learning rates decaying as lr·τ/(τ + epoch), τ ${GAN_DEFAULTS.lrDecay}, the R1 penalty γ ${GAN_DEFAULTS.r1Gamma} on D, and samples from the mean of G's weights since epoch ${GAN_DEFAULTS.gAverageFrom} (they converge and stay converged); the post's settings: the TensorFlow.js GAN playground post's G ${GAN_PRESETS.post.gLayers}×${GAN_PRESETS.post.gWidth} and D ${GAN_PRESETS.post.dLayers}×${GAN_PRESETS.post.dWidth} ReLU networks, Adam ${GAN_PRESETS.post.lrG}, β₁ ${GAN_PRESETS.post.beta1G}, constant rates, no penalty, samples from G itself, whose D dies on normal after a few hundred epochs`,
  },
  ...dataSettings('normal', GAN_DEFAULTS.lrG, 'Adam step size of G (applies at once, no reset)'),
  { kind: 'log', key: 'lrD', label: 'D learning rate', minExp: -4, maxExp: -1, step: 0.1, default: GAN_DEFAULTS.lrD, help: `Adam step size of D (applies at once, no reset); the defaults give D ${GAN_DEFAULTS.lrD / GAN_DEFAULTS.lrG}× G's (two time scales, Heusel et al. 2017), so D keeps up with G and its slope keeps pointing G at the data` },
  { kind: 'range', key: 'latent', label: 'Latent dim', min: 1, max: 32, step: 1, default: 10, help: 'numbers in the noise vector z that G turns into a sample' },
  { kind: 'range', key: 'gLayers', label: 'G layers', min: 1, max: 4, step: 1, default: GAN_DEFAULTS.gLayers, help: 'hidden layers of the generator' },
  { kind: 'range', key: 'gWidth', label: 'G width', min: 8, max: 64, step: 8, default: GAN_DEFAULTS.gWidth, help: 'units per hidden layer of G' },
  { kind: 'range', key: 'dLayers', label: 'D layers', min: 1, max: 4, step: 1, default: GAN_DEFAULTS.dLayers, help: 'hidden layers of the discriminator' },
  { kind: 'range', key: 'dWidth', label: 'D width', min: 8, max: 64, step: 8, default: GAN_DEFAULTS.dWidth, help: 'units per hidden layer of D' },
  { kind: 'select', key: 'activation', label: 'Activation', default: GAN_DEFAULTS.activation, options: [{ value: 'relu', label: 'ReLU' }, { value: 'leaky', label: 'LeakyReLU 0.2' }], help: 'ReLU units can die (0 for every input); LeakyReLU keeps a slope 0.2 below 0' },
  { kind: 'select', key: 'loss', label: 'Loss', default: 'nonsaturating', options: GAN_LOSSES.map((l) => ({ value: l, label: LOSS_LABELS[l] })), help: 'what G and D optimise; WGANs train a critic, not a classifier' },
  { kind: 'range', key: 'gpLambda', label: 'GP λ', min: 0, max: 100, step: 1, default: 10, help: 'weight of the gradient penalty λ·(‖∇ₓC(x̂)‖ − 1)² that keeps the critic\'s slope near 1 (Gulrajani et al. 2017 use 10, with Adam β (0, 0.9) and 5 critic steps); WGAN-LP penalises only slopes above 1 (Petzka et al. 2018)' },
  { kind: 'range', key: 'r1Gamma', label: 'R1 γ', min: 0, max: 10, step: 0.1, default: GAN_DEFAULTS.r1Gamma, help: 'weight of the R1 penalty (γ/2)·‖∇ₓ D‖² on the real samples (Mescheder et al. 2018): it damps the circling of G and D around their equilibrium; 0 = off' },
  { kind: 'range', key: 'dDropout', label: 'D dropout', min: 0, max: 0.5, step: 0.05, default: 0, help: 'share of D\'s hidden units switched off at random in each training step (the PyTorch GAN tutorial uses 0.3); off when D draws its curve' },
  { kind: 'select', key: 'gBatchNorm', label: 'G BatchNorm', default: 'off', options: [{ value: 'off', label: 'off' }, { value: 'on', label: 'on, after each hidden layer' }], help: 'batch normalisation: each hidden unit of G rescaled to mean 0, std 1 over the batch, then a learned scale and shift' },
  { kind: 'select', key: 'conditional', label: 'Conditional', default: 'off', options: [{ value: 'off', label: 'off' }, { value: 'on', label: 'on: G(z, c), D(x, c)' }], help: 'conditional GAN (Mirza & Osindero 2014): the mixture component c of each sample, as a one-hot row, is an input of G and D; mixture targets only (bimodal, mixture, 1d-trimodal, 1d-quadmodal, 2d-mix-gauss)' },
  { kind: 'select', key: 'showClass', label: 'Show class', default: 'all', options: SHOW_CLASSES.map((v) => ({ value: v, label: v === 'all' ? 'all (mixed by share)' : `class ${v}` })), help: 'the plots show G(z, c) and D(x, c) for one class, or all classes mixed by their shares (changes the view only)' },
  { kind: 'range', key: 'smoothing', label: 'Label smooth', min: 0, max: 0.5, step: 0.05, default: 0, help: 'D\'s target for real samples becomes 1 − s/2 instead of 1, so D is never asked to be certain' },
  { kind: 'range', key: 'kD', label: 'k D-steps', min: 1, max: 5, step: 1, default: 1, help: 'discriminator updates per generator update' },
  numberChoice('beta1', 'Adam β₁', GAN_DEFAULTS.beta1G, [0.9, 0.5], 'how much of the last steps\' direction Adam keeps (momentum)', (v) => (v === 0.9 ? '0.9 (the post)' : '0.5 (GAN papers)')),
  seedSetting(),
];

/** Settings that do nothing for the other values are hidden. */
const RELEVANCE: Relevance = {
  gpLambda: (v) => usesGradientPenalty(v.loss as GanConfig['loss']),
  showClass: (v) => v.conditional === 'on',
  smoothing: (v) => !isCritic(v.loss as GanConfig['loss']),
  r1Gamma: (v) => !isCritic(v.loss as GanConfig['loss']),
};

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
    lrG: lr, lrD: Number(values.lrD), beta1G: beta1, beta1D: beta1,
    lrDecay: GAN_PRESETS[presetOf(values)].lrDecay, lrDecayPower: GAN_PRESETS[presetOf(values)].lrDecayPower,
    // G's BatchNorm statistics are not averaged: the average is off with it.
    gAverageFrom: values.gBatchNorm === 'on' ? 0 : GAN_PRESETS[presetOf(values)].gAverageFrom,
    // R1 penalises a logit: a critic has none.
    r1Gamma: isCritic(values.loss as GanConfig['loss']) ? 0 : Number(values.r1Gamma),
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

/** The hood's description of one GAN step, with what each discriminator update does. */
function ganStepName(dUpdate: string): string {
  return `one GAN step: k discriminator updates (${dUpdate}), then one generator update`;
}

export class GanTab extends ModelTab<Gan> {
  readonly id = 'gan';
  readonly title = 'GAN playground';
  protected readonly intro = 'A generator G turns Gaussian noise z into samples; a discriminator D learns to tell them from the data; G learns from D\'s gradient to fool it. Both are small MLPs trained here, step by step, by our own autodiff engine.';
  protected readonly urlPrefix = '';
  protected override stepName = ganStepName('forward, backward, Adam');

  /** The step's description follows the live settings: with R1, each D update first takes ∇ₓ D on the real rows. */
  override hood(): HoodSource | null {
    const source = super.hood();
    if (!source || !(Number(this.model?.config.r1Gamma) > 0)) return source;
    return { ...source, stepName: ganStepName('forward; a backward pass for the R1 penalty\'s ∇ₓ D on the real rows, inside the loss; the rest of the forward; backward; Adam') };
  }

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
  private notes: HTMLElement[] = [];
  /** The shown class's own numbers (conditional GAN). */
  private classLine!: HTMLElement;
  private classLineAt = 0;
  /** D's dead ReLU units per hidden layer at the last draw (for "under the hood"). */
  private units: LayerUnits[] = [];
  private realKde: Float64Array | null = null;
  private grid: Float64Array = new Float64Array();

  protected fields(): AnyField[] {
    return fieldsOf(SETTINGS);
  }

  protected controlSpecs(): ControlSpec[] {
    return controlsOf(SETTINGS);
  }

  protected override relevance(): Relevance {
    return RELEVANCE;
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
      const shown: Values = {
        lr: preset.lrG, lrD: preset.lrD, activation: preset.activation, beta1: preset.beta1G, r1Gamma: preset.r1Gamma,
        gLayers: preset.gLayers, gWidth: preset.gWidth, dLayers: preset.dLayers, dWidth: preset.dWidth,
      };
      for (const [k, v] of Object.entries(shown)) {
        this.values[k] = v;
        this.panel.controls.set(k, v);
      }
      this.writeUrl();
      return false;
    }
    if (key === 'showClass') {
      this.realKde = this.classKde(model);
      this.updateNotes(model);
      this.classLineAt = 0;
      void this.loop.renderNow();
      return true;
    }
    if (key !== 'lr' && key !== 'lrD') return false;
    model.setLearningRates(Number(this.values.lr), Number(this.values.lrD));
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

  protected override deadUnits(): { network: string; layers: LayerUnits[] } {
    return { network: 'D', layers: this.units };
  }

  protected statusValues(last: HistoryRecord | undefined): [string, number][] {
    return [['G loss', last?.gLoss ?? NaN], ['D loss', last?.dLoss ?? NaN], ['W1', last?.w1 ?? NaN]];
  }

  protected mountPlots(body: HTMLElement): void {
    this.notes = mountCallouts(body);
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

  /** Guides and notes that follow the loss, the dimension and the class shown. */
  private updateNotes(model: Gan): void {
    const loss = model.config.loss;
    updateCallouts(this.notes, { loss, dim: model.dim, conditional: model.classes !== null, shownClass: this.shownClass(model) });
    const critic = isCritic(loss);
    // At equilibrium D = ½: D's loss is 2 ln 2; G's is ln 2 (non-saturating) or log ½ = −ln 2 (min-max).
    this.losses.setRef(0, critic ? null : loss === 'minimax' ? -LN2 : LN2, loss === 'minimax' ? '−ln 2 (G at D = ½)' : 'ln 2 (G at D = ½)');
    this.losses.setRef(1, critic ? null : 2 * LN2, '2 ln 2 (D at D = ½)');
    this.losses.setLabel(1, critic ? 'critic loss (≈ −W₁)' : 'D loss');
    this.dOut.setRef(0, critic ? null : 0.5);
    this.dOut.setTitle(critic ? 'Critic response (no probability: no 0.5 line)' : 'Discriminator response');
    this.dOut.setLabel(0, critic ? 'C(x) real' : 'D(x) real');
    this.dOut.setLabel(1, critic ? 'C(G(z)) fake' : 'D(G(z)) fake');
    this.distBox.classList.toggle('dist-2d', model.dim === 2);
    this.classLine.hidden = this.shownClass(model) === undefined;
  }

  /** Conditional GAN with one class shown: that class's numbers, refreshed at most every 2 s. */
  private async drawClassLine(model: Gan): Promise<void> {
    const c = this.shownClass(model);
    this.classLine.hidden = c === undefined;
    if (c === undefined || performance.now() - this.classLineAt < 2000) return;
    this.classLineAt = performance.now();
    const report = (await model.classReports(1000))[c];
    if (!report) return;
    const f = (v: number[]): string => v.map((x) => x.toFixed(2)).join(', ');
    this.classLine.textContent = `Class ${c} (share ${(100 * report.share).toFixed(0)}% of the data): G(z, c = ${c}) has mean ${f(report.mean)} (target ${f(report.targetMean)}), std ${f(report.std)} (target ${f(report.targetStd)}); ${(100 * report.nearest).toFixed(0)}% of its samples lie nearest this class's mean.`;
  }

  protected override modelBuilt(model: Gan): void {
    const target = model.target;
    this.grid = linspace(target.range[0], target.range[1], GRID_POINTS);
    this.realKde = this.classKde(model);
    this.diagnostics.setReal(model.dataset.raw, model.dim, target.range);
    this.rebuildDistribution(model);
    this.updateNotes(model);
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
    this.classLine = document.createElement('p');
    this.classLine.className = 'caption class-line';
    this.classLine.dataset.classLine = '';
    this.classLine.hidden = true;
    this.distBox.append(this.classLine);
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
    // Every epoch for the recent past, older epochs as each bucket's min and max (demo/history.ts).
    const { epochs, column: col } = this.plotHistory.view();
    this.losses.setData(epochs, [col('gLoss'), col('dLoss')]);
    this.dOut.setData(epochs, [col('dReal'), col('dFake')]);
    this.stats.setData(epochs, [col('genMean'), col('genStd')]);
    this.quality.setData(epochs, [col('w1'), col('kld')]);
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
    await this.drawReading(model, grads);
    await this.drawClassLine(model);
    await this.drawWalk(model);
  }

  /** The live reading, from the history and a probe of the networks on fresh samples. */
  private async drawReading(model: Gan, grads: Float64Array): Promise<void> {
    const samples = await model.sample(model.dim === 1 ? 1000 : 700);
    const probe = await probeGan(model, samples, grads);
    this.units = probe.units;
    const reading = readGan(model.history, model.target, model.config.loss, probe);
    this.diagnosis.className = `callout ${reading.kind} wide diagnosis`;
    this.diagnosis.dataset.diagnosis = reading.state;
    this.diagnosis.innerHTML = reading.html;
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
