// The classes of a conditional GAN (Mirza & Osindero 2014, "Conditional Generative Adversarial
// Nets"; the PyTorch GAN tutorial's conditional variant): each sample carries a class c, given to
// both networks as a one-hot row concatenated to their input,
//   G([z, onehot(c)]) → x        D([x, onehot(c)]) → logit,
// so G learns one distribution per class. Here the classes are the components of a mixture
// target (which one drew each sample) or a label column of the user's CSV.

import type { Target } from '../data/targets';

export interface GanClasses {
  /** Number of classes K (ids 0 … K−1). */
  k: number;
  /** The class of each dataset row. */
  labels: Int32Array;
  /** Each class's share of the dataset: the prior c is drawn from, for training and sampling. */
  share: number[];
  /** Each class's mean and std per dimension: the target's component, or the user's rows of that class. */
  mean: number[][];
  std: number[][];
}

/** Most classes accepted (a one-hot row of this many columns). */
export const MAX_CLASSES = 64;

/**
 * Check the labels of `rows` dataset rows: integers 0 … K−1, every class present at least once.
 * Returns K; throws `${source}: <what is wrong>`.
 */
export function checkLabels(labels: ArrayLike<number>, rows: number, source: string): number {
  if (labels.length !== rows) throw new Error(`${source}: ${labels.length} labels for ${rows} data rows`);
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= MAX_CLASSES) throw new Error(`${source}: label ${i} is ${c}; labels must be whole numbers from 0 to ${MAX_CLASSES - 1}`);
    max = Math.max(max, c);
  }
  const k = max + 1;
  if (k < 2) throw new Error(`${source}: every row has label 0; a conditional GAN needs at least 2 classes`);
  const counts = countClasses(labels, k);
  const missing = counts.findIndex((n) => n === 0);
  if (missing >= 0) throw new Error(`${source}: no row has label ${missing}; the labels must be the class ids 0 to ${k - 1}, each used at least once`);
  return k;
}

function countClasses(labels: ArrayLike<number>, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/**
 * The classes of a dataset: its labels, their shares, and each class's mean and std: the
 * target's components when it has them (a built-in mixture), else measured on the rows.
 */
export function datasetClasses(target: Target, data: Float64Array, labels: Int32Array, source: string): GanClasses {
  const dim = target.dim;
  const k = checkLabels(labels, data.length / dim, source);
  if (target.components && target.components.length !== k) {
    throw new Error(`${source}: the labels name ${k} classes, target '${target.name}' has ${target.components.length} components`);
  }
  const counts = countClasses(labels, k);
  const share = counts.map((n) => n / labels.length);
  if (target.components) {
    return { k, labels, share, mean: target.components.map((c) => [...c.mean]), std: target.components.map((c) => [...c.std]) };
  }
  const moments = Array.from({ length: k }, (_, c) => momentsOf(rowsOfClass(data, dim, labels, c), dim));
  return { k, labels, share, mean: moments.map((m) => m.mean), std: moments.map((m) => m.std) };
}

function rowsOfClass(data: Float64Array, dim: number, labels: Int32Array, c: number): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === c) for (let d = 0; d < dim; d++) out.push(data[i * dim + d]);
  return Float64Array.from(out);
}

/** One-hot rows: row i has a 1 in column labels[i] and 0 elsewhere ([n, k], row-major). */
export function oneHotRows(labels: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(labels.length * k);
  for (let i = 0; i < labels.length; i++) out[i * k + labels[i]] = 1;
  return out;
}

/** [a | b]: rows of `wa` columns of a followed by rows of `wb` columns of b. */
export function joinColumns(a: Float64Array, wa: number, b: Float64Array, wb: number): Float64Array {
  const n = a.length / wa;
  if (b.length !== n * wb) throw new Error(`joinColumns: ${n} rows of ${wa} and ${b.length / wb} rows of ${wb} do not pair up`);
  const out = new Float64Array(n * (wa + wb));
  for (let i = 0; i < n; i++) {
    out.set(a.subarray(i * wa, (i + 1) * wa), i * (wa + wb));
    out.set(b.subarray(i * wb, (i + 1) * wb), i * (wa + wb) + wa);
  }
  return out;
}

/** Per-dimension mean and (population) std of rows of `dim` values. */
export function momentsOf(rows: Float64Array, dim: number): { mean: number[]; std: number[] } {
  const n = rows.length / dim;
  const mean = Array.from({ length: dim }, (_, d) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += rows[i * dim + d];
    return s / n;
  });
  const std = mean.map((m, d) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (rows[i * dim + d] - m) ** 2;
    return Math.sqrt(s / n);
  });
  return { mean, std };
}

/**
 * Share of the samples (rows of `dim`) nearer, in Euclidean distance, to means[c] than to any
 * other class mean (ties count as not nearer).
 */
export function shareNearest(samples: Float64Array, dim: number, means: number[][], c: number): number {
  const n = samples.length / dim;
  const dist2 = (i: number, m: number[]): number => m.reduce((s, v, d) => s + (samples[i * dim + d] - v) ** 2, 0);
  let nearer = 0;
  for (let i = 0; i < n; i++) {
    const own = dist2(i, means[c]);
    if (means.every((m, j) => j === c || own < dist2(i, m))) nearer++;
  }
  return nearer / n;
}

/** How G(z, c) did for one class c. */
export interface ClassReport {
  class: number;
  /** The class's prior (its share of the dataset). */
  share: number;
  /** Mean and std of G(z, c)'s samples, per dimension. */
  mean: number[];
  std: number[];
  /** The class's own mean and std (the target's component, or the user's rows). */
  targetMean: number[];
  targetStd: number[];
  /** Share of G(z, c)'s samples nearer to this class's mean than to any other class mean. */
  nearest: number;
}

/** The report of class c from n samples of G(z, c). */
export function classReport(classes: GanClasses, c: number, samples: Float64Array, dim: number): ClassReport {
  const m = momentsOf(samples, dim);
  return {
    class: c, share: classes.share[c], mean: m.mean, std: m.std,
    targetMean: classes.mean[c], targetStd: classes.std[c],
    nearest: shareNearest(samples, dim, classes.mean, c),
  };
}
