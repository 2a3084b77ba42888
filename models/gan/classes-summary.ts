// The conditional GAN's part of `gradlab train --json`: `classes`, one entry per class c with
// its share (the prior c is drawn from), the mean and std of G(z, c)'s samples, the class's own
// mean and std, and the share of G(z, c)'s samples nearer to its mean than to any other class
// mean. 1D means and stds are numbers; 2D ones [x, y] arrays, as in the rest of the line.

import type { Gan } from './model';

export interface ClassSummary {
  class: number;
  share: number;
  mean: number | number[];
  std: number | number[];
  targetMean: number | number[];
  targetStd: number | number[];
  nearest: number;
}

/** `{ classes: [...] }` for a conditional GAN, `{}` otherwise. */
export async function classesSummary(gan: Gan): Promise<{ classes?: ClassSummary[] }> {
  if (!gan.classes) return {};
  const one = (xs: number[]): number | number[] => (gan.dim === 1 ? xs[0] : xs);
  const reports = await gan.classReports();
  return {
    classes: reports.map((r) => ({
      class: r.class, share: r.share, mean: one(r.mean), std: one(r.std),
      targetMean: one(r.targetMean), targetStd: one(r.targetStd), nearest: r.nearest,
    })),
  };
}

/** One text line per class, for the plain (not --json) output. */
export function describeClasses(classes: ClassSummary[]): string[] {
  const f = (x: number | number[]): string => (Array.isArray(x) ? `(${x.map((v) => v.toFixed(3)).join(', ')})` : x.toFixed(3));
  return classes.map((c) => `class ${c.class} (share ${c.share.toFixed(3)}): G(z, c) mean ${f(c.mean)} (class ${f(c.targetMean)})  std ${f(c.std)} (class ${f(c.targetStd)})  nearest its mean ${(100 * c.nearest).toFixed(1)}%`);
}
