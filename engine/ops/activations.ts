// Activation functions and softmax. Gradients (in kernels/*/unary):
//   relu' = [x > 0]            leakyRelu' = [x > 0] + slope [x <= 0]
//   sigmoid' = y (1 - y)       tanh' = 1 - y²
//   softplus' = sigmoid(x)     silu' = s (1 + x (1 - s)), s = sigmoid(x)

import { record } from '../autograd';
import { normAxis, splitAtAxis } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { checkNumber, checkFloat } from './util';
import { binaryKernel, unaryOp } from './elementwise';
import { sum } from './reduce';

export const relu = (x: Tensor): Tensor => unaryOp('relu', 'relu', x);
/** x for x > 0, slope·x otherwise (slope 0.2 by default, as in the GAN lessons). */
export const leakyRelu = (x: Tensor, slope = 0.2): Tensor => (checkNumber('leakyRelu', 'slope', slope), unaryOp('leakyRelu', 'leakyRelu', x, slope));
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', 'sigmoid', x);
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', 'tanh', x);
/** log(1 + e^x), computed stably. */
export const softplus = (x: Tensor): Tensor => unaryOp('softplus', 'softplus', x);
/** x · sigmoid(x) (a.k.a. swish), used by the diffusion model. */
export const silu = (x: Tensor): Tensor => unaryOp('silu', 'silu', x);

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
  // dx = y ⊙ (dy − Σ_axis dy ⊙ y)
  return record(y, 'softmax', [x], (dy) => {
    const dyY = binaryKernel('softmax.backward', 'mul', dy, y);
    const s = sum(dyY, axis, true);
    const centred = binaryKernel('softmax.backward', 'sub', dy, s);
    const dx = binaryKernel('softmax.backward', 'mul', y, centred);
    dyY.dispose(); s.dispose(); centred.dispose();
    return [dx];
  });
}

/** x_i − log Σ_j exp(x_j) along `axis`, without overflow. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const y = softmaxKernel('logSoftmax', x, axis, true);
  // dx = dy − softmax(x) ⊙ Σ_axis dy,  softmax(x) = exp(y)
  return record(y, 'logSoftmax', [x], (dy) => {
    const p = unaryOp('logSoftmax.backward', 'exp', y);
    const s = sum(dy, axis, true);
    const ps = binaryKernel('logSoftmax.backward', 'mul', p, s);
    const dx = binaryKernel('logSoftmax.backward', 'sub', dy, ps);
    p.dispose(); s.dispose(); ps.dispose();
    return [dx];
  });
}
