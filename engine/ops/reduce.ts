// Reductions: sum, mean and max, over one axis or over everything.
//
// Empty input, PyTorch 1.13's rule: the sum of no values is 0 and their mean NaN, over the whole
// tensor or over an empty axis alike (each result element that reduces nothing); max of no
// values is undefined and refused. Their gradients are empty (dx has x's zero elements).

import type { UnaryOp } from '../backend';
import { isGradEnabled, record } from '../autograd';
import { formatShape, normAxis, splitAtAxis } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { expandTo } from './broadcast';
import { binaryKernel, div, mul } from './elementwise';
import { reshape } from './layout';
import { unaryOp } from './unary';
import { unaryDef } from './unary-table';
import { checkFloat } from './util';
import { fullLike } from './creation';
import { meanOfUnaryGrad, takeLayerForward } from '../fusion';

interface Plan {
  outer: number;
  axisSize: number;
  inner: number;
  /** The result's shape with the reduced axis kept as 1 (what broadcasting needs). */
  keptShape: number[];
  outShape: number[];
}

function plan(op: string, x: Tensor, axis: number | undefined, keepDims: boolean): Plan {
  checkFloat(op, x);
  if (axis === undefined) {
    if (op === 'max' && x.size === 0) throw new Error(emptyExtreme(op, x, axis));
    const keptShape = x.shape.map(() => 1);
    return { outer: 1, axisSize: x.size, inner: 1, keptShape, outShape: keepDims ? keptShape : [] };
  }
  const a = normAxis(op, axis, x.rank);
  const { outer, axisSize, inner } = splitAtAxis(x.shape, a);
  if (op === 'max' && axisSize === 0) throw new Error(emptyExtreme(op, x, axis));
  const keptShape = x.shape.map((d, i) => (i === a ? 1 : d));
  return { outer, axisSize, inner, keptShape, outShape: keepDims ? keptShape : x.shape.filter((_, i) => i !== a) };
}

/**
 * The refusal of max or min of no values (PyTorch refuses them too): the op, the shape and the axis.
 * (Over an axis of other tensors' empty dimension the result is just empty, as in PyTorch.)
 */
export function emptyExtreme(op: string, x: Tensor, axis: number | readonly number[] | undefined): string {
  const where = axis === undefined ? 'an empty tensor' : `the empty ${Array.isArray(axis) ? `axes [${axis.join(', ')}]` : `axis ${String(axis)}`}`;
  return `${op}: the ${op} of no values is undefined: ${where} of shape ${formatShape(x.shape)} (PyTorch refuses it too; sum gives 0 and mean NaN)`;
}

function reduceKernel(name: string, op: 'sum' | 'max', x: Tensor, p: Plan, scale: number): Tensor {
  // Nothing to reduce: the sum of no values is 0 (scale·0 = NaN for the mean's 1/0), whatever the backend.
  if (p.axisSize === 0) return fullLike(x, scale === 1 ? 0 : Number.NaN, p.outShape);
  const out = Tensor.empty(p.outShape, x.dtype, x.backend);
  runKernel(x.backend, { kernel: 'reduce', op, x: x.storage(name), out: out.storage(name), outer: p.outer, axisSize: p.axisSize, inner: p.inner, scale }, name, [x.shape]);
  return out;
}

/** Sum over `axis` (or all elements); keepDims leaves the axis as size 1. */
export function sum(x: Tensor, axis?: number, keepDims = false): Tensor {
  const p = plan('sum', x, axis, keepDims);
  const out = reduceKernel('sum', 'sum', x, p, 1);
  return record(out, 'sum', [x], (dy) => [expandTo(dy, x.shape, 1, p.keptShape)], 'dx = dy broadcast back over the summed axis');
}

/** Mean over `axis` (or all elements). */
export function mean(x: Tensor, axis?: number, keepDims = false): Tensor {
  const p = plan('mean', x, axis, keepDims);
  const out = reduceKernel('mean', 'sum', x, p, 1 / p.axisSize);
  return record(out, 'mean', [x], (dy) => [expandTo(dy, x.shape, 1 / p.axisSize, p.keptShape)], 'dx = dy / n broadcast back over the averaged axis');
}

/** Maximum over `axis` (or all elements). The gradient is shared equally among tied maxima. */
export function max(x: Tensor, axis?: number, keepDims = false): Tensor {
  const p = plan('max', x, axis, keepDims);
  const out = reduceKernel('max', 'max', x, p, 1);
  // The mask [x == max] and the tie count are constants: only dy carries a gradient.
  return record(out, 'max', [x], (dy) => {
    const m = Tensor.view(out, p.keptShape);
    const mask = binaryKernel('max.backward', 'eq', x, m);
    const count = reduceKernel('max.backward', 'sum', mask, { ...p, outShape: p.keptShape }, 1);
    return [mul(mask, div(reshape(dy, p.keptShape), count))];
  }, 'dx = dy·[x = max] / (number of ties)');
}

/**
 * @internal mean(f(x)) over all elements, f a row of the op table, as one kernel each way
 * (a loss's elementwise part and its mean):
 *   forward   one reduction that applies f to each element it reads: scale·Σ f(x), scale = 1/n;
 *   backward  dx = f'(x)·dy/n (the rule: dy/n broadcast, then f's rule).
 */
export function meanOfUnary(name: string, op: UnaryOp, x: Tensor, alpha = 0, beta = 0): Tensor {
  checkFloat(name, x);
  const n = x.size;
  // x may be the output of a narrow layer whose kernel has not run: then this reduction computes
  // it too (engine/fusion.ts). Asked before any buffer is touched, which would run that kernel.
  const layer = takeLayerForward(x);
  const out = Tensor.empty([], x.dtype, x.backend);
  const reduction = { kernel: 'reduce', op: 'sum', out: out.storage(name), outer: 1, axisSize: n, inner: 1, scale: 1 / n, map: { op, alpha, beta } } as const;
  runKernel(x.backend, layer ? { ...reduction, ...layer.fields } : { ...reduction, x: x.storage(name) }, name, [x.shape]);
  layer?.release();
  const { rule, derivative } = unaryDef(op);
  if (rule === null) return out;
  return record(out, name, [x], (dy) => {
    // Without a graph to record, one fused kernel (engine/fusion.ts meanOfUnaryGrad).
    if (!isGradEnabled()) return [meanOfUnaryGrad(name, op, x, dy, alpha, beta)];
    const y = unaryOp(name, op, x, alpha, beta);
    return [rule(expandTo(dy, x.shape, 1 / n, x.shape.map(() => 1)), x, y, alpha, beta)];
  }, `${derivative}, averaged over the ${n} elements (÷ n)`);
}
