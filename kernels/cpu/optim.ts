// CPU twin of kernels/webgpu/optim.wgsl.ts: optimizer updates, in place.

import type { FloatArray } from '../../engine/backend';
import { adamRange } from './adam-range';
import { wasmAdam } from './gemm-wasm';

/**
 * Adam (Kingma and Ba, 2015), step t starting at 1:
 *   m = β1 m + (1 - β1) g;   v = β2 v + (1 - β2) g²
 *   m̂ = m / (1 - β1^t);      v̂ = v / (1 - β2^t)
 *   θ = θ - lr m̂ / (√v̂ + ε)
 */
export function adam(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, lr: number, beta1: number, beta2: number, eps: number, step: number): void {
  const c1 = 1 - Math.pow(beta1, step);
  const c2 = 1 - Math.pow(beta2, step);
  if (!wasmAdam(param, grad, m, 0, v, 0, lr, beta1, beta2, eps, c1, c2)) adamRange(param, 0, grad, 0, m, 0, v, 0, param.length, lr, beta1, beta2, eps, c1, c2);
}

/**
 * Adam on every parameter of an optimizer in one loop (multi-tensor apply; the WGSL twin is one
 * dispatch). The moments of all parameters live in one buffer, `state`, laid out as
 *   [ m of param 0 | m of param 1 | ... | v of param 0 | v of param 1 | ... ]
 * with param s's m at stateOffsets[s] and its v at half + stateOffsets[s] (half = state.length / 2).
 * Each element goes through exactly the float operations of adam() above (both run adamRange,
 * or adam.wat, its twin in float64 lanes), so the two agree bit for bit. A float32 parameter
 * whose arrays all live in the kernels' memory is updated in WebAssembly, and a large one on
 * every core (wasmAdam: its elements cut into chunks, the same kernel on each thread, so the
 * same bits again).
 */
export function adamMulti(
  params: readonly FloatArray[], grads: readonly FloatArray[], state: FloatArray, stateOffsets: readonly number[],
  lr: number, beta1: number, beta2: number, eps: number, step: number,
): void {
  const c1 = 1 - Math.pow(beta1, step);
  const c2 = 1 - Math.pow(beta2, step);
  const half = state.length / 2;
  for (let s = 0; s < params.length; s++) {
    const param = params[s];
    const grad = grads[s];
    const m0 = stateOffsets[s];
    const v0 = half + m0;
    if (!wasmAdam(param, grad, state, m0, state, v0, lr, beta1, beta2, eps, c1, c2)) adamRange(param, 0, grad, 0, state, m0, state, v0, param.length, lr, beta1, beta2, eps, c1, c2);
  }
}

/** SGD with (heavy-ball) momentum: vel = μ vel + g; θ = θ - lr vel. Plain SGD when velocity is null. */
export function sgd(param: FloatArray, grad: FloatArray, velocity: FloatArray | null, lr: number, momentum: number): void {
  if (velocity === null) {
    for (let i = 0; i < param.length; i++) param[i] -= lr * grad[i];
    return;
  }
  for (let i = 0; i < param.length; i++) {
    velocity[i] = momentum * velocity[i] + grad[i];
    param[i] -= lr * velocity[i];
  }
}
