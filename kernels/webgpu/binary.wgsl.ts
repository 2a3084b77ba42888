// WGSL twin of kernels/cpu/binary.ts: out = f(a, b) with NumPy broadcasting.
//
// The planner looks at the shapes and picks the cheapest indexing (same choices as the CPU):
//   same     a and b have the output's size:         out[i] = f(a[i], b[i])
//   scalarB  b has one element:                      out[i] = f(a[i], b[0])      (and scalarA)
//   rowB     b repeats along the leading axes of a:  out[i] = f(a[i], b[i % nb]) (and rowA)
//   strided  anything else: each input is read through broadcast strides (stride 0 on a
//            broadcast axis), for outputs of rank <= MAX_RANK.

import type { BinaryOp } from '../../engine/backend';
import { broadcastStrides, formatShape, sameShape, sizeOf, type Shape } from '../../engine/shape';
import { gridFor, type DispatchPlan, type Param, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, GUARDS, header, type ParamDecl } from './wgsl';

const WG = 256;
/** The strided path handles outputs up to this rank (one uniform field per axis and input). */
export const MAX_RANK = 6;

/** f(a, b) as a WGSL expression. */
function expression(op: BinaryOp): string {
  switch (op) {
    case 'add': return 'a + b';
    case 'sub': return 'a - b';
    case 'mul': return 'a * b';
    case 'div': return 'a / safe_divisor(b)';
    case 'eq': return 'select(0.0, 1.0, a == b)';
    // max(a, 0) - a b + log(1 + e^-|a|): never overflows
    case 'bceLogits': return 'max(a, 0.0) - a * b + log(1.0 + exp(-abs(a)))';
    case 'bceLogitsGrad': return 'sigmoid(a) - b';
    case 'bce': return 'bce(a, b)';
    case 'bceGrad': return 'bce_grad(a, b)';
    default: throw new Error(`webgpu binary: unknown op '${op as string}'`);
  }
}

// BCE with p clamped into [eps, 1 - eps]. 1 - p is computed as clamp(1 - a, eps, 1 - eps): for
// a in [0.5, 1], 1 - a is exact in float32, so the clamp decides exactly as the CPU's float64
// test does (1 - eps is not a float32 number; clamping p to fl32(1 - eps) would not).
const BCE = /* wgsl */ `
fn bce(a: f32, b: f32) -> f32 {
  let log_p = log(clamp(a, BCE_EPS, 1.0 - BCE_EPS));
  let log_1mp = log(clamp(1.0 - a, BCE_EPS, 1.0 - BCE_EPS));
  return -(b * log_p + (1.0 - b) * log_1mp);
}
// d bce / d p = (p - t) / (p (1 - p)) inside the clamp, 0 outside
fn bce_grad(a: f32, b: f32) -> f32 {
  if (a < BCE_EPS || 1.0 - a < BCE_EPS) { return 0.0; }
  return (a - b) / (a * (1.0 - a));
}
`;

type Path = 'same' | 'scalarA' | 'scalarB' | 'rowA' | 'rowB' | 'strided';

/** True when `inner` (after dropping leading 1s) equals the trailing dims of `outer`. */
function isTrailing(inner: Shape, outer: Shape): boolean {
  let start = 0;
  while (start < inner.length && inner[start] === 1) start++;
  const tail = inner.slice(start);
  return sizeOf(tail) > 0 && sameShape(tail, outer.slice(outer.length - tail.length));
}

function choosePath(na: number, nb: number, n: number, aShape: Shape, bShape: Shape, outShape: Shape): Path {
  if (na === n && nb === n) return 'same';
  if (nb === 1) return 'scalarB';
  if (na === 1) return 'scalarA';
  if (na === n && isTrailing(bShape, outShape)) return 'rowB';
  if (nb === n && isTrailing(aShape, outShape)) return 'rowA';
  return 'strided';
}

/** How each path finds the two inputs of output element i (WGSL statements). */
function indexing(path: Path, rank: number): string {
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
  const path = choosePath(c.a.size, c.b.size, n, c.aShape, c.bShape, c.outShape);
  const rank = c.outShape.length;
  if (path === 'strided' && rank > MAX_RANK) {
    throw new Error(`webgpu binary ${c.op}: broadcasting ${formatShape(c.aShape)} with ${formatShape(c.bShape)} needs rank <= ${MAX_RANK}, got rank ${rank}`);
  }
  const expr = expression(c.op);
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
${c.op === 'bce' || c.op === 'bceGrad' ? BCE : ''}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
  ${indexing(path, rank)}
  let a = A[ia];
  let b = B[ib];
  OUT[i] = ${expr};
}`,
    inputs: [c.a, c.b],
    outputs: [c.out],
    params,
    workgroups: gridFor(n, WG, limits),
  };
};
