// The pictures of the Compare tab that are not plain lines over epochs: each model's final
// samples as a histogram (drawn as steps) over the target's density, or as dots over the
// target's dots in 2D.
//
// A histogram with bins of width w shows density = count / (n·w), so its area is 1 like the
// target's pdf. Bins: the model's own K bins in binned mode, one per integer for a discrete
// target, else 50 equal bins over the plotting range.

import { createBinning, type Binning } from '../../models/data/binning';
import { histogram, linspace } from '../../models/eval/metrics';
import type { Target } from '../../models/data/targets';
import { COLORS, DensityPlot, PointPlot } from '../plots';

/** Equal bins for the histograms of `target` (see the file comment). */
export function displayBinning(target: Target, bins: number): Binning {
  if (bins > 0) return createBinning(target, bins);
  if (target.discrete) return createBinning(target, Math.ceil(target.range[1]) - Math.floor(target.range[0]));
  return createBinning(target, 50);
}

/** Density per bin of `samples`: count / (n·w). */
function binDensities(samples: Float64Array, b: Binning): Float64Array {
  const h = histogram(samples, b.k, [b.lo, b.hi]);
  const n = Math.max(1, samples.length);
  return h.counts.map((c) => c / (n * b.width));
}

/**
 * An x grid for drawing a step function over `b` next to a smooth curve: `fine` points across
 * the range plus every bin edge twice (once closing the bin on its left, once opening the bin on
 * its right). `bin[i]` is the bin whose height is drawn at x[i] (−1 outside the bins).
 */
function stepGrid(b: Binning, range: [number, number], fine = 300): { x: number[]; bin: number[] } {
  // `side` orders points at the same x: the copy closing the left bin first, then the one opening the right.
  const points: { x: number; bin: number; side: number }[] = [];
  const binOf = (x: number): number => (x < b.lo || x > b.hi ? -1 : Math.min(b.k - 1, Math.floor((x - b.lo) / b.width)));
  for (const x of linspace(range[0], range[1], fine)) points.push({ x, bin: binOf(x), side: 1 });
  for (let e = 0; e <= b.k; e++) {
    const x = b.lo + e * b.width;
    points.push({ x, bin: e - 1, side: 0 }, { x, bin: e < b.k ? e : -1, side: 2 });
  }
  points.sort((p, q) => p.x - q.x || p.side - q.side);
  return { x: points.map((p) => p.x), bin: points.map((p) => p.bin) };
}

/** The target's density at each grid point: its pdf, or (discrete or unknown) a histogram. */
function targetCurve(target: Target, b: Binning, grid: { x: number[]; bin: number[] }, reference: Float64Array): number[] {
  if (target.pdf && !target.discrete) return grid.x.map((x) => target.pdf?.(x) ?? 0);
  let density: Float64Array;
  if (target.pdf && target.discrete) {
    // Mass at each integer inside a bin, spread over the bin's width.
    density = new Float64Array(b.k);
    for (let i = 0; i < b.k; i++) {
      let mass = 0;
      for (let v = Math.ceil(b.lo + i * b.width); v < b.lo + (i + 1) * b.width; v++) mass += target.pdf(v);
      density[i] = mass / b.width;
    }
  } else {
    density = binDensities(reference, b);
  }
  return grid.bin.map((i) => (i >= 0 ? density[i] : 0));
}

/** One model's final samples against the target, in 1D or 2D. */
export class FinalSamplesPlot {
  private readonly d1: DensityPlot | null = null;
  private readonly d2: PointPlot | null = null;
  private readonly binning: Binning | null = null;
  private readonly grid: { x: number[]; bin: number[] } | null = null;
  private readonly target1d: number[] = [];
  /** The y values last drawn (target, model), for the page tests. */
  lastData: number[][] = [];

  constructor(parent: HTMLElement, readonly target: Target, readonly reference: Float64Array, bins: number, readonly label: string, readonly color: string) {
    if (target.dim === 1) {
      this.binning = displayBinning(target, bins);
      const range: [number, number] = [Math.min(target.range[0], this.binning.lo), Math.max(target.range[1], this.binning.hi)];
      this.grid = stepGrid(this.binning, range);
      this.target1d = targetCurve(target, this.binning, this.grid, reference);
      this.d1 = new DensityPlot(parent, {
        title: label, range, height: 230,
        series: [
          { label: 'target density', color: COLORS.real, dash: [2, 4], width: 2.5 },
          { label: `${label} samples (histogram)`, color, width: 2 },
        ],
      });
      this.d1.rugColor = color;
      this.d1.setData(this.grid.x, [this.target1d, this.grid.x.map(() => NaN)]);
    } else {
      this.d2 = new PointPlot(parent, label, target.range, [{ label: 'target', color: COLORS.real }, { label: `${label} samples`, color }], 260);
      this.d2.layers = [{ points: reference.subarray(0, 1600), color: COLORS.real, alpha: 0.25, radius: 1.6 }];
      this.d2.redraw();
    }
  }

  /** Draw the model's samples (title says which epoch they come from). */
  show(samples: Float64Array, title: string): void {
    if (this.d1 && this.binning && this.grid) {
      const density = binDensities(samples, this.binning);
      const model = this.grid.bin.map((i) => (i >= 0 ? density[i] : 0));
      this.d1.rug = samples.subarray(0, 400);
      this.d1.setTitle(title);
      this.d1.setData(this.grid.x, [this.target1d, model]);
      this.lastData = [this.target1d.slice(), model];
    } else if (this.d2) {
      this.d2.layers = [
        { points: this.reference.subarray(0, 1600), color: COLORS.real, alpha: 0.25, radius: 1.6 },
        { points: samples, color: this.color, alpha: 0.55, radius: 1.8 },
      ];
      const t = this.d2.plot.root.querySelector('.u-title');
      if (t) t.textContent = title;
      this.d2.redraw();
      this.lastData = [Array.from(samples)];
    }
  }

  /** A line in the plot's title while the model has no samples yet. */
  waiting(title: string): void {
    if (this.d1) this.d1.setTitle(title);
    else {
      const t = this.d2?.plot.root.querySelector('.u-title');
      if (t) t.textContent = title;
    }
  }
}
