// The VAE tab: reconstruction and KL losses, samples from the prior, and the latent sweep of
// the JAX GAN-vs-VAE-vs-RBM benchmark (the decoder's mean E[x | z] over a grid of z in [−3, 3]).

import { createVae, VAE_DEFAULTS, type Vae } from '../../models/vae/vae';
import type { Target } from '../../models/data/targets';
import type { AppServices } from '../app';

import { card } from '../panel';
import { LinePlot, PointPlot, COLORS } from '../plots';
import type { Values } from '../url-state';
import { seedSetting, type Setting } from '../settings';
import { dataSettings, type Notify } from './model-tab';
import { vaeGradcheck } from './vae-gradcheck';
import { SimpleModelTab } from './simple-tab';

const SWEEP_POINTS = 25;
/** How many z₂ values get a curve in the 1D-data sweep with a 2D latent. */
const SWEEP_CURVES = 5;
const CURVE_COLORS = ['#1d4ed8', '#0891b2', '#059669', '#ca8a04', '#dc2626'];

export class VaeTab extends SimpleModelTab<Vae> {
  readonly id = 'vae';
  readonly title = 'VAE';
  protected readonly intro = 'A variational autoencoder: an encoder maps each x to a Gaussian q(z|x) = N(μ, σ²), a decoder maps z back to x. The loss is reconstruction error plus β·KL(q(z|x) ‖ N(0, I)); new samples are decoded from z ~ N(0, I).';
  protected readonly urlPrefix = 'vae.';
  protected override stepName = 'one VAE step: encode, reparameterise z = μ + σ·ε, decode, loss, backward, Adam';
  protected override gradcheck = vaeGradcheck;
  protected readonly color = '#7c3aed';
  protected readonly lossTitle = 'Losses (reconstruction and KL)';
  protected readonly lossSeries = [
    { key: 'reconLoss', label: 'reconstruction', color: '#7c3aed' },
    { key: 'kl', label: 'KL', color: '#ea580c' },
  ];
  protected readonly callouts = [
    '<strong>A tug of war.</strong> Reconstruction wants each x to get its own sharp code z; the KL term pulls every q(z|x) toward N(0, I) so that codes overlap and the space between them decodes to something sensible. β sets the balance.',
    '<strong>The latent sweep</strong> decodes a grid of z from −3 to 3. A smooth curve (or sheet) that visits every mode means the prior covers the data; flat stretches or jumps show regions the decoder never learned.',
  ];
  protected readonly settings: Setting[] = [
    ...dataSettings('1d-trimodal', VAE_DEFAULTS.lr),
    { kind: 'range', key: 'latent', label: 'Latent dim', min: 1, max: 8, step: 1, default: VAE_DEFAULTS.latent, help: 'numbers in the code z each sample is squeezed into' },
    { kind: 'range', key: 'layers', label: 'Layers', min: 1, max: 4, step: 1, default: VAE_DEFAULTS.layers, help: 'hidden layers of the encoder and of the decoder' },
    { kind: 'range', key: 'hidden', label: 'Width', min: 4, max: 64, step: 1, default: VAE_DEFAULTS.hidden, help: 'units per hidden layer' },
    { kind: 'range', key: 'beta', label: 'β (KL weight)', min: 0, max: 2, step: 0.05, default: VAE_DEFAULTS.beta, help: 'weight of the KL term that pulls each code distribution toward N(0, I)' },
    seedSetting(),
  ];

  private sweepBox!: HTMLElement;
  private sweep1d: LinePlot | null = null;
  private sweep2d: PointPlot | null = null;

  protected build(target: Target, values: Values, data?: Float64Array): Vae {
    return createVae(target, {
      seed: Number(values.seed), dataset: Number(values.dataset), batch: Math.min(Number(values.batch), data ? data.length / target.dim : Infinity),
      lr: Number(values.lr), latent: Number(values.latent), layers: Number(values.layers), hidden: Number(values.hidden), beta: Number(values.beta),
      evalSamples: 2000,
    }, data);
  }

  protected mountExtra(grid: HTMLElement): void {
    this.sweepBox = card(grid, 'Latent sweep: the decoder\'s mean E[x | z] over z in [−3, 3]', 'wide');
    this.sweepBox.dataset.plot = 'sweep';
  }

  protected override modelBuilt(model: Vae): void {
    super.modelBuilt(model);
    this.sweepBox.querySelectorAll('.uplot').forEach((n) => n.remove());
    this.sweep1d = this.sweep2d = null;
    const holder = document.createElement('div');
    this.sweepBox.append(holder);
    if (model.dim === 1) {
      const curves = Math.min(2, model.config.latent) === 1 ? 1 : SWEEP_CURVES;
      this.sweep1d = new LinePlot(holder, {
        title: curves === 1 ? 'E[x | z₁]' : 'E[x | z₁, z₂]: one curve per z₂ (other latent dimensions at 0)', xLabel: 'z₁', yLabel: 'x', height: 240,
        series: Array.from({ length: curves }, (_, i) => ({ label: curves === 1 ? 'decoder mean' : `z₂ = ${(-3 + (6 * i) / (curves - 1)).toFixed(1)}`, color: CURVE_COLORS[i] })),
      });
    } else {
      this.sweep2d = new PointPlot(holder, 'Decoded grid of z: each line is a row of the z grid', model.target.range, [{ label: 'E[x | z]', color: '#7c3aed' }], 320);
    }
  }

  protected async drawExtra(model: Vae): Promise<void> {
    const sweep = await model.latentSweep(SWEEP_POINTS);
    const n = SWEEP_POINTS;
    if (this.sweep1d) {
      const zs = Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1));
      if (sweep.latent === 1) {
        this.sweep1d.setData(zs, [Array.from(sweep.x)]);
      } else {
        // sweep.x[i * n + j] is at (z₁ = axis[i], z₂ = axis[j]); pick SWEEP_CURVES columns j.
        const columns = Array.from({ length: SWEEP_CURVES }, (_, c) => Math.round((c * (n - 1)) / (SWEEP_CURVES - 1)));
        this.sweep1d.setData(zs, columns.map((j) => zs.map((_, i) => sweep.x[i * n + j])));
      }
    } else if (this.sweep2d) {
      const rows = sweep.latent === 1 ? 1 : n;
      const per = sweep.latent === 1 ? n : n;
      this.sweep2d.paths = Array.from({ length: rows }, (_, r) => ({ points: sweep.x.subarray(2 * r * per, 2 * (r + 1) * per), color: r % 2 ? '#a78bfa' : '#7c3aed' }));
      this.sweep2d.layers = [{ points: sweep.x, color: COLORS.generated, alpha: 0.7, radius: 2 }];
      this.sweep2d.redraw();
    }
  }
}

export function createVaeTab(services: AppServices, notify: Notify): VaeTab {
  return new VaeTab(services, notify);
}
