// The elementwise functions of one input. Each is a row of the op table (./unary-table.ts):
// its math, its CPU and WGSL forms and its derivative rule live there, side by side.
//
// backward() without a graph to record runs the row's fused gradient kernel (one dispatch);
// with createGraph it runs the row's rule in tensor ops, so the gradient can be differentiated.

import type { UnaryOp } from '../backend';
import { isGradEnabled, record } from '../autograd';
import { runKernel, Tensor } from '../tensor';
import { unaryDef } from './unary-table';
import { checkFloat, checkNumber, resultDType } from './util';

/** @internal y = f(x) elementwise; records the derivative from the op's row of the table. */
export function unaryOp(name: string, op: UnaryOp, x: Tensor, alpha = 0, beta = 0): Tensor {
  checkFloat(name, x);
  const backend = x.backend;
  const out = Tensor.empty(x.shape, x.dtype, backend);
  runKernel(backend, { kernel: 'unary', op, x: x.storage(name), out: out.storage(name), alpha, beta }, name, [x.shape]);
  const { rule, derivative } = unaryDef(op);
  if (rule === null) return out; // a step function: its derivative is 0, so the output is a constant
  return record(out, name, [x], (dy) => [
    isGradEnabled() ? rule(dy, x, out, alpha, beta) : unaryGrad(name, op, x, out, dy, alpha, beta),
  ], derivative);
}

/** @internal The fused gradient kernel: dx = dy * f'(x), with y = f(x) passed too. */
export function unaryGrad(name: string, op: UnaryOp, x: Tensor, y: Tensor, dy: Tensor, alpha: number, beta: number): Tensor {
  const backend = dy.backend;
  const out = Tensor.empty(x.shape, resultDType(x, dy), backend);
  runKernel(backend, {
    kernel: 'unaryGrad', op, x: x.storage(name), y: y.storage(name), dy: dy.storage(name), out: out.storage(name), alpha, beta,
  }, `${name}.backward`, [x.shape]);
  return out;
}

// ---------- functions of one number ----------

export const neg = (x: Tensor): Tensor => unaryOp('neg', 'affine', x, -1, 0);
/** x^p for a number p (negative x needs an integer p). */
export const pow = (x: Tensor, p: number): Tensor => (checkNumber('pow', 'exponent', p), unaryOp('pow', 'pow', x, p, 0));
export const exp = (x: Tensor): Tensor => unaryOp('exp', 'exp', x);
/** Natural log; inputs below float32's smallest normal (≈1.18e-38, and 0) are clamped to it. */
export const log = (x: Tensor): Tensor => unaryOp('log', 'log', x);
/** Square root; negative inputs are clamped to 0. */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', 'sqrt', x);
export const sin = (x: Tensor): Tensor => unaryOp('sin', 'sin', x);
export const cos = (x: Tensor): Tensor => unaryOp('cos', 'cos', x);
export const abs = (x: Tensor): Tensor => unaryOp('abs', 'abs', x);
/** −1, 0 or 1 by the sign of x (no gradient flows through it). */
export const sign = (x: Tensor): Tensor => unaryOp('sign', 'sign', x);
/** 1 where x > 0, else 0 (no gradient flows through it). */
export const step = (x: Tensor): Tensor => unaryOp('step', 'step', x);

/** 1 where lo ≤ x ≤ hi, else 0 (no gradient flows through it). */
export function inRange(x: Tensor, lo: number, hi: number): Tensor {
  checkBounds('inRange', lo, hi);
  return unaryOp('inRange', 'inRange', x, lo, hi);
}

/** min(max(x, lo), hi); the gradient is 1 inside [lo, hi] and 0 outside. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  checkBounds('clamp', lo, hi);
  return unaryOp('clamp', 'clamp', x, lo, hi);
}

function checkBounds(op: string, lo: number, hi: number): void {
  checkNumber(op, 'min', lo);
  checkNumber(op, 'max', hi);
  if (lo > hi) throw new Error(`${op}: min ${lo} is greater than max ${hi}`);
}

// ---------- activations ----------

export const relu = (x: Tensor): Tensor => unaryOp('relu', 'relu', x);
/** x for x > 0, slope·x otherwise (slope 0.2 by default, as in the GAN lessons). */
export const leakyRelu = (x: Tensor, slope = 0.2): Tensor => (checkNumber('leakyRelu', 'slope', slope), unaryOp('leakyRelu', 'leakyRelu', x, slope));
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', 'sigmoid', x);
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', 'tanh', x);
/** log(1 + e^x), computed stably. */
export const softplus = (x: Tensor): Tensor => unaryOp('softplus', 'softplus', x);
/** x · sigmoid(x) (a.k.a. swish), used by the diffusion model. */
export const silu = (x: Tensor): Tensor => unaryOp('silu', 'silu', x);
/** The error function erf(x) = (2/√π)∫₀ˣ e^(−t²) dt. */
export const erf = (x: Tensor): Tensor => unaryOp('erf', 'erf', x);
/** The exact GELU x·Φ(x) = x·(1 + erf(x/√2))/2 (PyTorch's default, not the tanh approximation). */
export const gelu = (x: Tensor): Tensor => unaryOp('gelu', 'gelu', x);
