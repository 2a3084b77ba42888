// CPU twin of kernels/webgpu/linear-grad.wgsl.ts: the backward of a Linear layer in one call.
//   dz = dy ⊙ act'(y)   (y = act(x·W + b), the layer's output; act' read from y, a row of the op table)
//   dx = dz·Wᵀ,   dW = xᵀ·dz,   db = Σ_rows dz
// When y went straight into a fused loss L = (1/N)·Σ f(y) (bceWithLogits(D(x), 1)), dy itself is
// computed here from y, dy = f'(y)·g/N, instead of by a separate meanUnaryGrad kernel. When x is
// the output of a layer below with an activation, dx can be stored as that layer's dz,
// (dz·Wᵀ) ⊙ act'(x), the product's own store doing the activation's gradient (matmul.ts).
// On the CPU one call is the same loops the unfused backward ran (the activation's gradient
// loop, two matrix products, a column sum), in the same order, so the results are the same bit
// for bit; what the fusion saves here is the engine's work around each kernel. On the GPU it
// saves dispatches: kernels/webgpu/linear-grad.wgsl.ts is one.

import type { ActivationGradOfY, FloatArray, FusedActivation, LossGradOfY } from '../../engine/backend';
import { addBack, outputFor } from './add-into';
import { cpuFloat32Array } from './gemm-wasm';
import { matmul } from './matmul';
import { reduce } from './reduce';
import { meanUnaryGrad, unaryGrad } from './unary';

/** A fused loss's gradient (LossGradOfY) with its dy as an array. */
export type LossGrad = Omit<LossGradOfY, 'dy'> & { dy: FloatArray | null };

/** Scratch arrays reused from call to call (no allocation in a training step): dz, and a loss gradient. */
const scratch = {
  f32: [new Float32Array(0), new Float32Array(0)] as Float32Array[],
  f64: [new Float64Array(0), new Float64Array(0)],
};

function scratchOf(float64: boolean, size: number, slot: 0 | 1): FloatArray {
  if (!float64) {
    if (scratch.f32[slot].length < size) scratch.f32[slot] = cpuFloat32Array(size); // in the kernels' memory: products and sums read it in place
    return scratch.f32[slot].subarray(0, size);
  }
  if (scratch.f64[slot].length < size) scratch.f64[slot] = new Float64Array(size);
  return scratch.f64[slot].subarray(0, size);
}

const NONE = { dx: false, dw: false, db: false };

/**
 * `accumulate` names the outputs that already hold a gradient: the new one is computed apart and
 * added (grad + new, stored as the separate addition stored it). dy null: dy is the gradient of
 * the fused loss `loss` at y, computed here with meanUnaryGrad's own loop (so stored as that
 * kernel stored it): dy = f'(y)·g·scale. dxActivation: dx = (dz·Wᵀ) ⊙ act'(x) (not with accumulate.dx).
 */
export function linearGrad(
  x: FloatArray, w: FloatArray, y: FloatArray, dy: FloatArray | null,
  dx: FloatArray | null, dw: FloatArray | null, db: FloatArray | null,
  m: number, k: number, n: number, activation: FusedActivation, alpha: number,
  accumulate: { dx: boolean; dw: boolean; db: boolean } = NONE, loss?: LossGrad,
  dxActivation?: Omit<ActivationGradOfY, 'y'>,
): void {
  if (dxActivation && accumulate.dx) throw new Error('cpu linearGrad: dxActivation cannot be combined with accumulate.dx (dx would hold two gradients)');
  let dz = dy ?? lossGradient(y, loss);
  if (activation !== 'none') {
    const g = dz;
    dz = scratchOf(g instanceof Float64Array, m * n, 0);
    unaryGrad(activation, y, y, g, dz, alpha, 0);
  }
  // Each output: computed in place, or into scratch and then added to what it holds.
  if (dx) { // [m, n]·[k, n]ᵀ
    const o = outputFor(dx, accumulate.dx);
    matmul(dz, w, o, 1, m, n, k, false, true, 0, 0, dxActivation ?? null, dxActivation ? x : null);
    addBack(dx, o);
  }
  if (dw) { // [m, k]ᵀ·[m, n]
    const o = outputFor(dw, accumulate.dw);
    matmul(x, dz, o, 1, k, m, n, true, false, 0, 0);
    addBack(dw, o);
  }
  if (db) { // the sum over the m rows
    const o = outputFor(db, accumulate.db);
    reduce('sum', dz, o, 1, m, n, 1);
    addBack(db, o);
  }
}

function lossGradient(y: FloatArray, loss: LossGrad | undefined): FloatArray {
  if (!loss) throw new Error('cpu linearGrad: dy is null and no loss gradient was given');
  const g = scratchOf(loss.dtype === 'float64', y.length, 1);
  meanUnaryGrad(loss.op, y, loss.dy, g, loss.alpha, loss.beta, loss.scale);
  return g;
}
