// Tail averaging of the generator's weights (Polyak & Juditsky 1992; for GANs, Yazıcı et al.
// 2019): from epoch `from` on, after every step, the running mean of G's weights over the steps
// since then,
//   Ḡ_k = Ḡ_{k−1} + (G_k − Ḡ_{k−1})/k,   k = steps − from·stepsPerEpoch,
// and samples come from Ḡ. Two players circling their equilibrium keep circling however small
// their steps (a rotation's radius does not shrink with its step); the mean over whole turns
// sits at the centre. Started late, not from the first step, so the average holds no weights of
// the early epochs, when G was still far from the data.

import { assign, keep, noGrad, tidy, type Tensor } from '../../engine/index';

export class WeightAverage {
  /** The averaged weights, one kept tensor per parameter of G (same names, same order). */
  readonly weights: Tensor[];

  constructor(private readonly params: readonly Tensor[], averaged: readonly Tensor[]) {
    if (averaged.length !== params.length) throw new Error(`WeightAverage: ${averaged.length} averaged tensors for ${params.length} parameters`);
    this.weights = averaged.map((t) => keep(t));
    for (const t of this.weights) t.requiresGrad = false;
  }

  /** Take G's weights after the k-th step of the average (k ≥ 1; k = 1 copies them). */
  update(k: number): void {
    if (!Number.isInteger(k) || k < 1) throw new Error(`WeightAverage.update: k must be a whole number from 1, got ${k}`);
    tidy(() => noGrad(() => {
      for (let i = 0; i < this.params.length; i++) {
        const avg = this.weights[i];
        assign(avg, k === 1 ? this.params[i] : avg.add(this.params[i].sub(avg).mul(1 / k)), 'average');
      }
    }));
  }
}

/** Steps in the average after `steps` steps (0 before it starts, and when from is 0: off). */
export function averagedSteps(from: number, steps: number, stepsPerEpoch: number): number {
  return from > 0 ? Math.max(0, steps - from * stepsPerEpoch) : 0;
}
