// WGSL twin of kernels/cpu/unary.ts: elementwise y = f(x; alpha, beta) and its gradient
// dx = dy * f'(x). One thread per element; the op is baked into the shader text (one pipeline
// per op), alpha and beta come from the uniform params.

import type { Storage, UnaryOp } from '../../engine/backend';
import { gridFor, type DispatchPlan, type PlanLimits, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, GUARDS, header } from './wgsl';

const WG = 256;

/** |x|^a with the sign of x kept for odd integer a; NaN for x < 0 and a not an integer (as on the CPU). */
const POW_KEEP_SIGN = /* wgsl */ `
fn pow_keep_sign(x: f32, a: f32) -> f32 {
  let ax = abs(x);
  var r: f32;
  if (a == 0.0) { r = 1.0; }
  else if (a == 1.0) { r = ax; }
  else if (a == 2.0) { r = ax * ax; }                 // exact, and the common case (mse)
  else if (ax == 0.0) { r = select(pos_inf(), 0.0, a > 0.0); }  // WGSL's pow(0, a) is undefined
  else { r = pow(ax, a); }
  if (x >= 0.0) { return r; }
  if (fract(a) != 0.0) { return make_nan(); }
  return select(r, -r, abs(a) % 2.0 == 1.0);
}
`;

/** y = f(x) as a WGSL expression of x, alpha, beta. */
function forward(op: UnaryOp): string {
  switch (op) {
    case 'affine': return 'alpha * x + beta';
    case 'rdiv': return 'alpha / safe_divisor(x)';
    case 'pow': return 'pow_keep_sign(x, alpha)';
    case 'exp': return 'exp(x)';
    case 'log': return 'log(max(x, TINY))';
    case 'sqrt': return 'sqrt(max(x, 0.0))';
    case 'abs': return 'abs(x)';
    case 'clamp': return 'min(max(x, alpha), beta)';
    case 'relu': return 'select(0.0, x, x > 0.0)';
    case 'leakyRelu': return 'select(alpha * x, x, x > 0.0)';
    case 'sigmoid': return 'sigmoid(x)';
    // tanh(±15) is ±1 in float32; clamping keeps implementations that use exp(2x) from overflowing
    case 'tanh': return 'tanh(clamp(x, -15.0, 15.0))';
    // softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), stable for large |x|
    case 'softplus': return 'max(x, 0.0) + log(1.0 + exp(-abs(x)))';
    case 'silu': return 'x * sigmoid(x)';
    // losses against the constant target t = alpha
    case 'bceLogits': return 'max(x, 0.0) - x * alpha + log(1.0 + exp(-abs(x)))';
    case 'bce': return '-(alpha * log(clamp(x, BCE_EPS, 1.0 - BCE_EPS)) + (1.0 - alpha) * log(1.0 - clamp(x, BCE_EPS, 1.0 - BCE_EPS)))';
    default: throw new Error(`webgpu unary: unknown op '${op as string}'`);
  }
}

/** dx = dy * f'(x) as a WGSL expression of x, y = f(x), dy, alpha. */
function backward(op: UnaryOp): string {
  switch (op) {
    case 'affine': return 'alpha * dy';
    // d(alpha / x)/dx = -alpha / x^2 = -y / x
    case 'rdiv': return '(-y / safe_divisor(x)) * dy';
    // d(x^a)/dx = a x^(a-1)
    case 'pow': return 'select(alpha * pow_keep_sign(x, alpha - 1.0) * dy, 0.0, alpha == 0.0)';
    case 'exp': return 'y * dy';
    case 'log': return 'dy / max(x, TINY)';
    // d sqrt(x) = 1 / (2 sqrt(x))
    case 'sqrt': return 'dy / (2.0 * max(y, SQRT_TINY))';
    case 'abs': return 'sign(x) * dy';
    case 'clamp': return 'select(0.0, dy, x >= alpha && x <= beta)';
    case 'relu': return 'select(0.0, dy, y > 0.0)';
    case 'leakyRelu': return 'select(alpha * dy, dy, y > 0.0)';
    // sigmoid' = y (1 - y);  tanh' = 1 - y^2
    case 'sigmoid': return 'y * (1.0 - y) * dy';
    case 'tanh': return '(1.0 - y * y) * dy';
    // softplus' = sigmoid(x)
    case 'softplus': return 'sigmoid(x) * dy';
    // silu' = s + x s (1 - s), s = sigmoid(x)
    case 'silu': return '(sigmoid(x) + x * sigmoid(x) * (1.0 - sigmoid(x))) * dy';
    case 'bceLogits': return '(sigmoid(x) - alpha) * dy';
    case 'bce': return 'select((x - alpha) / (x * (1.0 - x)) * dy, 0.0, x < BCE_EPS || x > 1.0 - BCE_EPS)';
    default: throw new Error(`webgpu unaryGrad: unknown op '${op as string}'`);
  }
}

/**
 * One thread per element: reads X (and, for gradients, Y = f(X) and DY) at index i, evaluates
 * `expr` with alpha and beta from the params, and writes the output.
 */
function elementwisePlan(
  name: string, inputs: [string, Storage][], out: Storage, expr: string,
  alpha: number, beta: number, limits: PlanLimits,
): DispatchPlan {
  const n = out.size;
  // The WGSL names of the bound buffers, and the local each element reads (X -> x, Yv -> y, DY -> dy).
  const locals: Record<string, string> = { X: 'x', Yv: 'y', DY: 'dy' };
  return {
    key: name,
    label: name,
    wgsl: () => /* wgsl */ `
${header(inputs.map(([v]) => [v, 'f32']), [['OUT', 'f32']], [['n', 'u32'], ['alpha', 'f32'], ['beta', 'f32']])}
${GUARDS}
${POW_KEEP_SIGN}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
${inputs.map(([v]) => `  let ${locals[v]} = ${v}[i];`).join('\n')}
  let alpha = p.alpha;
  let beta = p.beta;
  OUT[i] = ${expr};
}`,
    inputs: inputs.map(([, storage]) => storage),
    outputs: [out],
    params: [{ u32: n }, { f32: alpha }, { f32: beta }],
    workgroups: gridFor(n, WG, limits),
  };
}

export const planUnary: Planner<'unary'> = (c, limits) =>
  elementwisePlan(`unary.${c.op}`, [['X', c.x]], c.out, forward(c.op), c.alpha, c.beta, limits);

export const planUnaryGrad: Planner<'unaryGrad'> = (c, limits) =>
  elementwisePlan(`unaryGrad.${c.op}`, [['X', c.x], ['Yv', c.y], ['DY', c.dy]], c.out, backward(c.op), c.alpha, c.beta, limits);
