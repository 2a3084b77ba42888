// The RBM tab: free energy of the data and reconstruction error over epochs, samples, and the
// Gibbs chain: what samples look like after 1, 10, 100 and all the configured Gibbs sweeps.

import { kde } from '../../models/eval/metrics';
import { createRbm, RBM_DEFAULTS, type Rbm } from '../../models/rbm/rbm';
import type { Target } from '../../models/data/targets';
import type { AppServices } from '../app';

import { card } from '../panel';
import { COLORS, DensityPlot, LinePlot, PointPlot } from '../plots';
import type { Values } from '../url-state';
import { numberChoice, seedSetting, type Setting } from '../settings';
import { dataSettings, type Notify } from './model-tab';
import { rbmGradcheck } from './rbm-gradcheck';
import { SimpleModelTab } from './simple-tab';

const CHAIN_COLORS = ['#fda4af', '#f472b6', '#db2777', '#831843'];
const CHAIN_SAMPLES = 500;
const CHAIN_EVERY_MS = 3000;

export class RbmTab extends SimpleModelTab<Rbm> {
  readonly id = 'rbm';
  readonly title = 'RBM';
  protected readonly intro = 'A Gaussian-Bernoulli restricted Boltzmann machine: an energy E(v, h) over visible values v and binary hidden units h defines p(v) ∝ e^(−F(v)). Contrastive divergence lowers the free energy F of the data and raises it where short Gibbs chains wander; samples come from a long Gibbs chain.';
  protected readonly urlPrefix = 'rbm.';
  protected override stepName = 'one CD-k step: k Gibbs sweeps from the batch, then the gradient of F(data) − F(chain), Adam';
  protected override gradcheck = rbmGradcheck;
  protected override sampleCount = 500;
  protected readonly color = '#db2777';
  protected readonly lossTitle = 'Mean free energy F(v) of the data';
  protected readonly lossSeries = [{ key: 'freeEnergy', label: 'free energy', color: '#db2777' }];
  protected readonly callouts = [
    '<strong>Sculpting an energy landscape.</strong> Each hidden pattern adds one Gaussian bump of width σ; training digs valleys of low free energy where the data are. The free energy itself has no fixed target: what matters is F(data) against F(elsewhere).',
    '<strong>Gibbs sampling</strong> alternates h ~ P(h | v) and v ~ P(v | h). Chains started from noise need many sweeps to find every valley: compare the curves after 1, 10, 100 and more sweeps below.',
  ];
  protected readonly settings: Setting[] = [
    ...dataSettings('1d-trimodal', RBM_DEFAULTS.lr),
    { kind: 'range', key: 'hidden', label: 'Hidden units', min: 4, max: 256, step: 4, default: RBM_DEFAULTS.hidden, help: 'binary hidden units h' },
    { kind: 'range', key: 'sigma', label: 'Visible σ', min: 0.05, max: 1, step: 0.05, default: RBM_DEFAULTS.sigma, help: 'std of each Gaussian bump, in standardised units' },
    { kind: 'range', key: 'k', label: 'CD-k', min: 1, max: 20, step: 1, default: RBM_DEFAULTS.k, help: 'contrastive divergence: Gibbs sweeps per training step' },
    numberChoice('gibbs', 'Sample chain', 100, [100, 300, 1000], 'Gibbs sweeps before a sample is drawn', (v) => `${v} sweeps`),
    seedSetting(),
  ];

  private recon!: LinePlot;
  private chainBox!: HTMLElement;
  private chain1d: DensityPlot | null = null;
  private chain2d: PointPlot | null = null;
  private lastChain = 0;
  private chainEpoch = -1;

  protected build(target: Target, values: Values, data?: Float64Array): Rbm {
    return createRbm(target, {
      seed: Number(values.seed), dataset: Number(values.dataset), batch: Math.min(Number(values.batch), data ? data.length / target.dim : Infinity),
      lr: Number(values.lr), hidden: Number(values.hidden), sigma: Number(values.sigma), k: Number(values.k), gibbsSteps: Number(values.gibbs),
      evalSamples: 500,
    }, data);
  }

  override plotted(plot: string): number[][] | null {
    if (plot === 'losses') return [...this.losses.lastData, ...this.recon.lastData];
    return super.plotted(plot);
  }

  protected mountExtra(grid: HTMLElement): void {
    const box = card(grid, '');
    this.recon = new LinePlot(box, {
      title: 'Reconstruction error ‖v₀ − E[v | h₁]‖²', xLabel: 'epoch', yLabel: 'error', height: 230,
      series: [{ label: 'reconstruction', color: '#9d174d' }],
    });
    this.chainBox = card(grid, 'Gibbs chains from noise: samples after more and more sweeps', 'wide');
  }

  protected override modelBuilt(model: Rbm): void {
    super.modelBuilt(model);
    this.chainBox.querySelectorAll('.uplot').forEach((n) => n.remove());
    this.chain1d = this.chain2d = null;
    this.chainEpoch = -1;
    const holder = document.createElement('div');
    this.chainBox.append(holder);
    if (model.dim === 1) {
      this.chain1d = new DensityPlot(holder, {
        title: 'KDE of chain samples', range: model.target.range, height: 260,
        series: [
          { label: 'real (KDE)', color: COLORS.real, dash: [2, 4], width: 3 },
          ...this.sweeps(model).map((s, i) => ({ label: `${s} sweep${s === 1 ? '' : 's'}`, color: CHAIN_COLORS[i], width: 2 })),
        ],
      });
    } else {
      this.chain2d = new PointPlot(holder, `Samples after ${model.config.gibbsSteps} sweeps`, model.target.range, [{ label: 'chain', color: '#db2777' }], 300);
    }
  }

  private sweeps(model: Rbm): number[] {
    return [1, 10, 100, model.config.gibbsSteps].filter((s, i, all) => all.indexOf(s) === i);
  }

  protected async drawExtra(model: Rbm): Promise<void> {
    const { epochs, column } = this.plotHistory.view();
    this.recon.setData(epochs, [column('reconError')]);
    const now = performance.now();
    if (model.epoch === this.chainEpoch || (this.loop.running && now - this.lastChain < CHAIN_EVERY_MS)) return;
    this.lastChain = now;
    this.chainEpoch = model.epoch;
    if (this.chain1d && this.samples) {
      const grid = this.samples.grid;
      const curves: Float64Array[] = [kde(this.realData(model.target, this.values), grid)];
      for (const s of this.sweeps(model)) curves.push(kde((await model.gibbs(CHAIN_SAMPLES, s)).samples, grid));
      this.chain1d.setData(grid, curves);
    } else if (this.chain2d) {
      this.chain2d.layers = [{ points: (await model.gibbs(CHAIN_SAMPLES)).samples, color: '#db2777', alpha: 0.6, radius: 2 }];
      this.chain2d.redraw();
    }
  }
}

export function createRbmTab(services: AppServices, notify: Notify): RbmTab {
  return new RbmTab(services, notify);
}
