// An epoch's running sums, kept on the device: each step adds its losses and D's statistics
// without reading anything back; the epoch's end reads them once, together with a guard on the
// weights (Σ|w|, non-finite if any weight is, and max|w|), in a single transfer.

import { concat, keep, max, noGrad, reshape, sum, tensor, tidy, type Tensor } from '../../engine/index';

export const SUM_KEYS = ['dLoss', 'dReal', 'dFake', 'accReal', 'accFake', 'gLoss'] as const;
export type SumKey = (typeof SUM_KEYS)[number];

export interface EpochReadout {
  /** Each sum divided by its number of steps (G steps for gLoss, D steps for the rest). */
  means: Record<SumKey, number>;
  /** False if a weight is non-finite or larger in magnitude than the limit. */
  weightsOk: boolean;
}

export class EpochSums {
  private sums = EpochSums.zeros();
  private dSteps = 0;
  private gSteps = 0;

  /** sums[key] += value (a scalar tensor), on the device. */
  add(key: SumKey, value: Tensor): void {
    const next = keep(noGrad(() => this.sums[key].add(value)));
    this.sums[key].dispose();
    this.sums[key] = next;
  }

  countD(): void { this.dSteps++; }
  countG(): void { this.gSteps++; }

  /** G updates summed since the epoch began (one per training step). */
  get steps(): number {
    return this.gSteps;
  }

  /** The sums and counts as they stand (for a checkpoint taken part-way through an epoch), without resetting them. */
  async snapshot(): Promise<{ sums: Record<SumKey, number>; dSteps: number; gSteps: number }> {
    const packed = tidy(() => noGrad(() => concat(SUM_KEYS.map((k) => reshape(this.sums[k], [1])))));
    const values = await packed.data();
    packed.dispose();
    const sums = {} as Record<SumKey, number>;
    SUM_KEYS.forEach((k, i) => (sums[k] = values[i]));
    return { sums, dSteps: this.dSteps, gSteps: this.gSteps };
  }

  /** Start from saved sums and counts (a checkpoint taken part-way through an epoch). */
  restore(sums: Record<SumKey, number>, dSteps: number, gSteps: number): void {
    this.dispose();
    this.sums = Object.fromEntries(SUM_KEYS.map((k) => [k, keep(tensor([sums[k]], []))])) as Record<SumKey, Tensor>;
    this.dSteps = dSteps;
    this.gSteps = gSteps;
  }

  /** Read the means and the weight guard, then start a new epoch. */
  async read(weights: readonly Tensor[], limit: number): Promise<EpochReadout> {
    const packed = tidy(() => noGrad(() => {
      const abs = weights.map((w) => w.abs());
      const sumAbs = abs.map((a) => sum(a)).reduce((s, v) => s.add(v));
      const maxAbs = max(concat(abs.map((a) => reshape(max(a), [1]))));
      return concat([...SUM_KEYS.map((k) => reshape(this.sums[k], [1])), reshape(sumAbs, [1]), reshape(maxAbs, [1])]);
    }));
    const values = await packed.data();
    packed.dispose();
    const means = {} as Record<SumKey, number>;
    SUM_KEYS.forEach((k, i) => (means[k] = values[i] / Math.max(1, k === 'gLoss' ? this.gSteps : this.dSteps)));
    const [sumAbs, maxAbs] = [values[SUM_KEYS.length], values[SUM_KEYS.length + 1]];
    this.reset();
    return { means, weightsOk: Number.isFinite(sumAbs) && maxAbs <= limit };
  }

  dispose(): void {
    for (const k of SUM_KEYS) this.sums[k].dispose();
  }

  private reset(): void {
    this.dispose();
    this.sums = EpochSums.zeros();
    this.dSteps = 0;
    this.gSteps = 0;
  }

  private static zeros(): Record<SumKey, Tensor> {
    return Object.fromEntries(SUM_KEYS.map((k) => [k, keep(tensor([0], []))])) as Record<SumKey, Tensor>;
  }
}
