// WGSL twin of kernels/cpu/optim.ts: optimizer updates in place, one thread per parameter.

import { gridFor, type DispatchPlan, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, header, type BufferDecl, type ParamDecl } from './wgsl';
import type { Param } from './plan';

const WG = 256;

/**
 * Adam (Kingma and Ba, 2015), step t starting at 1:
 *   m = β1 m + (1 - β1) g;   v = β2 v + (1 - β2) g²
 *   θ = θ - lr (m / c1) / (√(v / c2) + ε),   c1 = 1 - β1^t, c2 = 1 - β2^t (computed on the CPU)
 */
export const planAdam: Planner<'adam'> = (c, limits): DispatchPlan => {
  const n = c.param.size;
  return {
    key: 'adam',
    label: 'adam',
    wgsl: () => /* wgsl */ `
${header([['G', 'f32']], [['PARAM', 'f32'], ['M', 'f32'], ['V', 'f32']],
  [['n', 'u32'], ['lr', 'f32'], ['beta1', 'f32'], ['beta2', 'f32'], ['eps', 'f32'], ['c1', 'f32'], ['c2', 'f32']])}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
  let g = G[i];
  let m = p.beta1 * M[i] + (1.0 - p.beta1) * g;
  let v = p.beta2 * V[i] + (1.0 - p.beta2) * g * g;
  M[i] = m;
  V[i] = v;
  PARAM[i] = PARAM[i] - (p.lr * (m / p.c1)) / (sqrt(v / p.c2) + p.eps);
}`,
    inputs: [c.grad],
    outputs: [c.param, c.m, c.v],
    params: [
      { u32: n }, { f32: c.lr }, { f32: c.beta1 }, { f32: c.beta2 }, { f32: c.eps },
      { f32: 1 - Math.pow(c.beta1, c.step) }, { f32: 1 - Math.pow(c.beta2, c.step) },
    ],
    workgroups: gridFor(n, WG, limits),
  };
};

/**
 * Adam on many parameters in one dispatch (multi-tensor apply, as PyTorch's foreach Adam and
 * NVIDIA Apex's multi_tensor_apply do). Same update and same WGSL expression as planAdam.
 *
 * Layout. The optimizer keeps the moments of all its parameters in one buffer, STATE:
 *   [ m of param 0 | m of param 1 | ... | v of param 0 | v of param 1 | ... ]
 * param s's m starts at stateOffsets[s], its v half = STATE.size / 2 further on. Parameters and
 * gradients stay separate tensors, each bound to a binding of its own (P0.., G0..). One kernel
 * may bind only so many storage buffers (limits.maxStorageBuffersPerShaderStage: 8 by default,
 * 16 where the adapter allows), so the parameters are taken in groups of k = (limit - 1) / 2
 * (one binding is STATE): one dispatch per group, 7 parameters a dispatch with 16 bindings.
 *
 * Within a dispatch the threads are laid end to end over the group's parameters: parameter s
 * owns threads [start_s, start_s+1) (start_0 = 0). These segment descriptors (start_s and the
 * moment offset off_s) travel in the uniform slot with the hyper-parameters.
 */
export const planAdamMulti: Planner<'adamMulti'> = (c, limits): DispatchPlan[] => {
  if (c.params.length !== c.grads.length || c.params.length !== c.stateOffsets.length) {
    throw new Error(`adamMulti: ${c.params.length} params, ${c.grads.length} grads and ${c.stateOffsets.length} state offsets must match`);
  }
  const perDispatch = Math.max(1, Math.floor((limits.maxStorageBuffersPerShaderStage - 1) / 2));
  const half = c.state.size / 2;
  const plans: DispatchPlan[] = [];
  for (let first = 0; first < c.params.length; first += perDispatch) {
    const group = c.params.slice(first, first + perDispatch);
    const k = group.length;
    const starts: number[] = [];
    let n = 0;
    for (const s of group) { starts.push(n); n += s.size; }
    const decls: ParamDecl[] = [['n', 'u32'], ['half', 'u32'], ['lr', 'f32'], ['beta1', 'f32'], ['beta2', 'f32'], ['eps', 'f32'], ['c1', 'f32'], ['c2', 'f32']];
    const params: Param[] = [
      { u32: n }, { u32: half }, { f32: c.lr }, { f32: c.beta1 }, { f32: c.beta2 }, { f32: c.eps },
      { f32: 1 - Math.pow(c.beta1, c.step) }, { f32: 1 - Math.pow(c.beta2, c.step) },
    ];
    for (let s = 1; s < k; s++) { decls.push([`start${s}`, 'u32']); params.push({ u32: starts[s] }); }
    for (let s = 0; s < k; s++) { decls.push([`off${s}`, 'u32']); params.push({ u32: c.stateOffsets[first + s] }); }
    const grads: BufferDecl[] = group.map((_, s) => [`G${s}`, 'f32']);
    const outs: BufferDecl[] = [['STATE', 'f32'], ...group.map((_, s): BufferDecl => [`P${s}`, 'f32'])];
    // Parameter s: `if (i < start_s+1)` picks it (the last one needs no test), j is its element.
    const branch = (s: number): string => {
      const j = s === 0 ? 'i' : `i - p.start${s}`;
      const body = `let j = ${j}; P${s}[j] = P${s}[j] - adam_delta(G${s}[j], p.off${s} + j); return;`;
      return s < k - 1 ? `  if (i < p.start${s + 1}) { ${body} }` : `  { ${body} }`;
    };
    plans.push({
      key: `adam.multi${k}`,
      label: `adam.multi${k}`,
      wgsl: () => /* wgsl */ `
${header(grads, outs, decls)}

// Adam's moments for one element, whose m is STATE[mi] and v STATE[mi + half]; returns the step
// to subtract from the parameter: lr (m / c1) / (sqrt(v / c2) + eps).
fn adam_delta(g: f32, mi: u32) -> f32 {
  let m = p.beta1 * STATE[mi] + (1.0 - p.beta1) * g;
  let v = p.beta2 * STATE[mi + p.half] + (1.0 - p.beta2) * g * g;
  STATE[mi] = m;
  STATE[mi + p.half] = v;
  return (p.lr * (m / p.c1)) / (sqrt(v / p.c2) + p.eps);
}

@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
${group.map((_, s) => branch(s)).join('\n')}
}`,
      inputs: c.grads.slice(first, first + k),
      outputs: [c.state, ...group],
      params,
      workgroups: gridFor(n, WG, limits),
    });
  }
  return plans;
};

/** SGD with (heavy-ball) momentum: vel = μ vel + g; θ = θ - lr vel. Plain SGD without velocity. */
export const planSgd: Planner<'sgd'> = (c, limits): DispatchPlan => {
  const n = c.param.size;
  const params = [{ u32: n }, { f32: c.lr }, { f32: c.momentum }];
  const decls: [string, 'u32' | 'f32'][] = [['n', 'u32'], ['lr', 'f32'], ['momentum', 'f32']];
  if (c.velocity === null) {
    return {
      key: 'sgd.plain',
      label: 'sgd.plain',
      wgsl: () => /* wgsl */ `
${header([['G', 'f32']], [['PARAM', 'f32']], decls)}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
  PARAM[i] = PARAM[i] - p.lr * G[i];
}`,
      inputs: [c.grad],
      outputs: [c.param],
      params,
      workgroups: gridFor(n, WG, limits),
    };
  }
  return {
    key: 'sgd.momentum',
    label: 'sgd.momentum',
    wgsl: () => /* wgsl */ `
${header([['G', 'f32']], [['PARAM', 'f32'], ['VEL', 'f32']], decls)}
@compute @workgroup_size(${WG})
fn main(${FLAT_ARGS}) {
  ${flatIndex(WG)}
  if (i >= p.n) { return; }
  let vel = p.momentum * VEL[i] + G[i];
  VEL[i] = vel;
  PARAM[i] = PARAM[i] - p.lr * vel;
}`,
    inputs: [c.grad],
    outputs: [c.param, c.velocity],
    params,
    workgroups: gridFor(n, WG, limits),
  };
};
