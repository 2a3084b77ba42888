// WGSL twin of kernels/cpu/unary.ts: elementwise y = f(x; alpha, beta) and its gradient
// dx = dy * f'(x). One thread per element; the op's expression comes from its row of the op
// table (engine/ops/unary-table.ts: `wgsl`, `wgslGrad`) and is baked into the shader text (one
// pipeline per op); alpha and beta come from the uniform params.

import type { Storage, UnaryOp } from '../../engine/backend';
import { unaryOps } from '../../engine/ops/unary-table';
import { gridFor, type DispatchPlan, type PlanLimits, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, GUARDS, header } from './wgsl';

const WG = 256;

/** |x|^a with the sign of x kept for odd integer a; NaN for x < 0 and a not an integer (as on the CPU). */
export const POW_KEEP_SIGN = /* wgsl */ `
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

function row(op: UnaryOp, kernel: string) {
  if (!(op in unaryOps)) throw new Error(`webgpu ${kernel}: unknown op '${String(op)}'`);
  return unaryOps[op];
}

export const planUnary: Planner<'unary'> = (c, limits) =>
  elementwisePlan(`unary.${c.op}`, [['X', c.x]], c.out, row(c.op, 'unary').wgsl, c.alpha, c.beta, limits);

export const planUnaryGrad: Planner<'unaryGrad'> = (c, limits) =>
  elementwisePlan(`unaryGrad.${c.op}`, [['X', c.x], ['Yv', c.y], ['DY', c.dy]], c.out, row(c.op, 'unaryGrad').wgslGrad, c.alpha, c.beta, limits);
