// Matrix products: matmul (2-D, or batched 3-D), transpose, and the fused linear layer.
// Backward never materialises a transpose: the kernel reads an operand transposed instead.
//   Y = A·B   =>   dA = dY·Bᵀ,   dB = Aᵀ·dY
// The products in the rules are themselves recorded ops (matmulT), so they can be differentiated
// again.

import type { FusedActivation, KernelCall, LossGradOfY, MatmulVariant, Storage } from '../backend';
import { isGradEnabled, record } from '../autograd';
import { formatShape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { sumTo } from './broadcast';
import { reshape } from './layout';
import { unaryGrad } from './unary';
import { unaryOps, type UnaryDef } from './unary-table';

type ActivationRule = NonNullable<UnaryDef['rule']>;
import { backendOf, checkFloat, checkLive, resultDType } from './util';

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
 * Whether linear's backward runs as one fused kernel (linearGrad) rather than the activation's
 * gradient, two matrix products and a column sum. The fused kernel loops once per output value,
 * so it pays where a product is too small to fill a tiled kernel and the dispatches saved
 * dominate: both products (dW = xᵀ·dz is k×m×n, dx = dz·Wᵀ is m×n×k) narrower than 64 on one
 * side of their output, or with an inner size under 16. Wider layers keep the separate kernels
 * (on WebGPU the matmul ladder's tiled rungs). The rule depends on shapes only, so both backends
 * run the same kernels.
 */
const FUSED_BACKWARD_MAX_SIDE = 64;
const FUSED_BACKWARD_MIN_K = 16;
const smallProduct = (m: number, k: number, n: number): boolean => m < FUSED_BACKWARD_MAX_SIDE || n < FUSED_BACKWARD_MAX_SIDE || k < FUSED_BACKWARD_MIN_K;

function fusesBackward(m: number, k: number, n: number, needDx: boolean): boolean {
  return smallProduct(k, m, n) && (!needDx || smallProduct(m, n, k));
}

/**
 * Whether linear's forward waits for the next op, which may be a fused loss over its output
 * (meanOfUnary: bceWithLogits(D(x), 1)) that then computes each z = act(x·W + b) inside its
 * reduction, saving the layer's own dispatch. That reduction computes all m·n outputs in one
 * workgroup on WebGPU, so only a narrow, small last layer (a critic's logit) waits. The rule
 * depends on shapes only, so both backends run the same kernels.
 */
const LOSS_FORWARD_MAX_N = 4;
const LOSS_FORWARD_MAX_WORK = 1 << 16;
const forwardJoinsLoss = (m: number, k: number, n: number): boolean => n <= LOSS_FORWARD_MAX_N && m * n * Math.max(k, 1) <= LOSS_FORWARD_MAX_WORK;

/**
 * When dy is the not yet computed gradient of a fused loss of the layer's own output y,
 * L = (1/N)·Σ f(y) (meanOfUnary: bceWithLogits(D(x), 1)), dy = f'(y)·g/N needs only y: the
 * fused backward computes it where it reads it, and the separate kernel never runs (unless
 * something else reads dy). Returns what that kernel would have been given, or null.
 */
function lossGradOf(out: Tensor, dy: Tensor): LossGradOfY | null {
  const c = dy.pendingKernel;
  if (c === null || c.kernel !== 'meanUnaryGrad' || c.x !== out.storage('linear')) return null;
  return { op: c.op, alpha: c.alpha, beta: c.beta, dy: c.dy, scale: c.scale, dtype: dy.dtype };
}

/**
 * A fused layer: act(x·W + b) in one kernel. x [m, k], W [k, n], b [n] or null.
 * Backward: dz = dy ⊙ act'(z) (read from the output y), dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_rows dz.
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
  const inputs = b ? [x, w, b] : [x, w];
  const dtype = resultDType(x, w, ...(b ? [b] : []));
  const call = (out: Storage): KernelCall => ({
    kernel: 'linear', x: x.storage(name), w: w.storage(name), b: b ? b.storage(name) : null, out, m, k, n, activation, alpha: slope,
  });
  let out: Tensor;
  if (forwardJoinsLoss(m, k, n)) {
    out = Tensor.untilNextOp([m, n], dtype, backend, inputs, name, [x.shape, w.shape], call);
  } else {
    out = Tensor.empty([m, n], dtype, backend);
    runKernel(backend, call(out.storage(name)), name, [x.shape, w.shape]);
  }
  const derivative = activation === 'none' ? '' : `dz = dy·${activation}'(z) (${unaryOps[activation].derivative}), `;
  return record(out, name, inputs, (dy, into) => {
    if (!isGradEnabled() && fusesBackward(m, k, n, x.requiresGrad)) {
      // One kernel for the whole backward (kernels/*/linear-grad*): dz is never stored. A
      // gradient already summed for an input (into[i]: the layer's other use in this pass) of
      // the same dtype is added into in place, instead of by a separate addition.
      const dtype = resultDType(dy, x, w);
      const grad = (i: number, need: boolean, shape: number[]): Tensor | null => {
        if (!need) return null;
        const sum = into?.[i];
        return sum && sum.dtype === dtype ? sum : Tensor.empty(shape, dtype, backend);
      };
      const dx = grad(0, x.requiresGrad, [m, k]);
      const dw = grad(1, w.requiresGrad, [k, n]);
      const db = grad(2, b !== null && b.requiresGrad, [n]);
      if (dx || dw || db) {
        const added = (i: number, t: Tensor | null): boolean => t !== null && t === into?.[i];
        const loss = lossGradOf(out, dy);
        runKernel(backend, {
          kernel: 'linearGrad', x: x.storage(name), w: w.storage(name), y: out.storage(name), dy: loss ? null : dy.storage(name),
          dx: dx && dx.storage(name), dw: dw && dw.storage(name), db: db && db.storage(name), m, k, n, activation, alpha: slope,
          accumulate: { dx: added(0, dx), dw: added(1, dw), db: added(2, db) }, ...(loss ? { loss } : {}),
        }, 'linear.backward', [x.shape, w.shape]);
      }
      return b ? [dx, dw, db] : [dx, dw];
    }
    // The activations that fuse (relu, leakyRelu, sigmoid, tanh) have derivatives read from y alone.
    const dz = activation === 'none' ? dy
      : isGradEnabled() ? (unaryOps[activation].rule as ActivationRule)(dy, out, out, slope, 0)
        : unaryGrad('linear', activation, out, out, dy, slope, 0);
    const dx = x.requiresGrad ? matmulT(dz, w, false, true, 'linear.backward') : null;
    const dw = w.requiresGrad ? matmulT(x, dz, true, false, 'linear.backward') : null;
    const db = b && b.requiresGrad ? sumTo(dz, [n]) : null;
    return b ? [dx, dw, db] : [dx, dw];
  }, `${derivative}dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_rows dz`, true);
}
