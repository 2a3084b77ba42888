// Softmax and log-softmax along an axis. (The elementwise activations, relu to silu, are rows
// of the op table: engine/ops/unary-table.ts.)

import { record } from '../autograd';
import { normAxis, splitAtAxis } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { checkFloat } from './util';
import { mul, sub } from './elementwise';
import { exp } from './unary';
import { sum } from './reduce';

function softmaxKernel(name: string, x: Tensor, axis: number, log: boolean): Tensor {
  checkFloat(name, x);
  const a = normAxis(name, axis, x.rank);
  const { outer, axisSize, inner } = splitAtAxis(x.shape, a);
  const out = Tensor.empty(x.shape, x.dtype, x.backend);
  runKernel(x.backend, { kernel: 'softmax', x: x.storage(name), out: out.storage(name), outer, axisSize, inner, log }, name, [x.shape]);
  return out;
}

/** exp(x_i) / Σ_j exp(x_j) along `axis`. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const y = softmaxKernel('softmax', x, axis, false);
  return record(y, 'softmax', [x], (dy) => [mul(y, sub(dy, sum(mul(dy, y), axis, true)))], 'dx = y ⊙ (dy − Σ_axis dy ⊙ y)');
}

/** x_i − log Σ_j exp(x_j) along `axis`, without overflow. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const y = softmaxKernel('logSoftmax', x, axis, true);
  return record(y, 'logSoftmax', [x], (dy) => [sub(dy, mul(exp(y), sum(dy, axis, true)))], 'dx = dy − softmax(x) ⊙ Σ_axis dy,  softmax(x) = e^y');
}
