// Statistics built from other ops (compositions, no kernels of their own): min, argmax, argmin,
// variance and std. Each gradient is the rules of the ops it is made of.
//   min(x)            = −max(−x)                          (ties share the gradient, as max)
//   argmax(x, axis)   = n − max([x = max x]·(n − i))      (the first maximal index i, as PyTorch)
//   variance(x, axes) = Σ (x − mean x)² / (n − 1)         (n: the number of elements reduced; n without `unbiased`)
//   std(x, axes)      = √variance

import { noGrad } from '../autograd';
import { formatShape, normAxis } from '../shape';
import { Tensor } from '../tensor';
import { cast } from './cast';
import { binaryKernel, mul, sub, div } from './elementwise';
import { reshape } from './layout';
import { max, mean, reducedCount, refuseEmptyExtreme, sum, type Axes } from './reduce-axes';
import { neg, pow, sqrt } from './unary';
import { checkLive } from './util';
import { checkOptions } from '../options';

/**
 * Minimum over `axis` (a number or a list), or all elements: −max(−x). The gradient is shared
 * equally among tied minima (as PyTorch's amin, and its min() of all elements).
 */
export function min(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  refuseEmptyExtreme('min', x, axis);
  return neg(max(neg(x), axis, keepDims));
}

/** The index of the largest value along `axis` (int32), the first one where several tie, as PyTorch's argmax; no axis: the index in the flattened tensor. */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return firstExtremeIndex('argmax', x, axis, keepDims, false);
}

/** The index of the smallest value along `axis` (int32), the first one where several tie, as PyTorch's argmin. */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return firstExtremeIndex('argmin', x, axis, keepDims, true);
}

function firstExtremeIndex(op: string, x: Tensor, axis: number | undefined, keepDims: boolean, smallest: boolean): Tensor {
  checkLive(op, x);
  const flat = axis === undefined;
  const a = flat ? 0 : normAxis(op, axis, x.rank);
  const n = flat ? x.size : (x.shape[a] ?? 1);
  if (n === 0) throw new Error(`${op}: cannot take the ${op} of an empty ${flat ? 'tensor' : `axis ${axis}`} (shape ${formatShape(x.shape)}), as PyTorch cannot either`);
  return noGrad(() => {
    const made: Tensor[] = [];
    const own = (t: Tensor): Tensor => (t !== x && made.push(t), t);
    // int32 values are compared as float32 (exact below 2^24 in magnitude).
    const input = x.dtype === 'int32' ? own(cast(x, 'float32')) : x;
    const v = own(flat ? reshape(input, [x.size]) : input);
    const signed = smallest ? own(neg(v)) : v;
    const best = own(max(signed, a, true));
    const isBest = own(binaryKernel(op, 'eq', signed, best));
    // n − i along the axis (as a column that broadcasts over the axes after it): the largest at the first i.
    const countdown = Tensor.empty([n, ...v.shape.slice(a + 1).map(() => 1)], isBest.dtype, x.backend, op);
    countdown.backend.write(countdown.storage(op), Array.from({ length: n }, (_, i) => n - i));
    own(countdown);
    const first = own(max(own(mul(isBest, countdown)), a, keepDims && !flat));
    const index = cast(own(sub(n, first)), 'int32');
    for (const t of made) t.dispose();
    return flat && keepDims ? reshape(index, x.shape.map(() => 1)) : index;
  });
}

export interface VarianceOptions {
  /** Divide by n − 1 (Bessel's correction, the default, as PyTorch) or by n. */
  unbiased?: boolean;
  /** Leave the reduced axes as size 1. */
  keepDims?: boolean;
}

/** The variance over `axis` (a number or a list), or all elements: Σ (x − mean)² / (n − 1), or / n with { unbiased: false }. */
export function variance(x: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  return varianceOf('variance', x, axis, options);
}

/** The standard deviation: √variance (same axes and options). */
export function std(x: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  return sqrt(varianceOf('std', x, axis, options));
}

function varianceOf(op: string, x: Tensor, axis: Axes, options: VarianceOptions): Tensor {
  checkOptions(op, options, { unbiased: 'boolean', keepDims: 'boolean' });
  checkLive(op, x);
  const unbiased = options.unbiased ?? true;
  const n = reducedCount(op, x, axis);
  const divisor = unbiased ? n - 1 : n;
  if (divisor <= 0) {
    throw new Error(`${op}: ${n} element${n === 1 ? '' : 's'} of shape ${formatShape(x.shape)} to reduce, and the ${unbiased ? 'unbiased ' : ''}estimate divides by ${divisor} (PyTorch returns NaN); ${unbiased && n === 1 ? 'pass { unbiased: false } for 0' : 'reduce a non-empty axis'}`);
  }
  const centred = sub(x, mean(x, axis, true));
  return div(sum(pow(centred, 2), axis, options.keepDims ?? false), divisor);
}
