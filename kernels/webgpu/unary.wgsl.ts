// WGSL twin of kernels/cpu/unary.ts: elementwise y = f(x; alpha, beta) and its gradient
// dx = dy * f'(x). One thread per element; the op's expression comes from its row of the op
// table (engine/ops/unary-table.ts: `wgsl`, `wgslGrad`) and is baked into the shader text (one
// pipeline per op); alpha and beta come from the uniform params.

import type { Storage, UnaryOp } from '../../engine/backend';
import { unaryOps, type UnaryDef } from '../../engine/ops/unary-table';
import { gridFor, type DispatchPlan, type Param, type PlanLimits, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, GUARDS, header, type ParamDecl } from './wgsl';

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

/** An input read element by element: its binding name, its buffer, and the local the expression knows it by. */
type ElementInput = [binding: string, storage: Storage, local: string];

/**
 * One thread per element: `elements` are the inputs read at the thread's element (x = X[i], and
 * for gradients y and dy), `lets` define further locals from them, `expr` (a row of the op table)
 * computes the output with alpha and beta; `scale`, when given, is one more param (p.scale).
 *
 * When the element count and every buffer read element by element are multiples of 4, each
 * thread does 4 consecutive elements, read and written as vec4s (suffix .vec4): on a CPU adapter
 * (lavapipe) a load or store whose address differs per invocation is done lane by lane, so one
 * 16-byte access in place of four 4-byte ones cuts the kernel's memory work about 4×. Each
 * element's value is the same expression on the same inputs, so the results are the same bits.
 */
function elementwisePlan(
  name: string, elements: ElementInput[], lets: string[], out: Storage, expr: string,
  alpha: number, beta: number, limits: PlanLimits, scale?: number, others: [string, Storage][] = [],
): DispatchPlan {
  const n = out.size;
  const vec4 = n % 4 === 0 && elements.every(([, s]) => s.size % 4 === 0);
  const decls: ParamDecl[] = [['n', 'u32'], ['alpha', 'f32'], ['beta', 'f32']];
  const params: Param[] = [{ u32: n }, { f32: alpha }, { f32: beta }];
  if (scale !== undefined) {
    decls.push(['scale', 'f32']);
    params.push({ f32: scale });
  }
  const inputs: [string, Storage][] = [...elements.map(([b, s]): [string, Storage] => [b, s]), ...others];
  let bindings = header(inputs.map(([v]) => [v, 'f32']), [['OUT', 'f32']], decls);
  let body: string;
  if (vec4) {
    for (const [b] of elements) bindings = bindings.replace(`var<storage, read> ${b}: array<f32>;`, `var<storage, read> ${b}: array<vec4f>;`);
    bindings = bindings.replace('var<storage, read_write> OUT: array<f32>;', 'var<storage, read_write> OUT: array<vec4f>;');
    const values = ['x', 'y', 'z', 'w'].map((c) => `value(${elements.map(([, , local]) => `${local}4.${c}`).join(', ')})`);
    body = `  if (i >= p.n / 4u) { return; } // thread i does elements 4i .. 4i + 3
${elements.map(([b, , local]) => `  let ${local}4 = ${b}[i];`).join('\n')}
  OUT[i] = vec4f(${values.join(', ')});`;
  } else {
    body = `  if (i >= p.n) { return; }
  OUT[i] = value(${elements.map(([b]) => `${b}[i]`).join(', ')});`;
  }
  const key = vec4 ? `${name}.vec4` : name;
  return {
    key,
    label: key,
    wgsl: () => /* wgsl */ `
${bindings}
${GUARDS}
${POW_KEEP_SIGN}
// One element's output from its inputs.
fn value(${elements.map(([, , local]) => `${local}: f32`).join(', ')}) -> f32 {
  let alpha = p.alpha;
  let beta = p.beta;
${lets.map((line) => `  ${line}`).join('\n')}
  return ${expr};
}

@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
${body}
}`,
    inputs: inputs.map(([, storage]) => storage),
    outputs: [out],
    params,
    workgroups: gridFor(vec4 ? n / 4 : n, WG, limits),
  };
}

function row(op: UnaryOp, kernel: string) {
  if (!(op in unaryOps)) throw new Error(`webgpu ${kernel}: unknown op '${String(op)}'`);
  return unaryOps[op];
}

export const planUnary: Planner<'unary'> = (c, limits) =>
  elementwisePlan(`unary.${c.op}`, [['X', c.x, 'x']], [], c.out, row(c.op, 'unary').wgsl, c.alpha, c.beta, limits);

export const planUnaryGrad: Planner<'unaryGrad'> = (c, limits) =>
  elementwisePlan(`unaryGrad.${c.op}`, [['X', c.x, 'x'], ['Yv', c.y, 'y'], ['DY', c.dy, 'dy']], [],
    c.out, row(c.op, 'unaryGrad').wgslGrad, c.alpha, c.beta, limits);

/**
 * The backward of scale·Σ f(x) (a fused loss and its mean): dx = f'(x)·dy[0]·scale. One thread
 * per element; y = f(x) is recomputed from the row's forward expression (no y buffer), and the
 * one value of dy is read by every thread.
 */
export const planMeanUnaryGrad: Planner<'meanUnaryGrad'> = (c, limits) => {
  const def: UnaryDef = row(c.op, 'meanUnaryGrad');
  const lets = [def.gradIgnoresY ? 'let y = 0.0; // this row\'s gradient does not read y' : `let y = ${def.wgsl};`];
  // dy null: a constant gradient (backward's seed), already folded into p.scale.
  if (c.dy === null) {
    return elementwisePlan(`meanUnaryGrad.${c.op}.const`, [['X', c.x, 'x']], [...lets, 'let dy = p.scale;'], c.out, def.wgslGrad, c.alpha, c.beta, limits, c.scale);
  }
  return elementwisePlan(`meanUnaryGrad.${c.op}`, [['X', c.x, 'x']], [...lets, 'let dy = DY[0] * p.scale;'], c.out, def.wgslGrad, c.alpha, c.beta, limits, c.scale, [['DY', c.dy]]);
};
