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
import { noGrad } from './autograd';
import { tidy } from './memory';
import { mul, randn, sum, tensor } from './ops';
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
}

let cpu64: Backend | null = null;

/** Run fn on a CPU backend (gradcheck's home), restoring the caller's backend after. */
function onCpu<T>(fn: () => T): T {
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

/**
 * Compare backward()'s gradients of fn at `inputs` with central differences, in float64.
 * inputs: tensors (their values are copied) or nested arrays of numbers.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly (Tensor | number[] | number[][])[],
  options: GradcheckOptions = {},
): GradcheckResult {
  checkOptions('gradcheck', options, { eps: 'number', rtol: 'number', floor: 'number' }, { hints: { epsilon: "the step size is 'eps'" } });
  const eps = options.eps ?? 1e-6;
  const rtol = options.rtol ?? 1e-6;
  const floor = options.floor ?? 1e-3;
  return onCpu(() => {
    const values: Float64Array[] = inputs.map((x) => Float64Array.from(x instanceof Tensor ? x.dataSync() : (x as number[]).flat()));
    const shapes = inputs.map((x) => (x instanceof Tensor ? [...x.shape] : Array.isArray(x[0]) ? [x.length, (x[0] as number[]).length] : [x.length]));

    // The scalar objective: f itself, or Σ r ⊙ f for a non-scalar f.
    let weights: Float64Array | null = null;
    const objective = (ts: Tensor[]): Tensor => {
      const out = fn(...ts);
      if (!(out instanceof Tensor)) throw new Error('gradcheck: fn must return a Tensor');
      if (out.size === 1) return out;
      if (weights === null) {
        const r = randn([...out.shape], createRng(12345), { dtype: 'float64' });
        weights = Float64Array.from(r.dataSync());
        r.dispose();
      }
      return sum(mul(out, tensor(weights, [...out.shape], { dtype: 'float64' })));
    };
    const evaluate = (): number => tidy(() => noGrad(() => {
      const ts = values.map((v, i) => tensor(v, shapes[i], { dtype: 'float64' }));
      return objective(ts).dataSync()[0];
    }));

    // Analytic gradients.
    const analytic: Float64Array[] = tidy(() => {
      const ts = values.map((v, i) => tensor(v, shapes[i], { dtype: 'float64', requiresGrad: true }));
      const loss = objective(ts);
      if (!loss.requiresGrad) throw new Error('gradcheck: the output does not depend on any input');
      loss.backward();
      const grads = ts.map((t) => (t.grad ? Float64Array.from(t.grad.dataSync()) : new Float64Array(t.size)));
      for (const t of ts) t.grad?.dispose();
      return grads;
    });

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
  });
}
