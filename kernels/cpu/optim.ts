// CPU twin of kernels/webgpu/optim.wgsl.ts: optimizer updates, in place.

import type { FloatArray } from '../../engine/backend';

/**
 * Adam (Kingma and Ba, 2015), step t starting at 1:
 *   m = β1 m + (1 - β1) g;   v = β2 v + (1 - β2) g²
 *   m̂ = m / (1 - β1^t);      v̂ = v / (1 - β2^t)
 *   θ = θ - lr m̂ / (√v̂ + ε)
 */
export function adam(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, lr: number, beta1: number, beta2: number, eps: number, step: number): void {
  const c1 = 1 - Math.pow(beta1, step);
  const c2 = 1 - Math.pow(beta2, step);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    param[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
  }
}

/**
 * Adam on every parameter of an optimizer in one loop (multi-tensor apply; the WGSL twin is one
 * dispatch). The moments of all parameters live in one buffer, `state`, laid out as
 *   [ m of param 0 | m of param 1 | ... | v of param 0 | v of param 1 | ... ]
 * with param s's m at stateOffsets[s] and its v at half + stateOffsets[s] (half = state.length / 2).
 * Each element goes through exactly the float operations of adam() above, so the two agree bit
 * for bit.
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
    for (let i = 0; i < param.length; i++) {
      const g = grad[i];
      state[m0 + i] = beta1 * state[m0 + i] + (1 - beta1) * g;
      state[v0 + i] = beta2 * state[v0 + i] + (1 - beta2) * g * g;
      param[i] -= (lr * (state[m0 + i] / c1)) / (Math.sqrt(state[v0 + i] / c2) + eps);
    }
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
