// Checking gradients against finite differences: the learner's way to trust backprop.
//
// For each input element x_i, the central difference
//   n_i = (f(x + h e_i) − f(x − h e_i)) / 2h,   h = eps · max(1, |x_i|)
// approximates ∂f/∂x_i with error O(h²). gradcheck compares it with the analytic gradient a_i
// that backward() computes. Everything runs in float64 on the CPU backend, where rounding
// (≈1e-16 / h) is far below the differences a wrong gradient makes.
// A function with a non-scalar output is checked through L = Σ_j r_j f_j(x), with fixed
// random weights r_j: a wrong Jacobian entry shows up in L's gradient unless r conspires.

import { currentBackend, useBackend, type Backend } from './backend';
import { CpuBackend } from '../kernels/cpu/backend';
import { grad } from './autograd';
import { tidy } from './memory';
import { add, mul, randn, sum, tensor } from './ops';
import { createRng } from './rng';
import { Tensor } from './tensor';
import { checkOptions } from './options';

export interface GradcheckOptions {
  /** Relative step size h (default 1e-6). */
  eps?: number;
  /** Pass if every relative error is below this (default 1e-6). */
  rtol?: number;
  /** Gradients smaller than this are compared absolutely (default 1e-3). */
  floor?: number;
}

export interface GradcheckWorst {
  /** Which input (position in the inputs array) and which flat element. */
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  ok: boolean;
  maxAbsError: number;
  /** max over elements of |a − n| / max(|a|, |n|, floor). */
  maxRelError: number;
  worst: GradcheckWorst | null;
  /** Number of elements compared. */
  checked: number;
  /**
   * gradgradcheck only: relative difference between the first gradient from the recorded rules
   * (createGraph) and from the fused gradient kernels, at the inputs (weighted by r).
   */
  ruleMismatch?: number;
}

let cpu64: Backend | null = null;

/** @internal Run fn on a CPU backend (float64 checks' home), restoring the caller's backend after. */
export function onCpu<T>(fn: () => T): T {
  const before = currentBackend();
  if (before.name === 'cpu') return fn();
  cpu64 ??= new CpuBackend();
  useBackend(cpu64);
  try {
    return fn();
  } finally {
    useBackend(before);
  }
}

type Inputs = readonly (Tensor | number[] | number[][])[];

/** The inputs' values (copied, float64) and shapes. */
function readInputs(inputs: Inputs): { values: Float64Array[]; shapes: number[][] } {
  return {
    values: inputs.map((x) => Float64Array.from(x instanceof Tensor ? x.dataSync() : (x as number[]).flat())),
    shapes: inputs.map((x) => (x instanceof Tensor ? [...x.shape] : Array.isArray(x[0]) ? [x.length, (x[0] as number[]).length] : [x.length])),
  };
}

/** Fixed random weights of a shape (seeded, so a check is repeatable). */
function randomWeights(shape: number[], seed: number): Float64Array {
  const r = randn(shape, createRng(seed), { dtype: 'float64' });
  const w = Float64Array.from(r.dataSync());
  r.dispose();
  return w;
}

/** The scalar that is checked: f itself, or Σ r ⊙ f with fixed random r for a non-scalar f. */
function scalarObjective(fn: (...inputs: Tensor[]) => Tensor, caller: string): (ts: Tensor[]) => Tensor {
  let weights: Float64Array | null = null;
  return (ts) => {
    const out = fn(...ts);
    if (!(out instanceof Tensor)) throw new Error(`${caller}: fn must return a Tensor`);
    if (out.size === 1) return out;
    weights ??= randomWeights([...out.shape], 12345);
    return sum(mul(out, tensor(weights, [...out.shape], { dtype: 'float64' })));
  };
}

/**
 * Compare `analytic` with central differences of `evaluate` around `values`, element by
 * element (values are perturbed in place and restored).
 */
function compareWithDifferences(values: Float64Array[], analytic: Float64Array[], evaluate: () => number, options: GradcheckOptions): GradcheckResult {
  const eps = options.eps ?? 1e-6;
  const rtol = options.rtol ?? 1e-6;
  const floor = options.floor ?? 1e-3;
  let maxAbsError = 0;
  let maxRelError = 0;
  let worst: GradcheckWorst | null = null;
  let checked = 0;
  values.forEach((v, input) => {
    for (let index = 0; index < v.length; index++) {
      const x0 = v[index];
      const h = eps * Math.max(1, Math.abs(x0));
      v[index] = x0 + h;
      const fPlus = evaluate();
      v[index] = x0 - h;
      const fMinus = evaluate();
      v[index] = x0;
      const numeric = (fPlus - fMinus) / (2 * h);
      const a = analytic[input][index];
      const abs = Math.abs(a - numeric);
      const rel = abs / Math.max(Math.abs(a), Math.abs(numeric), floor);
      checked++;
      // Written as !(x <= max) so that a NaN error counts as the worst.
      if (!(abs <= maxAbsError)) maxAbsError = abs;
      if (worst === null || !(rel <= maxRelError)) {
        maxRelError = rel;
        worst = { input, index, analytic: a, numeric };
      }
    }
  });
  return { ok: maxRelError < rtol && Number.isFinite(maxRelError), maxAbsError, maxRelError, worst, checked };
}

const makeTensors = (values: Float64Array[], shapes: number[][], requiresGrad: boolean): Tensor[] =>
  values.map((v, i) => tensor(v, shapes[i], { dtype: 'float64', requiresGrad }));

/**
 * Compare backward()'s gradients of fn at `inputs` with central differences, in float64.
 * inputs: tensors (their values are copied) or nested arrays of numbers.
 */
/** gradcheck's and gradgradcheck's options: unknown keys are refused, naming the known ones. */
function checkGradcheckOptions(caller: string, options: GradcheckOptions): void {
  checkOptions(caller, options, { eps: 'number', rtol: 'number', floor: 'number' }, { hints: { epsilon: "the step size is 'eps'" } });
}

export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Inputs, options: GradcheckOptions = {}): GradcheckResult {
  checkGradcheckOptions('gradcheck', options);
  return onCpu(() => {
    const { values, shapes } = readInputs(inputs);
    const objective = scalarObjective(fn, 'gradcheck');
    // Inputs that do not require gradients record no graph; recording stays on, so an fn that
    // takes a gradient inside (a gradient penalty) still works.
    const evaluate = (): number => tidy(() => objective(makeTensors(values, shapes, false)).dataSync()[0]);
    const analytic: Float64Array[] = tidy(() => {
      const ts = makeTensors(values, shapes, true);
      const loss = objective(ts);
      if (!loss.requiresGrad) throw new Error('gradcheck: the output does not depend on any input');
      loss.backward();
      const grads = ts.map((t) => (t.grad ? Float64Array.from(t.grad.dataSync()) : new Float64Array(t.size)));
      for (const t of ts) t.grad?.dispose();
      return grads;
    });
    return compareWithDifferences(values, analytic, evaluate, options);
  });
}

/**
 * Check second derivatives, in float64: the derivative of the analytic gradient against
 * central differences of the analytic gradient (PyTorch's gradgradcheck). With L the checked
 * scalar of fn and fixed random weights r, the function checked is
 *   G(x) = Σ_k r_k · ∂L/∂x_k,   whose gradient is the Hessian-vector product H·r.
 * The analytic side differentiates the recorded backward pass (createGraph: the op table's
 * rules); the numeric side evaluates G with the ordinary backward pass (the fused gradient
 * kernels), so the check also confirms that the two forms of each derivative agree.
 */
export function gradgradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Inputs, options: GradcheckOptions = {}): GradcheckResult {
  checkGradcheckOptions('gradgradcheck', options);
  return onCpu(() => {
    const { values, shapes } = readInputs(inputs);
    const objective = scalarObjective(fn, 'gradgradcheck');
    const r = shapes.map((shape, i) => randomWeights(shape, 777 + i));
    const firstGradients = (ts: Tensor[], createGraph: boolean): (Tensor | null)[] => {
      const loss = objective(ts);
      if (!loss.requiresGrad) throw new Error('gradgradcheck: the output does not depend on any input');
      return grad(loss, ts, { createGraph, allowUnused: true });
    };
    // G(x) from the ordinary (fused) backward pass.
    const evaluate = (): number => tidy(() => {
      const gs = firstGradients(makeTensors(values, shapes, true), false);
      let total = 0;
      gs.forEach((g, k) => {
        if (g === null) return;
        const gv = g.dataSync();
        for (let i = 0; i < gv.length; i++) total += r[k][i] * gv[i];
      });
      return total;
    });
    // ∂G/∂x through the recorded backward pass. A G that no input reaches (f linear in x) has H = 0.
    let recordedG = 0;
    const analytic: Float64Array[] = tidy(() => {
      const ts = makeTensors(values, shapes, true);
      const gs = firstGradients(ts, true);
      const terms = gs.flatMap((g, k) => (g === null ? [] : [sum(mul(g, tensor(r[k], shapes[k], { dtype: 'float64' })))]));
      const G = terms.reduce((a, b) => add(a, b));
      recordedG = G.dataSync()[0];
      const hs = G.requiresGrad ? grad(G, ts, { allowUnused: true }) : ts.map(() => null);
      return hs.map((h, k) => (h === null ? new Float64Array(values[k].length) : Float64Array.from(h.dataSync())));
    });
    // The rules must give the same first gradient as the fused kernels (an error by a constant
    // would not show in the second derivative).
    const fusedG = evaluate();
    const ruleMismatch = Math.abs(recordedG - fusedG) / Math.max(Math.abs(fusedG), options.floor ?? 1e-3);
    const result = compareWithDifferences(values, analytic, evaluate, options);
    const ok = result.ok && ruleMismatch < (options.rtol ?? 1e-6);
    return { ...result, ok, ruleMismatch };
  });
}
