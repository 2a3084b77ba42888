// BatchNorm1d (Ioffe & Szegedy 2015), composed of existing engine ops so that its gradient is
// the chain rule through mean, sub, mul, sqrt and div, on whichever backend x lives.

import { noGrad } from './autograd';
import { keep } from './memory';
import { add, div, full, mean, mul, sqrt, sub } from './ops';
import type { Module } from './nn';
import type { Tensor } from './tensor';

/**
 * y = γ · (x − μ) / √(σ² + ε) + β over a [batch, features] input, with μ and σ² the per-feature
 * batch mean and (biased) variance. Differentiable in x, γ and β.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const mu = mean(x, 0, true);
  const centred = sub(x, mu);
  const variance = mean(mul(centred, centred), 0, true);
  return add(mul(div(centred, sqrt(add(variance, eps))), gamma), beta);
}

export interface BatchNorm1dOptions {
  /** Added to the variance under the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1, as in PyTorch). */
  momentum?: number;
}

/**
 * Batch normalisation of a [batch, features] tensor with learned scale γ (ones at init) and shift
 * β (zeros). In training mode it normalises with the batch's statistics and updates the running
 * ones: r ← (1 − m)·r + m·batch (the running variance uses the unbiased batch variance, n/(n − 1),
 * as PyTorch does). In eval mode it normalises with the running statistics.
 */
export class BatchNorm1d implements Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  training = true;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly features: number, options: BatchNorm1dOptions = {}) {
    if (!Number.isInteger(features) || features <= 0) throw new Error(`BatchNorm1d: features must be a positive integer, got ${features}`);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.eps > 0)) throw new Error(`BatchNorm1d: eps must be positive, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`BatchNorm1d: momentum must be in [0, 1], got ${this.momentum}`);
    this.weight = keep(full([features], 1, { requiresGrad: true }));
    this.bias = keep(full([features], 0, { requiresGrad: true }));
    this.runningMean = keep(full([1, features], 0));
    this.runningVar = keep(full([1, features], 1));
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.features) {
      throw new Error(`BatchNorm1d: expected input of shape [batch, ${this.features}], got [${x.shape.join(', ')}]`);
    }
    if (!this.training) {
      const scale = div(this.weight, sqrt(add(this.runningVar, this.eps)));
      return add(mul(sub(x, this.runningMean), scale), this.bias);
    }
    const n = x.shape[0];
    if (n < 2) throw new Error(`BatchNorm1d: training needs a batch of at least 2 rows to estimate a variance, got ${n}`);
    this.updateRunningStats(x);
    return batchNorm(x, this.weight, this.bias, this.eps);
  }

  private updateRunningStats(x: Tensor): void {
    const n = x.shape[0];
    const m = this.momentum;
    noGrad(() => {
      const d = x.detach();
      const mu = mean(d, 0, true);
      const centred = sub(d, mu);
      const unbiased = mul(mean(mul(centred, centred), 0, true), n / (n - 1));
      const nextMean = keep(add(mul(this.runningMean, 1 - m), mul(mu, m)));
      const nextVar = keep(add(mul(this.runningVar, 1 - m), mul(unbiased, m)));
      for (const t of [d, mu, centred, unbiased]) t.dispose();
      this.runningMean.dispose();
      this.runningVar.dispose();
      this.runningMean = nextMean;
      this.runningVar = nextVar;
    });
  }

  train(): void { this.training = true; }
  eval(): void { this.training = false; }

  namedParameters(): [string, Tensor][] {
    return [['weight', this.weight], ['bias', this.bias]];
  }

  /** The running statistics: state that is saved with a checkpoint but not trained. */
  namedBuffers(): [string, Tensor][] {
    return [['runningMean', this.runningMean], ['runningVar', this.runningVar]];
  }

  parameters(): Tensor[] {
    return [this.weight, this.bias];
  }
}
