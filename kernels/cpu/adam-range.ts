// Adam's update (Kingma and Ba, 2015) on a range of elements, step t ≥ 1:
//   m = β1 m + (1 − β1) g;   v = β2 v + (1 − β2) g²
//   θ = θ − lr (m / c1) / (√(v / c2) + ε),   c1 = 1 − β1^t,  c2 = 1 − β2^t
// in double precision, each result rounded as its array stores it. The optimizer's loops
// (kernels/cpu/optim.ts) run it on arrays outside the kernels' memory; on float32 arrays inside
// it, adam.wat computes the same bits two elements at a time, on one thread or on every core.

type Floats = Float32Array | Float64Array;

/** Elements i = 0 .. n−1 of param[p + i], with grad[g + i] and moments m[m0 + i], v[v0 + i]. */
export function adamRange(
  param: Floats, p: number, grad: Floats, g: number, m: Floats, m0: number, v: Floats, v0: number, n: number,
  lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number,
): void {
  for (let i = 0; i < n; i++) {
    const gi = grad[g + i];
    m[m0 + i] = beta1 * m[m0 + i] + (1 - beta1) * gi;
    v[v0 + i] = beta2 * v[v0 + i] + (1 - beta2) * gi * gi;
    param[p + i] -= (lr * (m[m0 + i] / c1)) / (Math.sqrt(v[v0 + i] / c2) + eps);
  }
}
