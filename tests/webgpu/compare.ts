// Run one op case on two backends and compare: the forward value and the gradient of every
// input after backward() of a weighted sum of the output. The CPU runs in float64 (the
// reference), the GPU in float32, on the same float32-exact inputs and weights.
//
// Criterion, for every element: |gpu - cpu| <= TOL * max(1, |cpu|), TOL = 1e-4
// (relative for values above 1, absolute below).

import type { Backend, DataArray, DType } from '../../engine/backend';
import { createRng, mul, sum, tensor, tidy, type Tensor } from '../../engine/index';
import { sizeOf } from '../../engine/shape';
import { on } from './setup';

export const TOL = 1e-4;

export interface CompareCase {
  name: string;
  shapes: number[][];
  /** Input values (float64; rounded to float32 before use so both backends see the same numbers). */
  values: Float64Array[];
  fn: (...inputs: Tensor[]) => Tensor;
  /** Inputs that get gradients (default: all). */
  grad?: boolean[];
}

interface Result {
  out: DataArray;
  grads: (DataArray | null)[];
}

/** Forward, weighted-sum backward, read back everything. */
export async function runCase(backend: Backend, c: CompareCase, dtype: DType): Promise<Result> {
  const { out, grads, all } = on(backend, () => tidy(() => {
    const inputs = c.values.map((v, i) => tensor(Float32Array.from(v), c.shapes[i], { dtype, requiresGrad: c.grad?.[i] ?? true }));
    const y = c.fn(...inputs);
    // Weights uniform in (-1, 1), float32-exact, from a fixed stream: loss = Σ y ⊙ w.
    const w = new Float32Array(Math.max(y.size, 1));
    createRng(77).fillUniform(w, -1, 1);
    const loss = sum(mul(y, tensor(w, [...y.shape], { dtype })));
    if (loss.requiresGrad) loss.backward();
    const gs = inputs.map((t) => t.grad);
    return { out: y, grads: gs, all: [...inputs, ...gs.filter((g): g is Tensor => g !== null)] };
  }));
  try {
    return { out: await out.data(), grads: await Promise.all(grads.map((g) => (g ? g.data() : Promise.resolve(null)))) };
  } finally {
    out.dispose();
    for (const t of all) t.dispose();
  }
}

/** Throws a message naming the first element that misses the criterion, and the worst error. */
export function expectClose(gpu: ArrayLike<number>, cpu: ArrayLike<number>, what: string): number {
  if (gpu.length !== cpu.length) throw new Error(`${what}: ${gpu.length} values on the GPU, ${cpu.length} on the CPU`);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < cpu.length; i++) {
    const err = Math.abs(gpu[i] - cpu[i]) / Math.max(1, Math.abs(cpu[i]));
    if (!(err <= worst)) { // NaN counts as worst
      worst = Number.isNaN(err) ? Infinity : err;
      worstAt = i;
    }
  }
  if (worst > TOL) {
    throw new Error(`${what}: element ${worstAt}: gpu ${gpu[worstAt]} vs cpu ${cpu[worstAt]} (scaled error ${worst.toExponential(2)} > ${TOL})`);
  }
  return worst;
}

/** Run on both backends and compare; returns the worst scaled error. */
export async function compareCase(cpu: Backend, gpu: Backend, c: CompareCase): Promise<number> {
  const ref = await runCase(cpu, c, 'float64');
  const got = await runCase(gpu, c, 'float32');
  let worst = expectClose(got.out, ref.out, `${c.name}: forward`);
  ref.grads.forEach((g, i) => {
    if (g === null) {
      if (got.grads[i] !== null) throw new Error(`${c.name}: input ${i} has a gradient on the GPU only`);
      return;
    }
    const gg = got.grads[i];
    if (gg === null) throw new Error(`${c.name}: input ${i} has no gradient on the GPU`);
    worst = Math.max(worst, expectClose(gg, g, `${c.name}: grad of input ${i}`));
  });
  return worst;
}

/** n float32-exact values from a generator function of a seeded uniform stream. */
export function values(n: number, seed: number, f: (u: number, i: number) => number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, (_, i) => Math.fround(f(rng.uniform(), i)));
}

export const sizeOfShape = sizeOf;

/** Fresh inputs on every run: the seed is printed on failure, and GRADLAB_SEED=<seed> replays it. */
export const TEST_SEED = process.env.GRADLAB_SEED ? Number(process.env.GRADLAB_SEED) : Date.now() % 1_000_000_007;
const testRng = createRng(TEST_SEED);

/** n uniform values in (-1, 1) from the engine's own seeded generator. */
export function randomArray(n: number): Float32Array {
  const a = new Float32Array(n);
  testRng.fillUniform(a, -1, 1);
  return a;
}
