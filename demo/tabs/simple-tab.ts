// A tab for a model trained by one loss (or two) without an adversary: the VAE, the RBM and
// the diffusion model. Same controls idiom and loop as the GAN tab; each model adds its loss
// plot's series, its settings and one extra card (latent sweep, Gibbs chain, reverse chain).

import { createRng, type Tensor } from '../../engine/index';
import type { GenerativeModel, HistoryRecord } from '../../models/core/model';
import type { Target } from '../../models/data/targets';
import type { ControlSpec } from '../controls';
import { callout, card } from '../panel';
import { COLORS, LinePlot, type LineSeries } from '../plots';
import type { AnyField, Values } from '../url-state';
import { controlsOf, fieldsOf, type Setting } from '../settings';
import { ModelTab, CSV_TARGET } from './model-tab';
import { SamplePlot } from './sample-plot';

export interface NamedModel extends GenerativeModel {
  namedParameters(): [string, Tensor][];
}

export abstract class SimpleModelTab<M extends NamedModel> extends ModelTab<M> {
  protected abstract readonly lossSeries: (LineSeries & { key: string })[];
  protected abstract readonly lossTitle: string;
  protected abstract readonly callouts: string[];
  protected abstract readonly color: string;
  /** Every setting of the tab, once (its control and URL field come from it). */
  protected abstract readonly settings: Setting[];
  protected abstract build(target: Target, values: Values, data?: Float64Array): M;
  /** Mount the model's own card (once). */
  protected abstract mountExtra(grid: HTMLElement): void;
  /** Draw the model's own card. */
  protected abstract drawExtra(model: M): Promise<void>;

  /** Samples drawn for the distribution plot at each redraw (fewer for models that sample slowly). */
  protected sampleCount = 1000;
  protected losses!: LinePlot;
  protected quality!: LinePlot;
  protected samples: SamplePlot | null = null;
  protected sampleBox!: HTMLElement;

  protected fields(): AnyField[] {
    return fieldsOf(this.settings);
  }

  protected controlSpecs(): ControlSpec[] {
    return controlsOf(this.settings);
  }

  protected createModel(target: Target, values: Values, data?: Float64Array): M {
    return this.build(target, values, data);
  }

  protected namedParameters(model: M): [string, Tensor][] {
    return model.namedParameters();
  }

  protected statusValues(last: HistoryRecord | undefined): [string, number][] {
    return [...this.lossSeries.map((s): [string, number] => [s.label, last?.[s.key] ?? NaN]), ['W1', last?.w1 ?? NaN]];
  }

  plotted(plot: string): number[][] | null {
    if (plot === 'losses') return this.losses.lastData;
    if (plot === 'quality') return this.quality.lastData;
    if (plot === 'distribution') return this.samples?.lastData ?? null;
    return this.diagnostics.plotted(plot);
  }

  protected distributionCard(): HTMLElement {
    return this.sampleBox;
  }

  protected mountPlots(body: HTMLElement): void {
    const row = document.createElement('div');
    row.className = 'callouts';
    for (const html of this.callouts) callout(row, 'hint', html);
    body.append(row);
    const grid = document.createElement('div');
    grid.className = 'plot-grid';
    body.append(grid);
    this.sampleBox = card(grid, '', 'wide');
    const lossBox = card(grid, '');
    this.losses = new LinePlot(lossBox, { title: this.lossTitle, xLabel: 'epoch', yLabel: 'loss', height: 230, series: this.lossSeries });
    const qBox = card(grid, '');
    this.quality = new LinePlot(qBox, {
      title: 'Distance to the target (log scale)', xLabel: 'epoch', yLabel: 'W1 / KLD', height: 230, logY: true,
      series: [{ label: 'W1', color: '#7c3aed' }, { label: 'KLD', color: '#db2777' }],
    });
    this.mountExtra(grid);
  }

  /** The real data shown dotted: the user's rows, or fresh samples of the target. */
  protected realData(target: Target, values: Values): Float64Array {
    if (values.target === CSV_TARGET && this.userData) return this.userData.parsed.data;
    return target.sample(Number(values.dataset ?? 2048), createRng(Number(values.seed ?? 0) + 4242));
  }

  protected override modelBuilt(model: M): void {
    this.samples = new SamplePlot(this.sampleBox, model.target, this.realData(model.target, this.values), 'Samples', model.kind.toUpperCase(), this.color);
    this.diagnostics.setReal(this.samples.real, model.dim, model.target.range);
  }

  protected async draw(model: M): Promise<void> {
    // Every epoch for the recent past, older epochs as each bucket's min and max (demo/history.ts).
    const { epochs, column } = this.plotHistory.view();
    this.losses.setData(epochs, this.lossSeries.map((s) => column(s.key)));
    this.quality.setData(epochs, [column('w1'), column('kld')]);
    if (this.samples) {
      const samples = await model.sample(this.sampleCount);
      this.samples.show(samples, `Samples — epoch ${model.epoch}`);
      this.diagnostics.show(samples, model.epoch);
    }
    await this.drawExtra(model);
  }
}

export { COLORS };
