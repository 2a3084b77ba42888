// Elementwise arithmetic of two tensors, with NumPy broadcasting (a tensor with a number is a
// row of the op table: see ./unary.ts). Each op's derivative rule sits right below its forward,
// written in tensor ops. For a broadcast input the gradient is summed back over the axes it was
// broadcast along (sumTo), so it has the input's shape.

import type { BinaryOp } from '../backend';
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

/** A binary op with its rule: grads(dy, out) gives each input's gradient before un-broadcasting. */
function binaryWithGrad(
  name: string, op: BinaryOp, a: Tensor, b: Tensor, rule: string,
  grads: (dy: Tensor, out: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const out = binaryKernel(name, op, a, b);
  return record(out, name, [a, b], (dy) => {
    const [ga, gb] = grads(dy, out);
    return [ga && a.requiresGrad ? sumTo(ga, a.shape) : null, gb && b.requiresGrad ? sumTo(gb, b.shape) : null];
  }, rule);
}

// ---------- arithmetic: a tensor with a tensor, or with a number ----------

export function add(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return add(b as Tensor, a);
  if (typeof b === 'number') return (checkNumber('add', 'operand', b), unaryOp('add', 'affine', a, 1, b));
  return binaryWithGrad('add', 'add', a, b, 'da = dy, db = dy', (dy) => [dy, dy]);
}

export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return (checkNumber('sub', 'operand', a), unaryOp('sub', 'affine', b as Tensor, -1, a));
  if (typeof b === 'number') return (checkNumber('sub', 'operand', b), unaryOp('sub', 'affine', a, 1, -b));
  return binaryWithGrad('sub', 'sub', a, b, 'da = dy, db = −dy', (dy) => [dy, b.requiresGrad ? neg(dy) : null]);
}

export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return mul(b as Tensor, a);
  if (typeof b === 'number') return (checkNumber('mul', 'operand', b), unaryOp('mul', 'affine', a, b, 0));
  return binaryWithGrad('mul', 'mul', a, b, 'da = dy·b, db = dy·a', (dy) => [
    a.requiresGrad ? mul(dy, b) : null,
    b.requiresGrad ? mul(dy, a) : null,
  ]);
}

export function div(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return (checkNumber('div', 'operand', a), unaryOp('div', 'rdiv', b as Tensor, a, 0));
  if (typeof b === 'number') {
    checkNumber('div', 'divisor', b);
    if (b === 0) throw new Error(`div: division of a tensor of shape ${formatShape(a.shape)} by the number 0`);
    return unaryOp('div', 'affine', a, 1 / b, 0);
  }
  // y = a / b:  da = dy / b,  db = −dy·a / b² = −dy·y / b
  return binaryWithGrad('div', 'div', a, b, 'da = dy / b, db = −dy·y / b', (dy, y) => [
    a.requiresGrad ? div(dy, b) : null,
    b.requiresGrad ? neg(div(mul(dy, y), b)) : null,
  ]);
}

const neg = (x: Tensor): Tensor => unaryOp('neg', 'affine', x, -1, 0);
