// Plots, all drawn with uPlot. A LinePlot shows metrics against the epoch with dashed reference
// lines (ln 2, 2 ln 2, 0.5, target mean...). A DensityPlot shows 1D distributions over x: the
// real KDE dotted, model curves, a rug of generated samples, the gradient arrows D sends them,
// and an optional second axis (D(x) in [0, 1]). A PointPlot shows 2D samples as dots, with an
// optional background field (D over the plane) and arrows.

import uPlot from 'uplot';

export const COLORS = {
  real: '#2563eb',
  generated: '#059669',
  d: '#d97706',
  g: '#059669',
  dLoss: '#2563eb',
  ref: '#9ca3af',
  refStrong: '#f59e0b',
  mean: '#059669',
  std: '#ea580c',
  arrow: '#dc2626',
  models: { gan: '#059669', vae: '#7c3aed', rbm: '#db2777', diffusion: '#0891b2' } as Record<string, string>,
};

export interface LineSeries {
  label: string;
  color: string;
  dash?: number[];
  width?: number;
  /** Scale key; 'y' (default) or another axis declared in `axes2`. */
  scale?: string;
  /** Mark each data point (for sparse series). */
  points?: boolean;
}

export interface RefLine {
  value: number;
  label: string;
  color?: string;
}

export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  refs?: RefLine[];
  /** Fixed y range (e.g. [0, 1] for probabilities). */
  yRange?: [number, number];
  /** Log-scale y (for KLD and W1 that fall over decades). */
  logY?: boolean;
  height?: number;
}

function plotWidth(parent: HTMLElement): number {
  return Math.max(260, Math.floor(parent.clientWidth || parent.getBoundingClientRect().width || 480));
}

/** Keep a plot as wide as its parent. */
function followWidth(parent: HTMLElement, plot: uPlot, height: number): void {
  const observer = new ResizeObserver(() => {
    const w = plotWidth(parent);
    if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height });
  });
  observer.observe(parent);
}

const AXIS = { stroke: '#475569', grid: { stroke: '#e5e7eb', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 } };

/** Finite values only: uPlot draws null as a gap, and NaN or ±Infinity would break its scales. */
function clean(ys: ArrayLike<number>): (number | null)[] {
  return Array.from(ys, (v) => (Number.isFinite(v) ? v : null));
}

export class LinePlot {
  readonly plot: uPlot;
  /** The last y values given, per series (the page tests read these). */
  lastData: number[][] = [];
  private readonly refs: RefLine[];

  constructor(readonly parent: HTMLElement, readonly options: LinePlotOptions) {
    const height = options.height ?? 220;
    this.refs = (options.refs ?? []).map((r) => ({ ...r }));
    const series: uPlot.Series[] = [
      { label: options.xLabel },
      ...options.series.map((s) => ({
        label: s.label, stroke: s.color, width: s.width ?? 2, dash: s.dash, scale: s.scale ?? 'y', spanGaps: true,
        points: s.points ? { show: true, size: 5, fill: s.color } : { show: false },
      })),
      ...this.refs.map((r) => ({ label: r.label, stroke: r.color ?? COLORS.ref, width: 1.5, dash: [6, 4], scale: 'y', points: { show: false } })),
    ];
    const yScale: uPlot.Scale = options.yRange
      ? { range: () => options.yRange as [number, number] }
      : options.logY ? { distr: 3 } : {};
    this.plot = new uPlot({
      title: options.title,
      width: plotWidth(parent),
      height,
      series,
      scales: { x: { time: false }, y: yScale },
      axes: [{ ...AXIS, label: options.xLabel }, { ...AXIS, label: options.yLabel, size: 56 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    }, [[], ...series.slice(1).map(() => [])] as unknown as uPlot.AlignedData, parent);
    followWidth(parent, this.plot, height);
  }

  /** Move a dashed reference line (e.g. to a new target's mean). */
  setRefValue(index: number, value: number): void {
    if (this.refs[index]) this.refs[index].value = value;
  }

  /**
   * Show a dashed reference line at `value` with a new legend label, or hide it (null): the
   * guides follow the settings (e.g. no ln 2 for a WGAN critic).
   */
  setRef(index: number, value: number | null, label?: string): void {
    const ref = this.refs[index];
    if (!ref) return;
    ref.value = value ?? NaN;
    const seriesIndex = 1 + this.options.series.length + index;
    this.plot.setSeries(seriesIndex, { show: value !== null });
    if (label !== undefined) this.setSeriesLabel(seriesIndex, label);
  }

  /** Rename a line (its legend entry too); index 0 is the first data series. */
  setLabel(index: number, label: string): void {
    this.setSeriesLabel(1 + index, label);
  }

  setTitle(title: string): void {
    const t = this.plot.root.querySelector('.u-title');
    if (t) t.textContent = title;
  }

  private setSeriesLabel(seriesIndex: number, label: string): void {
    this.plot.series[seriesIndex].label = label;
    // The legend lists the x series too only when it is live; here it is not.
    const rows = this.plot.root.querySelectorAll('.u-legend .u-series');
    const row = rows[rows.length === this.plot.series.length ? seriesIndex : seriesIndex - 1];
    const cell = row?.querySelector('.u-label');
    if (cell) cell.textContent = label;
  }

  /** x values (epochs) and one array of y values per series (reference lines are added here). */
  setData(x: readonly number[], ys: readonly (readonly number[])[]): void {
    this.lastData = ys.map((y) => Array.from(y));
    const xs = x.length > 0 ? Array.from(x) : [0];
    // A log axis cannot show 0 or negative values: they become gaps.
    const fix = (y: readonly number[]): (number | null)[] => clean(y).map((v) => (this.options.logY && v !== null && v <= 0 ? null : v));
    const data: (number | null)[][] = [xs, ...ys.map((y) => (x.length > 0 ? fix(y) : [null]))];
    for (const r of this.refs) data.push(xs.map(() => (Number.isFinite(r.value) ? r.value : null)));
    this.plot.setData(data as unknown as uPlot.AlignedData);
  }
}

export interface Arrow {
  /** Start point (data units). */
  x: number;
  y: number;
  /** Direction (data units, already scaled to a readable length). */
  dx: number;
  dy: number;
}

function drawArrow(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  const len = Math.hypot(x1 - x0, y1 - y0);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  if (len > 4) {
    const a = Math.atan2(y1 - y0, x1 - x0);
    const h = Math.min(6, len / 2) * devicePixelRatio;
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - h * Math.cos(a - 0.45), y1 - h * Math.sin(a - 0.45));
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - h * Math.cos(a + 0.45), y1 - h * Math.sin(a + 0.45));
  }
  ctx.stroke();
}

export interface DensityPlotOptions {
  title: string;
  range: [number, number];
  /** Curves over the x grid (the first one is usually the real KDE, dotted). */
  series: LineSeries[];
  /** Label of the right axis (scale 'p', fixed to [0, 1]), e.g. "D(x)"; none if omitted. */
  rightAxis?: string;
  height?: number;
}

/**
 * Distributions over x. The rug (short ticks under the curves) and the arrows are drawn on the
 * canvas after uPlot's own drawing, in data coordinates.
 */
export class DensityPlot {
  readonly plot: uPlot;
  rug: ArrayLike<number> = [];
  rugColor = COLORS.generated;
  /** Horizontal arrows on the rug: x and the signed length in data units. */
  arrows: { x: number; dx: number }[] = [];
  lastData: number[][] = [];

  constructor(readonly parent: HTMLElement, options: DensityPlotOptions) {
    const height = options.height ?? 300;
    const series: uPlot.Series[] = [
      { label: 'x' },
      ...options.series.map((s) => ({
        label: s.label, stroke: s.color, width: s.width ?? 2, dash: s.dash, scale: s.scale ?? 'y', points: { show: false },
      })),
    ];
    const axes: uPlot.Axis[] = [{ ...AXIS, label: 'x' }, { ...AXIS, label: 'density', size: 56 }];
    const scales: uPlot.Scales = {
      x: { time: false, range: () => options.range },
      // Room under zero for the rug and the arrows.
      y: { range: (_u, _lo, hi) => [-0.22 * Math.max(hi, 1e-3), Math.max(hi, 1e-3) * 1.08] },
    };
    if (options.rightAxis) {
      axes.push({ ...AXIS, side: 1, scale: 'p', label: options.rightAxis, grid: { show: false }, size: 48 });
      scales.p = { range: () => [-0.22 / 1.08, 1] };
    }
    this.plot = new uPlot({
      title: options.title,
      width: plotWidth(parent),
      height,
      series,
      scales,
      axes,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [(u) => this.drawExtras(u)] },
    }, [[], ...options.series.map(() => [])] as unknown as uPlot.AlignedData, parent);
    followWidth(parent, this.plot, height);
  }

  setData(grid: ArrayLike<number>, ys: readonly ArrayLike<number>[]): void {
    this.lastData = ys.map((y) => Array.from(y));
    this.plot.setData([Array.from(grid), ...ys.map(clean)] as unknown as uPlot.AlignedData);
  }

  setTitle(title: string): void {
    const t = this.plot.root.querySelector('.u-title');
    if (t) t.textContent = title;
  }

  private drawExtras(u: uPlot): void {
    const ctx = u.ctx;
    const yMax = u.scales.y.max ?? 1;
    const rugTop = u.valToPos(-0.04 * yMax, 'y', true);
    const rugBottom = u.valToPos(-0.11 * yMax, 'y', true);
    const arrowY = u.valToPos(-0.17 * yMax, 'y', true);
    ctx.save();
    // Clip to the plotting area.
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    ctx.globalAlpha = 0.35;
    ctx.strokeStyle = this.rugColor;
    ctx.lineWidth = devicePixelRatio;
    ctx.beginPath();
    for (let i = 0; i < this.rug.length; i++) {
      const px = u.valToPos(this.rug[i], 'x', true);
      ctx.moveTo(px, rugTop);
      ctx.lineTo(px, rugBottom);
    }
    ctx.stroke();
    ctx.globalAlpha = 0.8;
    ctx.strokeStyle = COLORS.arrow;
    ctx.lineWidth = 1.2 * devicePixelRatio;
    for (const a of this.arrows) {
      drawArrow(ctx, u.valToPos(a.x, 'x', true), arrowY, u.valToPos(a.x + a.dx, 'x', true), arrowY);
    }
    ctx.restore();
  }
}

export interface PointLayer {
  points: ArrayLike<number>; // interleaved x, y
  color: string;
  alpha: number;
  radius: number;
}

/**
 * 2D samples. Points, arrows and an optional field (values in [0, 1] on a square grid, drawn
 * as shaded cells under the points) are all drawn by hooks; uPlot gives axes and scales.
 */
export class PointPlot {
  readonly plot: uPlot;
  layers: PointLayer[] = [];
  arrows: Arrow[] = [];
  /** Optional background: values[i * n + j] at cell (x_j, y_i), in [0, 1]. */
  field: { values: ArrayLike<number>; n: number } | null = null;
  /** Optional polylines (latent walks): interleaved x, y. */
  paths: { points: ArrayLike<number>; color: string; dash?: number[] }[] = [];

  constructor(readonly parent: HTMLElement, readonly title: string, readonly range: [number, number], legend: { label: string; color: string }[], height = 320) {
    this.plot = new uPlot({
      title,
      width: Math.min(plotWidth(parent), height + 120),
      height,
      series: [{ label: 'x' }, ...legend.map((l) => ({ label: l.label, stroke: l.color, width: 2, points: { show: false } }))],
      scales: { x: { time: false, range: () => range }, y: { range: () => range } },
      axes: [{ ...AXIS, label: 'x₁' }, { ...AXIS, label: 'x₂', size: 48 }],
      legend: { live: false },
      cursor: { show: false },
      hooks: { drawClear: [(u) => this.drawField(u)], draw: [(u) => this.drawPoints(u)] },
    }, [[range[0], range[1]], ...legend.map(() => [null, null])] as unknown as uPlot.AlignedData, parent);
  }

  redraw(): void {
    this.plot.redraw(false, false);
  }

  private drawField(u: uPlot): void {
    if (!this.field) return;
    const { values, n } = this.field;
    const [lo, hi] = this.range;
    const step = (hi - lo) / n;
    const ctx = u.ctx;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = values[i * n + j];
        const x0 = u.valToPos(lo + j * step, 'x', true);
        const x1 = u.valToPos(lo + (j + 1) * step, 'x', true);
        const y0 = u.valToPos(lo + i * step, 'y', true);
        const y1 = u.valToPos(lo + (i + 1) * step, 'y', true);
        // D near 1 (looks real) tinted blue, near 0 (looks fake) tinted orange, 0.5 white.
        const t = Math.max(-1, Math.min(1, 2 * v - 1));
        ctx.fillStyle = t >= 0 ? `rgba(37, 99, 235, ${0.28 * t})` : `rgba(217, 119, 6, ${-0.28 * t})`;
        ctx.fillRect(x0, y1, x1 - x0 + 1, y0 - y1 + 1);
      }
    }
  }

  private drawPoints(u: uPlot): void {
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    for (const layer of this.layers) {
      ctx.globalAlpha = layer.alpha;
      ctx.fillStyle = layer.color;
      const r = layer.radius * devicePixelRatio;
      for (let i = 0; i + 1 < layer.points.length; i += 2) {
        ctx.beginPath();
        ctx.arc(u.valToPos(layer.points[i], 'x', true), u.valToPos(layer.points[i + 1], 'y', true), r, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 0.85;
    ctx.strokeStyle = COLORS.arrow;
    ctx.lineWidth = 1.2 * devicePixelRatio;
    for (const a of this.arrows) {
      drawArrow(ctx, u.valToPos(a.x, 'x', true), u.valToPos(a.y, 'y', true), u.valToPos(a.x + a.dx, 'x', true), u.valToPos(a.y + a.dy, 'y', true));
    }
    ctx.globalAlpha = 1;
    for (const p of this.paths) {
      ctx.strokeStyle = p.color;
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash(p.dash ?? []);
      ctx.beginPath();
      for (let i = 0; i + 1 < p.points.length; i += 2) {
        const x = u.valToPos(p.points[i], 'x', true);
        const y = u.valToPos(p.points[i + 1], 'y', true);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.restore();
  }
}

/** Histogram as a stepped density line: edges (K + 1) and densities (K). */
export function stepped(edges: ArrayLike<number>, density: ArrayLike<number>): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < density.length; i++) {
    x.push(edges[i], edges[i + 1]);
    y.push(density[i], density[i]);
  }
  return { x, y };
}
