// Loss functions. Each returns a scalar (the mean over elements, or over the batch).

import { isGradEnabled, record } from '../autograd';
import { formatShape, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { binaryKernel, mul, sub, add } from './elementwise';
import { exp, pow } from './unary';
import { binaryOps } from './binary-table';
import { mean, meanOfUnary, sum } from './reduce';
import { reshape } from './layout';
import { checkNumber } from './util';
import { checkOptions } from '../options';

export interface BceOptions {
  /** Replace targets t by t·(1 − s) + s/2 (s = 0.1 turns a real label 1 into 0.95). */
  labelSmoothing?: number;
}

function targetTensor(op: string, target: Tensor, smoothing: number): { t: Tensor; owned: boolean } {
  if (target.requiresGrad) throw new Error(`${op}: the target must not require gradients (pass target.detach())`);
  if (smoothing === 0) return { t: target, owned: false };
  const scaled = target.mul(1 - smoothing).add(smoothing / 2);
  return { t: scaled, owned: true };
}

/** The elementwise loss with its gradient rule, then the mean. */
function elementwiseLoss(name: string, lossOp: 'bce' | 'bceLogits', gradOp: 'bceGrad' | 'bceLogitsGrad', x: Tensor, target: Tensor | number, smoothing: number): Tensor {
  checkNumber(name, 'labelSmoothing', smoothing);
  if (smoothing < 0 || smoothing >= 1) throw new Error(`${name}: labelSmoothing must be in [0, 1), got ${smoothing}`);
  if (typeof target === 'number') {
    // A number target (a GAN's real/fake label) is a constant of the elementwise kernel, and the
    // loss and its mean are one fused kernel: one dispatch forward and one backward, with no
    // target tensor and no per-element loss to make.
    checkNumber(name, 'target', target);
    return meanOfUnary(name, lossOp, x, target * (1 - smoothing) + smoothing / 2);
  }
  const { t, owned } = targetTensor(name, target, smoothing);
  const perElement = binaryKernel(name, lossOp, x, t);
  if (perElement.size !== x.size) {
    throw new Error(`${name}: target of shape ${formatShape(t.shape)} would broadcast the input ${formatShape(x.shape)} to ${formatShape(perElement.shape)}`);
  }
  // d loss_i / d x_i = gradOp(x_i, t_i) times the incoming gradient: one fused kernel, or the
  // row's rule in recorded ops when the gradient must be differentiable.
  const { rule, derivative } = binaryOps[lossOp];
  const withGrad = record(perElement, name, [x], (dy) => [
    isGradEnabled() ? rule.a(dy, x, t) : mul(binaryKernel(`${name}.backward`, gradOp, x, t), dy),
  ], derivative);
  const loss = mean(withGrad);
  // A target we made (from a number, or smoothed) is freed now, or with the graph that needs it.
  if (owned) {
    if (loss.requiresGrad) withGrad.adopt(t);
    else t.dispose();
  }
  return loss;
}

/**
 * Binary cross-entropy on probabilities: mean of −(t log p + (1 − t) log(1 − p)), with p clamped
 * into [1e-7, 1 − 1e-7] as the TensorFlow.js playground does (the gradient is 0 where clamped).
 */
export function bce(prob: Tensor, target: Tensor | number, options: BceOptions = {}): Tensor {
  checkOptions('bce', options, { labelSmoothing: 'number' });
  return elementwiseLoss('bce', 'bce', 'bceGrad', prob, target, options.labelSmoothing ?? 0);
}

/**
 * Binary cross-entropy on logits, in the form that never overflows:
 *   max(ℓ, 0) − ℓ·t + log(1 + e^−|ℓ|),  with gradient sigmoid(ℓ) − t.
 * Prefer this to bce(sigmoid(ℓ)): it stays exact where sigmoid saturates.
 */
export function bceWithLogits(logits: Tensor, target: Tensor | number, options: BceOptions = {}): Tensor {
  checkOptions('bceWithLogits', options, { labelSmoothing: 'number' });
  return elementwiseLoss('bceWithLogits', 'bceLogits', 'bceLogitsGrad', logits, target, options.labelSmoothing ?? 0);
}

/** Mean squared error: mean((pred − target)²). */
export function mse(pred: Tensor, target: Tensor): Tensor {
  if (pred.size !== target.size) throw new Error(`mse: prediction ${formatShape(pred.shape)} and target ${formatShape(target.shape)} differ in size`);
  // Compare element by element: a [N, 1] prediction against a [N] target must not broadcast to [N, N].
  const aligned = sameShape(pred.shape, target.shape) ? target : reshape(target, pred.shape);
  const diff = sub(pred, aligned);
  if (aligned !== target && !aligned.requiresGrad) aligned.dispose();
  return meanOfUnary('mse', 'pow', diff, 2); // the square and its mean: one fused kernel each way
}

/**
 * KL(N(μ, σ²) ‖ N(0, I)) of a VAE's encoder, summed over latent dims and averaged over the batch:
 *   KL = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²),   with logVar = log σ².
 */
export function gaussianKl(mu: Tensor, logVar: Tensor): Tensor {
  if (mu.rank !== 2 || logVar.rank !== 2 || mu.shape[0] !== logVar.shape[0] || mu.shape[1] !== logVar.shape[1]) {
    throw new Error(`gaussianKl: mu and logVar must both be [batch, latent], got ${formatShape(mu.shape)} and ${formatShape(logVar.shape)}`);
  }
  const terms = sub(sub(add(logVar, 1), pow(mu, 2)), exp(logVar));
  return mul(mean(sum(terms, 1)), -0.5);
}
