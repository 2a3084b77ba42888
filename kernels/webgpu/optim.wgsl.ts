// WGSL twin of kernels/cpu/optim.ts: optimizer updates in place, one thread per parameter.

import { gridFor, type DispatchPlan, type Planner } from './plan';
import { FLAT_ARGS, flatIndex, header } from './wgsl';

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
