// Matrix products: matmul (2-D, or batched 3-D), transpose, and the fused linear layer.
// Backward never materialises a transpose: the kernel reads an operand transposed instead.
//   Y = A·B   =>   dA = dY·Bᵀ,   dB = Aᵀ·dY
// The products in the rules are themselves recorded ops (matmulT), so they can be differentiated
// again.

import type { FusedActivation, KernelCall, MatmulVariant, Storage } from '../backend';
import { isGradEnabled, record } from '../autograd';
import { formatShape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { sumTo } from './broadcast';
import { reshape } from './layout';
import {
  activationGradInProduct, columnSumAddedInto, fusedLinearBackward, inputGradForLayerBelow, passedThrough, productAddedInto, rememberLayer,
  runLinearForward, weightAndBiasGradients, type Layer,
} from '../fusion';
import { leakyRelu, unaryGrad } from './unary';
import { unaryOps, type UnaryDef } from './unary-table';
import { backendOf, checkFloat, checkLive, resultDType } from './util';

type ActivationRule = NonNullable<UnaryDef['rule']>;

let matmulVariant: MatmulVariant = 'auto';

/** Pick a rung of the matmul ladder on WebGPU ('auto' chooses by shape). For teaching and benchmarks. */
export function setMatmulVariant(v: MatmulVariant): void {
  matmulVariant = v;
}

/**
 * @internal op(a) · op(b), op = transpose when the flag is set. a is [m, k] or [batch, m, k]
 * (as stored: [k, m] when transA), b likewise; a 2-D operand is shared by every batch.
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean, name: string): Tensor {
  checkFloat(name, a, b);
  const backend = backendOf(name, a, b);
  if (a.rank < 2 || a.rank > 3 || b.rank < 2 || b.rank > 3) {
    throw new Error(`${name}: needs 2-D or 3-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const batchA = a.rank === 3 ? a.shape[0] : 1;
  const batchB = b.rank === 3 ? b.shape[0] : 1;
  if (a.rank === 3 && b.rank === 3 && batchA !== batchB) {
    throw new Error(`${name}: batch sizes differ: ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  if (k !== kb) {
    throw new Error(`${name}: inner dimensions do not match: ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} · ${formatShape(b.shape)}${transB ? 'ᵀ' : ''} (${k} vs ${kb})`);
  }
  const batch = Math.max(batchA, batchB);
  const outShape = a.rank === 3 || b.rank === 3 ? [batch, m, n] : [m, n];
  const out = Tensor.empty(outShape, resultDType(a, b), backend);
  runKernel(backend, {
    kernel: 'matmul', a: a.storage(name), b: b.storage(name), out: out.storage(name),
    batch, m, k, n, transA, transB,
    strideA: a.rank === 3 ? m * k : 0, strideB: b.rank === 3 ? k * n : 0,
    variant: matmulVariant,
  }, name, [a.shape, b.shape]);
  return record(out, name, [a, b], (dy) => [
    a.requiresGrad ? gradOfLeft(a, b, dy, transA, transB) : null,
    b.requiresGrad ? gradOfRight(a, b, dy, transA, transB) : null,
  ], 'dA = dY·Bᵀ, dB = Aᵀ·dY (with the operands read transposed as stored)');
}

/** Matrix product: [m, k]·[k, n] -> [m, n]; [B, m, k]·[B, k, n], [B, m, k]·[k, n] or [m, k]·[B, k, n] -> [B, m, n]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return matmulT(a, b, false, false, 'matmul');
}

/**
 * The gradient of the stored A in Y = op(A)·op(B): dY·op(B)ᵀ, or its transpose when A is read
 * transposed ((dY·op(B)ᵀ)ᵀ = op(B)·dYᵀ). A 2-D A shared across a batch sums over the batch.
 */
function gradOfLeft(a: Tensor, b: Tensor, dy: Tensor, transA: boolean, transB: boolean): Tensor {
  const g = transA ? matmulT(b, dy, transB, true, 'matmul') : matmulT(dy, b, false, !transB, 'matmul');
  return a.rank === g.rank ? g : sumTo(g, a.shape);
}

/**
 * The gradient of the stored B: op(A)ᵀ·dY, or its transpose dYᵀ·op(A) when B is read
 * transposed. A 2-D B shared across a batch sums over the batch; when A is not transposed that
 * sum is one product with the batch folded into the rows.
 */
function gradOfRight(a: Tensor, b: Tensor, dy: Tensor, transA: boolean, transB: boolean): Tensor {
  if (b.rank === 2 && a.rank === 3 && !transA) {
    const [batch, m, k] = a.shape;
    const a2 = reshape(a, [batch * m, k]);
    const dy2 = reshape(dy, [batch * m, dy.shape[2]]);
    return transB ? matmulT(dy2, a2, true, false, 'matmul') : matmulT(a2, dy2, true, false, 'matmul');
  }
  const g = transB ? matmulT(dy, a, true, transA, 'matmul') : matmulT(a, dy, !transA, false, 'matmul');
  return g.rank === b.rank ? g : sumTo(g, b.shape);
}

/** Transpose of a 2-D tensor. */
export function transpose(x: Tensor): Tensor {
  checkLive('transpose', x);
  if (x.rank !== 2) throw new Error(`transpose: needs a 2-D tensor, got shape ${formatShape(x.shape)}`);
  const [rows, cols] = x.shape;
  const out = Tensor.empty([cols, rows], x.dtype, x.backend);
  runKernel(x.backend, { kernel: 'transpose', x: x.storage('transpose'), out: out.storage('transpose'), rows, cols }, 'transpose', [x.shape]);
  return record(out, 'transpose', [x], (dy) => [transpose(dy)], 'dx = dyᵀ');
}

/**
 * A layer in one kernel: y = act(x·W + b). x [m, k], W [k, n], b [n] or null.
 * Backward: dz = dy ⊙ act'(y) (read from the output y), dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_rows dz.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null, activation: FusedActivation = 'none', slope = 0.2): Tensor {
  const name = 'linear';
  checkFloat(name, x, w, ...(b ? [b] : []));
  const backend = b ? backendOf(name, x, w, b) : backendOf(name, x, w);
  if (x.rank !== 2 || w.rank !== 2) throw new Error(`linear: x and W must be 2-D, got ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
  const [m, k] = x.shape;
  const [kw, n] = w.shape;
  if (k !== kw) throw new Error(`linear: x ${formatShape(x.shape)} does not match W ${formatShape(w.shape)} (${k} inputs vs ${kw} rows of W)`);
  if (b && (b.rank !== 1 || b.shape[0] !== n)) throw new Error(`linear: bias must have shape [${n}], got ${formatShape(b.shape)}`);
  // act' is read from y, which for LeakyReLU with a negative slope is positive on both sides of 0:
  // that layer is the plain layer, then leakyRelu (whose derivative reads x).
  if (activation === 'leakyRelu' && slope < 0) return leakyRelu(linear(x, w, b), slope);
  const inputs = b ? [x, w, b] : [x, w];
  const call = (out: Storage): KernelCall => ({
    kernel: 'linear', x: x.storage(name), w: w.storage(name), b: b ? b.storage(name) : null, out, m, k, n, activation, alpha: slope,
  });
  // Runs the kernel now, or for a narrow last layer lets a loss over y compute it (engine/fusion.ts).
  const y = runLinearForward(backend, resultDType(...inputs), inputs, k, [m, n], [x.shape, w.shape], call);
  const layer = { x, w, b, y, activation, slope };
  const derivative = activation === 'none' ? '' : `dz = dy·${activation}'(z) (${unaryOps[activation].derivative}), `;
  record(y, name, inputs, (dy, into) => fusedLinearBackward(layer, dy, into) ?? linearRule(layer, dy, into),
    `${derivative}dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_rows dz`, true);
  rememberLayer(layer); // for the layer above's backward (engine/fusion.ts, 7)
  return y;
}

/**
 * linear's rule in ordinary ops: the activation's derivative, two matrix products and a column sum.
 * into: the gradients the layer's other use left in this pass, which dW and db may be added into
 * in place (engine/fusion.ts, 8).
 */
function linearRule({ x, w, b, y, activation, slope }: Layer, dy: Tensor, into?: readonly (Tensor | null)[]): (Tensor | null)[] {
  // The activations that fuse (relu, leakyRelu with α ≥ 0, sigmoid, tanh) have derivatives read from y alone.
  // Without a graph, the layer above may have computed dz already (7), or the product that makes dy may (6).
  const dz = activation === 'none' || passedThrough(y, dy) ? dy
    : isGradEnabled() ? (unaryOps[activation].rule as ActivationRule)(dy, y, y, slope, 0)
      : activationGradInProduct(y, dy, activation, slope) ?? unaryGrad('linear', activation, y, y, dy, slope, 0);
  // dW and db in one product where both are wanted (engine/fusion.ts, 9), added into the other use's where it left them (8).
  const both = w.requiresGrad && b && b.requiresGrad ? weightAndBiasGradients(x, dz, into, matmulVariant) : null;
  const dw = both ? both[0] : w.requiresGrad ? productAddedInto(into?.[1], x, dz, matmulVariant) ?? matmulT(x, dz, true, false, 'linear.backward') : null;
  const db = both ? both[1] : b && b.requiresGrad ? columnSumAddedInto(into?.[2], dz) ?? sumTo(dz, [w.shape[1]]) : null;
  // dx last, deferred where the layer below can compute its dz in this product (engine/fusion.ts, 6).
  const dx = x.requiresGrad ? inputGradForLayerBelow(x, w, dz, matmulVariant) ?? matmulT(dz, w, false, true, 'linear.backward') : null;
  return b ? [dx, dw, db] : [dx, dw];
}
