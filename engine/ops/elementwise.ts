// Elementwise ops: arithmetic with broadcasting, and functions of one input.
// Each op's backward sits right below its forward. For a broadcast input the gradient is
// summed back over the axes it was broadcast along (sumTo), so it has the input's shape.

import type { BinaryOp, UnaryOp } from '../backend';
import { record } from '../autograd';
import { broadcastShapes, formatShape, sameShape, sizeOf, type Shape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { backendOf, checkFloat, checkNumber, resultDType } from './util';

// ---------- the two kernels every op here uses ----------

/** @internal y = f(x) elementwise; records the gradient dx = dy * f'(x). */
export function unaryOp(name: string, op: UnaryOp, x: Tensor, alpha = 0, beta = 0): Tensor {
  checkFloat(name, x);
  const backend = x.backend;
  const out = Tensor.empty(x.shape, x.dtype, backend);
  runKernel(backend, { kernel: 'unary', op, x: x.storage(name), out: out.storage(name), alpha, beta }, name, [x.shape]);
  return record(out, name, [x], (dy) => [unaryGrad(name, op, x, out, dy, alpha, beta)]);
}

/** @internal dx = dy * f'(x) for a unary op (y = f(x) is passed too). */
export function unaryGrad(name: string, op: UnaryOp, x: Tensor, y: Tensor, dy: Tensor, alpha: number, beta: number): Tensor {
  const backend = dy.backend;
  const out = Tensor.empty(x.shape, resultDType(x, dy), backend);
  runKernel(backend, {
    kernel: 'unaryGrad', op, x: x.storage(name), y: y.storage(name), dy: dy.storage(name), out: out.storage(name), alpha, beta,
  }, `${name}.backward`, [x.shape]);
  return out;
}

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
 * @internal Sum a gradient down to `shape` (undo broadcasting): sum over the leading axes
 * `shape` lacks and over the axes where `shape` has 1. Returns g itself when nothing to do.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const rank = g.shape.length;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  let cur = g;
  let curShape = [...g.shape];
  // Reduce each run of consecutive broadcast axes in one pass: view as [outer, run, inner].
  let axis = 0;
  while (axis < rank) {
    if (padded[axis] === 1 && curShape[axis] !== 1) {
      let end = axis;
      while (end + 1 < rank && padded[end + 1] === 1 && curShape[end + 1] !== 1) end++;
      const outer = sizeOf(curShape.slice(0, axis));
      const run = sizeOf(curShape.slice(axis, end + 1));
      const inner = sizeOf(curShape.slice(end + 1));
      const nextShape = curShape.map((d, i) => (i >= axis && i <= end ? 1 : d));
      const next = Tensor.empty(nextShape, cur.dtype, cur.backend);
      runKernel(cur.backend, { kernel: 'reduce', op: 'sum', x: cur.storage('sumTo'), out: next.storage('sumTo'), outer, axisSize: run, inner, scale: 1 }, 'sumTo', [curShape, nextShape]);
      if (cur !== g) cur.dispose();
      cur = next;
      curShape = nextShape;
      axis = end + 1;
    } else axis++;
  }
  // Only size-1 axes differed (e.g. [1, 4] to [4]): nothing to sum, but the shape must still change.
  if (cur === g) return Tensor.view(g, shape);
  const result = Tensor.view(cur, shape);
  cur.dispose();
  return result;
}

function binaryWithGrad(
  name: string, op: BinaryOp, a: Tensor, b: Tensor,
  grads: (dy: Tensor, out: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const out = binaryKernel(name, op, a, b);
  return record(out, name, [a, b], (dy) => {
    const [ga, gb] = grads(dy, out);
    const ra = ga && a.requiresGrad ? sumTo(ga, a.shape) : null;
    const rb = gb && b.requiresGrad ? sumTo(gb, b.shape) : null;
    if (ga && ra !== ga && ga !== dy) ga.dispose();
    if (gb && rb !== gb && gb !== dy) gb.dispose();
    return [ra, rb];
  });
}

// ---------- arithmetic: a tensor with a tensor, or with a number ----------

export function add(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return add(b as Tensor, a);
  if (typeof b === 'number') return (checkNumber('add', 'operand', b), unaryOp('add', 'affine', a, 1, b));
  // d(a + b) = dy, dy
  return binaryWithGrad('add', 'add', a, b, (dy) => [dy, dy]);
}

export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return (checkNumber('sub', 'operand', a), unaryOp('sub', 'affine', b as Tensor, -1, a));
  if (typeof b === 'number') return (checkNumber('sub', 'operand', b), unaryOp('sub', 'affine', a, 1, -b));
  // d(a - b) = dy, -dy
  return binaryWithGrad('sub', 'sub', a, b, (dy) => [dy, b.requiresGrad ? neg(dy) : null]);
}

export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return mul(b as Tensor, a);
  if (typeof b === 'number') return (checkNumber('mul', 'operand', b), unaryOp('mul', 'affine', a, b, 0));
  // d(a b) = dy b, dy a
  return binaryWithGrad('mul', 'mul', a, b, (dy) => [
    a.requiresGrad ? binaryKernel('mul.backward', 'mul', dy, b) : null,
    b.requiresGrad ? binaryKernel('mul.backward', 'mul', dy, a) : null,
  ]);
}

export function div(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number') return (checkNumber('div', 'operand', a), unaryOp('div', 'rdiv', b as Tensor, a, 0));
  if (typeof b === 'number') {
    checkNumber('div', 'divisor', b);
    if (b === 0) throw new Error(`div: division of a tensor of shape ${formatShape(a.shape)} by the number 0`);
    return unaryOp('div', 'affine', a, 1 / b, 0);
  }
  // d(a / b) = dy / b, -dy a / b² = -dy out / b
  return binaryWithGrad('div', 'div', a, b, (dy, out) => {
    const da = binaryKernel('div.backward', 'div', dy, b);
    if (!b.requiresGrad) return [da, null];
    const t = binaryKernel('div.backward', 'mul', dy, out);
    const db = binaryKernel('div.backward', 'div', t, b);
    t.dispose();
    const negDb = unaryOp('div.backward', 'affine', db, -1, 0);
    db.dispose();
    return [a.requiresGrad ? da : (da.dispose(), null), negDb];
  });
}

// ---------- functions of one input ----------

export const neg = (x: Tensor): Tensor => unaryOp('neg', 'affine', x, -1, 0);
/** x^p for a number p (negative x needs an integer p). */
export const pow = (x: Tensor, p: number): Tensor => (checkNumber('pow', 'exponent', p), unaryOp('pow', 'pow', x, p, 0));
export const exp = (x: Tensor): Tensor => unaryOp('exp', 'exp', x);
/** Natural log; inputs below float32's smallest normal (≈1.18e-38, and 0) are clamped to it. */
export const log = (x: Tensor): Tensor => unaryOp('log', 'log', x);
/** Square root; negative inputs are clamped to 0. */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', 'sqrt', x);
export const abs = (x: Tensor): Tensor => unaryOp('abs', 'abs', x);

/** min(max(x, lo), hi); the gradient is 1 inside [lo, hi] and 0 outside. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  checkNumber('clamp', 'min', lo);
  checkNumber('clamp', 'max', hi);
  if (lo > hi) throw new Error(`clamp: min ${lo} is greater than max ${hi}`);
  return unaryOp('clamp', 'clamp', x, lo, hi);
}

