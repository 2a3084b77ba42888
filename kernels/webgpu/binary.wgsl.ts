// WGSL twin of kernels/cpu/binary.ts: out = f(a, b) with NumPy broadcasting, f the row's `wgsl`
// expression of the binary table (engine/ops/binary-table.ts), pasted into the shader.
//
// The planner picks the cheapest indexing from the shapes, as the CPU does (kernels/binary-path.ts);
// the strided path handles outputs of rank <= MAX_RANK.

import { binaryOps } from '../../engine/ops/binary-table';
import { broadcastStrides, formatShape } from '../../engine/shape';
import { binaryPath, type BinaryPath } from '../binary-path';
import { gridFor, type DispatchPlan, type Param, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, GUARDS, header, type ParamDecl } from './wgsl';

const WG = 256;
/** The strided path handles outputs up to this rank (one uniform field per axis and input). */
export const MAX_RANK = 6;

/** How each path finds the two inputs of output element i (WGSL statements). */
function indexing(path: BinaryPath, rank: number): string {
  switch (path) {
    case 'same': return 'let ia = i; let ib = i;';
    case 'scalarA': return 'let ia = 0u; let ib = i;';
    case 'scalarB': return 'let ia = i; let ib = 0u;';
    case 'rowA': return 'let ia = i % p.na; let ib = i;';
    case 'rowB': return 'let ia = i; let ib = i % p.nb;';
    case 'strided': {
      // Peel the output index into coordinates from the last axis; move by each input's strides.
      const lines = ['var rest = i;', 'var ia = 0u;', 'var ib = 0u;'];
      for (let d = rank - 1; d >= 0; d--) {
        lines.push(`{ let c = rest % p.dim${d}; rest = rest / p.dim${d}; ia += c * p.sa${d}; ib += c * p.sb${d}; }`);
      }
      return lines.join('\n  ');
    }
  }
}

export const planBinary: Planner<'binary'> = (c, limits): DispatchPlan => {
  const n = c.out.size;
  const path = binaryPath(c.aShape, c.bShape, c.outShape);
  const rank = c.outShape.length;
  if (path === 'strided' && rank > MAX_RANK) {
    throw new Error(`webgpu binary ${c.op}: broadcasting ${formatShape(c.aShape)} with ${formatShape(c.bShape)} needs rank <= ${MAX_RANK}, got rank ${rank}`);
  }
  if (!(c.op in binaryOps)) throw new Error(`webgpu binary: unknown op '${String(c.op)}'`);
  const expr = binaryOps[c.op].wgsl;
  const decls: ParamDecl[] = [['n', 'u32'], ['na', 'u32'], ['nb', 'u32']];
  const params: Param[] = [{ u32: n }, { u32: c.a.size }, { u32: c.b.size }];
  if (path === 'strided') {
    const sa = broadcastStrides(c.aShape, c.outShape);
    const sb = broadcastStrides(c.bShape, c.outShape);
    for (let d = 0; d < rank; d++) {
      decls.push([`dim${d}`, 'u32'], [`sa${d}`, 'u32'], [`sb${d}`, 'u32']);
      params.push({ u32: c.outShape[d] }, { u32: sa[d] }, { u32: sb[d] });
    }
  }
  const variant = path === 'strided' ? `strided${rank}` : path;
  return {
    key: `binary.${c.op}.${variant}`,
    label: `binary.${c.op}.${variant}`,
    wgsl: () => /* wgsl */ `
${header([['A', 'f32'], ['B', 'f32']], [['OUT', 'f32']], decls)}
${GUARDS}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
  ${indexing(path, rank)}
  let a = A[ia];
  let b = B[ib];
  OUT[i] = ${expr}; // ${c.op}
}`,
    inputs: [c.a, c.b],
    outputs: [c.out],
    params,
    workgroups: gridFor(n, WG, limits),
  };
};
