// Histories with bounded memory, for a page left training for hours. Every point is kept for
// the recent past; older points are folded into buckets that keep, per series, the minimum and
// the maximum seen in the bucket (and where each came), so that a loss spike or a collapse
// stays on the plot however long ago it happened. When there are too many buckets, neighbours
// merge in pairs (each bucket then spans twice as many points): memory and the points a plot
// redraws stay below recent + 2·buckets, whatever the length of the run.
//
// This is the min/max decimation plotting libraries use for long time series (uPlot draws a
// dense line the same way, one min–max segment per pixel column).

import type { HistoryRecord } from '../models/core/model';

export interface HistoryLimits {
  /** Points kept one by one (the recent past). */
  recent: number;
  /** Buckets at most for everything older (each drawn as two points: its min and its max). */
  buckets: number;
  /** Points per bucket when the first bucket opens (doubles at each merge). */
  firstBucket: number;
}

export const DEFAULT_LIMITS: HistoryLimits = { recent: 1000, buckets: 256, firstBucket: 4 };

/** One bucket: the x span it covers, how many points, and per series min and max with their x. */
interface Bucket {
  x0: number;
  x1: number;
  count: number;
  min: Float64Array;
  minAt: Float64Array;
  max: Float64Array;
  maxAt: Float64Array;
}

function emptyBucket(x: number, series: number): Bucket {
  return {
    x0: x, x1: x, count: 0,
    min: new Float64Array(series).fill(Infinity), minAt: new Float64Array(series).fill(NaN),
    max: new Float64Array(series).fill(-Infinity), maxAt: new Float64Array(series).fill(NaN),
  };
}

/** Fold a point into a bucket (non-finite values are left out of min and max). */
function addPoint(b: Bucket, x: number, values: ArrayLike<number>): void {
  if (b.count === 0) b.x0 = x;
  b.x1 = x;
  b.count++;
  for (let s = 0; s < values.length; s++) {
    const v = values[s];
    if (!Number.isFinite(v)) continue;
    if (v < b.min[s]) { b.min[s] = v; b.minAt[s] = x; }
    if (v > b.max[s]) { b.max[s] = v; b.maxAt[s] = x; }
  }
}

/** b absorbs c (c follows b in x). */
function mergeInto(b: Bucket, c: Bucket): void {
  b.x1 = c.x1;
  b.count += c.count;
  for (let s = 0; s < b.min.length; s++) {
    if (c.min[s] < b.min[s]) { b.min[s] = c.min[s]; b.minAt[s] = c.minAt[s]; }
    if (c.max[s] > b.max[s]) { b.max[s] = c.max[s]; b.maxAt[s] = c.maxAt[s]; }
  }
}

/**
 * Several series sharing one x axis (epochs, steps), with bounded memory. `data()` gives what a
 * plot draws: each older bucket as two points (at its first and last x: the extreme that came
 * first, then the other), then every recent point.
 */
export class BoundedSeries {
  private recentX: number[] = [];
  private recentY: Float64Array[] = [];
  private buckets: Bucket[] = [];
  private bucketSize: number;
  private total = 0;

  constructor(readonly names: readonly string[], readonly limits: HistoryLimits = DEFAULT_LIMITS) {
    if (!(limits.recent >= 1 && limits.buckets >= 2 && limits.firstBucket >= 1)) {
      throw new Error(`BoundedSeries: limits need recent >= 1, buckets >= 2, firstBucket >= 1 (got ${JSON.stringify(limits)})`);
    }
    this.bucketSize = limits.firstBucket;
  }

  /** Points pushed since the start (or the last clear). */
  get length(): number {
    return this.total;
  }

  /** Points held now (recent points and buckets): bounded by recent + recent/4 + buckets + 1. */
  get stored(): number {
    return this.recentX.length + this.buckets.length;
  }

  /** Points per bucket for the buckets now opening. */
  get span(): number {
    return this.bucketSize;
  }

  /** The last x pushed (NaN when empty). */
  get lastX(): number {
    return this.recentX.length > 0 ? this.recentX[this.recentX.length - 1] : NaN;
  }

  clear(): void {
    this.recentX = [];
    this.recentY = [];
    this.buckets = [];
    this.bucketSize = this.limits.firstBucket;
    this.total = 0;
  }

  push(x: number, values: ArrayLike<number>): void {
    if (values.length !== this.names.length) {
      throw new Error(`BoundedSeries.push: ${values.length} values for ${this.names.length} series (${this.names.join(', ')})`);
    }
    this.recentX.push(x);
    this.recentY.push(Float64Array.from(values));
    this.total++;
    // Fold the oldest quarter at once (a splice per point would cost O(recent) each time).
    const excess = this.recentX.length - this.limits.recent;
    if (excess >= Math.max(1, Math.floor(this.limits.recent / 4))) this.fold(excess);
  }

  private fold(n: number): void {
    const xs = this.recentX.splice(0, n);
    const ys = this.recentY.splice(0, n);
    for (let i = 0; i < n; i++) {
      let open = this.buckets[this.buckets.length - 1];
      if (!open || open.count >= this.bucketSize) {
        open = emptyBucket(xs[i], this.names.length);
        this.buckets.push(open);
      }
      addPoint(open, xs[i], ys[i]);
      if (this.buckets.length > this.limits.buckets) this.mergePairs();
    }
  }

  /** Halve the number of buckets: each pair becomes one bucket spanning twice the points. */
  private mergePairs(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const b = this.buckets[i];
      if (i + 1 < this.buckets.length) mergeInto(b, this.buckets[i + 1]);
      merged.push(b);
    }
    this.buckets = merged;
    this.bucketSize *= 2;
  }

  /** x and one array per series, ready for a line plot (NaN where a bucket saw no finite value). */
  data(): { x: number[]; ys: number[][] } {
    const x: number[] = [];
    const ys: number[][] = this.names.map(() => []);
    for (const b of this.buckets) {
      if (b.count === 1 || b.x0 === b.x1) {
        x.push(b.x0);
        ys.forEach((y, s) => y.push(Number.isFinite(b.max[s]) ? b.max[s] : NaN));
        continue;
      }
      x.push(b.x0, b.x1);
      ys.forEach((y, s) => {
        if (!Number.isFinite(b.min[s])) {
          y.push(NaN, NaN);
          return;
        }
        // The extreme that came first at the bucket's start, the other at its end.
        const minFirst = b.minAt[s] <= b.maxAt[s];
        y.push(minFirst ? b.min[s] : b.max[s], minFirst ? b.max[s] : b.min[s]);
      });
    }
    for (let i = 0; i < this.recentX.length; i++) {
      x.push(this.recentX[i]);
      ys.forEach((y, s) => y.push(this.recentY[i][s]));
    }
    return { x, ys };
  }
}

/** Keys of a history record that are not a plotted metric. */
const NOT_PLOTTED = new Set(['epoch', 'step', 'scoredEpoch']);

/**
 * A model's history as the page keeps it: the metrics of every epoch (the keys of the first
 * record) in a BoundedSeries against the epoch. The models' own `history` arrays are kept short
 * on the page (GenerativeModel.historyLimit); this is what the plots draw.
 */
export class EpochHistory {
  private series: BoundedSeries | null = null;
  private cache: { x: number[]; ys: number[][] } | null = null;

  constructor(private readonly limits: HistoryLimits = DEFAULT_LIMITS) {}

  get length(): number {
    return this.series?.length ?? 0;
  }

  get stored(): number {
    return this.series?.stored ?? 0;
  }

  clear(): void {
    this.series = null;
    this.cache = null;
  }

  push(record: HistoryRecord): void {
    if (!this.series) {
      this.series = new BoundedSeries(Object.keys(record).filter((k) => !NOT_PLOTTED.has(k)), this.limits);
    }
    if (record.epoch <= this.series.lastX) return; // already recorded
    const s = this.series;
    s.push(record.epoch, s.names.map((k) => (typeof record[k] === 'number' ? record[k] : NaN)));
    this.cache = null;
  }

  /** The epochs to plot, and a column by metric name (NaN-filled for a metric never recorded). */
  view(): { epochs: number[]; column(key: string): number[] } {
    if (!this.cache) this.cache = this.series?.data() ?? { x: [], ys: [] };
    const { x, ys } = this.cache;
    const names = this.series?.names ?? [];
    return {
      epochs: x,
      column: (key) => {
        const i = names.indexOf(key);
        return i >= 0 ? ys[i] : x.map(() => NaN);
      },
    };
  }
}
