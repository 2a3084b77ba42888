// WGSL twin of kernels/cpu/reduce.ts (sum or max over the middle axis of [outer, axisSize, inner])
// and of `expand` in kernels/cpu/copy.ts (the gradient of sum and mean: broadcast back).
// With a fused layer (c.linear), each thread computes the values it reads, z = act(x·W + b),
// and stores them into the layer's output as well (a loss inside its last layer's forward).
//
// Two ways to reduce, chosen by shape:
//   tree  one workgroup per output value. Its TREE_WG threads walk the axis with a stride of
//         TREE_WG, each keeping a partial result; the partials then meet in workgroup memory,
//         halving the number of active threads each round (log2(TREE_WG) barriers).
//   loop  one thread per output value, looping over the axis. Best when the axis is short
//         or when there are many outputs (consecutive threads read consecutive addresses when
//         inner > 1).
//   cols4 the loop with 4 neighbouring outputs a thread, read as vec4s, where the tree would
//         otherwise run and inner is a multiple of 4 (a bias's gradient: the column sums of a
//         [512, 64] batch). On a CPU adapter (lavapipe) the tree's barriers and its lane-by-lane
//         loads cost most; here the axis is walked once, 16 bytes a load, with no barrier.

import { broadcastStrides, formatShape, sizeOf } from '../../engine/shape';
import { gridFor, type DispatchPlan, type Param, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, GUARDS, header, type BufferDecl, type ParamDecl } from './wgsl';
import { MAX_RANK } from './binary.wgsl';
import { FUSED_ACTIVATIONS, unaryOps } from '../../engine/ops/unary-table';
import { POW_KEEP_SIGN } from './unary.wgsl';

const TREE_WG = 64;
const LOOP_WG = 256;

/** Tree reduction pays off when the axis is long and there are few outputs to spread threads over. */
function useTree(axisSize: number, outputs: number): boolean {
  return axisSize >= 128 && outputs <= 4096;
}

/** ...unless the outputs come in runs of at least 16 along a contiguous inner axis (a multiple of 4) and the axis is not too long for one thread. */
const COLS4_MIN_INNER = 16;
const COLS4_MAX_AXIS = 4096;
function useCols4(axisSize: number, inner: number): boolean {
  return inner >= COLS4_MIN_INNER && inner % 4 === 0 && axisSize <= COLS4_MAX_AXIS;
}

/** Which of the three kernels a reduction runs; cols4 only for a plain one (no map, no fused layer). */
function reduceKind(axisSize: number, outputs: number, inner: number, plain: boolean): 'cols4' | 'tree' | 'loop' {
  if (!useTree(axisSize, outputs)) return 'loop';
  return plain && useCols4(axisSize, inner) ? 'cols4' : 'tree';
}

/**
 * Whether a plain sum of [1, axisSize, inner] adds the axis up in order, one element after another
 * from the first (the loop and cols4 kernels; the tree adds partial sums): then a kernel that
 * sums the same values in the same order (matmul's column sums of B) gives the same bits.
 */
export function sumsInOrder(axisSize: number, inner: number): boolean {
  return reduceKind(axisSize, inner, inner, true) !== 'tree';
}

export const planReduce: Planner<'reduce'> = (c, limits): DispatchPlan => {
  const { op, outer, axisSize, inner } = c;
  const outputs = outer * inner;
  if (op !== 'sum' && op !== 'max') throw new Error(`webgpu reduce: unknown op '${op as string}'`);
  const params: Param[] = [{ u32: outputs }, { u32: axisSize }, { u32: inner }, { f32: c.scale }];
  const decls: ParamDecl[] = [['outputs', 'u32'], ['axis', 'u32'], ['inner', 'u32'], ['scale', 'f32']];
  const init = op === 'sum' ? '0.0' : 'neg_inf()';
  const combine = op === 'sum' ? (acc: string, v: string) => `${acc} + ${v}` : (acc: string, v: string) => `max(${acc}, ${v})`;
  // With a map (a row of the op table), each element read is f(x) instead of x: the elementwise
  // part of a loss and its mean in one kernel. f's WGSL comes from the row, alpha and beta from the params.
  let prologue = '';
  let mapped = (v: string): string => v;
  let suffix = '';
  if (c.map) {
    const map = c.map;
    if (!(map.op in unaryOps)) throw new Error(`webgpu reduce: unknown map op '${String(map.op)}'`);
    params.push({ f32: map.alpha }, { f32: map.beta });
    decls.push(['alpha', 'f32'], ['beta', 'f32']);
    prologue = `${POW_KEEP_SIGN}
// f(x) of the op table's row '${map.op}': ${unaryOps[map.op].math}
fn mapped(x: f32) -> f32 {
  let alpha = p.alpha;
  let beta = p.beta;
  return ${unaryOps[map.op].wgsl};
}`;
    mapped = (v) => `mapped(${v})`;
    suffix = `.${map.op}`;
  }
  // With a fused layer (c.linear), the values read are its outputs z = act(x·W + b), computed
  // where they are read (each is read by one thread, once) and stored into Z as well.
  const inputDecls: BufferDecl[] = [['X', 'f32']];
  const outputDecls: BufferDecl[] = [['OUT', 'f32']];
  const buffers = { inputs: [c.x], outputs: [c.out] };
  if (c.linear) {
    const l = c.linear;
    if (!FUSED_ACTIVATIONS.includes(l.activation)) throw new Error(`webgpu reduce: unknown activation '${String(l.activation)}' of the fused layer`);
    inputDecls.push(['W', 'f32']);
    buffers.inputs.push(l.w);
    if (l.b) {
      inputDecls.push(['B', 'f32']);
      buffers.inputs.push(l.b);
    }
    outputDecls.push(['Z', 'f32']);
    buffers.outputs.push(l.z);
    params.push({ u32: l.k }, { u32: l.n }, { f32: l.alpha });
    decls.push(['k', 'u32'], ['cols', 'u32'], ['slope', 'f32']);
    const act = l.activation === 'none' ? ''
      : `  { let x = z; let alpha = p.slope; let beta = 0.0; z = ${unaryOps[l.activation].wgsl}; } // ${l.activation}\n`;
    prologue += `
// z at flat index i of the layer's output [m, cols]: bias, then the dot product in order, then act.
fn layer_out(i: u32) -> f32 {
  let row = i / p.cols;
  let col = i % p.cols;
  var z = ${l.b ? 'B[col]' : '0.0'};
  for (var q = 0u; q < p.k; q++) { z = z + X[row * p.k + q] * W[q * p.cols + col]; }
${act}  Z[i] = z;
  return z;
}`;
    suffix += `.linear.${l.b ? 'bias' : 'nobias'}.${l.activation}`;
  }
  const read = (at: string): string => mapped(c.linear ? `layer_out(${at})` : `X[${at}]`);
  // Output value `o` (= outerIndex * inner + innerIndex) reads x[(outerIndex * axis + j) * inner + innerIndex].
  const base = 'let base = (o / p.inner) * p.axis * p.inner + o % p.inner;';
  // With accumulate, out already holds a sum (a gradient summed earlier in the pass): add to it.
  const result = op === 'sum' ? 'acc * p.scale' : 'acc';
  const store = (at: string): string => `OUT[${at}] = ${c.accumulate ? `OUT[${at}] + ` : ''}${result};`;
  if (c.accumulate) suffix += '.add';

  const kind = reduceKind(axisSize, outputs, inner, !c.map && !c.linear);
  if (kind === 'cols4') {
    // Thread t owns outputs 4t .. 4t + 3, all in one outer slice (inner is a multiple of 4):
    // acc = Σ_j x[(outerIndex * axis + j) * inner + innerIndex .. + 3], read as one vec4.
    const vecDecls = [...decls];
    return {
      key: `reduce.${op}.cols4${suffix}`,
      label: `reduce.${op}.cols4${suffix}`,
      wgsl: () => /* wgsl */ `
${header([['X', 'f32']], [['OUT', 'f32']], vecDecls).replace('X: array<f32>', 'X: array<vec4f>').replace('OUT: array<f32>', 'OUT: array<vec4f>')}
${GUARDS}
@compute @workgroup_size(${LOOP_WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(LOOP_WG)}
  if (i >= p.outputs / 4u) { return; }
  let o = 4u * i;
  let base = ((o / p.inner) * p.axis * p.inner + o % p.inner) / 4u;
  let step = p.inner / 4u;
  var acc = vec4f(${init});
  for (var j = 0u; j < p.axis; j++) {
    acc = ${combine('acc', 'X[base + j * step]')};
  }
  ${store('i')}
}`,
      ...buffers,
      params,
      workgroups: gridFor(outputs / 4, LOOP_WG, limits),
    };
  }

  if (kind === 'tree') {
    return {
      key: `reduce.${op}.tree${suffix}`,
      label: `reduce.${op}.tree${suffix}`,
      wgsl: () => /* wgsl */ `
${header(inputDecls, outputDecls, decls)}
${GUARDS}
${prologue}
var<workgroup> partial: array<f32, ${TREE_WG}>;

@compute @workgroup_size(${TREE_WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wg.y * nwg.x + wg.x;          // one workgroup per output value (uniform across the group)
  var acc = ${init};
  if (o < p.outputs) {
    ${base}
    for (var j = lid; j < p.axis; j += ${TREE_WG}u) {
      acc = ${combine('acc', read('base + j * p.inner'))};
    }
  }
  partial[lid] = acc;
  workgroupBarrier();
  // Tree: in each round the first half of the active threads absorbs the second half.
  for (var half = ${TREE_WG / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { partial[lid] = ${combine('partial[lid]', 'partial[lid + half]')}; }
    workgroupBarrier();
  }
  if (lid == 0u && o < p.outputs) {
    let acc = partial[0];
    ${store('o')}
  }
}`,
      ...buffers,
      params,
      // gridFor spreads `outputs` workgroups over x and y when there are more than 65535.
      workgroups: gridFor(outputs, 1, limits),
    };
  }

  return {
    key: `reduce.${op}.loop${suffix}`,
    label: `reduce.${op}.loop${suffix}`,
    wgsl: () => /* wgsl */ `
${header(inputDecls, outputDecls, decls)}
${GUARDS}
${prologue}
@compute @workgroup_size(${LOOP_WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(LOOP_WG)}
  let o = i;
  if (o >= p.outputs) { return; }
  ${base}
  var acc = ${init};
  for (var j = 0u; j < p.axis; j++) {
    acc = ${combine('acc', read('base + j * p.inner'))};
  }
  ${store('o')}
}`,
    ...buffers,
    params,
    workgroups: gridFor(outputs, LOOP_WG, limits),
  };
};

/** out = scale * x broadcast from inShape to outShape. */
export const planExpand: Planner<'expand'> = (c, limits): DispatchPlan => {
  const n = c.out.size;
  const scalar = sizeOf(c.inShape) === 1;
  const rank = c.outShape.length;
  if (!scalar && rank > MAX_RANK) {
    throw new Error(`webgpu expand: broadcasting ${formatShape(c.inShape)} to ${formatShape(c.outShape)} needs rank <= ${MAX_RANK}, got ${rank}`);
  }
  const decls: ParamDecl[] = [['n', 'u32'], ['scale', 'f32']];
  const params: Param[] = [{ u32: n }, { f32: c.scale }];
  let index = 'let src = 0u;';
  if (!scalar) {
    // Peel the output index into coordinates from the last axis; move by the input's strides.
    const strides = broadcastStrides(c.inShape, c.outShape);
    for (let d = 0; d < rank; d++) {
      decls.push([`dim${d}`, 'u32'], [`s${d}`, 'u32']);
      params.push({ u32: c.outShape[d] }, { u32: strides[d] });
    }
    const lines = ['var rest = i;', 'var src = 0u;'];
    for (let d = rank - 1; d >= 0; d--) lines.push(`{ let c = rest % p.dim${d}; rest = rest / p.dim${d}; src += c * p.s${d}; }`);
    index = lines.join('\n  ');
  }
  const variant = scalar ? 'scalar' : `strided${rank}`;
  return {
    key: `expand.${variant}`,
    label: `expand.${variant}`,
    wgsl: () => /* wgsl */ `
${header([['X', 'f32']], [['OUT', 'f32']], decls)}
@compute @workgroup_size(${LOOP_WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(LOOP_WG)}
  if (i >= p.n) { return; }
  ${index}
  OUT[i] = X[src] * p.scale;
}`,
    inputs: [c.x],
    outputs: [c.out],
    params,
    workgroups: gridFor(n, LOOP_WG, limits),
  };
};
