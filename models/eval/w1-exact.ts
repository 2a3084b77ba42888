// W1 of a sample against a target's exact distribution instead of a second finite sample: the
// target's quantile function Q = F⁻¹ at the midpoints of the sample's n quantile steps,
//   W₁ ≈ (1/n) Σᵢ |x₍ᵢ₎ − Q((i − ½)/n)|,
// the midpoint rule for ∫₀¹ |F_n⁻¹(u) − F⁻¹(u)| du. Only the generated sample is then noisy: two
// finite samples each add their own error (their W1 to each other is never 0, even for samples
// of one distribution). Q is found by bisection on the target's CDF and kept per target and n.

import type { Target } from '../data/targets';

const quantileCache = new Map<string, Float64Array>();

/** Q((i + ½)/n) for i = 0 … n − 1, by bisection on target.cdf (60 halvings: to the float64 floor). */
export function midpointQuantiles(target: Target, n: number): Float64Array {
  const key = `${target.name}:${n}`;
  const cached = quantileCache.get(key);
  if (cached) return cached;
  const cdf = target.cdf;
  if (!cdf || target.dim !== 1 || target.discrete) throw new Error(`w1Exact: target '${target.name}' has no continuous 1D CDF to compare with`);
  // A bracket holding all but 1e-12 of the mass on either side.
  let [lo0, hi0] = target.range;
  const width = hi0 - lo0;
  while (cdf(lo0) > 1e-12) lo0 -= width;
  while (cdf(hi0) < 1 - 1e-12) hi0 += width;
  const q = new Float64Array(n);
  let lo = lo0;
  for (let i = 0; i < n; i++) {
    const u = (i + 0.5) / n;
    let a = lo; // the quantiles ascend: the previous one bounds this one from below
    let b = hi0;
    for (let k = 0; k < 60 && b - a > 1e-13 * (1 + Math.abs(a)); k++) {
      const m = (a + b) / 2;
      if (cdf(m) < u) a = m;
      else b = m;
    }
    q[i] = (a + b) / 2;
    lo = a;
  }
  quantileCache.set(key, q);
  return q;
}

/** W1 between a 1D sample and the target's distribution (its exact quantile function). */
export function w1Exact(samples: ArrayLike<number>, target: Target): number {
  if (samples.length === 0) throw new Error('w1Exact: the sample is empty');
  const x = Float64Array.from(samples).sort();
  const q = midpointQuantiles(target, x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i] - q[i]);
  return sum / x.length;
}
