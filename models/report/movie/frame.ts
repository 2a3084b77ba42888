// One movie frame: the distribution plot (target pdf, generated density, and D(x) for the GAN)
// rasterised into palette indices for the GIF encoder, with x ticks and their values, a legend,
// D's [0, 1] axis and the epoch on every frame. No DOM: plain pixel loops and a bitmap font.

import { drawText, GLYPH_HEIGHT, textWidth, tickLabel } from './font';

export const FRAME_PALETTE: [number, number, number][] = [
  [255, 255, 255], // 0 background
  [210, 210, 210], // 1 axes and grid
  [31, 119, 180], // 2 target pdf (blue)
  [255, 127, 14], // 3 generated density (orange)
  [44, 160, 44], // 4 D(x) (green)
  [60, 60, 60], // 5 progress bar, ticks and text
];

export interface FrameCurves {
  /** x positions (increasing), shared by the curves. */
  xs: number[];
  target: number[];
  generated: number[];
  /** D(x) in [0, 1], drawn on its own scale (full height = 1); omitted for models without D. */
  discriminator?: number[];
  /** Fraction of training done, drawn as a bar along the bottom. */
  progress: number;
  /** The epoch the frame shows, written in its top right corner. */
  epoch?: number;
}

export class Raster {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.pixels = new Uint8Array(width * height);
  }
  set(x: number, y: number, c: number): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi >= 0 && yi >= 0 && xi < this.width && yi < this.height) this.pixels[yi * this.width + xi] = c;
  }
  /** A 2-pixel-thick line by stepping along its longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, c: number): void {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= n; i++) {
      const x = x0 + ((x1 - x0) * i) / n;
      const y = y0 + ((y1 - y0) * i) / n;
      this.set(x, y, c);
      this.set(x, y + 1, c);
    }
  }
}

const PAD = 6;

/**
 * Where a 1D frame's plot sits: bands for the legend and the epoch above it, for the x tick
 * labels and the progress bar below it, and (with D) for D's axis labels on the right.
 * Curves are drawn only in columns [left, left + plotW) and rows [top, bottom + 1].
 */
export function curvesBox(width: number, height: number, withDiscriminator: boolean): { pad: number; left: number; top: number; bottom: number; plotW: number } {
  const right = withDiscriminator ? textWidth('D 1') + 2 * PAD : PAD;
  // With D, a taller top band: D's "1" (centred on the plot's top line) stays clear of the epoch above it.
  const top = GLYPH_HEIGHT + (withDiscriminator ? 3 : 2) * PAD;
  const bottom = height - (GLYPH_HEIGHT + 4) - 6 - PAD;
  return { pad: PAD, left: PAD, top, bottom, plotW: width - PAD - right };
}

/** Where a 2D frame's square sits (centred, between the same bands); points fill [left, left + size + 1] × [top, bottom + 1]. */
export function scatterBox(width: number, height: number): { pad: number; left: number; top: number; bottom: number; size: number } {
  const top = GLYPH_HEIGHT + 2 * PAD;
  const bottom = height - (GLYPH_HEIGHT + 4) - 6 - PAD;
  const size = bottom - top;
  return { pad: PAD, left: Math.round((width - size) / 2), top, bottom, size };
}

/** Draw the curves: densities share one vertical scale (their joint maximum), D(x) uses [0, 1]. */
export function drawFrame(curves: FrameCurves, width: number, height: number): Uint8Array {
  const r = new Raster(width, height);
  const text = (label: string, x: number, y: number, c: number): void => drawText(label, x, y, (px, py) => r.set(px, py, c));
  const { pad, left, top, bottom, plotW } = curvesBox(width, height, curves.discriminator !== undefined);
  const right = width - left - plotW;
  for (let x = left; x < left + plotW; x++) r.set(x, bottom, 1);
  for (const frac of [0.25, 0.5, 0.75]) for (let x = left; x < left + plotW; x += 4) r.set(x, bottom - frac * (bottom - top), 1);
  const n = curves.xs.length;
  const px = (i: number): number => left + ((plotW - 1) * i) / Math.max(1, n - 1);
  // x ticks at round values across the range, each with its label under the axis.
  const lo = curves.xs[0];
  const hi = curves.xs[n - 1];
  for (const v of niceTicks(lo, hi, 6)) {
    const x = left + ((v - lo) / (hi - lo || 1)) * (plotW - 1);
    for (let y = bottom; y < bottom + 3; y++) r.set(x, y, 5);
    const label = tickLabel(v);
    const lx = Math.min(Math.max(0, Math.round(x - textWidth(label) / 2)), width - textWidth(label));
    text(label, lx, bottom + 4, 5);
  }
  const peak = Math.max(1e-12, ...curves.target, ...curves.generated);
  const plot = (ys: number[], scale: number, c: number): void => {
    for (let i = 1; i < n; i++) {
      const y0 = bottom - (Math.min(ys[i - 1], scale) / scale) * (bottom - top);
      const y1 = bottom - (Math.min(ys[i], scale) / scale) * (bottom - top);
      r.line(px(i - 1), y0, px(i), y1, c);
    }
  };
  if (curves.discriminator) {
    plot(curves.discriminator, 1, 4);
    // D's own axis on the right: 1 at the top, 0 at the axis.
    text('D 1', width - right + pad, top - 3, 4);
    text('0', width - right + pad, bottom - 3, 4);
  }
  plot(curves.target, peak, 2);
  plot(curves.generated, peak, 3);
  // Legend (a short line in each colour, then its name) and the epoch.
  let x = left;
  const entries: [string, number][] = [['data', 2], ['model', 3], ...(curves.discriminator ? [['D(x)', 4] as [string, number]] : [])];
  for (const [label, c] of entries) {
    for (let k = 0; k < 12; k++) { r.set(x + k, pad + 3, c); r.set(x + k, pad + 4, c); }
    text(label, x + 15, pad, 5);
    x += 15 + textWidth(label) + 12;
  }
  if (curves.epoch !== undefined) {
    const label = `epoch ${curves.epoch}`;
    text(label, width - pad - textWidth(label), pad, 5);
  }
  const barEnd = left + Math.round(Math.max(0, Math.min(1, curves.progress)) * (width - 2 * pad));
  for (let xb = left; xb < barEnd; xb++) for (let y = height - 4; y < height - 1; y++) r.set(xb, y, 5);
  return r.pixels;
}

export interface ScatterFrame {
  /** The square shown, [lo, hi] on both axes. */
  range: [number, number];
  /** Interleaved (x₁, x₂) pairs. */
  target: ArrayLike<number>;
  generated: ArrayLike<number>;
  progress: number;
  epoch?: number;
}

/** A 2D frame: data and generated points in the plane, with ticks on both axes, a legend and the epoch. */
export function drawScatterFrame(f: ScatterFrame, width: number, height: number): Uint8Array {
  const r = new Raster(width, height);
  const text = (label: string, x: number, y: number, c: number): void => drawText(label, x, y, (px, py) => r.set(px, py, c));
  const { pad, left, top, bottom, size } = scatterBox(width, height);
  const [lo, hi] = f.range;
  const at = (v: number): number => ((v - lo) / (hi - lo)) * size;
  for (let k = 0; k <= size; k++) { r.set(left + k, bottom, 1); r.set(left + k, top, 1); r.set(left, top + k, 1); r.set(left + size, top + k, 1); }
  for (const v of niceTicks(lo, hi, 4)) {
    const label = tickLabel(v);
    const x = left + at(v);
    const y = bottom - at(v);
    for (let k = 0; k < 3; k++) { r.set(x, bottom + k, 5); r.set(left - 1 - k, y, 5); }
    text(label, Math.round(x - textWidth(label) / 2), bottom + 4, 5);
    text(label, left - 4 - textWidth(label), Math.round(y - GLYPH_HEIGHT / 2), 5);
  }
  const dots = (pts: ArrayLike<number>, c: number): void => {
    for (let i = 0; i + 1 < pts.length; i += 2) {
      const x = left + at(pts[i]);
      const y = bottom - at(pts[i + 1]);
      if (x < left || x > left + size || y < top || y > bottom) continue;
      r.set(x, y, c); r.set(x + 1, y, c); r.set(x, y + 1, c); r.set(x + 1, y + 1, c);
    }
  };
  dots(f.target, 2);
  dots(f.generated, 3);
  let x = pad;
  for (const [label, c] of [['data', 2], ['model', 3]] as [string, number][]) {
    for (let k = 0; k < 12; k++) { r.set(x + k, pad + 3, c); r.set(x + k, pad + 4, c); }
    text(label, x + 15, pad, 5);
    x += 15 + textWidth(label) + 12;
  }
  if (f.epoch !== undefined) text(`epoch ${f.epoch}`, width - pad - textWidth(`epoch ${f.epoch}`), pad, 5);
  const barEnd = pad + Math.round(Math.max(0, Math.min(1, f.progress)) * (width - 2 * pad));
  for (let xb = pad; xb < barEnd; xb++) for (let y = height - 4; y < height - 1; y++) r.set(xb, y, 5);
  return r.pixels;
}

/** About `count` round tick values (1, 2 or 5 × a power of ten apart) within [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + 1e-9 * step; k++) out.push(Number((k * step).toPrecision(12)) || 0);
  return out;
}

/** Density of samples on `bins` equal bins over [lo, hi] (values outside are dropped). */
export function densityOf(samples: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (let i = 0; i < samples.length; i++) {
    const b = Math.floor((samples[i] - lo) / w);
    if (b >= 0 && b < bins) counts[b]++;
  }
  return counts.map((c) => c / (samples.length * w));
}
