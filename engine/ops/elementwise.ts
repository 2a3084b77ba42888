// Elementwise arithmetic of two tensors, with NumPy broadcasting. Each is a row of the binary
// table (./binary-table.ts): its math, both kernels' expressions and its derivative rule live
// there; a tensor with a number is a row of the unary table (./unary-table.ts). For a broadcast
// input the gradient is summed back over the axes it was broadcast along (sumTo), so it has the
// input's shape.

import { binaryDef, type BinaryOp } from './binary-table';
import { record } from '../autograd';
import { broadcastShapes, formatShape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { sumTo } from './broadcast';
import { unaryOp } from './unary';
import { backendOf, checkFloat, checkNumber, resultDType } from './util';

export { sumTo } from './broadcast';

/** @internal out = f(a, b) with broadcasting; no gradient recorded (callers do that). */
export function binaryKernel(name: string, op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  checkFloat(name, a, b);
  const backend = backendOf(name, a, b);
  const outShape = broadcastShapes(name, a.shape, b.shape);
  const out = Tensor.empty(outShape, resultDType(a, b), backend);
  runKernel(backend, {
    kernel: 'binary', op, a: a.storage(name), b: b.storage(name), out: out.storage(name), aShape: a.shape, bShape: b.shape, outShape,
  }, name, [a.shape, b.shape]);
  return out;
}

/**
 * @internal y = f(a, b), f a row of the binary table (./binary-table.ts), recording the row's
 * rule. Each input's gradient is summed back over the axes it was broadcast along (sumTo).
 */
export function binaryOp(name: string, op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const out = binaryKernel(name, op, a, b);
  const { rule, derivative } = binaryDef(op);
  if (rule.a === null && rule.b === null) return out; // a comparison: the output is a constant
  const { a: ruleA, b: ruleB } = rule;
  return record(out, name, [a, b], (dy) => [
    ruleA && a.requiresGrad ? sumTo(ruleA(dy, a, b, out), a.shape) : null,
    ruleB && b.requiresGrad ? sumTo(ruleB(dy, a, b, out), b.shape) : null,
  ], derivative);
}

// ---------- arithmetic: a tensor with a tensor, or with a number ----------

export function add(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return add(b as Tensor, a);
  if (typeof b === 'number') return (checkNumber('add', 'operand', b), unaryOp('add', 'affine', a, 1, b));
  return binaryOp('add', 'add', a, b);
}

export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return (checkNumber('sub', 'operand', a), unaryOp('sub', 'affine', b as Tensor, -1, a));
  if (typeof b === 'number') return (checkNumber('sub', 'operand', b), unaryOp('sub', 'affine', a, 1, -b));
  return binaryOp('sub', 'sub', a, b);
}

export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return mul(b as Tensor, a);
  if (typeof b === 'number') return (checkNumber('mul', 'operand', b), unaryOp('mul', 'affine', a, b, 0));
  return binaryOp('mul', 'mul', a, b);
}

export function div(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return (checkNumber('div', 'operand', a), unaryOp('div', 'rdiv', b as Tensor, a, 0));
  if (typeof b === 'number') {
    checkNumber('div', 'divisor', b);
    if (b === 0) throw new Error(`div: division of a tensor of shape ${formatShape(a.shape)} by the number 0`);
    return unaryOp('div', 'affine', a, 1 / b, 0);
  }
  return binaryOp('div', 'div', a, b);
}
