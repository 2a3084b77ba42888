// The diffusion tab: the noise-prediction loss, samples, and an animation of the reverse
// chain: a set of samples travelling from pure noise at t = T to data at t = 0.

import { createDiffusion, DIFFUSION_DEFAULTS, type Diffusion } from '../../models/diffusion/diffusion';
import type { Target } from '../../models/data/targets';
import type { AppServices } from '../app';
import { el } from '../controls';
import { card } from '../panel';
import type { Values } from '../url-state';
import { numberChoice, seedSetting, type Setting } from '../settings';
import { dataSettings, type Notify } from './model-tab';
import { SamplePlot } from './sample-plot';
import { diffusionGradcheck } from './diffusion-gradcheck';
import { SimpleModelTab } from './simple-tab';

const FRAMES = 26;
const CHAIN_SAMPLES = 600;
/** Recompute the reverse chain at most this often while training (it costs T forward passes). */
const CHAIN_EVERY_MS = 2500;

export class DiffusionTab extends SimpleModelTab<Diffusion> {
  readonly id = 'diffusion';
  readonly title = 'Diffusion';
  protected readonly intro = 'A denoising diffusion model (DDPM): data are blurred into Gaussian noise over T small steps; a network learns to predict the noise that was added at each step. Sampling runs the chain backwards, from pure noise to data.';
  protected readonly urlPrefix = 'diffusion.';
  protected override stepName = 'one diffusion step: noise a batch at random t, predict the noise, MSE, backward, Adam';
  protected override gradcheck = diffusionGradcheck;
  protected override sampleCount = 400;
  protected readonly color = '#0891b2';
  protected readonly lossTitle = 'Noise-prediction loss (MSE)';
  protected readonly lossSeries = [{ key: 'loss', label: 'loss', color: '#0891b2' }];
  protected readonly callouts = [
    '<strong>What the loss measures.</strong> x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε mixes data and noise; the network sees x_t and t and guesses ε. Guessing 0 always scores 1 (the noise\'s variance), so the loss starts near 1 and falls as the network learns where the data lie.',
    '<strong>The reverse chain</strong> below starts from N(0, I) at t = T and removes a little predicted noise at each step, adding back a little fresh noise. Press play: the samples drift toward the modes late in the chain, when t is small.',
  ];
  protected readonly settings: Setting[] = [
    ...dataSettings('1d-trimodal', DIFFUSION_DEFAULTS.lr),
    numberChoice('T', 'Steps T', DIFFUSION_DEFAULTS.steps, [20, 50, 100, 200, 500], 'noise levels from the data to pure noise; sampling walks all of them back'),
    { kind: 'range', key: 'layers', label: 'Layers', min: 1, max: 4, step: 1, default: DIFFUSION_DEFAULTS.layers, help: 'hidden layers of the noise predictor' },
    { kind: 'range', key: 'hidden', label: 'Width', min: 8, max: 128, step: 2, default: DIFFUSION_DEFAULTS.hidden, help: 'units per hidden layer' },
    seedSetting(),
  ];

  private chainBox!: HTMLElement;
  private chainPlotBox!: HTMLElement;
  private chainPlot: SamplePlot | null = null;
  private frames: Float64Array[] = [];
  private frame = 0;
  private slider!: HTMLInputElement;
  private label!: HTMLElement;
  private playing = true;
  private lastChain = 0;
  private chainEpoch = -1;

  protected build(target: Target, values: Values, data?: Float64Array): Diffusion {
    return createDiffusion(target, {
      seed: Number(values.seed), dataset: Number(values.dataset), batch: Math.min(Number(values.batch), data ? data.length / target.dim : Infinity),
      lr: Number(values.lr), steps: Number(values.T), layers: Number(values.layers), hidden: Number(values.hidden),
      evalSamples: 1000,
    }, data);
  }

  protected mountExtra(grid: HTMLElement): void {
    this.chainBox = card(grid, 'The reverse chain: from noise (t = T) to data (t = 0)', 'wide');
    this.chainPlotBox = el('div');
    const controls = el('div', { class: 'button-row' });
    const play = el('button', { class: 'btn small', 'data-action': 'play' }, 'pause');
    play.addEventListener('click', () => {
      this.playing = !this.playing;
      play.textContent = this.playing ? 'pause' : 'play';
    });
    this.slider = el('input', { type: 'range', min: '0', max: String(FRAMES - 1), step: '1', value: '0', 'aria-label': 'frame of the reverse chain' });
    this.slider.addEventListener('input', () => {
      this.playing = false;
      play.textContent = 'play';
      this.showFrame(Number(this.slider.value));
    });
    this.label = el('span', { class: 'control-value' });
    controls.append(play, this.slider, this.label);
    this.chainBox.append(this.chainPlotBox, controls);
    window.setInterval(() => {
      if (!this.playing || this.frames.length === 0 || this.chainBox.closest('[hidden]')) return;
      // Hold the last frame (the samples) a little longer than the others.
      this.frame = (this.frame + 1) % (this.frames.length + 6);
      this.showFrame(Math.min(this.frame, this.frames.length - 1));
    }, 140);
  }

  protected override modelBuilt(model: Diffusion): void {
    super.modelBuilt(model);
    this.frames = [];
    this.chainEpoch = -1;
    this.chainPlot = new SamplePlot(this.chainPlotBox, model.target, this.realData(model.target, this.values), 'x_t', 'chain', '#0891b2');
  }

  private showFrame(i: number): void {
    if (!this.chainPlot || !this.frames[i]) return;
    const T = Number(this.model?.config.steps ?? 100);
    const t = Math.round(T - (i * T) / (this.frames.length - 1));
    this.slider.value = String(i);
    this.label.textContent = `t = ${t}`;
    this.chainPlot.show(this.frames[i], `Reverse chain, t = ${t} of ${T}${t === T ? ' (pure noise)' : t === 0 ? ' (samples)' : ''}`);
  }

  protected async drawExtra(model: Diffusion): Promise<void> {
    const now = performance.now();
    if (model.epoch === this.chainEpoch || (this.loop.running && now - this.lastChain < CHAIN_EVERY_MS)) return;
    this.lastChain = now;
    this.chainEpoch = model.epoch;
    this.frames = await model.trajectory(CHAIN_SAMPLES, FRAMES);
    if (!this.playing) this.showFrame(Number(this.slider.value));
  }
}

export function createDiffusionTab(services: AppServices, notify: Notify): DiffusionTab {
  return new DiffusionTab(services, notify);
}
