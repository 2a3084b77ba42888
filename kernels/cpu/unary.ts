// CPU twin of kernels/webgpu/unary.wgsl.ts: elementwise y = f(x) and its gradient dx = dy * f'(x).

import type { FloatArray, UnaryOp } from '../../engine/backend';
import { BCE_EPS, TINY } from '../constants';
import { safeDivisor } from './binary';

export function unary(op: UnaryOp, x: FloatArray, out: FloatArray, alpha: number, beta: number): void {
  const n = out.length;
  switch (op) {
    case 'affine': for (let i = 0; i < n; i++) out[i] = alpha * x[i] + beta; break;
    case 'rdiv': for (let i = 0; i < n; i++) out[i] = alpha / safeDivisor(x[i]); break;
    case 'pow': for (let i = 0; i < n; i++) out[i] = powKeepSign(x[i], alpha); break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(Math.max(x[i], TINY)); break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(Math.max(x[i], 0)); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); break;
    case 'clamp': for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(x[i], alpha), beta); break;
    case 'relu': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0; break;
    case 'leakyRelu': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : alpha * x[i]; break;
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]); break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); break;
    // softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), stable for large |x|
    case 'softplus': for (let i = 0; i < n; i++) out[i] = Math.max(x[i], 0) + Math.log1p(Math.exp(-Math.abs(x[i]))); break;
    case 'silu': for (let i = 0; i < n; i++) out[i] = x[i] * sigmoid(x[i]); break;
    case 'bceLogits': for (let i = 0; i < n; i++) out[i] = Math.max(x[i], 0) - x[i] * alpha + Math.log1p(Math.exp(-Math.abs(x[i]))); break;
    case 'bce':
      for (let i = 0; i < n; i++) {
        const p = Math.min(Math.max(x[i], BCE_EPS), 1 - BCE_EPS);
        out[i] = -(alpha * Math.log(p) + (1 - alpha) * Math.log(1 - p));
      }
      break;
    default: throw new Error(`cpu unary: unknown op '${op as string}'`);
  }
}

/** dx = dy * f'(x). For relu, leakyRelu, sigmoid and tanh the derivative is read from y = f(x). */
export function unaryGrad(op: UnaryOp, x: FloatArray, y: FloatArray, dy: FloatArray, out: FloatArray, alpha: number, beta: number): void {
  const n = out.length;
  switch (op) {
    case 'affine': for (let i = 0; i < n; i++) out[i] = alpha * dy[i]; break;
    // d(alpha / x)/dx = -alpha / x^2 = -y / x
    case 'rdiv': for (let i = 0; i < n; i++) out[i] = (-y[i] / safeDivisor(x[i])) * dy[i]; break;
    // d(x^p)/dx = p x^(p-1)
    case 'pow': for (let i = 0; i < n; i++) out[i] = alpha === 0 ? 0 : alpha * powKeepSign(x[i], alpha - 1) * dy[i]; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = y[i] * dy[i]; break;
    case 'log': for (let i = 0; i < n; i++) out[i] = dy[i] / Math.max(x[i], TINY); break;
    // d sqrt(x) = 1 / (2 sqrt(x))
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = dy[i] / (2 * Math.max(y[i], Math.sqrt(TINY))); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = (x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0) * dy[i]; break;
    case 'clamp': for (let i = 0; i < n; i++) out[i] = x[i] >= alpha && x[i] <= beta ? dy[i] : 0; break;
    case 'relu': for (let i = 0; i < n; i++) out[i] = y[i] > 0 ? dy[i] : 0; break;
    case 'leakyRelu': for (let i = 0; i < n; i++) out[i] = y[i] > 0 ? dy[i] : alpha * dy[i]; break;
    // sigmoid' = y (1 - y);  tanh' = 1 - y^2
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = y[i] * (1 - y[i]) * dy[i]; break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = (1 - y[i] * y[i]) * dy[i]; break;
    // softplus' = sigmoid(x)
    case 'softplus': for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]) * dy[i]; break;
    // silu' = s + x s (1 - s), s = sigmoid(x)
    case 'silu':
      for (let i = 0; i < n; i++) {
        const s = sigmoid(x[i]);
        out[i] = (s + x[i] * s * (1 - s)) * dy[i];
      }
      break;
    case 'bceLogits': for (let i = 0; i < n; i++) out[i] = (sigmoid(x[i]) - alpha) * dy[i]; break;
    case 'bce':
      for (let i = 0; i < n; i++) {
        const p = x[i];
        out[i] = p < BCE_EPS || p > 1 - BCE_EPS ? 0 : ((p - alpha) / (p * (1 - p))) * dy[i];
      }
      break;
    default: throw new Error(`cpu unaryGrad: unknown op '${op as string}'`);
  }
  void beta;
}

export function sigmoid(x: number): number {
  // Two branches so exp never overflows: for x < 0, 1/(1+e^-x) = e^x/(1+e^x).
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** |x|^p with the sign of x kept for odd integer p (WGSL's pow is undefined for x < 0). */
export function powKeepSign(x: number, p: number): number {
  const r = Math.pow(Math.abs(x), p);
  if (x < 0 && Number.isInteger(p)) return p % 2 === 0 ? r : -r;
  return x < 0 ? NaN : r;
}

