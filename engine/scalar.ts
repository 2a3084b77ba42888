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
