// The elementwise functions of one input, one row each: what the function is, how a CPU loop
// and a WGSL shader compute it, and its derivative, both as a fused gradient kernel and as a
// rule written in tensor ops. Everything about `sigmoid`, from the math to the GPU, is its row.
//
//   y = f(x; α, β)                 the forward (α, β: the op's numbers, e.g. a slope or bounds)
//   dx = dy · f'(x)                the chain rule: the gradient flowing back times the slope
//
// The kernels are built from this table: kernels/cpu/unary.ts compiles `cpu` and `cpuGrad` into
// loops, kernels/webgpu/unary.wgsl.ts pastes `wgsl` and `wgslGrad` into shaders, and the fused
// linear layer (kernels/*/matmul*) applies the rows marked `fromY` after its matrix product.
// The table is typed over every op, so a row that lacks a part does not compile.
//
// Two ways to differentiate, one meaning:
//   - `cpuGrad` / `wgslGrad`: one fused kernel computes dx from x, y and dy. backward() uses it
//     when no graph of the gradient is wanted (the fast path of every training step).
//   - `rule`: the same derivative in recorded tensor ops. backward({ createGraph: true }) and
//     grad() use it, so the gradient is itself differentiable (Hessian-vector products, WGAN-GP).
// tests/engine/gradgrad.test.ts checks that the two agree for every row.
//
// Out of its domain (log or sqrt at 0), a derivative that divides divides the way the div op
// does: by safeDivisor(d), which reads |d| < DIV_MIN (1e-30) as ±DIV_MIN. So both ways give the
// same finite number there: d/dx ln x at 0 is 1/DIV_MIN = 1e30, d/dx √x at 0 is 1/(2·0 → DIV_MIN)
// = 1e30 (PyTorch gives inf for both). tests/engine/out-of-domain.test.ts holds both to it.

import { TINY } from '../constants';
import { erf, powKeepSign, safeDivisor, sigmoid } from '../scalar';
import { binaryOps, withOperands } from './binary-table';
import type { Tensor } from '../tensor';

export interface UnaryDef {
  /** The function, as a reader would write it. */
  readonly math: string;
  /** Its derivative, as `rule` computes it (shown by the page's "under the hood" panel). */
  readonly derivative: string;
  /** y for one element on the CPU. */
  readonly cpu: (x: number, alpha: number, beta: number) => number;
  /** The same, as a WGSL f32 expression of x, alpha and beta. */
  readonly wgsl: string;
  /** The fused gradient kernel, one element: dx from x, y = f(x) and dy. */
  readonly cpuGrad: (x: number, y: number, dy: number, alpha: number, beta: number) => number;
  /** The same, as a WGSL f32 expression of x, y, dy, alpha and beta. */
  readonly wgslGrad: string;
  /**
   * The derivative in tensor ops: dx from dy, x and y. null when f' is 0 wherever it exists
   * (step functions): the op's output is then a constant for autograd.
   */
  readonly rule: ((dy: Tensor, x: Tensor, y: Tensor, alpha: number, beta: number) => Tensor) | null;
  /**
   * Where the shared gradcheck suite tests this row (engine/gradcheck-suite.ts makes one case
   * per row from it): inputs uniform in [lo, hi], at least 0.05 from each point in `avoid` (a
   * kink), with these α and β. null for rows whose derivative is 0 (nothing to check).
   */
  readonly check: { lo: number; hi: number; alpha?: number; beta?: number; avoid?: number[] } | null;
  /**
   * f' can be read from y alone: `cpuGrad`, `wgslGrad` and `rule` give the same result when y is
   * passed as x too, so the fused linear layer (which keeps y, not x·W + b) may apply it.
   * LeakyReLU only for α ≥ 0 (where y > 0 exactly where x > 0): linear() does not fuse α < 0.
   */
  readonly fromY?: true;
  /** `cpuGrad` and `wgslGrad` ignore y: a fused kernel that has no y at hand (meanUnaryGrad) need not recompute it. */
  readonly gradIgnoresY?: true;
  /**
   * The row chooses by a sign: y = x > 0 ? x : (0 or α·x), dx = x > 0 ? dy : (0 or α·dy). The CPU
   * makes that choice on float32 arrays with a bit mask instead of a branch (kernels/cpu/unary.ts).
   */
  readonly bySign?: 'zero' | 'alpha';
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const unaryOps = {
  // ---- arithmetic with a number ----
  affine: {
    math: 'y = α·x + β',
    check: { lo: -2, hi: 2, alpha: 1.5, beta: -0.5 },
    derivative: 'dx = α·dy',
    cpu: (x, a, b) => a * x + b,
    wgsl: 'alpha * x + beta',
    cpuGrad: (_x, _y, dy, a) => a * dy,
    wgslGrad: 'alpha * dy',
    rule: (dy, _x, _y, a) => dy.mul(a),
  },
  rdiv: {
    math: 'y = α / x',
    check: { lo: 0.5, hi: 2, alpha: 1.5 },
    derivative: 'dx = −dy·y / x',
    cpu: (x, a) => a / safeDivisor(x),
    wgsl: 'alpha / safe_divisor(x)',
    cpuGrad: (x, y, dy) => (-y / safeDivisor(x)) * dy,
    wgslGrad: '(-y / safe_divisor(x)) * dy',
    rule: (dy, x, y) => dy.mul(y).div(x).neg(),
  },
  pow: {
    math: 'y = x^α (sign kept for odd integer α)',
    check: { lo: 0.2, hi: 2, alpha: 1.5 },
    derivative: 'dx = dy·α·x^(α−1)',
    cpu: (x, a) => powKeepSign(x, a),
    wgsl: 'pow_keep_sign(x, alpha)',
    cpuGrad: (x, _y, dy, a) => (a === 0 ? 0 : a * powKeepSign(x, a - 1) * dy),
    wgslGrad: 'select(alpha * pow_keep_sign(x, alpha - 1.0) * dy, 0.0, alpha == 0.0)',
    gradIgnoresY: true,
    rule: (dy, x, _y, a) => (a === 0 ? dy.mul(0) : dy.mul(x.pow(a - 1)).mul(a)),
  },
  // ---- functions of one number ----
  exp: {
    math: 'y = e^x',
    check: { lo: -2, hi: 2 },
    derivative: 'dx = dy·y',
    cpu: (x) => Math.exp(x),
    wgsl: 'exp(x)',
    cpuGrad: (_x, y, dy) => y * dy,
    wgslGrad: 'y * dy',
    rule: (dy, _x, y) => dy.mul(y),
  },
  log: {
    math: 'y = ln x (x below float32\'s smallest normal is raised to it)',
    check: { lo: 0.2, hi: 2 },
    derivative: 'dx = dy / x',
    cpu: (x) => Math.log(Math.max(x, TINY)),
    wgsl: 'log(max(x, TINY))',
    // Divides as the rule's div does (see "Out of its domain" above): 1/x, x = 0 read as DIV_MIN.
    cpuGrad: (x, _y, dy) => dy / safeDivisor(x),
    wgslGrad: 'dy / safe_divisor(x)',
    rule: (dy, x) => dy.div(x),
  },
  sqrt: {
    math: 'y = √x (x < 0 is raised to 0)',
    check: { lo: 0.2, hi: 2 },
    derivative: 'dx = dy / (2y)',
    cpu: (x) => Math.sqrt(Math.max(x, 0)),
    wgsl: 'sqrt(max(x, 0.0))',
    cpuGrad: (_x, y, dy) => dy / safeDivisor(2 * y),
    wgslGrad: 'dy / safe_divisor(2.0 * y)',
    rule: (dy, _x, y) => dy.div(y.mul(2)),
  },
  sin: {
    math: 'y = sin x',
    check: { lo: -4, hi: 4 },
    derivative: 'dx = dy·cos x',
    cpu: (x) => Math.sin(x),
    wgsl: 'sin(x)',
    cpuGrad: (x, _y, dy) => Math.cos(x) * dy,
    wgslGrad: 'cos(x) * dy',
    rule: (dy, x) => dy.mul(x.cos()),
  },
  cos: {
    math: 'y = cos x',
    check: { lo: -4, hi: 4 },
    derivative: 'dx = −dy·sin x',
    cpu: (x) => Math.cos(x),
    wgsl: 'cos(x)',
    cpuGrad: (x, _y, dy) => -Math.sin(x) * dy,
    wgslGrad: '-sin(x) * dy',
    rule: (dy, x) => dy.mul(x.sin()).neg(),
  },
  // ---- piecewise: a kink (abs, relu, clamp) or a jump (sign, step, inRange) ----
  abs: {
    math: 'y = |x|',
    check: { lo: -2, hi: 2, avoid: [0] },
    derivative: 'dx = dy·sign(x)   (0 at x = 0)',
    cpu: (x) => Math.abs(x),
    wgsl: 'abs(x)',
    cpuGrad: (x, _y, dy) => Math.sign(x) * dy,
    wgslGrad: 'sign(x) * dy',
    rule: (dy, x) => dy.mul(x.sign()),
  },
  clamp: {
    math: 'y = min(max(x, α), β)',
    check: { lo: -1, hi: 1, alpha: -0.5, beta: 0.5, avoid: [-0.5, 0.5] },
    derivative: 'dx = dy·[α ≤ x ≤ β]',
    cpu: (x, a, b) => Math.min(Math.max(x, a), b),
    wgsl: 'min(max(x, alpha), beta)',
    cpuGrad: (x, _y, dy, a, b) => (x >= a && x <= b ? dy : 0),
    wgslGrad: 'select(0.0, dy, x >= alpha && x <= beta)',
    rule: (dy, x, _y, a, b) => dy.mul(x.inRange(a, b)),
  },
  sign: {
    math: 'y = sign(x) ∈ {−1, 0, 1}',
    check: null,
    derivative: 'dx = 0',
    cpu: (x) => Math.sign(x),
    wgsl: 'sign(x)',
    cpuGrad: () => 0,
    wgslGrad: '0.0',
    rule: null,
  },
  step: {
    math: 'y = [x > 0]  (Heaviside: 1 for x > 0, else 0)',
    check: null,
    derivative: 'dx = 0',
    cpu: (x) => (x > 0 ? 1 : 0),
    wgsl: 'select(0.0, 1.0, x > 0.0)',
    cpuGrad: () => 0,
    wgslGrad: '0.0',
    rule: null,
  },
  inRange: {
    math: 'y = [α ≤ x ≤ β]',
    check: null,
    derivative: 'dx = 0',
    cpu: (x, a, b) => (x >= a && x <= b ? 1 : 0),
    wgsl: 'select(0.0, 1.0, x >= alpha && x <= beta)',
    cpuGrad: () => 0,
    wgslGrad: '0.0',
    rule: null,
  },
  // ---- activations ----
  relu: {
    math: 'y = max(x, 0)',
    check: { lo: -2, hi: 2, avoid: [0] },
    derivative: 'dx = dy·[y > 0]',
    cpu: (x) => (x > 0 ? x : 0),
    wgsl: 'select(0.0, x, x > 0.0)',
    cpuGrad: (_x, y, dy) => (y > 0 ? dy : 0),
    wgslGrad: 'select(0.0, dy, y > 0.0)',
    rule: (dy, _x, y) => dy.mul(y.step()),
    fromY: true,
    bySign: 'zero',
  },
  leakyRelu: {
    math: 'y = x for x > 0, α·x otherwise',
    check: { lo: -2, hi: 2, alpha: 0.2, avoid: [0] },
    derivative: 'dx = dy·(α + (1 − α)·[x > 0])',
    cpu: (x, a) => (x > 0 ? x : a * x),
    wgsl: 'select(alpha * x, x, x > 0.0)',
    // The slope is chosen by the sign of x, not of y: for α < 0, y = α·x > 0 where x < 0 too.
    cpuGrad: (x, _y, dy, a) => (x > 0 ? dy : a * dy),
    wgslGrad: 'select(alpha * dy, dy, x > 0.0)',
    rule: (dy, x, _y, a) => dy.mul(x.step().mul(1 - a).add(a)),
    fromY: true,
    bySign: 'alpha',
  },
  sigmoid: {
    math: 'y = σ(x) = 1 / (1 + e^−x)',
    check: { lo: -4, hi: 4 },
    derivative: 'dx = dy·y·(1 − y)',
    cpu: (x) => sigmoid(x),
    wgsl: 'sigmoid(x)',
    cpuGrad: (_x, y, dy) => y * (1 - y) * dy,
    wgslGrad: 'y * (1.0 - y) * dy',
    rule: (dy, _x, y) => dy.mul(y).mul(y.neg().add(1)),
    fromY: true,
  },
  tanh: {
    math: 'y = tanh x',
    check: { lo: -3, hi: 3 },
    derivative: 'dx = dy·(1 − y²)',
    cpu: (x) => Math.tanh(x),
    // tanh(±15) is ±1 in float32; clamping keeps implementations that use exp(2x) from overflowing.
    wgsl: 'tanh(clamp(x, -15.0, 15.0))',
    cpuGrad: (_x, y, dy) => (1 - y * y) * dy,
    wgslGrad: '(1.0 - y * y) * dy',
    rule: (dy, _x, y) => dy.mul(y.mul(y).neg().add(1)),
    fromY: true,
  },
  softplus: {
    // max(x, 0) + log(1 + e^−|x|) is the same function, stable for large |x|.
    math: 'y = log(1 + e^x)',
    check: { lo: -4, hi: 4 },
    derivative: 'dx = dy·σ(x)',
    cpu: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    wgsl: 'max(x, 0.0) + log(1.0 + exp(-abs(x)))',
    cpuGrad: (x, _y, dy) => sigmoid(x) * dy,
    wgslGrad: 'sigmoid(x) * dy',
    rule: (dy, x) => dy.mul(x.sigmoid()),
  },
  silu: {
    math: 'y = x·σ(x)  (swish)',
    check: { lo: -4, hi: 4 },
    derivative: 'dx = dy·(s + x·s·(1 − s)),  s = σ(x)',
    cpu: (x) => x * sigmoid(x),
    wgsl: 'x * sigmoid(x)',
    cpuGrad: (x, _y, dy) => {
      const s = sigmoid(x);
      return (s + x * s * (1 - s)) * dy;
    },
    wgslGrad: '(sigmoid(x) + x * sigmoid(x) * (1.0 - sigmoid(x))) * dy',
    rule: (dy, x) => {
      const s = x.sigmoid();
      return dy.mul(s.add(x.mul(s).mul(s.neg().add(1))));
    },
  },
  erf: {
    math: 'y = erf x = (2/√π)·∫₀ˣ e^(−t²) dt',
    check: { lo: -2, hi: 2 },
    derivative: 'dx = dy·(2/√π)·e^(−x²)',
    cpu: (x) => erf(x),
    wgsl: 'erf(x)',
    cpuGrad: (x, _y, dy) => TWO_OVER_SQRT_PI * Math.exp(-x * x) * dy,
    wgslGrad: `${TWO_OVER_SQRT_PI} * exp(-x * x) * dy`,
    gradIgnoresY: true,
    rule: (dy, x) => dy.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)),
  },
  gelu: {
    // The exact GELU of Hendrycks and Gimpel (PyTorch's default, not its tanh approximation).
    math: 'y = x·Φ(x) = x·(1 + erf(x/√2))/2   (Φ the standard normal CDF)',
    check: { lo: -3, hi: 3 },
    derivative: 'dx = dy·(Φ(x) + x·φ(x)),  φ(x) = e^(−x²/2)/√(2π)',
    cpu: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
    wgsl: `0.5 * x * (1.0 + erf(x * ${Math.SQRT1_2}))`,
    cpuGrad: (x, _y, dy) => (0.5 * (1 + erf(x * Math.SQRT1_2)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI) * dy,
    wgslGrad: `(0.5 * (1.0 + erf(x * ${Math.SQRT1_2})) + x * exp(-0.5 * x * x) * ${INV_SQRT_2PI}) * dy`,
    gradIgnoresY: true,
    rule: (dy, x) => dy.mul(x.mul(Math.SQRT1_2).erf().add(1).mul(0.5).add(x.mul(x.mul(x).mul(-0.5).exp()).mul(INV_SQRT_2PI))),
  },
  // ---- losses against a constant target t = α: the rows of the binary table (./binary-table.ts)
  // with b = α, so each formula is written once (a number target needs no target tensor) ----
  bceLogits: {
    math: `${binaryOps.bceLogits.math.replace(/\bb\b/g, 't').replace(/\ba\b/g, 'x')}, t = α`,
    check: { lo: -4, hi: 4, alpha: 0.3 },
    derivative: 'dx = dy·(σ(x) − t)',
    cpu: (x, t) => binaryOps.bceLogits.cpu(x, t),
    wgsl: withOperands('bceLogits', 'x', 'alpha'),
    cpuGrad: (x, _y, dy, t) => binaryOps.bceLogitsGrad.cpu(x, t) * dy,
    wgslGrad: `${withOperands('bceLogitsGrad', 'x', 'alpha')} * dy`,
    gradIgnoresY: true,
    rule: (dy, x, _y, t) => binaryOps.bceLogits.rule.a(dy, x, t),
  },
  bce: {
    math: `${binaryOps.bce.math.replace(/\bb\b/g, 't').replace(/\ba\b/g, 'x')}, target t = α`,
    check: { lo: 0.05, hi: 0.95, alpha: 0.3 },
    derivative: 'dx = dy·(x − t) / (x·(1 − x))·[ε ≤ x ≤ 1 − ε]',
    cpu: (x, t) => binaryOps.bce.cpu(x, t),
    wgsl: withOperands('bce', 'x', 'alpha'),
    cpuGrad: (x, _y, dy, t) => binaryOps.bceGrad.cpu(x, t) * dy,
    wgslGrad: `${withOperands('bceGrad', 'x', 'alpha')} * dy`,
    gradIgnoresY: true,
    rule: (dy, x, _y, t) => binaryOps.bce.rule.a(dy, x, t),
  },
} satisfies Record<string, UnaryDef>;

/** Every elementwise function of one input, by name. */
export type UnaryOp = keyof typeof unaryOps;

/** The table, read through the common row type. */
export const unaryDef = (op: UnaryOp): UnaryDef => unaryOps[op];

/** Activations the fused linear layer applies after x·W + b: the rows whose derivative is read from y. */
export type FusedActivation = 'none' | { [K in UnaryOp]: (typeof unaryOps)[K] extends { fromY: true } ? K : never }[UnaryOp];

/** The fused activations, in table order (for option checks and tests). */
export const FUSED_ACTIVATIONS: readonly FusedActivation[] = [
  'none',
  ...(Object.keys(unaryOps) as UnaryOp[]).filter((k): k is Exclude<FusedActivation, 'none'> => unaryDef(k).fromY === true),
];
