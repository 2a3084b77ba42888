// The "practical floor" for the GAN benchmark: one training step of the reference 1D GAN written
// by hand over Float32Array, with the backward pass derived on paper and typed in line by line.
//
// This is what autodiff does for you. Every backward line below carries the equation it
// implements; the engine derives exactly these from the forward graph. The engine's own step is
// timed against this one (goal: within 2x).
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
// Building blocks. Plain loops. Every matmul keeps its running sum in a local variable and writes
// each output once. The textbook cache-friendly i-k-j order (innermost loop streaming a row of W
// into a row of y) was measured slower here: these matrices are tiny (W has at most 640 floats,
// all of it in L1 cache), so i-k-j only adds a load and a store of y per multiply-add. With i-k-j
// for all three kinds of product the whole step took ~0.41 ms instead of ~0.32 ms on the dev box.

/** Forward of a linear layer: y[rows, nOut] = x[rows, nIn] · W[nIn, nOut] + b[nOut]. */
function linear(x: FloatArray, W: FloatArray, b: FloatArray, y: FloatArray, rows: number, nIn: number, nOut: number): void {
  for (let i = 0; i < rows; i++) {
    const xRow = i * nIn;
    for (let j = 0; j < nOut; j++) {
      let s = b[j];
      for (let k = 0; k < nIn; k++) s += x[xRow + k] * W[k * nOut + j]; // y[i, j] = b[j] + Σ_k x[i, k] · W[k, j]
      y[i * nOut + j] = s;
    }
  }
}

/** Forward of ReLU: h = max(a, 0), elementwise over n values. */
function relu(a: FloatArray, h: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const ai = a[i];
    h[i] = ai > 0 ? ai : 0;
  }
}

/**
 * Backward of a linear layer into its parameters, given dy = ∂L/∂y:
 *   ∂L/∂W = xᵀ · dy        ∂L/∂W[k, j] = Σ_i x[i, k] · dy[i, j]
 *   ∂L/∂b = Σ_i dy[i, :]   (b is broadcast over the rows, so its gradient sums over them)
 * Overwrites dW and db.
 */
function linearBackwardParams(x: FloatArray, dy: FloatArray, dW: FloatArray, db: FloatArray, rows: number, nIn: number, nOut: number): void {
  for (let j = 0; j < nOut; j++) {
    let sb = 0;
    for (let i = 0; i < rows; i++) sb += dy[i * nOut + j]; // ∂L/∂b[j] = Σ_i dy[i, j]
    db[j] = sb;
    for (let k = 0; k < nIn; k++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * nIn + k] * dy[i * nOut + j]; // ∂L/∂W[k, j] = Σ_i x[i, k] · dy[i, j]
      dW[k * nOut + j] = s;
    }
  }
}

/**
 * Backward of a linear layer into its input: ∂L/∂x = dy · Wᵀ,
 *   ∂L/∂x[i, k] = Σ_j dy[i, j] · W[k, j].
 * Overwrites dx.
 */
function linearBackwardInput(dy: FloatArray, W: FloatArray, dx: FloatArray, rows: number, nIn: number, nOut: number): void {
  for (let i = 0; i < rows; i++) {
    const yRow = i * nOut;
    const xRow = i * nIn;
    for (let k = 0; k < nIn; k++) {
      const wRow = k * nOut;
      let s = 0;
      for (let j = 0; j < nOut; j++) s += dy[yRow + j] * W[wRow + j]; // Σ_j dy[i, j] · W[k, j]
      dx[xRow + k] = s;
    }
  }
}

/** Backward of ReLU, in place: ∂L/∂a = ∂L/∂h ⊙ [a > 0]  (h = max(a, 0) has slope 1 or 0). */
function reluBackward(a: FloatArray, dh: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) if (!(a[i] > 0)) dh[i] = 0;
}

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

// ---------------------------------------------------------------------------------------------
// Forward and backward passes of the two steps, over preallocated buffers.

/** Every intermediate buffer of one step. Sized for `batch` rows (the D step uses 2·batch). */
interface Workspace {
  readonly batch: number;
  z: FloatArray; //      [B, LATENT]      latent noise
  gA1: FloatArray; //    [B, G_HIDDEN]    G pre-activation  z·gW1 + gb1
  gH1: FloatArray; //    [B, G_HIDDEN]    G hidden          relu(gA1)
  fake: FloatArray; //   [B]              G output          gH1·gW2 + gb2
  x: FloatArray; //      [2B]             D input: real rows then fake rows in the D step
  dA1: FloatArray; //    [2B, D_HIDDEN]   D pre-activation  x·dW1 + db1
  dH1: FloatArray; //    [2B, D_HIDDEN]   D hidden          relu(dA1)
  logit: FloatArray; //  [2B]             D logit ℓ         dH1·dW2 + db2
  target: FloatArray; // [2B]             BCE target t: 1 for real rows, 0 for fake rows
  gLogit: FloatArray; // [2B]             ∂L/∂ℓ
  gDH: FloatArray; //    [2B, D_HIDDEN]   ∂L/∂dH1, then in place ∂L/∂dA1
  gX: FloatArray; //     [B]              ∂L/∂x (only in the G step: ∂loss_G/∂fake)
  gGH: FloatArray; //    [B, G_HIDDEN]    ∂L/∂gH1, then in place ∂L/∂gA1
  loss: number; //                         scalar result of bceLossAndGrad
}

function createWorkspace(batch: number, make: (n: number) => FloatArray): Workspace {
  const target = make(2 * batch);
  target.fill(1, 0, batch); // rows [0, B) are real: t = 1; rows [B, 2B) stay 0 (fake)
  return {
    batch,
    z: make(batch * LATENT),
    gA1: make(batch * G_HIDDEN),
    gH1: make(batch * G_HIDDEN),
    fake: make(batch),
    x: make(2 * batch),
    dA1: make(2 * batch * D_HIDDEN),
    dH1: make(2 * batch * D_HIDDEN),
    logit: make(2 * batch),
    target,
    gLogit: make(2 * batch),
    gDH: make(2 * batch * D_HIDDEN),
    gX: make(batch),
    gGH: make(batch * G_HIDDEN),
    loss: 0,
  };
}

/** G forward on ws.z: fake = relu(z·gW1 + gb1)·gW2 + gb2. */
function generatorForward(p: GanParams<FloatArray>, ws: Workspace): void {
  const B = ws.batch;
  linear(ws.z, p.gW1, p.gb1, ws.gA1, B, LATENT, G_HIDDEN);
  relu(ws.gA1, ws.gH1, B * G_HIDDEN);
  linear(ws.gH1, p.gW2, p.gb2, ws.fake, B, G_HIDDEN, 1);
}

/** D forward on the first `rows` entries of `x`: ℓ = relu(x·dW1 + db1)·dW2 + db2. */
function discriminatorForward(p: GanParams<FloatArray>, x: FloatArray, rows: number, ws: Workspace): void {
  linear(x, p.dW1, p.db1, ws.dA1, rows, 1, D_HIDDEN);
  relu(ws.dA1, ws.dH1, rows * D_HIDDEN);
  linear(ws.dH1, p.dW2, p.db2, ws.logit, rows, D_HIDDEN, 1);
}

/**
 * BCE loss and its gradient over the first `rows` logits against the first `rows` targets:
 *   L = (1/B) Σ_i bce(ℓ_i, t_i)  into ws.loss,   and   ∂L/∂ℓ_i = (sigmoid(ℓ_i) − t_i) / B.
 * B is the minibatch size, so over 2B rows (real + fake) L is mean_real + mean_fake.
 * (The loss is stored, not returned: V8 boxes a floating-point return value in a fresh heap
 * object whenever the call is not inlined, which would allocate on every step.)
 */
function bceLossAndGrad(ws: Workspace, rows: number): void {
  const invB = 1 / ws.batch;
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const l = ws.logit[i];
    const t = ws.target[i];
    loss += bceWithLogit(l, t);
    ws.gLogit[i] = (sigmoid(l) - t) * invB; // ∂L/∂ℓ_i = (σ(ℓ_i) − t_i) / B
  }
  ws.loss = loss * invB;
}

/**
 * D step, forward and backward. Inputs: ws.x[0, B) holds the real minibatch and ws.z the noise.
 * Writes ∂loss_D/∂(dW1, db1, dW2, db2) into `grad` and loss_D into out.dLoss. G's output is
 * used as a constant (detached), so no gradient flows into G here. (The loss goes into `out`
 * rather than being returned for the reason given at bceLossAndGrad.)
 */
function discriminatorStep(p: GanParams<FloatArray>, grad: GanParams<FloatArray>, ws: Workspace, out: GanLosses): void {
  const B = ws.batch;
  const rows = 2 * B;
  generatorForward(p, ws);
  ws.x.set(ws.fake, B); // x = [real; fake], targets [1…1; 0…0]
  discriminatorForward(p, ws.x, rows, ws);
  bceLossAndGrad(ws, rows); // ∂L/∂ℓ = (σ(ℓ) − t) / B
  out.dLoss = ws.loss;
  // ℓ = dH1·dW2 + db2:   ∂L/∂dW2 = dH1ᵀ·∂L/∂ℓ,   ∂L/∂db2 = Σ_i ∂L/∂ℓ_i
  linearBackwardParams(ws.dH1, ws.gLogit, grad.dW2, grad.db2, rows, D_HIDDEN, 1);
  // ℓ = dH1·dW2 + db2:   ∂L/∂dH1 = ∂L/∂ℓ · dW2ᵀ
  linearBackwardInput(ws.gLogit, p.dW2, ws.gDH, rows, D_HIDDEN, 1);
  // dH1 = relu(dA1):     ∂L/∂dA1 = ∂L/∂dH1 ⊙ [dA1 > 0]
  reluBackward(ws.dA1, ws.gDH, rows * D_HIDDEN);
  // dA1 = x·dW1 + db1:   ∂L/∂dW1 = xᵀ·∂L/∂dA1,   ∂L/∂db1 = Σ_i ∂L/∂dA1[i, :]
  linearBackwardParams(ws.x, ws.gDH, grad.dW1, grad.db1, rows, 1, D_HIDDEN);
  // (∂L/∂x is not needed: real data and the detached fake are constants.)
}

/**
 * G step, forward and backward, on the noise in ws.z. Writes ∂loss_G/∂(gW1, gb1, gW2, gb2)
 * into `grad` and loss_G into out.gLoss. The gradient flows through D, but D's parameter
 * gradients are not computed: D is not updated in this step.
 */
function generatorStep(p: GanParams<FloatArray>, grad: GanParams<FloatArray>, ws: Workspace, out: GanLosses): void {
  const B = ws.batch;
  generatorForward(p, ws);
  discriminatorForward(p, ws.fake, B, ws);
  bceLossAndGrad(ws, B); // targets[0, B) are 1: ∂L/∂ℓ = (σ(ℓ) − 1) / B
  out.gLoss = ws.loss;
  // ℓ = dH1·dW2 + db2:         ∂L/∂dH1 = ∂L/∂ℓ · dW2ᵀ
  linearBackwardInput(ws.gLogit, p.dW2, ws.gDH, B, D_HIDDEN, 1);
  // dH1 = relu(dA1):           ∂L/∂dA1 = ∂L/∂dH1 ⊙ [dA1 > 0]
  reluBackward(ws.dA1, ws.gDH, B * D_HIDDEN);
  // dA1 = fake·dW1 + db1:      ∂L/∂fake = ∂L/∂dA1 · dW1ᵀ
  linearBackwardInput(ws.gDH, p.dW1, ws.gX, B, 1, D_HIDDEN);
  // fake = gH1·gW2 + gb2:      ∂L/∂gW2 = gH1ᵀ·∂L/∂fake,   ∂L/∂gb2 = Σ_i ∂L/∂fake_i
  linearBackwardParams(ws.gH1, ws.gX, grad.gW2, grad.gb2, B, G_HIDDEN, 1);
  // fake = gH1·gW2 + gb2:      ∂L/∂gH1 = ∂L/∂fake · gW2ᵀ
  linearBackwardInput(ws.gX, p.gW2, ws.gGH, B, G_HIDDEN, 1);
  // gH1 = relu(gA1):           ∂L/∂gA1 = ∂L/∂gH1 ⊙ [gA1 > 0]
  reluBackward(ws.gA1, ws.gGH, B * G_HIDDEN);
  // gA1 = z·gW1 + gb1:         ∂L/∂gW1 = zᵀ·∂L/∂gA1,   ∂L/∂gb1 = Σ_i ∂L/∂gA1[i, :]
  linearBackwardParams(ws.z, ws.gGH, grad.gW1, grad.gb1, B, LATENT, G_HIDDEN);
  // (∂L/∂z is not needed: z is not learned.)
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
    for (let i = 0; i < BATCH; i++) ws.x[i] = data[rng.int(DATASET_SIZE)];
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
  ws.x.set(inputs.real, 0);
  ws.z.set(inputs.zD);
  discriminatorStep(params, grad, ws, losses);
  ws.z.set(inputs.zG);
  generatorStep(params, grad, ws, losses);
  return losses;
}
