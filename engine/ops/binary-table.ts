// The elementwise functions of two inputs, one row each: what the function is, how a CPU loop
// and a WGSL shader compute it for one pair of elements, and its derivative rule in tensor ops.
// The twin of ./unary-table.ts for ops of two tensors (NumPy broadcasting is the kernels' job).
//
//   y = f(a, b)                       the forward, element by element
//   da = dy · ∂f/∂a,  db = dy · ∂f/∂b  the chain rule, one rule per input
//
// kernels/cpu/binary.ts compiles `cpu` into loops and kernels/webgpu/binary.wgsl.ts pastes
// `wgsl` into a shader, so the kernels are made from these rows and cannot drift from them. The
// table is typed over every op: a row that lacks a part, or an op without a row, does not compile.
//
// The binary cross-entropies are written here once: the unary table's `bce` and `bceLogits` rows
// (a number target, used by the fused loss kernels) are these rows with b = α (see `withOperands`).

import { BCE_EPS } from '../constants';
import { safeDivisor, sigmoid } from '../scalar';
import type { Tensor } from '../tensor';

/** One input's gradient from dy, the two inputs and y = f(a, b). b may be a number (a constant target). */
export type BinaryGradRule = (dy: Tensor, a: Tensor, b: Tensor | number, y: Tensor) => Tensor;

export interface BinaryDef {
  /** The function, as a reader would write it. */
  readonly math: string;
  /** Its derivative, as `rule` computes it (shown by the page's "under the hood" panel). */
  readonly derivative: string;
  /** y for one pair of elements on the CPU. */
  readonly cpu: (a: number, b: number) => number;
  /** The same, as a WGSL f32 expression of `a` and `b` (the helpers of kernels/webgpu/wgsl.ts GUARDS are in scope). */
  readonly wgsl: string;
  /**
   * The derivative in tensor ops, per input; null where no gradient flows to that input (a mask,
   * a target, a comparison: the output is a constant for autograd there). The result has the
   * broadcast shape; the caller sums it back to the input's shape.
   */
  readonly rule: { readonly a: BinaryGradRule | null; readonly b: BinaryGradRule | null };
  /**
   * Where the shared gradcheck suite tests this row (engine/gradcheck-suite.ts makes one case
   * per row from it): a and b uniform in their ranges; `apart`: a and b drawn on staggered
   * grids so that |a − b| ≥ 0.1 (a kink where they tie); `mask`: b is 0 or 1. null for rows
   * without a rule (nothing to check).
   */
  readonly check: { a: [number, number]; b: [number, number]; apart?: true; mask?: true } | null;
}

export const binaryOps = {
  // ---- arithmetic ----
  add: {
    math: 'y = a + b',
    derivative: 'da = dy, db = dy',
    cpu: (a, b) => a + b,
    wgsl: 'a + b',
    rule: { a: (dy) => dy, b: (dy) => dy },
    check: { a: [-2, 2], b: [-2, 2] },
  },
  sub: {
    math: 'y = a − b',
    derivative: 'da = dy, db = −dy',
    cpu: (a, b) => a - b,
    wgsl: 'a - b',
    rule: { a: (dy) => dy, b: (dy) => dy.neg() },
    check: { a: [-2, 2], b: [-2, 2] },
  },
  mul: {
    math: 'y = a·b',
    derivative: 'da = dy·b, db = dy·a',
    cpu: (a, b) => a * b,
    wgsl: 'a * b',
    rule: { a: (dy, _a, b) => dy.mul(b), b: (dy, a) => dy.mul(a) },
    check: { a: [-2, 2], b: [-2, 2] },
  },
  div: {
    // y = a / b:  da = dy / b,  db = −dy·a / b² = −dy·y / b
    math: 'y = a / b  (|b| below 1e-30 is raised to it, sign kept)',
    derivative: 'da = dy / b, db = −dy·y / b',
    cpu: (a, b) => a / safeDivisor(b),
    wgsl: 'a / safe_divisor(b)',
    rule: { a: (dy, _a, b) => dy.div(b), b: (dy, _a, b, y) => dy.mul(y).div(b).neg() },
    check: { a: [-2, 2], b: [0.5, 2] },
  },
  // ---- comparisons and choices ----
  eq: {
    math: 'y = [a = b]  (1 where equal, else 0)',
    derivative: 'da = db = 0',
    cpu: (a, b) => (a === b ? 1 : 0),
    wgsl: 'select(0.0, 1.0, a == b)',
    rule: { a: null, b: null },
    check: null,
  },
  maximum: {
    // PyTorch's rule: where a = b each input gets half of dy.
    math: 'y = max(a, b)',
    derivative: 'da = dy·(1 + sign(a − b))/2, db = dy·(1 − sign(a − b))/2  (dy/2 each at a tie)',
    cpu: (a, b) => Math.max(a, b),
    wgsl: 'max(a, b)',
    rule: {
      a: (dy, a, b) => dy.mul(a.sub(b).sign().add(1).mul(0.5)),
      b: (dy, a, b) => dy.mul(a.sub(b).sign().neg().add(1).mul(0.5)),
    },
    check: { a: [-2, 2], b: [-2, 2], apart: true },
  },
  minimum: {
    math: 'y = min(a, b)',
    derivative: 'da = dy·(1 − sign(a − b))/2, db = dy·(1 + sign(a − b))/2  (dy/2 each at a tie)',
    cpu: (a, b) => Math.min(a, b),
    wgsl: 'min(a, b)',
    rule: {
      a: (dy, a, b) => dy.mul(a.sub(b).sign().neg().add(1).mul(0.5)),
      b: (dy, a, b) => dy.mul(a.sub(b).sign().add(1).mul(0.5)),
    },
    check: { a: [-2, 2], b: [-2, 2], apart: true },
  },
  keep: {
    // Half of where(c, a, b) = keep(a, c) + keep(b, [c = 0]): the other half is exactly 0, so
    // a NaN or an infinity in the branch not chosen does not leak into the sum.
    math: 'y = a where b ≠ 0, else 0',
    derivative: 'da = dy·[b ≠ 0], db = 0',
    cpu: (a, b) => (b !== 0 ? a : 0),
    wgsl: 'select(0.0, a, b != 0.0)',
    rule: { a: (dy, _a, b) => dy.mul(typeof b === 'number' ? (b !== 0 ? 1 : 0) : b.abs().sign()), b: null },
    check: { a: [-2, 2], b: [0, 1], mask: true },
  },
  // ---- binary cross-entropy: a the prediction, b the target (no gradient flows to targets) ----
  bce: {
    // 1 − p is computed as clamp(1 − a, ε, 1 − ε): for a in [0.5, 1], 1 − a is exact in float32,
    // so the clamp decides exactly as a float64 test would (1 − ε is not a float32 number).
    math: 'y = −(b·log p + (1 − b)·log(1 − p)),  p = clamp(a, ε, 1 − ε)',
    derivative: 'da = dy·(a − b) / (a·(1 − a))·[ε ≤ a ≤ 1 − ε]',
    cpu: (a, b) => -(b * Math.log(Math.min(Math.max(a, BCE_EPS), 1 - BCE_EPS)) + (1 - b) * Math.log(Math.min(Math.max(1 - a, BCE_EPS), 1 - BCE_EPS))),
    wgsl: '-(b * log(clamp(a, BCE_EPS, 1.0 - BCE_EPS)) + (1.0 - b) * log(clamp(1.0 - a, BCE_EPS, 1.0 - BCE_EPS)))',
    rule: { a: (dy, a, b) => dy.mul(a.sub(b)).div(a.mul(a.neg().add(1))).mul(a.inRange(BCE_EPS, 1 - BCE_EPS)), b: null },
    check: { a: [0.05, 0.95], b: [0, 1] },
  },
  bceGrad: {
    math: 'y = ∂bce/∂a = (a − b) / (a·(1 − a)) inside the clamp, 0 outside  (bce\'s fused gradient kernel)',
    derivative: 'not differentiated (a gradient kernel)',
    cpu: (a, b) => (a < BCE_EPS || 1 - a < BCE_EPS ? 0 : (a - b) / (a * (1 - a))),
    wgsl: 'select((a - b) / (a * (1.0 - a)), 0.0, a < BCE_EPS || 1.0 - a < BCE_EPS)',
    rule: { a: null, b: null },
    check: null,
  },
  bceLogits: {
    // max(a, 0) − a·b + log(1 + e^−|a|) is log(1 + e^a) − a·b, and never overflows.
    math: 'y = max(a, 0) − a·b + log(1 + e^−|a|)   (binary cross-entropy of the logit a, target b)',
    derivative: 'da = dy·(σ(a) − b)',
    cpu: (a, b) => Math.max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a))),
    wgsl: 'max(a, 0.0) - a * b + log(1.0 + exp(-abs(a)))',
    rule: { a: (dy, a, b) => dy.mul(a.sigmoid().sub(b)), b: null },
    check: { a: [-4, 4], b: [0, 1] },
  },
  bceLogitsGrad: {
    math: 'y = ∂bceLogits/∂a = σ(a) − b  (bceLogits\' fused gradient kernel)',
    derivative: 'not differentiated (a gradient kernel)',
    cpu: (a, b) => sigmoid(a) - b,
    wgsl: 'sigmoid(a) - b',
    rule: { a: null, b: null },
    check: null,
  },
} satisfies Record<string, BinaryDef>;

/** Every elementwise function of two inputs, by name. */
export type BinaryOp = keyof typeof binaryOps;

/** The table, read through the common row type. */
export const binaryDef = (op: BinaryOp): BinaryDef => binaryOps[op];

/**
 * A row's WGSL with other operand names: withOperands('bce', 'x', 'alpha') is the unary table's
 * bce with a number target. Replaces the whole words `a` and `b` (the rows use no other
 * one-letter names), so the formula itself is written once, in the row.
 */
export function withOperands(op: BinaryOp, a: string, b: string): string {
  return `(${binaryOps[op].wgsl.replace(/\b[ab]\b/g, (name) => (name === 'a' ? a : b))})`;
}
