// The "practical floor" for the GAN benchmark: one training step of the reference 1D GAN written
// by hand over Float32Array, with the backward pass derived on paper and typed in line by line.
//
// This is what autodiff does for you. Every backward line below carries the equation it
// implements; the engine derives exactly these from the forward graph. The engine's own step is
// timed against this one (goal: within 1.25x). It is as tight as a careful person would write
// it: Float32Array parameters, no allocation in the step, and the layers fused by hand into one
// pass per minibatch row (see "The step, fused by hand" below).
//
// Model (after the TensorFlow.js GAN playground):
//   data  x ~ N(4, 0.5): a fixed dataset of N samples, minibatches of B drawn by uniform index
//   G(z)  = relu(z·gW1 + gb1)·gW2 + gb2        z in R^10, hidden 16, output 1 (no activation)
//   ℓ(x)  = relu(x·dW1 + db1)·dW2 + db2        hidden 32; D(x) = sigmoid(ℓ(x))
//   bce(ℓ, t) = max(ℓ, 0) − ℓ·t + log(1 + exp(−|ℓ|))     (from logits, numerically stable)
//   D step: loss_D = mean bce(ℓ(real), 1) + mean bce(ℓ(G(z)), 0), G(z) detached; Adam on D
//   G step: fresh z, loss_G = mean bce(ℓ(G(z)), 1) (non-saturating); D frozen; Adam on G
//
// Shapes are row-major and a weight W has shape [in, out], so a layer is y = x·W + b.
// Init: weights glorotNormal, here a plain (not truncated) normal with std sqrt(2 / (in + out));
// TF.js uses a truncated normal. Biases start at zero.
//
// Random draws, all from one createRng(seed) stream, in this order:
//   at creation: gW1, gW2, dW1, dW2 (fillNormal each), then the dataset (fillNormal, N values);
//   each step:   B dataset indices (rng.int(N) each), z for the D step (fillNormal, B·10),
//                z for the G step (fillNormal, B·10).
//
// No allocation happens inside step(): every buffer, including the returned result object, is
// made once in createFloorGan.

import { createRng, type FloatArray } from '../../engine/rng.js';

export const LATENT = 10;
export const G_HIDDEN = 16;
export const D_HIDDEN = 32;
export const BATCH = 128;
export const DATASET_SIZE = 2048;
export const DATA_MEAN = 4;
export const DATA_STD = 0.5;

export const ADAM_LR = 3e-3;
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPS = 1e-8;

/** The eight parameter tensors (or their gradients), row-major, W of shape [in, out]. */
export interface GanParams<A extends FloatArray = Float32Array> {
  gW1: A; // [LATENT, G_HIDDEN]
  gb1: A; // [G_HIDDEN]
  gW2: A; // [G_HIDDEN, 1]
  gb2: A; // [1]
  dW1: A; // [1, D_HIDDEN]
  db1: A; // [D_HIDDEN]
  dW2: A; // [D_HIDDEN, 1]
  db2: A; // [1]
}

export interface GanLosses {
  dLoss: number;
  gLoss: number;
}

export interface FloorGan {
  /**
   * One D step then one G step. Returns the losses computed in this step, before the updates.
   * The returned object is reused by every call (no allocation): copy the numbers to keep them.
   */
  step(): GanLosses;
  /** Live views of the parameters (updated in place by step()). */
  params(): GanParams<Float32Array>;
}

/** Sizes of the flat parameter blocks: [gW1, gb1, gW2, gb2] and [dW1, db1, dW2, db2]. */
const G_SIZES = [LATENT * G_HIDDEN, G_HIDDEN, G_HIDDEN, 1] as const;
const D_SIZES = [D_HIDDEN, D_HIDDEN, D_HIDDEN, 1] as const;
export const G_PARAM_COUNT = G_SIZES[0] + G_SIZES[1] + G_SIZES[2] + G_SIZES[3];
export const D_PARAM_COUNT = D_SIZES[0] + D_SIZES[1] + D_SIZES[2] + D_SIZES[3];

/** Views of the eight tensors laid out back to back in two flat buffers (G's, then D's). */
function viewParams<A extends FloatArray>(g: A, d: A): GanParams<A> {
  let o = 0;
  const gW1 = g.subarray(o, (o += G_SIZES[0])) as A;
  const gb1 = g.subarray(o, (o += G_SIZES[1])) as A;
  const gW2 = g.subarray(o, (o += G_SIZES[2])) as A;
  const gb2 = g.subarray(o, (o += G_SIZES[3])) as A;
  o = 0;
  const dW1 = d.subarray(o, (o += D_SIZES[0])) as A;
  const db1 = d.subarray(o, (o += D_SIZES[1])) as A;
  const dW2 = d.subarray(o, (o += D_SIZES[2])) as A;
  const db2 = d.subarray(o, (o += D_SIZES[3])) as A;
  return { gW1, gb1, gW2, gb2, dW1, db1, dW2, db2 };
}

// ---------------------------------------------------------------------------------------------
// The step, fused by hand. The layers here are tiny (D's first layer has ONE input, both output
// layers have ONE output), so instead of a matmul, a ReLU and a backward matmul each sweeping a
// [rows, hidden] buffer, every minibatch row goes through forward, loss and backward in one pass
// while its hidden activations are still in registers/L1: a row's 16 + 32 hidden values live in
// two small scratch arrays, and the parameter gradients are sums over rows, accumulated in
// float64 scratch and written once at the end. Compared with one loop per layer (a matmul, a ReLU,
// their backward), this removes every [rows, hidden] intermediate buffer and ~2/3 of the passes.

/** sigmoid(ℓ) = 1 / (1 + exp(−ℓ)), written so that exp never overflows. */
function sigmoid(l: number): number {
  if (l >= 0) return 1 / (1 + Math.exp(-l));
  const e = Math.exp(l);
  return e / (1 + e);
}

/** bce(ℓ, t) = max(ℓ, 0) − ℓ·t + log(1 + exp(−|ℓ|)), the stable binary cross-entropy from a logit. */
function bceWithLogit(l: number, t: number): number {
  return (l > 0 ? l : 0) - l * t + Math.log1p(Math.exp(-Math.abs(l)));
}

/** The step's scratch: inputs, one row's hidden values, and the gradient sums (float64). */
interface Workspace {
  readonly batch: number;
  real: FloatArray; //   [B]            the real minibatch
  z: FloatArray; //      [B, LATENT]    latent noise
  gH: Float64Array; //   [G_HIDDEN]     one row's G hidden  relu(z·gW1 + gb1)
  dH: Float64Array; //   [D_HIDDEN]     one row's D hidden  relu(x·dW1 + db1)
  gSum: Float64Array; // [G_PARAM_COUNT] Σ over rows of ∂L/∂θ_G, laid out as gW1, gb1, gW2, gb2
  dSum: Float64Array; // [D_PARAM_COUNT] Σ over rows of ∂L/∂θ_D, laid out as dW1, db1, dW2, db2
  loss: number; //                      Σ over rows of bce
}

function createWorkspace(batch: number, make: (n: number) => FloatArray): Workspace {
  return {
    batch,
    real: make(batch),
    z: make(batch * LATENT),
    gH: new Float64Array(G_HIDDEN),
    dH: new Float64Array(D_HIDDEN),
    gSum: new Float64Array(G_PARAM_COUNT),
    dSum: new Float64Array(D_PARAM_COUNT),
    loss: 0,
  };
}

// Offsets of the blocks inside gSum / dSum (the same layout as the flat parameter buffers).
const G_B1 = LATENT * G_HIDDEN;
const G_W2 = G_B1 + G_HIDDEN;
const G_B2 = G_W2 + G_HIDDEN;
const D_B1 = D_HIDDEN;
const D_W2 = D_B1 + D_HIDDEN;
const D_B2 = D_W2 + D_HIDDEN;

/** G forward on row i of ws.z: fills ws.gH with relu(z_i·gW1 + gb1) and returns gH·gW2 + gb2. */
function generateRow(p: GanParams<FloatArray>, ws: Workspace, i: number): number {
  const { z, gH } = ws;
  const zRow = i * LATENT;
  let fake = p.gb2[0];
  for (let j = 0; j < G_HIDDEN; j++) {
    let a = p.gb1[j];
    for (let k = 0; k < LATENT; k++) a += z[zRow + k] * p.gW1[k * G_HIDDEN + j]; // a_j = gb1_j + Σ_k z_k gW1[k, j]
    const h = a > 0 ? a : 0;
    gH[j] = h;
    fake += h * p.gW2[j];
  }
  return fake;
}

/** D forward on one input x: fills ws.dH with relu(x·dW1 + db1) and returns ℓ = dH·dW2 + db2. */
function discriminateRow(p: GanParams<FloatArray>, ws: Workspace, x: number): number {
  const dH = ws.dH;
  let logit = p.db2[0];
  for (let j = 0; j < D_HIDDEN; j++) {
    const a = x * p.dW1[j] + p.db1[j];
    const h = a > 0 ? a : 0;
    dH[j] = h;
    logit += h * p.dW2[j];
  }
  return logit;
}

/**
 * One row of the D step, given x and its target t (1 real, 0 fake): forward, bce into ws.loss,
 * and backward into ws.dSum. With g = ∂L/∂ℓ = (σ(ℓ) − t)/B:
 *   ∂L/∂db2 = g   ∂L/∂dW2_j = g·h_j   ∂L/∂a_j = g·dW2_j·[a_j > 0]   ∂L/∂db1_j = ∂L/∂a_j   ∂L/∂dW1_j = ∂L/∂a_j·x
 */
function discriminatorRow(p: GanParams<FloatArray>, ws: Workspace, x: number, t: number): void {
  const l = discriminateRow(p, ws, x);
  ws.loss += bceWithLogit(l, t);
  const g = (sigmoid(l) - t) / ws.batch;
  const { dH, dSum } = ws;
  dSum[D_B2] += g;
  for (let j = 0; j < D_HIDDEN; j++) {
    const h = dH[j];
    dSum[D_W2 + j] += g * h;
    if (h > 0) {
      const ga = g * p.dW2[j];
      dSum[D_B1 + j] += ga;
      dSum[j] += ga * x;
    }
  }
}

/** Gradient sums → the four gradient tensors (one rounding to their precision). */
function storeGradients(sum: Float64Array, blocks: readonly [FloatArray, FloatArray, FloatArray, FloatArray]): void {
  let o = 0;
  for (const block of blocks) for (let i = 0; i < block.length; i++) block[i] = sum[o++];
}

/**
 * D step: loss_D = mean bce(ℓ(real), 1) + mean bce(ℓ(G(z)), 0). Inputs: ws.real and ws.z.
 * Writes ∂loss_D/∂(dW1, db1, dW2, db2) into `grad` and loss_D into
 * out.dLoss. G's output is a constant here (detached), so no gradient flows into G. (The loss
 * goes into `out` rather than being returned: V8 boxes a floating-point return value in a fresh
 * heap object whenever the call is not inlined, which would allocate on every step.)
 */
function discriminatorStep(p: GanParams<FloatArray>, grad: GanParams<FloatArray>, ws: Workspace, out: GanLosses): void {
  const B = ws.batch;
  ws.dSum.fill(0);
  ws.loss = 0;
  for (let i = 0; i < B; i++) discriminatorRow(p, ws, ws.real[i], 1);
  for (let i = 0; i < B; i++) discriminatorRow(p, ws, generateRow(p, ws, i), 0);
  out.dLoss = ws.loss / B;
  storeGradients(ws.dSum, [grad.dW1, grad.db1, grad.dW2, grad.db2]);
}

/**
 * G step: loss_G = mean bce(ℓ(G(z)), 1) on ws.z, through D (whose gradients are not computed: D
 * is frozen). Writes ∂loss_G/∂(gW1, gb1, gW2, gb2) into `grad` and loss_G into out.gLoss.
 * Per row, with g = ∂L/∂ℓ = (σ(ℓ) − 1)/B:
 *   ∂L/∂fake = Σ_j g·dW2_j·[dA_j > 0]·dW1_j                       (back through D)
 *   ∂L/∂gb2 = ∂L/∂fake   ∂L/∂gW2_j = ∂L/∂fake·gH_j   ∂L/∂gA_j = ∂L/∂fake·gW2_j·[gA_j > 0]
 *   ∂L/∂gb1_j = ∂L/∂gA_j   ∂L/∂gW1[k, j] = z_k·∂L/∂gA_j
 */
function generatorStep(p: GanParams<FloatArray>, grad: GanParams<FloatArray>, ws: Workspace, out: GanLosses): void {
  const B = ws.batch;
  const { z, gH, dH, gSum } = ws;
  gSum.fill(0);
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const l = discriminateRow(p, ws, generateRow(p, ws, i));
    loss += bceWithLogit(l, 1);
    const g = (sigmoid(l) - 1) / B;
    let gFake = 0;
    for (let j = 0; j < D_HIDDEN; j++) if (dH[j] > 0) gFake += g * p.dW2[j] * p.dW1[j];
    gSum[G_B2] += gFake;
    const zRow = i * LATENT;
    for (let j = 0; j < G_HIDDEN; j++) {
      const h = gH[j];
      gSum[G_W2 + j] += gFake * h;
      if (h > 0) {
        const ga = gFake * p.gW2[j];
        gSum[G_B1 + j] += ga;
        for (let k = 0; k < LATENT; k++) gSum[k * G_HIDDEN + j] += z[zRow + k] * ga;
      }
    }
  }
  out.gLoss = loss / B;
  storeGradients(gSum, [grad.gW1, grad.gb1, grad.gW2, grad.gb2]);
}
/**
 * Adam (Kingma & Ba 2015) on a flat buffer, step t (1-based):
 *   m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
 *   m̂ = m / (1 − β1^t)             v̂ = v / (1 − β2^t)
 *   θ ← θ − lr · m̂ / (sqrt(v̂) + ε)
 */
function adamUpdate(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, t: number): void {
  const bc1 = 1 - Math.pow(ADAM_BETA1, t);
  const bc2 = 1 - Math.pow(ADAM_BETA2, t);
  for (let i = 0; i < theta.length; i++) {
    const g = grad[i];
    const mi = ADAM_BETA1 * m[i] + (1 - ADAM_BETA1) * g;
    const vi = ADAM_BETA2 * v[i] + (1 - ADAM_BETA2) * g * g;
    m[i] = mi;
    v[i] = vi;
    theta[i] -= (ADAM_LR * (mi / bc1)) / (Math.sqrt(vi / bc2) + ADAM_EPS);
  }
}

// ---------------------------------------------------------------------------------------------

/** The hand-written GAN trainer. All buffers are allocated here, once. */
export function createFloorGan(seed: number): FloorGan {
  const rng = createRng(seed);

  // Parameters and gradients live in two flat buffers each, so Adam is one loop per model.
  const gTheta = new Float32Array(G_PARAM_COUNT);
  const dTheta = new Float32Array(D_PARAM_COUNT);
  const gGrad = new Float32Array(G_PARAM_COUNT);
  const dGrad = new Float32Array(D_PARAM_COUNT);
  const gM = new Float32Array(G_PARAM_COUNT);
  const gV = new Float32Array(G_PARAM_COUNT);
  const dM = new Float32Array(D_PARAM_COUNT);
  const dV = new Float32Array(D_PARAM_COUNT);
  const p = viewParams(gTheta, dTheta);
  const grad = viewParams(gGrad, dGrad);

  // glorotNormal (plain normal, see header) for the weights; biases stay 0.
  rng.fillNormal(p.gW1, 0, Math.sqrt(2 / (LATENT + G_HIDDEN)));
  rng.fillNormal(p.gW2, 0, Math.sqrt(2 / (G_HIDDEN + 1)));
  rng.fillNormal(p.dW1, 0, Math.sqrt(2 / (1 + D_HIDDEN)));
  rng.fillNormal(p.dW2, 0, Math.sqrt(2 / (D_HIDDEN + 1)));

  const data = new Float32Array(DATASET_SIZE);
  rng.fillNormal(data, DATA_MEAN, DATA_STD);

  const ws = createWorkspace(BATCH, (n) => new Float32Array(n));
  const result: GanLosses = { dLoss: 0, gLoss: 0 };
  let tD = 0; // Adam step counters, one per optimizer
  let tG = 0;

  function step(): GanLosses {
    // (1) D step: real minibatch into x[0, B), fresh z, fake = G(z) detached.
    for (let i = 0; i < BATCH; i++) ws.real[i] = data[rng.int(DATASET_SIZE)];
    rng.fillNormal(ws.z);
    discriminatorStep(p, grad, ws, result);
    adamUpdate(dTheta, dGrad, dM, dV, ++tD);

    // (2) G step on fresh z, through the just-updated (and now frozen) D.
    rng.fillNormal(ws.z);
    generatorStep(p, grad, ws, result);
    adamUpdate(gTheta, gGrad, gM, gV, ++tG);
    return result;
  }

  return { step, params: () => p };
}

/**
 * For tests: loss_D, loss_G and their gradients at the given parameters and inputs, with no
 * update. Works in float32 or float64 (pass Float64Array everywhere for a gradient check).
 *   real: [B] data samples;  zD: [B, LATENT] noise of the D step;  zG: [B, LATENT] noise of the G step.
 * Fills grad.dW1…db2 with ∂loss_D/∂θ_D and grad.gW1…gb2 with ∂loss_G/∂θ_G.
 */
export function floorGanGradients<A extends FloatArray>(
  params: GanParams<A>,
  inputs: { real: A; zD: A; zG: A },
  grad: GanParams<A>,
): GanLosses {
  const B = inputs.real.length;
  if (inputs.zD.length !== B * LATENT || inputs.zG.length !== B * LATENT) {
    throw new Error(`floorGanGradients: zD and zG must have ${B * LATENT} values (batch ${B} × ${LATENT})`);
  }
  const f64 = params.gW1 instanceof Float64Array;
  const ws = createWorkspace(B, (n) => (f64 ? new Float64Array(n) : new Float32Array(n)));
  const losses: GanLosses = { dLoss: 0, gLoss: 0 };
  ws.real.set(inputs.real);
  ws.z.set(inputs.zD);
  discriminatorStep(params, grad, ws, losses);
  ws.z.set(inputs.zG);
  generatorStep(params, grad, ws, losses);
  return losses;
}
