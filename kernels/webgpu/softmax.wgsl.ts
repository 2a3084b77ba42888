// WGSL twin of kernels/cpu/softmax.ts: softmax or log-softmax along the middle axis of
// [outer, axisSize, inner]. One thread per row (a row = the axisSize values sharing
// (outer, inner) indices), three passes over it; subtracting the max first keeps exp finite:
//   softmax(x)_j = exp(x_j - m) / Σ exp(x_i - m),  logSoftmax(x)_j = x_j - m - log Σ exp(x_i - m).

import { gridFor, type DispatchPlan, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, GUARDS, header } from './wgsl';

const WG = 64;

export const planSoftmax: Planner<'softmax'> = (c, limits): DispatchPlan => {
  const rows = c.outer * c.inner;
  const mode = c.log ? 'log' : 'exp';
  const write = c.log ? 'X[at] - lse' : 'exp(X[at] - m) / s';
  return {
    key: `softmax.${mode}`,
    label: c.log ? 'logSoftmax' : 'softmax',
    wgsl: () => /* wgsl */ `
${header([['X', 'f32']], [['OUT', 'f32']], [['rows', 'u32'], ['axis', 'u32'], ['inner', 'u32']])}
${GUARDS}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.rows) { return; }
  // row i = (o, k): element j of it sits at (o * axis + j) * inner + k
  let base = (i / p.inner) * p.axis * p.inner + i % p.inner;
  var m = neg_inf();
  for (var j = 0u; j < p.axis; j++) { m = max(m, X[base + j * p.inner]); }
  var s = 0.0;
  for (var j = 0u; j < p.axis; j++) { s += exp(X[base + j * p.inner] - m); }
  let lse = m + log(s);
  for (var j = 0u; j < p.axis; j++) {
    let at = base + j * p.inner;
    OUT[at] = ${write};
  }
}`,
    inputs: [c.x],
    outputs: [c.out],
    params: [{ u32: rows }, { u32: c.axisSize }, { u32: c.inner }],
    workgroups: gridFor(rows, WG, limits),
  };
};
