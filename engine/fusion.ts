// Fusions: places where two or more kernels of the plain backward pass run as one. The op files
// (engine/ops/*) read without this file: each holds its forward, its record() and its rule, and
// calls in here at one marked line where a fusion may take over. Every fusion gives the same
// bits as the kernels it replaces (tests/engine/fusion.test.ts, tests/webgpu/fusion.test.ts);
// what it saves is dispatches (on WebGPU) and the engine's work around each kernel (on the CPU).
// docs/fusion.md gives the equations, the dispatches saved and the measured benefit of each.
//
//   1. layerBackward       linear's backward (act', dx, dW, db) as one linearGrad kernel
//   2. lossInLayerBackward the gradient of a loss mean(f(y)) of a layer's output y, computed
//                          inside that layer's linearGrad instead of by its own kernel
//   3. lossInLayerForward  a loss of a narrow last layer's output computed inside one
//                          reduction that also computes (and stores) the layer's output
//   4. seedAsNumber        backward's seed of 1 read as a number by a fused loss gradient,
//                          so the seed tensor is never filled
//   5. gatherRandom        gather(x, randint(...)): the indices drawn inside the gather
//   6. activationGradInProduct  a wide layer's dz = dy ⊙ act'(y) stored by the product that makes dy
//   7. activationGradInLayerBackward  the same, where dy is the dx of a fused linearGrad above
//   8. gradientAddedInKernel  a wide layer's second use in a pass adds its dW and db into the
//                          first's, in the product and the column sum that compute them
//   9. biasGradInProduct   a wide layer's db = Σ_rows dz summed by the product dW = xᵀ·dz, which
//                          reads dz row by row anyway: one kernel call for both
//
// 2–6 work by deferring a kernel (engine/lazy.ts): the tensor holds the call, and the next
// kernel that can compute the same values takes it over or reads it. 7 asks autograd instead
// whether the gradient it makes has no other reader (soleGradient).

import { isGradEnabled, mayOverwriteGradient, reversePassObserved, soleGradient } from './autograd';
import type { Backend, DType, FusedActivation, KernelCall, LinearSource, LossGradOfY, MatmulVariant, Storage, UnaryOp } from './backend';
import { refreshOnReplay } from './compile';
import { lazyFull, lazyKernel, pendingCall, pendingRefresh, pendingValue, takePendingKernel, untilBackwardEnds, untilNextOp } from './lazy';
import type { Shape } from './shape';
import { runKernel, Tensor } from './tensor';
import { resultDType } from './ops/util';

export const FUSIONS = [
  'layerBackward', 'lossInLayerBackward', 'lossInLayerForward', 'seedAsNumber', 'gatherRandom', 'activationGradInProduct',
  'activationGradInLayerBackward', 'gradientAddedInKernel', 'biasGradInProduct',
] as const;
export type FusionName = (typeof FUSIONS)[number];

const enabled: Record<FusionName, boolean> = {
  layerBackward: true, lossInLayerBackward: true, lossInLayerForward: true, seedAsNumber: true, gatherRandom: true,
  activationGradInProduct: true, activationGradInLayerBackward: true, gradientAddedInKernel: true, biasGradInProduct: true,
};

/** @internal Turn one fusion off or on again (benchmarks measure each one this way; the results are the same bits). */
export function setFusion(name: FusionName, on: boolean): void {
  if (!FUSIONS.includes(name)) throw new Error(`setFusion: unknown fusion '${String(name)}'; known: ${FUSIONS.join(', ')}`);
  enabled[name] = on;
}

// ---------- 1 and 2: linear's backward in one kernel, with the loss gradient inside ----------

/**
 * Whether linear's backward runs as one kernel (linearGrad) rather than the activation's
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

/** A linear layer y = act(x·W + b) as its backward needs it. */
export interface Layer {
  x: Tensor;
  w: Tensor;
  b: Tensor | null;
  y: Tensor;
  activation: FusedActivation;
  slope: number;
}

/**
 * The backward of a linear layer as one linearGrad kernel (kernels/*\/linear-grad*):
 *   dz = dy ⊙ act'(y),  dx = dz·Wᵀ,  dW = xᵀ·dz,  db = Σ_rows dz    (dz never stored)
 * A gradient already summed for an input (into[i]: the layer's other use in this pass, as a
 * GAN's D on real and on fake data) of the same dtype is added into in place, instead of by a
 * separate addition. Returns null where the fusion does not apply: a backward being recorded
 * (createGraph), or products large enough for the tiled matmul kernels.
 */
export function fusedLinearBackward(layer: Layer, dy: Tensor, into: readonly (Tensor | null)[] | undefined): (Tensor | null)[] | null {
  const { x, w, b, y, activation, slope } = layer;
  const [m, k] = x.shape;
  const n = w.shape[1];
  if (!enabled.layerBackward || isGradEnabled() || !fusesBackward(m, k, n, x.requiresGrad)) return null;
  const name = 'linear';
  const backend = y.backend;
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
    const loss = lossGradOf(y, dy);
    // 7: dx stored as the layer below's dz, when nothing else reads dx.
    const below = dx && !added(0, dx) ? activationBelow(x, dtype) : null; // implies dx
    runKernel(backend, {
      kernel: 'linearGrad', x: x.storage(name), w: w.storage(name), y: y.storage(name), dy: loss ? null : dy.storage(name),
      dx: dx && dx.storage(name), dw: dw && dw.storage(name), db: db && db.storage(name), m, k, n,
      activation: passedThrough(y, dy) ? 'none' : activation, alpha: slope,
      accumulate: { dx: added(0, dx), dw: added(1, dw), db: added(2, db) }, ...(loss ? { loss } : {}),
      ...(below ? { dxActivation: { activation: below.activation as Exclude<FusedActivation, 'none'>, alpha: below.slope } } : {}),
    }, 'linear.backward', [x.shape, w.shape]);
    if (below) throughActivation.set(dx as Tensor, x);
  }
  return b ? [dx, dw, db] : [dx, dw];
}

/**
 * 2. When dy is the not yet computed gradient of a loss of the layer's own output y,
 * L = (1/N)·Σ f(y) (meanOfUnary: bceWithLogits(D(x), 1)), dy = f'(y)·g/N needs only y: the
 * fused backward computes it where it reads it, and the separate kernel never runs (unless
 * something else reads dy). Returns what that kernel would have been given, or null.
 */
function lossGradOf(y: Tensor, dy: Tensor): LossGradOfY | null {
  const c = pendingCall(dy);
  if (c === null || c.kernel !== 'meanUnaryGrad' || c.x !== y.storage('linear')) return null;
  return { op: c.op, alpha: c.alpha, beta: c.beta, dy: c.dy, scale: c.scale, dtype: dy.dtype };
}

// ---------- the fused loss mean(f(x)): its gradient, deferred for 2, and the seed (4) ----------

/**
 * The backward of mean(f(x)) (meanOfUnary) in one kernel: dx = f'(x)·dy/n, y = f(x) recomputed
 * inside. When x was computed by an op, dx is deferred (engine/lazy.ts), so that the layer that
 * made x may compute it inside its own backward (2). A gradient known to be one number
 * (backward's seed of 1, not yet filled) is passed as that number, as stored in dy's dtype: the
 * seed's fill never runs (4).
 */
export function meanOfUnaryGrad(name: string, op: UnaryOp, x: Tensor, dy: Tensor, alpha: number, beta: number): Tensor {
  const n = x.size;
  const c = enabled.seedAsNumber ? pendingValue(dy) : null;
  const constant = c === null ? null : dy.dtype === 'float32' ? Math.fround(c) : c;
  const backward = `${name}.backward`;
  const make = (out: Storage): KernelCall => ({
    kernel: 'meanUnaryGrad', op, x: x.storage(backward), dy: constant === null ? dy.storage(backward) : null, out,
    alpha, beta, scale: constant === null ? 1 / n : constant * (1 / n),
  });
  const dtype = resultDType(x, dy);
  if (x.node === null || !enabled.lossInLayerBackward) {
    // x is a leaf, which an optimizer may change in place: compute dx now.
    const dx = Tensor.empty(x.shape, dtype, x.backend);
    runKernel(x.backend, make(dx.storage(name)), backward, [x.shape]);
    return dx;
  }
  return lazyKernel(x.shape, dtype, x.backend, constant === null ? [x, dy] : [x], backward, make);
}

/** 4. backward's starting gradient of 1 for a scalar: filled only if a kernel reads it (see meanOfUnaryGrad). */
export function seedOfOne(root: Tensor): Tensor {
  return lazyFull(root.shape, 1, root.dtype, root.backend);
}

// ---------- 3. the loss inside the last layer's forward ----------

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
 * Run linear's kernel `call` for an output of `shape` [m, n] now, or, for a narrow small layer,
 * defer it until the next op (engine/lazy.ts untilNextOp), which may be a loss that computes it
 * inside its reduction (takeLayerForward).
 */
export function runLinearForward(backend: Backend, dtype: DType, inputs: Tensor[], k: number, shape: [number, number], shapes: Shape[], call: (out: Storage) => KernelCall): Tensor {
  const [m, n] = shape;
  if (enabled.lossInLayerForward && forwardJoinsLoss(m, k, n)) return untilNextOp(shape, dtype, backend, inputs, 'linear', shapes, call);
  const out = Tensor.empty(shape, dtype, backend);
  runKernel(backend, call(out.storage('linear')), 'linear', shapes);
  return out;
}

/**
 * The reduction's side of 3: when x is the output of a layer whose kernel has not run yet, the
 * reduction reads the layer's input instead and computes each z = act(x·W + b) where it reads
 * it, storing it in x as well. Returns the reduction call's fields for that, and `release`, to
 * be called once the reduction is dispatched; null otherwise. Call it before touching any
 * buffer (that would run the layer's kernel).
 */
export function takeLayerForward(x: Tensor): { fields: { x: Storage; linear: LinearSource }; release: () => void } | null {
  if (pendingCall(x)?.kernel !== 'linear') return null;
  const taken = takePendingKernel(x);
  if (taken === null || taken.call.kernel !== 'linear') return null;
  const { x: input, w, b, out: z, m, k, n, activation, alpha } = taken.call;
  return { fields: { x: input, linear: { w, b, z, m, k, n, activation, alpha } }, release: taken.release };
}

// ---------- 5. the minibatch draw inside the gather ----------

/**
 * randint's integers, drawn when first used (engine/lazy.ts): gather(x, randint(...)) draws
 * them inside its own kernel instead (gatherDrawnRows), and this kernel never runs.
 */
export function drawWhenUsed(shape: Shape, dtype: DType, backend: Backend, op: string, makeCall: (out: Storage) => KernelCall, refresh: () => Partial<KernelCall>): Tensor {
  return lazyKernel(shape, dtype, backend, [], op, makeCall, refresh);
}

/**
 * gather(x, idx) as one gatherRandom kernel when idx is randint's draw not made yet: the
 * indices are drawn inside the gather. They are in [0, high) with high <= the rows of x, so
 * need no range check. Should anything read idx later (gather's backward), randint's own kernel
 * draws the same numbers then. Returns false (nothing run) where this does not apply.
 */
export function gatherDrawnRows(x: Tensor, idx: Tensor, out: Tensor, rows: number, inner: number): boolean {
  const draw = pendingCall(idx);
  if (!enabled.gatherRandom || draw === null || draw.kernel !== 'random' || draw.dist !== 'int' || draw.b > x.shape[0]) return false;
  const call: KernelCall = {
    kernel: 'gatherRandom', x: x.storage('gather'), out: out.storage('gather'), rows, inner,
    key0: draw.key0, key1: draw.key1, counter: draw.counter, high: draw.b,
  };
  runKernel(x.backend, call, 'gather', [x.shape, idx.shape]);
  const refresh = pendingRefresh(idx); // a compiled step's fresh draw, shared with randint's kernel
  if (refresh) refreshOnReplay(call, refresh);
  return true;
}

// ---------- 6. a wide layer's activation gradient in the product that makes its dy ----------

/**
 * A wide layer's rule (linearRule) starts with dz = dy ⊙ act'(y) and ends with dx = dz·Wᵀ, which
 * is the layer below's dy. So dx is deferred (untilBackwardEnds), for the layer below to compute
 * its dz in the product's store (activationGradInProduct). null: not applicable, run it now.
 */
export function inputGradForLayerBelow(x: Tensor, w: Tensor, dz: Tensor, variant: MatmulVariant): Tensor | null {
  if (!enabled.activationGradInProduct || isGradEnabled() || reversePassObserved() || x.node?.op !== 'linear') return null;
  const name = 'linear.backward';
  const [m, n] = dz.shape;
  const k = w.shape[0];
  return untilBackwardEnds([m, k], resultDType(dz, w), dz.backend, [dz, w], name, [dz.shape, w.shape], (out) => ({
    kernel: 'matmul', a: dz.storage(name), b: w.storage(name), out, batch: 1, m, k: n, n: k,
    transA: false, transB: true, strideA: 0, strideB: 0, variant,
  }));
}

/**
 * 6, the layer below (its rule runs without a graph): dy's deferred product, the only pending
 * matmul, run with dz = p ⊙ act'(y) in its store into dy's buffer (no one reads dy after).
 */
export function activationGradInProduct(y: Tensor, dy: Tensor, activation: Exclude<FusedActivation, 'none'>, slope: number): Tensor | null {
  const c = pendingCall(dy);
  if (c?.kernel !== 'matmul' || !mayOverwriteGradient(dy) || dy.dtype !== y.dtype) return null;
  const name = 'linear.backward';
  const call: KernelCall = { ...c, activationGrad: { y: y.storage(name), activation, alpha: slope } };
  const taken = takePendingKernel(dy);
  if (taken === null) return null;
  runKernel(y.backend, call, name, [[c.m, c.k], [c.n, c.k]]);
  taken.release();
  return dy;
}

// ---------- 7. the layer below's activation gradient in the fused backward above ----------

/** Each layer's output y, recorded for backward, to its layer: only layers with an activation (for the layer above). */
const layerOfOutput = new WeakMap<Tensor, Layer>();

/** Called by linear() for every layer it makes; keeps those recorded for backward that have an activation. */
export function rememberLayer(layer: Layer): void {
  if (layer.activation !== 'none' && layer.y.node !== null) layerOfOutput.set(layer.y, layer);
}

/** Gradients stored as dz = dx ⊙ act'(y) by the layer above (7), to the output y of the layer they belong to. */
const throughActivation = new WeakMap<Tensor, Tensor>();

/**
 * 7, the layer above (a fused linearGrad): when its input x is the output of a layer below with an
 * activation, and the dx it makes is all of x's gradient with no other reader (autograd's
 * soleGradient: one use, not returned by grad(), no graph, nobody watching), the kernel stores dx
 * as the layer below's dz = dx ⊙ act'(x), and the layer below skips that step (passedThrough).
 * Returns the layer below (its activation is not 'none'), or null.
 */
function activationBelow(x: Tensor, dtype: DType): Layer | null {
  if (!enabled.activationGradInLayerBackward || x.dtype !== dtype) return null;
  const below = layerOfOutput.get(x);
  return below !== undefined && soleGradient(x) ? below : null;
}

/** 7, the layer below: whether dy, the gradient of its output y, was already multiplied by act'(y) in the layer above. */
export function passedThrough(y: Tensor, dy: Tensor): boolean {
  return throughActivation.get(dy) === y;
}

// ---------- 8. a wide layer's second use adds its gradients into the first's ----------

/** 8: whether a kernel may add a gradient into `sum`, the one the layer's other use left (of the result's dtype, no graph being recorded). */
function addsInto(sum: Tensor | null | undefined, dtype: DType): sum is Tensor {
  return enabled.gradientAddedInKernel && !!sum && !isGradEnabled() && sum.dtype === dtype;
}

/**
 * 8. A wide layer used twice in one pass (a GAN's D on real and on fake data): the second use's
 * dW = xᵀ·dz is added by the product itself into `sum`, the gradient the other use left
 * (autograd's `into`, a buffer no other tensor shares), as the fused linearGrad does for narrow
 * layers: out = sum + xᵀ·dz, and the separate addition never runs. Returns sum, or null where
 * this does not apply (no sum, another dtype, a graph being recorded).
 */
export function productAddedInto(sum: Tensor | null | undefined, x: Tensor, dz: Tensor, variant: MatmulVariant): Tensor | null {
  if (!addsInto(sum, resultDType(x, dz))) return null;
  const name = 'linear.backward';
  const [m, k] = x.shape;
  const n = dz.shape[1];
  runKernel(x.backend, {
    kernel: 'matmul', a: x.storage(name), b: dz.storage(name), out: sum.storage(name), batch: 1, m: k, k: m, n,
    transA: true, transB: false, strideA: 0, strideB: 0, variant, accumulate: true,
  }, name, [x.shape, dz.shape]);
  return sum;
}

/** 8, the bias: db = Σ_rows dz added by the column sum into `sum`, the other use's db (as sumTo's reduction, then the addition). */
export function columnSumAddedInto(sum: Tensor | null | undefined, dz: Tensor): Tensor | null {
  if (!addsInto(sum, dz.dtype)) return null;
  const [m, n] = dz.shape;
  runKernel(dz.backend, {
    kernel: 'reduce', op: 'sum', x: dz.storage('sumTo'), out: sum.storage('sumTo'), outer: 1, axisSize: m, inner: n, scale: 1, accumulate: true,
  }, 'sumTo', [dz.shape, [1, n]]);
  return sum;
}

// ---------- 9. a wide layer's bias gradient summed by its weight gradient's product ----------

/**
 * 9. dW = xᵀ·dz and db = Σ_rows dz as one matmul call: db is the column sums of the product's B,
 * dz, which the product reads row by row anyway, and it is the call's second output (columnSums:
 * on WebGPU the broadcast rung adds each row of dz it reads into them, in the order reduce's
 * kernel would; on the CPU reduce's own loop runs after the product; cuBLASLt's BGRADB epilogue
 * is the same pair). Either gradient may be added into the one the layer's other use left (8).
 * Returns [dW, db], or null where this does not apply (a graph being recorded, x and dz of
 * different dtypes).
 */
export function weightAndBiasGradients(x: Tensor, dz: Tensor, into: readonly (Tensor | null)[] | undefined, variant: MatmulVariant): [Tensor, Tensor] | null {
  if (!enabled.biasGradInProduct || isGradEnabled() || x.dtype !== dz.dtype) return null;
  const name = 'linear.backward';
  const [m, k] = x.shape;
  const n = dz.shape[1];
  // Each added into the gradient the layer's other use left, where 8 allows it.
  const sumW = into?.[1], sumB = into?.[2];
  const dw = addsInto(sumW, dz.dtype) ? sumW : Tensor.empty([k, n], dz.dtype, x.backend);
  const db = addsInto(sumB, dz.dtype) ? sumB : Tensor.empty([n], dz.dtype, x.backend);
  runKernel(x.backend, {
    kernel: 'matmul', a: x.storage(name), b: dz.storage(name), out: dw.storage(name), batch: 1, m: k, k: m, n,
    transA: true, transB: false, strideA: 0, strideB: 0, variant, accumulate: dw === sumW,
    columnSums: db.storage(name), accumulateColumnSums: db === sumB,
  }, name, [x.shape, dz.shape]);
  return [dw, db];
}
