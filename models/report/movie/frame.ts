// One movie frame: the distribution plot (target pdf, generated density, and D(x) for the GAN)
// rasterised into palette indices for the GIF encoder. No DOM: plain pixel loops.

export const FRAME_PALETTE: [number, number, number][] = [
  [255, 255, 255], // 0 background
  [210, 210, 210], // 1 axes and grid
  [31, 119, 180], // 2 target pdf (blue)
  [255, 127, 14], // 3 generated density (orange)
  [44, 160, 44], // 4 D(x) (green)
  [60, 60, 60], // 5 progress bar
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

/** Draw the curves: densities share one vertical scale (their joint maximum), D(x) uses [0, 1]. */
export function drawFrame(curves: FrameCurves, width: number, height: number): Uint8Array {
  const r = new Raster(width, height);
  const pad = 6;
  const bottom = height - pad - 6;
  const top = pad;
  for (let x = pad; x < width - pad; x++) r.set(x, bottom, 1);
  for (const frac of [0.25, 0.5, 0.75]) for (let x = pad; x < width - pad; x += 4) r.set(x, bottom - frac * (bottom - top), 1);
  const n = curves.xs.length;
  const px = (i: number): number => pad + ((width - 2 * pad - 1) * i) / Math.max(1, n - 1);
  const peak = Math.max(1e-12, ...curves.target, ...curves.generated);
  const plot = (ys: number[], scale: number, c: number): void => {
    for (let i = 1; i < n; i++) {
      const y0 = bottom - (Math.min(ys[i - 1], scale) / scale) * (bottom - top);
      const y1 = bottom - (Math.min(ys[i], scale) / scale) * (bottom - top);
      r.line(px(i - 1), y0, px(i), y1, c);
    }
  };
  if (curves.discriminator) plot(curves.discriminator, 1, 4);
  plot(curves.target, peak, 2);
  plot(curves.generated, peak, 3);
  const barEnd = pad + Math.round(Math.max(0, Math.min(1, curves.progress)) * (width - 2 * pad));
  for (let x = pad; x < barEnd; x++) for (let y = height - 4; y < height - 1; y++) r.set(x, y, 5);
  return r.pixels;
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
