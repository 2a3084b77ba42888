// WGSL twin of kernels/cpu/linear-grad.ts: the backward of a Linear layer y = act(x·W + b) in
// one dispatch, where the unfused backward takes up to four (the activation's gradient, dx, dW,
// db):
//   dz = dy ⊙ act'(y)   recomputed where it is read, never stored (act' is the row's wgslGrad)
//   dW = xᵀ·dz  [k, n],   db = Σ_rows dz  [n],   dx = dz·Wᵀ  [m, k]
// When y went straight into a fused loss L = (1/N)·Σ f(y), dy itself is computed where it is
// read, dy = f'(y)·g/N (loss_grad below, the loss's row of the op table), with no DY buffer.
//
// One thread per output value, laid end to end over the three outputs:
//   threads [0, endW)        dW[r, j] = Σ_i x[i, r]·dz[i, j]     (loops over the m rows)
//   threads [endW, endB)     db[j]    = Σ_i dz[i, j]
//   threads [endB, total)    dx[i, r] = Σ_j dz[i, j]·W[r, j]     (loops over the n columns)
// An output the engine does not need (an input without requiresGrad) gets no threads and no
// binding; an output that already holds a gradient (the layer's other use in the same pass)
// can be added into instead of overwritten. Like the matmul ladder's `small` rung, each thread runs its own loop: the right shape
// for the toy models' thin layers; the engine keeps the separate kernels for layers big enough
// for the ladder's tiled rungs (engine/ops/matmul.ts, fusesBackward).

import type { KernelCall, LossGradOfY, Storage } from '../../engine/backend';
import { unaryDef, unaryOps } from '../../engine/ops/unary-table';
import { gridFor, type DispatchPlan, type Planner } from './plan';
import { POW_KEEP_SIGN } from './unary.wgsl';
import { FLAT_ARGS, flatIndex, GUARDS, header, type BufferDecl, type ParamDecl } from './wgsl';

const WG = 64;

export const planLinearGrad: Planner<'linearGrad'> = (c, limits): DispatchPlan[] => {
  const { m, k, n, activation } = c;
  const endW = c.dw ? k * n : 0;
  const endB = endW + (c.db ? n : 0);
  const total = endB + (c.dx ? m * k : 0);
  if (total === 0) return [];
  const act = activation !== 'none';
  const loss = c.dy === null ? lossOf(c) : null;
  const readsY = act || loss !== null;
  // DY: dy per element, or with a fused loss, its one upstream value g (none when g is a constant).
  const dyBuffer = loss ? loss.dy : c.dy;
  const inputs: BufferDecl[] = [['X', 'f32'], ['W', 'f32'], ...(readsY ? [['Y', 'f32'] as BufferDecl] : []), ...(dyBuffer ? [['DY', 'f32'] as BufferDecl] : [])];
  const outputs: BufferDecl[] = [];
  if (c.dw) outputs.push(['DW', 'f32']);
  if (c.db) outputs.push(['DB', 'f32']);
  if (c.dx) outputs.push(['DX', 'f32']);
  // Which outputs are computed, and which are added into (+): e.g. linearGrad.relu.W+B+ for a
  // layer's second use, whose weight and bias gradients add to those of the first.
  const add = c.accumulate ?? { dx: false, dw: false, db: false };
  const parts = `${c.dw ? `W${add.dw ? '+' : ''}` : ''}${c.db ? `B${add.db ? '+' : ''}` : ''}${c.dx ? `X${add.dx ? '+' : ''}` : ''}`;
  const store = (out: string, at: string, flag: boolean): string => (flag ? `${out}[${at}] = ${out}[${at}] + s;` : `${out}[${at}] = s;`);
  const lossPart = loss ? `loss-${loss.op}${loss.dy ? '' : '.const'}.` : '';
  const name = `linearGrad.${activation}.${lossPart}${parts}`;
  // dz at (row, col): dy times the activation's slope read from y (the op table's fused gradient).
  const dz = act
    ? `  let y = Y[idx];\n  let x = y; // the fused activations' gradients read y only\n  let alpha = p.alpha;\n  let beta = 0.0;\n  return ${unaryOps[activation].wgslGrad}; // ${activation}'`
    : '  return dy;';
  const blocks: string[] = [];
  if (c.dw) {
    blocks.push(`  if (t < p.endW) { // dW[r, j] = Σ_i x[i, r]·dz[i, j]
    let r = t / p.n;
    let j = t % p.n;
    var s = 0.0;
    for (var row = 0u; row < p.m; row++) { s += X[row * p.k + r] * dz(row, j); }
    ${store('DW', 't', add.dw)}
    return;
  }`);
  }
  if (c.db) {
    blocks.push(`  if (t < p.endB) { // db[j] = Σ_i dz[i, j]
    let j = t - p.endW;
    var s = 0.0;
    for (var row = 0u; row < p.m; row++) { s += dz(row, j); }
    ${store('DB', 'j', add.db)}
    return;
  }`);
  }
  if (c.dx) {
    blocks.push(`  { // dx[i, r] = Σ_j dz[i, j]·W[r, j]
    let u = t - p.endB;
    let row = u / p.k;
    let r = u % p.k;
    var s = 0.0;
    for (var j = 0u; j < p.n; j++) { s += dz(row, j) * W[r * p.n + j]; }
    ${store('DX', 'u', add.dx)}
  }`);
  }
  return [{
    key: name,
    label: name,
    wgsl: () => /* wgsl */ `
${header(inputs, outputs, [
  ['m', 'u32'], ['k', 'u32'], ['n', 'u32'], ['alpha', 'f32'], ['endW', 'u32'], ['endB', 'u32'], ['total', 'u32'],
  ...(loss ? [['lossAlpha', 'f32'], ['lossBeta', 'f32'], ['lossScale', 'f32']] as ParamDecl[] : []),
])}
${readsY ? GUARDS : ''}
${loss ? lossGradFn(loss) : ''}
// dz = dy ⊙ act'(y) at row i, column j of the layer's output.
fn dz(i: u32, j: u32) -> f32 {
  let idx = i * p.n + j;
  let dy = ${loss ? 'loss_grad(Y[idx])' : 'DY[idx]'};
${dz}
}

@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  let t = i;
  if (t >= p.total) { return; }
${blocks.join('\n')}
}`,
    inputs: [c.x, c.w, ...(readsY ? [c.y] : []), ...(dyBuffer ? [dyBuffer] : [])],
    outputs: [c.dw, c.db, c.dx].filter((s): s is Storage => s !== null),
    params: [
      { u32: m }, { u32: k }, { u32: n }, { f32: c.alpha }, { u32: endW }, { u32: endB }, { u32: total },
      ...(loss ? [{ f32: loss.alpha }, { f32: loss.beta }, { f32: loss.scale }] : []),
    ],
    workgroups: gridFor(total, WG, limits),
  }];
};

function lossOf(c: Extract<KernelCall, { kernel: 'linearGrad' }>): LossGradOfY {
  if (!c.loss) throw new Error(`webgpu linearGrad: dy is null and no loss gradient was given (${c.m}×${c.n} output)`);
  return c.loss;
}

/**
 * dy = f'(y)·g·scale at one output value y: the gradient of the fused loss scale·Σ f(y), as the
 * meanUnaryGrad kernel computes it (f(y) recomputed for the rows whose gradient reads it).
 */
function lossGradFn(loss: LossGradOfY): string {
  const def = unaryDef(loss.op);
  return `${POW_KEEP_SIGN}
fn loss_grad(v: f32) -> f32 {
  let x = v; // the loss's input is the layer's output
  let alpha = p.lossAlpha;
  let beta = p.lossBeta;
  let y = ${def.gradIgnoresY ? '0.0; // this row\'s gradient does not read f(x)' : `${def.wgsl};`}
  let dy = ${loss.dy ? 'DY[0] * p.lossScale' : 'p.lossScale'};
  return ${def.wgslGrad}; // ${loss.op}'
}`;
}
