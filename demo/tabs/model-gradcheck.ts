// "Check gradients" for any live model: gradcheck (engine/gradcheck.ts) on a few entries of its
// parameters at their current values. For an entry w of parameter θ_k we check the scalar
// function w ↦ loss(θ with that entry set to w): backward()'s derivative against the central
// difference, in float64 on the CPU. Every other parameter, the batch and all randomness (noise,
// time steps, Gibbs samples) enter the loss as fixed float64 constants, so the function is
// deterministic and its finite differences mean something.
//
// A model supplies a loss builder: given `param(name)`, the float64 tensor of a parameter by its
// name in namedParameters(), it rebuilds the model's training loss from those tensors.

import { add, gradcheck, linear, mul, silu, softplus, tensor, tidy, type MLP, type Tensor } from '../../engine/index';
import type { FusedActivation } from '../../engine/backend';
import { onCpu } from '../../engine/gradcheck';
import type { GradcheckRow } from '../app';

/** A parameter's current values, copied off the model's backend. */
export interface ParameterValues {
  shape: number[];
  values: Float64Array;
}

export type Parameters = Map<string, ParameterValues>;

/** The model's loss built from float64 parameter tensors, looked up by name. */
export type LossBuilder = (param: (name: string) => Tensor) => Tensor;

/** Read every named parameter's values (awaits the device on WebGPU). */
export async function readParameters(named: [string, Tensor][]): Promise<Parameters> {
  const values = await Promise.all(named.map(async ([, t]) => Float64Array.from(await t.data())));
  return new Map(named.map(([name, t], i) => [name, { shape: [...t.shape], values: values[i] }]));
}

/** A float64 constant on the current backend. */
export function constant(values: Float64Array, shape: readonly number[]): Tensor {
  return tensor(values, [...shape], { dtype: 'float64' });
}

/** θ with entry e swapped for w:  θ − θ_e·1_e + w·1_e, differentiable in w (a [1] tensor). */
function withEntry(p: ParameterValues, index: number, w: Tensor): Tensor {
  const base = Float64Array.from(p.values);
  base[index] = 0;
  const onehot = new Float64Array(p.values.length);
  onehot[index] = 1;
  return add(constant(base, p.shape), mul(constant(onehot, p.shape), w));
}

/** An MLP's forward pass with its weights and biases taken from `param` (names `${prefix}layers.i.weight`). */
export function mlpForward(x: Tensor, mlp: MLP, prefix: string, param: (name: string) => Tensor): Tensor {
  let h = x;
  const last = mlp.layers.length - 1;
  mlp.layers.forEach((layer, i) => {
    const W = param(`${prefix}layers.${i}.weight`);
    const b = layer.bias ? param(`${prefix}layers.${i}.bias`) : null;
    const act = i === last ? mlp.outputActivation : mlp.activation;
    // As Linear.forward: SiLU and softplus are separate ops, the rest fuse into linear.
    if (act === 'silu') h = silu(linear(h, W, b));
    else if (act === 'softplus') h = softplus(linear(h, W, b));
    else h = linear(h, W, b, act as FusedActivation, mlp.slope);
  });
  return h;
}

/** `count` indices spread over 0..size−1 (first, last and evenly between), without repeats. */
function spread(size: number, count: number): number[] {
  if (count <= 1 || size <= 1) return [0];
  const out = Array.from({ length: count }, (_, i) => Math.round((i * (size - 1)) / (count - 1)));
  return out.filter((v, i) => out.indexOf(v) === i);
}

/** Check one entry: the derivative of loss in that one entry, analytic against numeric. */
function checkEntry(params: Parameters, loss: LossBuilder, name: string, index: number): GradcheckRow {
  const p = lookup(params, name);
  const value = p.values[index];
  const f = (w: Tensor): Tensor => loss((n) => {
    if (n === name) return withEntry(p, index, w);
    const other = lookup(params, n);
    return constant(other.values, other.shape);
  });
  const r = gradcheck(f, [[value]]);
  return {
    parameter: name, index, value,
    analytic: r.worst?.analytic ?? NaN, numeric: r.worst?.numeric ?? NaN, relError: r.maxRelError,
  };
}

function lookup(params: Parameters, name: string): ParameterValues {
  const p = params.get(name);
  if (!p) throw new Error(`gradcheck: the model has no parameter '${name}' (it has ${[...params.keys()].join(', ')})`);
  return p;
}

/** backward()'s gradient of the loss for every entry of one parameter (the others constant), in float64 on the CPU. */
function fullGradient(params: Parameters, loss: LossBuilder, name: string): Float64Array {
  const p = lookup(params, name);
  return onCpu(() => tidy(() => {
    const theta = tensor(p.values, [...p.shape], { dtype: 'float64', requiresGrad: true });
    const out = loss((n) => {
      if (n === name) return theta;
      const other = lookup(params, n);
      return constant(other.values, other.shape);
    });
    out.backward();
    const g = theta.grad ? Float64Array.from(theta.grad.dataSync()) : new Float64Array(p.values.length);
    theta.grad?.dispose();
    return g;
  }));
}

/**
 * Check `count` entries of each named parameter, spread over the entries whose gradient is not
 * 0 on this batch. An entry with a zero gradient (a dead ReLU unit, a bin no row falls in) would
 * compare 0 with 0 and prove nothing; only when every entry's gradient is 0 are such entries
 * checked (and then the zeros themselves are the finding).
 */
export function checkParameters(params: Parameters, loss: LossBuilder, picks: { name: string; count: number }[]): GradcheckRow[] {
  return picks.flatMap(({ name, count }) => {
    const size = lookup(params, name).values.length;
    const g = fullGradient(params, loss, name);
    const live = Array.from({ length: size }, (_, i) => i).filter((i) => g[i] !== 0);
    const pool = live.length > 0 ? live : Array.from({ length: size }, (_, i) => i);
    return spread(pool.length, Math.min(count, pool.length)).map((k) => checkEntry(params, loss, name, pool[k]));
  });
}

/** The first and last layers' weights of an MLP, by name (the interesting ends of the chain rule). */
export function endWeights(mlp: MLP, prefix: string): string[] {
  const last = mlp.layers.length - 1;
  return [`${prefix}layers.0.weight`, ...(last > 0 ? [`${prefix}layers.${last}.weight`] : [])];
}

export const PASS_NOTE = 'Relative error below 1e-5 passes.';
