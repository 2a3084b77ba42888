// WGSL twin of kernels/cpu/copy.ts: moving rows around (copyAxis for slice and concat, gather,
// and scatterAdd, the gradient of gather) and fill. Copies move raw 32-bit words (declared
// u32), so the same kernels serve float32 and int32 tensors.

import type { Storage } from '../../engine/backend';
import { gridFor, type DispatchPlan, type Planner } from './plan';
import { counterParams, INT_BELOW, PHILOX_WGSL } from './random.wgsl';
import { FLAT_ARGS, flatIndex, GUARDS, header } from './wgsl';

const WG = 256;

/** Rows [srcStart, srcStart+count) of src [outer, srcAxis, inner] -> rows from dstStart of dst [outer, dstAxis, inner]. */
export const planCopyAxis: Planner<'copyAxis'> = (c, limits): DispatchPlan => {
  const block = c.count * c.inner; // words copied per outer index
  const total = c.outer * block;
  return {
    key: 'copyAxis',
    label: 'copyAxis',
    wgsl: () => /* wgsl */ `
${header([['SRC', 'u32']], [['DST', 'u32']], [['total', 'u32'], ['block', 'u32'], ['srcRow', 'u32'], ['srcBase', 'u32'], ['dstRow', 'u32'], ['dstBase', 'u32']])}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.total) { return; }
  let o = i / p.block;
  let r = i % p.block;
  DST[o * p.dstRow + p.dstBase + r] = SRC[o * p.srcRow + p.srcBase + r];
}`,
    inputs: [c.src],
    outputs: [c.dst],
    params: [
      { u32: total }, { u32: Math.max(block, 1) },
      { u32: c.srcAxis * c.inner }, { u32: c.srcStart * c.inner },
      { u32: c.dstAxis * c.inner }, { u32: c.dstStart * c.inner },
    ],
    workgroups: gridFor(total, WG, limits),
  };
};

/**
 * out[r, :] = x[indices[r], :]. An index outside [0, sourceRows) is never read; its row is
 * written as NaN. When the backend passes an error flag (4 int32 words), the kernel also
 * records [1, index, sourceRows, position] there, and the backend throws the same error as the
 * CPU at the next read: a kernel cannot throw, but the mistake is not silent.
 */
export const planGather: Planner<'gather'> = (c, limits): DispatchPlan => {
  const total = c.rows * c.inner;
  const flag = (c as typeof c & { errorFlag?: Storage }).errorFlag;
  return {
    key: flag ? 'gather.flagged' : 'gather',
    label: 'gather',
    wgsl: () => /* wgsl */ `
${header([['X', 'f32'], ['INDICES', 'i32']], flag ? [['OUT', 'f32'], ['FLAG', 'i32']] : [['OUT', 'f32']], [['total', 'u32'], ['inner', 'u32'], ['sourceRows', 'i32']])}
${GUARDS}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.total) { return; }
  let r = i / p.inner;
  let col = i % p.inner;
  let src = INDICES[r];
  if (src < 0 || src >= p.sourceRows) {
    OUT[i] = make_nan();
${flag ? '    FLAG[0] = 1; FLAG[1] = src; FLAG[2] = p.sourceRows; FLAG[3] = i32(r);' : ''}
    return;
  }
  OUT[i] = X[u32(src) * p.inner + col];
}`,
    inputs: [c.x, c.indices],
    outputs: flag ? [c.out, flag] : [c.out],
    params: [{ u32: total }, { u32: Math.max(c.inner, 1) }, { i32: c.sourceRows }],
    workgroups: gridFor(total, WG, limits),
  };
};

/**
 * gather(x, randint([rows], high)) in one dispatch: out[r, :] = x[j_r, :], where j_r is drawn
 * here exactly as the random kernel draws randint's element r (lane r % 4 of Philox block
 * counter + r / 4, then floor(u·high) in integers), so the rows are the very ones randint
 * would pick. Every index is in [0, high), high <= the rows of x: no range check is needed.
 */
export const planGatherRandom: Planner<'gatherRandom'> = (c, limits): DispatchPlan => {
  const total = c.rows * c.inner;
  if (!Number.isInteger(c.high) || c.high < 1 || c.high >= 2 ** 32) throw new Error(`webgpu gatherRandom: needs an integer bound in [1, 2^32), got ${c.high}`);
  return {
    key: 'gatherRandom',
    label: 'gatherRandom',
    wgsl: () => /* wgsl */ `
${header([['X', 'u32']], [['OUT', 'u32']], [['total', 'u32'], ['inner', 'u32'], ['key0', 'u32'], ['key1', 'u32'], ['counterLo', 'u32'], ['counterHi', 'u32'], ['high', 'u32']])}
${PHILOX_WGSL}
${INT_BELOW}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.total) { return; }
  let r = i / p.inner;
  let col = i % p.inner;
  let block = philox4x32(vec2u(p.key0, p.key1), block_counter(p.counterLo, p.counterHi, r / 4u));
  let src = min(p.high - 1u, int_below(block[r % 4u], p.high));
  OUT[i] = X[src * p.inner + col];
}`,
    inputs: [c.x],
    outputs: [c.out],
    params: [{ u32: total }, { u32: Math.max(c.inner, 1) }, { u32: c.key0 >>> 0 }, { u32: c.key1 >>> 0 }, ...counterParams(c.counter), { u32: c.high }],
    workgroups: gridFor(total, WG, limits),
  };
};

/**
 * out[indices[r], :] += src[r, :], deterministically and without atomics: one thread per
 * element of out, which walks all the indices in order and adds the rows that point at it.
 * The sum is taken in the same order as on the CPU. Cost: rowsOut * rows * inner reads of the
 * index list, fine for minibatch gathers.
 */
export const planScatterAdd: Planner<'scatterAdd'> = (c, limits): DispatchPlan => {
  const total = c.out.size;
  return {
    key: 'scatterAdd',
    label: 'scatterAdd',
    wgsl: () => /* wgsl */ `
${header([['SRC', 'f32'], ['INDICES', 'i32']], [['OUT', 'f32']], [['total', 'u32'], ['inner', 'u32'], ['rows', 'u32']])}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.total) { return; }
  let row = i32(i / p.inner);
  let col = i % p.inner;
  var acc = OUT[i];
  for (var r = 0u; r < p.rows; r++) {
    if (INDICES[r] == row) { acc += SRC[r * p.inner + col]; }
  }
  OUT[i] = acc;
}`,
    inputs: [c.src, c.indices],
    outputs: [c.out],
    params: [{ u32: total }, { u32: Math.max(c.inner, 1) }, { u32: c.rows }],
    workgroups: gridFor(total, WG, limits),
  };
};

const wordView = new DataView(new ArrayBuffer(4));

/** fill writes one 32-bit word everywhere: the bits of a float32, or of an int32. */
export const planFill: Planner<'fill'> = (c, limits): DispatchPlan => {
  const n = c.out.size;
  if (c.out.dtype === 'int32') wordView.setInt32(0, c.value, true);
  else wordView.setFloat32(0, c.value, true);
  return {
    key: 'fill',
    label: 'fill',
    wgsl: () => /* wgsl */ `
${header([], [['OUT', 'u32']], [['n', 'u32'], ['bits', 'u32']])}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
  OUT[i] = p.bits;
}`,
    inputs: [],
    outputs: [c.out],
    params: [{ u32: n }, { u32: wordView.getUint32(0, true) }],
    workgroups: gridFor(n, WG, limits),
  };
};
