// The "diagnostics" card every model tab has (the evaluation plots of the PyTorch GAN tutorial):
// a Q-Q plot, the two ECDFs with the Kolmogorov–Smirnov statistic marked, and the histogram
// difference generated − real. It is folded by default; while open it redraws from the samples
// the tab already drew for its distribution plot, at most once a second (sorting a few thousand
// numbers: cheap). 2D targets are compared one coordinate at a time (a selector picks x₁ or x₂).

import uPlot from 'uplot';
import { diagnostics, marginal, type Diagnostics } from '../models/eval/diagnostics';
import { el } from './controls';
import { COLORS } from './plots';

const UPDATE_EVERY_MS = 1000;
const HEIGHT = 230;
const AXIS = { stroke: '#475569', grid: { stroke: '#e5e7eb', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 } };
const KS_COLOUR = '#dc2626';

const EXPLAIN = {
  qq: 'Q-Q plot: each dot is one quantile level p (99 of them, from 0.5% to 99.5%): the real data\'s quantile across, the model\'s up. On the dashed diagonal the model has the same share of samples below that point as the data. Dots under the diagonal on the right and over it on the left: the model is too narrow; a kink: a mode too big or missing.',
  ecdf: 'ECDFs: F(x) is the share of samples ≤ x, for the data and for the model. The red segment is the Kolmogorov–Smirnov statistic (KS, not to be confused with the discriminator D), the largest vertical gap between the two curves: 0 means the same distribution, 1 none in common.',
  hist: 'Histogram difference: the model\'s density minus the data\'s, bin by bin. Bars above zero: the model puts too much mass there; below: too little.',
};

function plotWidth(parent: HTMLElement): number {
  return Math.max(260, Math.floor(parent.clientWidth || 360));
}

export class DiagnosticsCard {
  readonly root: HTMLDetailsElement;
  /** The last numbers drawn (the page tests read them). */
  last: Diagnostics | null = null;
  private readonly boxes: { qq: HTMLElement; ecdf: HTMLElement; hist: HTMLElement };
  private readonly coordSelect: HTMLSelectElement;
  private readonly coordRow: HTMLElement;
  private readonly note: HTMLElement;
  private plots: { qq: uPlot; ecdf: uPlot; hist: uPlot } | null = null;
  private real: Float64Array | null = null;
  private generated: Float64Array | null = null;
  private dim: 1 | 2 = 1;
  private range: [number, number] = [0, 1];
  private lastUpdate = 0;
  private epoch = 0;
  private qqRange: [number, number] = [0, 1];
  private pending: ReturnType<typeof setTimeout> | null = null;

  constructor(parent: HTMLElement) {
    this.root = el('details', { class: 'card wide diagnostics', 'data-diagnostics': '' });
    const summary = el('summary', {}, 'Diagnostics: Q-Q plot, ECDFs with the KS statistic, histogram difference');
    this.coordRow = el('label', { class: 'diag-coord' }, 'Coordinate (2D data: each one compared on its own) ');
    this.coordSelect = el('select', { 'data-diag-coord': '' });
    this.coordSelect.append(el('option', { value: '0' }, 'x₁'), el('option', { value: '1' }, 'x₂'));
    this.coordSelect.addEventListener('change', () => this.redraw());
    this.coordRow.append(this.coordSelect);
    const grid = el('div', { class: 'diag-grid' });
    const box = (kind: string, text: string): HTMLElement => {
      const b = el('div', { class: 'diag-plot', 'data-diag-plot': kind });
      grid.append(b);
      b.append(el('p', { class: 'caption' }, text));
      return b;
    };
    this.boxes = { qq: box('qq', EXPLAIN.qq), ecdf: box('ecdf', EXPLAIN.ecdf), hist: box('hist', EXPLAIN.hist) };
    this.note = el('p', { class: 'message error', 'data-diag-error': '', hidden: '' });
    this.root.append(summary, this.coordRow, this.note, grid);
    this.root.addEventListener('toggle', () => { if (this.root.open) this.redraw(); });
    parent.append(this.root);
  }

  /** The real data of a new model (interleaved pairs in 2D) and the target's plotting range. */
  setReal(real: Float64Array, dim: 1 | 2, range: [number, number]): void {
    this.real = real;
    this.dim = dim;
    this.range = range;
    this.generated = null;
    this.coordRow.hidden = dim === 1;
    if (dim === 1) this.coordSelect.value = '0';
  }

  /** The model's latest samples; drawn if the card is open, at most once a second. */
  show(generated: Float64Array, epoch: number): void {
    this.generated = generated;
    this.epoch = epoch;
    if (!this.root.open) return;
    const wait = UPDATE_EVERY_MS - (performance.now() - this.lastUpdate);
    if (wait <= 0) this.redraw();
    // Too soon: draw the latest samples once the second is up (so the last state always shows).
    else this.pending ??= setTimeout(() => { this.pending = null; this.redraw(); }, wait);
  }

  /** Numbers for the page tests: the arrays last drawn in one of the three plots. */
  plotted(plot: string): number[][] | null {
    const d = this.last;
    if (!d) return null;
    if (plot === 'qq') return [d.qq.target, d.qq.generated];
    if (plot === 'ecdf') return [d.ecdf.x, d.ecdf.target, d.ecdf.generated, [d.ks.x, d.ks.d, d.ks.targetCdf, d.ks.generatedCdf]];
    if (plot === 'histdiff') return [d.histogram.centres, d.histogram.difference, d.histogram.generated, d.histogram.target];
    return null;
  }

  private redraw(): void {
    if (!this.root.open || !this.real || !this.generated || this.generated.length < this.dim) return;
    this.lastUpdate = performance.now();
    const c = this.dim === 2 ? (Number(this.coordSelect.value) as 0 | 1) : 0;
    let d: Diagnostics;
    try {
      d = diagnostics(marginal(this.generated, this.dim, c), marginal(this.real, this.dim, c), { range: this.range, bins: 40 });
    } catch (e) {
      // e.g. a non-finite sample from a model that is blowing up: say so, keep the last plots.
      this.note.textContent = `Diagnostics not drawn: ${e instanceof Error ? e.message : String(e)}`;
      this.note.hidden = false;
      return;
    }
    this.note.hidden = true;
    this.last = d;
    const plots = this.plots ?? (this.plots = this.makePlots());
    // One range on both Q-Q axes, so that the diagonal y = x runs corner to corner.
    const lo = Math.min(d.qq.target[0], d.qq.generated[0]);
    const hi = Math.max(d.qq.target[d.qq.target.length - 1], d.qq.generated[d.qq.generated.length - 1]);
    this.qqRange = hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
    plots.qq.setData([d.qq.target, d.qq.generated, d.qq.target.map(() => null)] as unknown as uPlot.AlignedData);
    plots.ecdf.setData([d.ecdf.x, d.ecdf.target, d.ecdf.generated, d.ecdf.x.map(() => null)] as unknown as uPlot.AlignedData);
    plots.hist.setData([d.histogram.centres, d.histogram.difference] as unknown as uPlot.AlignedData);
    const coord = this.dim === 2 ? (c === 0 ? ', x₁' : ', x₂') : '';
    this.title(plots.qq, `Q-Q${coord} — epoch ${this.epoch}`);
    this.title(plots.ecdf, `ECDFs${coord}: KS = ${d.ks.d.toFixed(3)} at x = ${d.ks.x.toFixed(2)}`);
    this.title(plots.hist, `Histogram difference${coord} (model − data)`);
    this.root.dataset.epoch = String(this.epoch);
    this.root.dataset.ks = d.ks.d.toFixed(4);
  }

  private title(u: uPlot, text: string): void {
    const t = u.root.querySelector('.u-title');
    if (t) t.textContent = text;
  }

  private makePlots(): { qq: uPlot; ecdf: uPlot; hist: uPlot } {
    const make = (box: HTMLElement, opts: Omit<uPlot.Options, 'width' | 'height'>, n: number): uPlot => {
      const u = new uPlot({ ...opts, width: plotWidth(box), height: HEIGHT, legend: { live: false }, cursor: { drag: { x: false, y: false } } },
        Array.from({ length: n }, () => []) as unknown as uPlot.AlignedData, box);
      box.insertBefore(u.root, box.firstChild);
      return u;
    };
    const qq = make(this.boxes.qq, {
      title: 'Q-Q',
      series: [{ label: 'data quantile' },
        { label: 'model quantile', stroke: COLORS.generated, paths: () => null, points: { show: true, size: 5, fill: COLORS.generated, stroke: COLORS.generated } },
        { label: 'y = x', stroke: COLORS.ref, width: 1.5, dash: [6, 4], points: { show: false } }],
      scales: { x: { time: false, range: () => this.qqRange }, y: { range: () => this.qqRange } },
      hooks: { draw: [(u) => this.drawDiagonal(u)] },
      axes: [{ ...AXIS, label: 'data quantile' }, { ...AXIS, label: 'model quantile', size: 52 }],
    }, 3);
    const ecdf = make(this.boxes.ecdf, {
      title: 'ECDFs',
      series: [{ label: 'x' },
        { label: 'data', stroke: COLORS.real, width: 2, dash: [2, 3], paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: false } },
        { label: 'model', stroke: COLORS.generated, width: 2, paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: false } },
        { label: 'KS gap', stroke: KS_COLOUR, width: 3, points: { show: false } }],
      scales: { x: { time: false }, y: { range: () => [0, 1] } },
      axes: [{ ...AXIS, label: 'x' }, { ...AXIS, label: 'F(x)', size: 44 }],
      hooks: { draw: [(u) => this.drawKs(u)] },
    }, 4);
    const hist = make(this.boxes.hist, {
      title: 'Histogram difference',
      series: [{ label: 'x' },
        { label: 'model − data', stroke: COLORS.std, fill: `${COLORS.std}88`, width: 1, paths: uPlot.paths.bars?.({ size: [0.9, Infinity] }), points: { show: false } }],
      scales: { x: { time: false, range: () => this.range }, y: { range: (_u, lo, hi) => { const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-3); return [-m, m]; } } },
      axes: [{ ...AXIS, label: 'x' }, { ...AXIS, label: 'density difference', size: 56 }],
      hooks: { draw: [(u) => this.drawZero(u)] },
    }, 2);
    return { qq, ecdf, hist };
  }

  /** The KS segment: at x where the gap is largest, from F_data(x) to F_model(x). */
  private drawKs(u: uPlot): void {
    const ks = this.last?.ks;
    if (!ks) return;
    const ctx = u.ctx;
    const x = u.valToPos(ks.x, 'x', true);
    const y0 = u.valToPos(ks.targetCdf, 'y', true);
    const y1 = u.valToPos(ks.generatedCdf, 'y', true);
    ctx.save();
    ctx.strokeStyle = KS_COLOUR;
    ctx.lineWidth = 3 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, y0);
    ctx.lineTo(x, y1);
    ctx.stroke();
    ctx.fillStyle = KS_COLOUR;
    ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
    const right = x < u.bbox.left + u.bbox.width / 2;
    ctx.textAlign = right ? 'left' : 'right';
    ctx.fillText(`KS = ${ks.d.toFixed(3)}`, x + (right ? 6 : -6) * devicePixelRatio, (y0 + y1) / 2);
    ctx.restore();
  }

  /** y = x across the whole (square) plot: where matching quantiles lie. */
  private drawDiagonal(u: uPlot): void {
    const [lo, hi] = this.qqRange;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = COLORS.ref;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(u.valToPos(lo, 'x', true), u.valToPos(lo, 'y', true));
    ctx.lineTo(u.valToPos(hi, 'x', true), u.valToPos(hi, 'y', true));
    ctx.stroke();
    ctx.restore();
  }

  private drawZero(u: uPlot): void {
    const ctx = u.ctx;
    const y = u.valToPos(0, 'y', true);
    ctx.save();
    ctx.strokeStyle = '#334155';
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.restore();
  }
}
