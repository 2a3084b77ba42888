// Small WGSL building blocks shared by the kernel files: the binding header every kernel starts
// with (the layout of kernels/webgpu/plan.ts), the flat thread index for 1-D grids, and the
// numeric guards of engine/constants.ts written as WGSL.

import { BCE_EPS, DIV_MIN, TINY } from '../../engine/constants';

export type ScalarType = 'f32' | 'i32' | 'u32';

/** A buffer binding: its WGSL name and element type. */
export type BufferDecl = [name: string, element: ScalarType | 'vec4f'];
/** A uniform field: its WGSL name and type (every param is one 4-byte scalar). */
export type ParamDecl = [name: string, type: ScalarType];

/**
 * The bindings of a kernel, in the order plan.ts fixes:
 *   inputs (read-only storage), outputs (read_write storage), then the uniform `p: Params`.
 * A kernel without params still gets a Params struct (with one padding field), because the
 * backend always binds a uniform slot.
 */
export function header(inputs: BufferDecl[], outputs: BufferDecl[], params: ParamDecl[]): string {
  const lines: string[] = [];
  let binding = 0;
  for (const [name, t] of inputs) lines.push(`@group(0) @binding(${binding++}) var<storage, read> ${name}: array<${t}>;`);
  for (const [name, t] of outputs) lines.push(`@group(0) @binding(${binding++}) var<storage, read_write> ${name}: array<${t}>;`);
  const fields = params.length > 0 ? params : [['_unused', 'u32'] as ParamDecl];
  lines.push(`struct Params { ${fields.map(([n, t]) => `${n}: ${t}`).join(', ')} }`);
  lines.push(`@group(0) @binding(${binding}) var<uniform> p: Params;`);
  return lines.join('\n');
}

/**
 * The arguments and first line of a kernel run on gridFor(n, size): `i` is the flat thread
 * index i = (wg.y * num_workgroups.x + wg.x) * size + local_index.
 */
export const FLAT_ARGS = '@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32';
export const flatIndex = (size: number): string => `let i = (wg.y * nwg.x + wg.x) * ${size}u + lid;`;

/** A float literal WGSL accepts for any finite JS number (exponent form, no trailing dot issues). */
export function f32Literal(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`f32Literal: ${x} is not finite`);
  return `${x.toExponential(9)}f`;
}

/**
 * WGSL versions of the numeric guards (engine/constants.ts), a sigmoid that never lets
 * exp overflow, and erf. Prepended to kernels that use them; unused functions cost nothing.
 */
export const GUARDS = /* wgsl */ `
const TINY: f32 = ${f32Literal(TINY)};
const DIV_MIN: f32 = ${f32Literal(DIV_MIN)};
const BCE_EPS: f32 = ${f32Literal(BCE_EPS)};

// A divisor pushed away from 0: |d| >= DIV_MIN, sign kept, +0 -> +DIV_MIN.
fn safe_divisor(d: f32) -> f32 {
  return select(min(d, -DIV_MIN), max(d, DIV_MIN), d >= 0.0);
}

// sigmoid(x) = 1 / (1 + e^-x), with e^x / (1 + e^x) for x < 0 so exp never overflows.
fn sigmoid(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// erf(x) to 1.5e-7 (Abramowitz and Stegun 7.1.26): 1 − (a1·t + … + a5·t⁵)·e^(−x²), t = 1/(1 + 0.3275911·|x|).
fn erf(x: f32) -> f32 {
  let ax = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * ax);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - poly * exp(-ax * ax));
}

// Infinities and NaN from their bits, through a var: WGSL refuses them as constant expressions.
fn pos_inf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn neg_inf() -> f32 { var bits = 0xff800000u; return bitcast<f32>(bits); }
fn make_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
`;
