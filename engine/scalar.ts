// Scalar helpers that the CPU kernels and the op table's CPU expressions share. Each has a WGSL
// twin of the same name in kernels/webgpu/wgsl.ts (GUARDS) or kernels/webgpu/unary.wgsl.ts.

import { DIV_MIN } from './constants';

/** sigmoid(x) = 1 / (1 + e^−x); for x < 0 the equal form e^x / (1 + e^x), so exp never overflows. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** A divisor pushed away from 0: |d| >= DIV_MIN, sign kept, +0 -> +DIV_MIN. */
export function safeDivisor(d: number): number {
  return d >= 0 ? Math.max(d, DIV_MIN) : Math.min(d, -DIV_MIN);
}

/** |x|^p with the sign of x kept for odd integer p (WGSL's pow is undefined for x < 0). */
export function powKeepSign(x: number, p: number): number {
  const r = Math.pow(Math.abs(x), p);
  if (x < 0 && Number.isInteger(p)) return p % 2 === 0 ? r : -r;
  return x < 0 ? NaN : r;
}

/**
 * The error function erf(x) = (2/√π)∫₀ˣ e^(−t²) dt, to about 1e-14 relative in float64 (GELU and
 * its gradcheck need the digits). The series (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1) / (1·3·…·(2n+1))
 * (Abramowitz and Stegun 7.1.6) has only positive terms, so nothing cancels; beyond |x| = 6,
 * erf is ±1 to double precision. The WGSL twin (kernels/webgpu/wgsl.ts) is a float32 formula.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < 6)) return Number.isNaN(x) ? NaN : Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}
