// WGSL twin of kernels/cpu/layout.ts: permute (axes in a new order) and cast (a new dtype).

import { formatShape } from '../../engine/shape';
import type { DType } from '../../engine/backend';
import { MAX_RANK } from './binary.wgsl';
import { gridFor, type DispatchPlan, type Param, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, header, type ParamDecl, type ScalarType } from './wgsl';

const WG = 256;

/**
 * out (contiguous) = x read at Σ c_d·strides[d]. Moves raw 32-bit words (declared u32), so one
 * kernel serves float32 and int32 tensors. Ranks up to MAX_RANK after merging (engine/ops/axes.ts).
 */
export const planPermute: Planner<'permute'> = (c, limits): DispatchPlan => {
  const rank = c.outShape.length;
  if (rank > MAX_RANK) {
    throw new Error(`webgpu permute: output ${formatShape(c.outShape)} has rank ${rank} after merging axes that stay together; the GPU kernel handles rank <= ${MAX_RANK} (use the CPU backend for this permutation)`);
  }
  const n = c.out.size;
  const decls: ParamDecl[] = [['n', 'u32']];
  const params: Param[] = [{ u32: n }];
  // Peel the output index into coordinates from the last axis; move by the input's strides.
  const lines = ['var rest = i;', 'var src = 0u;'];
  for (let d = 0; d < rank; d++) {
    decls.push([`dim${d}`, 'u32'], [`s${d}`, 'u32']);
    params.push({ u32: c.outShape[d] }, { u32: c.strides[d] });
  }
  for (let d = rank - 1; d >= 0; d--) lines.push(`{ let c = rest % p.dim${d}; rest = rest / p.dim${d}; src += c * p.s${d}; }`);
  return {
    key: `permute.rank${rank}`,
    label: `permute.rank${rank}`,
    wgsl: () => /* wgsl */ `
${header([['X', 'u32']], [['OUT', 'u32']], decls)}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
  ${lines.join('\n  ')}
  OUT[i] = X[src];
}`,
    inputs: [c.x],
    outputs: [c.out],
    params,
    workgroups: gridFor(n, WG, limits),
  };
};

const wgslType = (dtype: DType): ScalarType => (dtype === 'int32' ? 'i32' : 'f32');

/** out = x in out's dtype: WGSL's conversions i32(f) (toward zero) and f32(i) (to nearest). */
export const planCast: Planner<'cast'> = (c, limits): DispatchPlan => {
  const from = wgslType(c.x.dtype);
  const to = wgslType(c.out.dtype);
  const n = c.out.size;
  return {
    key: `cast.${from}.${to}`,
    label: `cast.${from}.${to}`,
    wgsl: () => /* wgsl */ `
${header([['X', from]], [['OUT', to]], [['n', 'u32']])}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
  OUT[i] = ${to}(X[i]);
}`,
    inputs: [c.x],
    outputs: [c.out],
    params: [{ u32: n }],
    workgroups: gridFor(n, WG, limits),
  };
};
