// WGSL twin of kernels/cpu/linear-grad.ts: the backward of a Linear layer y = act(x·W + b) in
// one dispatch, where the unfused backward takes up to four (the activation's gradient, dx, dW,
// db):
//   dz = dy ⊙ act'(y)   recomputed where it is read, never stored (act' is the row's wgslGrad)
//   dW = xᵀ·dz  [k, n],   db = Σ_rows dz  [n],   dx = dz·Wᵀ  [m, k]
// When y went straight into a fused loss L = (1/N)·Σ f(y), dy itself is computed where it is
// read, dy = f'(y)·g/N (loss_grad below, the loss's row of the op table), with no DY buffer.
// With dxActivation, x is the output of a layer below with that activation, and dx is stored as
// that layer's dz = dx ⊙ act'(x) (dx_of below), so the layer below runs no elementwise kernel.
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

/**
 * How a kernel reads and writes, chosen by shape (lavapipe does every per-invocation load lane
 * by lane, so a vec4 load costs about what a scalar one does and brings four values):
 *   cols    n divisible by 4: a thread owns 4 neighbouring columns j..j+3 of dW (and of db),
 *           reading y and dy as vec4s along the output rows; a dx thread reads its row of dz
 *           and of W as vec4s and sums their dot products.
 *   rows    else, k divisible by 4: a thread owns 4 neighbouring rows r..r+3 of dW (columns of
 *           dx), reading x as vec4s and writing dx as vec4s.
 *   scalar  else: one output value a thread.
 */
type LinearGradLayout = 'cols' | 'rows' | 'scalar';

function layoutFor(c: Extract<KernelCall, { kernel: 'linearGrad' }>, dyPerElement: boolean): LinearGradLayout {
  const sized = (list: (Storage | null)[]): boolean => list.every((s) => s === null || s.size % 4 === 0);
  if (c.n % 4 === 0 && sized([c.w, c.y, dyPerElement ? c.dy : null, c.dw, c.db])) return 'cols';
  if (c.k % 4 === 0 && sized([c.x, c.dx])) return 'rows';
  return 'scalar';
}

export const planLinearGrad: Planner<'linearGrad'> = (c, limits): DispatchPlan[] => {
  const { m, k, n, activation } = c;
  const act = activation !== 'none';
  const loss = c.dy === null ? lossOf(c) : null;
  const readsY = act || loss !== null;
  const layout = layoutFor(c, loss === null);
  // Threads for each part: in 'cols' one per 4 columns of dW and db; in 'rows' one per 4 rows of dW and 4 columns of dx.
  const wThreads = c.dw ? (layout === 'scalar' ? k * n : k * n / 4) : 0;
  const bThreads = c.db ? (layout === 'cols' ? n / 4 : n) : 0;
  const xThreads = c.dx ? (layout === 'rows' ? m * k / 4 : m * k) : 0;
  const endW = wThreads;
  const endB = endW + bThreads;
  const total = endB + xThreads;
  if (total === 0) return [];
  // DY: dy per element, or with a fused loss, its one upstream value g (none when g is a constant).
  const dyBuffer = loss ? loss.dy : c.dy;
  const cols = layout === 'cols';
  const rows = layout === 'rows';
  const v = (yes: boolean): BufferDecl[1] => (yes ? 'vec4f' : 'f32');
  const inputs: BufferDecl[] = [
    ['X', v(rows)], ['W', v(cols)],
    ...(readsY ? [['Y', v(cols)] as BufferDecl] : []),
    ...(dyBuffer ? [['DY', v(cols && !loss)] as BufferDecl] : []),
  ];
  const outputs: BufferDecl[] = [];
  if (c.dw) outputs.push(['DW', v(cols)]);
  if (c.db) outputs.push(['DB', v(cols)]);
  if (c.dx) outputs.push(['DX', v(rows)]);
  // Which outputs are computed, and which are added into (+): e.g. linearGrad.relu.W+B+ for a
  // layer's second use, whose weight and bias gradients add to those of the first.
  const add = c.accumulate ?? { dx: false, dw: false, db: false };
  const parts = `${c.dw ? `W${add.dw ? '+' : ''}` : ''}${c.db ? `B${add.db ? '+' : ''}` : ''}${c.dx ? `X${add.dx ? '+' : ''}` : ''}`;
  const store = (out: string, at: string, flag: boolean): string => (flag ? `${out}[${at}] = ${out}[${at}] + s;` : `${out}[${at}] = s;`);
  const lossPart = loss ? `loss-${loss.op}${loss.dy ? '' : '.const'}.` : '';
  const below = c.dx ? c.dxActivation ?? null : null;
  if (below && add.dx) throw new Error(`webgpu linearGrad: dxActivation cannot be combined with accumulate.dx (${m}×${k} dx would hold two gradients)`);
  if (below && !(below.activation in unaryOps)) throw new Error(`webgpu linearGrad: unknown dxActivation '${String(below.activation)}'`);
  const name = `linearGrad.${activation}.${lossPart}${parts}${below ? `.dx-${below.activation}` : ''}${layout === 'scalar' ? '' : `.${layout}4`}`;
  // dz from one output value y and its upstream gradient dy: the activation's slope read from y (the op table's fused gradient).
  const dzOf = act
    ? `  let x = y; // the fused activations' gradients read y only\n  let alpha = p.alpha;\n  let beta = 0.0;\n  return ${unaryOps[activation].wgslGrad}; // ${activation}'`
    : '  return dy;';
  const dyAt = (y: string, idx: string): string => (loss ? `loss_grad(${y})` : `DY[${idx}]`);
  const blocks: string[] = [];
  if (c.dw) {
    blocks.push(cols ? `  if (t < p.endW) { // dW[r, j..j+3] = Σ_i x[i, r]·dz[i, j..j+3]
    let r = t / (p.n / 4u);
    let j = (t % (p.n / 4u)) * 4u;
    var s = vec4f(0.0);
    for (var row = 0u; row < p.m; row++) { s += X[row * p.k + r] * dz4(row, j); }
    ${store('DW', 't', add.dw)}
    return;
  }` : rows ? `  if (t < p.endW) { // dW[r..r+3, j] = Σ_i x[i, r..r+3]·dz[i, j]
    let r = (t / p.n) * 4u;
    let j = t % p.n;
    var s = vec4f(0.0);
    for (var row = 0u; row < p.m; row++) { s += X[(row * p.k + r) / 4u] * dz(row, j); }
    for (var c = 0u; c < 4u; c++) { let at = (r + c) * p.n + j; DW[at] = ${add.dw ? 'DW[at] + ' : ''}s[c]; }
    return;
  }` : `  if (t < p.endW) { // dW[r, j] = Σ_i x[i, r]·dz[i, j]
    let r = t / p.n;
    let j = t % p.n;
    var s = 0.0;
    for (var row = 0u; row < p.m; row++) { s += X[row * p.k + r] * dz(row, j); }
    ${store('DW', 't', add.dw)}
    return;
  }`);
  }
  if (c.db) {
    blocks.push(cols ? `  if (t < p.endB) { // db[j..j+3] = Σ_i dz[i, j..j+3]
    let j4 = t - p.endW;
    var s = vec4f(0.0);
    for (var row = 0u; row < p.m; row++) { s += dz4(row, j4 * 4u); }
    ${store('DB', 'j4', add.db)}
    return;
  }` : `  if (t < p.endB) { // db[j] = Σ_i dz[i, j]
    let j = t - p.endW;
    var s = 0.0;
    for (var row = 0u; row < p.m; row++) { s += dz(row, j); }
    ${store('DB', 'j', add.db)}
    return;
  }`);
  }
  if (c.dx) {
    blocks.push(cols ? `  { // dx[i, r] = Σ_j dz[i, j]·W[r, j], 4 columns j at a time
    let u = t - p.endB;
    let row = u / p.k;
    let r = u % p.k;
    var s = 0.0;
    for (var j = 0u; j < p.n; j += 4u) { s += dot(dz4(row, j), W[(r * p.n + j) / 4u]); }
    ${below ? 's = dx_of(s, X[u]);\n    ' : ''}${store('DX', 'u', add.dx)}
  }` : rows ? `  { // dx[i, r..r+3] = Σ_j dz[i, j]·W[r..r+3, j]
    let u = t - p.endB;
    let row = u / (p.k / 4u);
    let r = (u % (p.k / 4u)) * 4u;
    var s = vec4f(0.0);
    for (var j = 0u; j < p.n; j++) { s += dz(row, j) * vec4f(W[r * p.n + j], W[(r + 1u) * p.n + j], W[(r + 2u) * p.n + j], W[(r + 3u) * p.n + j]); }
    ${below ? 'let xv = X[u];\n    s = vec4f(dx_of(s.x, xv.x), dx_of(s.y, xv.y), dx_of(s.z, xv.z), dx_of(s.w, xv.w));\n    ' : ''}${store('DX', 'u', add.dx)}
  }` : `  { // dx[i, r] = Σ_j dz[i, j]·W[r, j]
    let u = t - p.endB;
    let row = u / p.k;
    let r = u % p.k;
    var s = 0.0;
    for (var j = 0u; j < p.n; j++) { s += dz(row, j) * W[r * p.n + j]; }
    ${below ? 's = dx_of(s, X[u]);\n    ' : ''}${store('DX', 'u', add.dx)}
  }`);
  }
  // dz at (row, col): scalar, or the 4 columns j..j+3 from vec4 reads of y and dy.
  const dzFns = cols
    ? `fn dz4(i: u32, j: u32) -> vec4f {
  let q = (i * p.n + j) / 4u;
  let yv = ${readsY ? 'Y[q]' : 'vec4f(0.0)'};
  let dyv = ${loss ? 'vec4f(loss_grad(yv.x), loss_grad(yv.y), loss_grad(yv.z), loss_grad(yv.w))' : 'DY[q]'};
  return vec4f(dz_of(yv.x, dyv.x), dz_of(yv.y, dyv.y), dz_of(yv.z, dyv.z), dz_of(yv.w, dyv.w));
}`
    : `fn dz(i: u32, j: u32) -> f32 {
  let idx = i * p.n + j;
  let y = ${readsY ? 'Y[idx]' : '0.0'};
  return dz_of(y, ${dyAt('y', 'idx')});
}`;
  return [{
    key: name,
    label: name,
    wgsl: () => /* wgsl */ `
${header(inputs, outputs, [
  ['m', 'u32'], ['k', 'u32'], ['n', 'u32'], ['alpha', 'f32'], ['endW', 'u32'], ['endB', 'u32'], ['total', 'u32'],
  ...(loss ? [['lossAlpha', 'f32'], ['lossBeta', 'f32'], ['lossScale', 'f32']] as ParamDecl[] : []),
  ...(below ? [['dxAlpha', 'f32']] as ParamDecl[] : []),
])}
${readsY || below ? GUARDS : ''}
${loss ? lossGradFn(loss) : ''}
${below ? `// The layer below's dz = dx ⊙ act'(x): x is that layer's output.
fn dx_of(v: f32, xb: f32) -> f32 {
  let dy = v;
  let y = xb;
  let x = y; // the fused activations' gradients read y only
  let alpha = p.dxAlpha;
  let beta = 0.0;
  return ${unaryOps[below.activation].wgslGrad}; // ${below.activation}'
}` : ''}
// dz = dy ⊙ act'(y) for one output value y of the layer and its upstream gradient dy.
fn dz_of(y: f32, dy: f32) -> f32 {
${dzOf}
}
${dzFns}

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
      ...(below ? [{ f32: below.alpha }] : []),
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
