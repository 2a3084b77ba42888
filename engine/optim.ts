// Optimizers, in place on the parameters' backend. Adam updates all its parameters with one
// kernel call (multi-tensor apply: one loop on the CPU, one dispatch per group of parameters on
// WebGPU); SGD runs one kernel per parameter.

import { currentBackend, type Backend, type Storage } from './backend';
import type { Shape } from './shape';
import { fullLike } from './ops';
import { keep } from './memory';
import { runKernel, Tensor } from './tensor';
import { endTrainingStep, refreshOnReplay, replayable } from './compile';
import { checkOptions } from './options';

const LR_HINTS = { learningRate: "the learning rate is 'lr'", learning_rate: "the learning rate is 'lr'" };

export interface Optimizer {
  readonly params: readonly Tensor[];
  /** Learning rate; may be changed between steps (the demo's slider does). */
  lr: number;
  zeroGrad(): void;
  step(): void;
}

function checkParams(name: string, params: readonly Tensor[]): void {
  if (!Array.isArray(params) || params.length === 0) throw new Error(`${name}: needs a non-empty array of parameters`);
  params.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`${name}: parameter ${i} is not a Tensor`);
    if (!p.requiresGrad) throw new Error(`${name}: parameter ${i} (shape [${p.shape.join(', ')}]) does not require gradients`);
  });
}

function checkRate(name: string, key: string, v: number, lo: number, hi: number, inclusiveHi = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (inclusiveHi ? v > hi : v >= hi)) {
    throw new Error(`${name}: ${key} must be in [${lo}, ${hi}${inclusiveHi ? ']' : ')'}, got ${String(v)}`);
  }
}

function zeroGrads(params: readonly Tensor[]): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** A serialisable optimizer state (for checkpoints). */
export interface AdamState {
  step: number;
  m: number[][];
  v: number[][];
}

/**
 * Adam (Kingma and Ba, 2015) with bias correction:
 *   m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²,  θ ← θ − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
 * A parameter without a gradient this step is left alone.
 */
export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Number of steps taken (t in the update). */
  stepCount = 0;
  /**
   * The moments of every parameter in one buffer, [m of each parameter | v of each parameter]
   * (see kernels/cpu/optim.ts adamMulti): parameter i's m starts at offsets[i], its v at
   * half + offsets[i], half = Σ sizes.
   */
  private readonly state: Tensor;
  private readonly offsets: number[];
  private readonly half: number;

  constructor(readonly params: readonly Tensor[], options: AdamOptions = {}) {
    checkParams('Adam', params);
    checkOptions('Adam', options, { lr: 'number', beta1: 'number', beta2: 'number', eps: 'number' }, { hints: LR_HINTS, example: `new Adam(params, { lr: ${typeof options === 'number' ? options : 0.001} })` });
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    checkRate('Adam', 'lr', this.lr, 0, Infinity);
    checkRate('Adam', 'beta1', this.beta1, 0, 1);
    checkRate('Adam', 'beta2', this.beta2, 0, 1);
    checkRate('Adam', 'eps', this.eps, 0, Infinity);
    const backend = params[0].backend;
    params.forEach((p, i) => {
      if (p.backend !== backend || p.dtype !== params[0].dtype) {
        throw new Error(`Adam: parameter ${i} is ${p.dtype} on ${p.backend.name}, parameter 0 is ${params[0].dtype} on ${backend.name}; one optimizer keeps its parameters on one backend with one dtype`);
      }
    });
    this.offsets = [];
    let half = 0;
    for (const p of params) {
      this.offsets.push(half);
      half += p.storage('Adam').size;
    }
    this.half = half;
    this.state = keep(fullLike(params[0], 0, [2 * half]));
  }

  zeroGrad(): void {
    zeroGrads(this.params);
  }

  step(): void {
    checkRate('Adam', 'lr', this.lr, 0, Infinity);
    replayable(() => { this.stepCount++; }); // a compiled step counts its replays too
    // The parameters that have a gradient this step, in plain loops (this runs every step).
    const params: Storage[] = [];
    const grads: Storage[] = [];
    const stateOffsets: number[] = [];
    const shapes: Shape[] = [];
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      if (p.grad === null) continue;
      params.push(p.storage('adam'));
      grads.push(p.grad.storage('adam'));
      stateOffsets.push(this.offsets[i]);
      shapes.push(p.shape);
    }
    if (params.length > 0) {
      const call = {
        kernel: 'adamMulti', params, grads, state: this.state.storage('adam'), stateOffsets,
        lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, step: this.stepCount,
      } as const;
      runKernel(this.state.backend, call, 'adam', shapes);
      refreshOnReplay(call, () => ({ step: this.stepCount, lr: this.lr }));
    }
    endOfStep(this.params[0].backend);
  }

  async getState(): Promise<AdamState> {
    const all = await this.state.data();
    const part = (base: number): number[][] => this.params.map((p, i) => Array.from(all.subarray(base + this.offsets[i], base + this.offsets[i] + p.size)));
    return { step: this.stepCount, m: part(0), v: part(this.half) };
  }

  setState(state: AdamState): void {
    if (!state || !Number.isInteger(state.step) || state.step < 0) throw new Error('Adam.setState: bad or missing step count');
    const n = this.params.length;
    if (!Array.isArray(state.m) || !Array.isArray(state.v) || state.m.length !== n || state.v.length !== n) {
      throw new Error(`Adam.setState: state has moments for ${state.m?.length} parameters, this optimizer has ${n}`);
    }
    const all = new Array<number>(2 * this.half).fill(0);
    this.params.forEach((p, i) => {
      checkValues(state.m[i], p.size, `m[${i}]`).forEach((x, j) => { all[this.offsets[i] + j] = x; });
      checkValues(state.v[i], p.size, `v[${i}]`).forEach((x, j) => { all[this.half + this.offsets[i] + j] = x; });
    });
    this.state.writeValues(all, 'setState');
    this.stepCount = state.step;
  }

  /** Free the moment buffer. */
  dispose(): void {
    this.state.dispose();
  }
}

export interface SGDOptions {
  lr?: number;
  momentum?: number;
}

/** Stochastic gradient descent, with optional momentum: vel ← μ vel + g; θ ← θ − lr vel. */
export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  private readonly velocity: (Tensor | null)[];

  constructor(readonly params: readonly Tensor[], options: SGDOptions = {}) {
    checkParams('SGD', params);
    checkOptions('SGD', options, { lr: 'number', momentum: 'number' }, { hints: LR_HINTS, example: `new SGD(params, { lr: ${typeof options === 'number' ? options : 0.01} })` });
    this.lr = options.lr ?? 1e-2;
    this.momentum = options.momentum ?? 0;
    checkRate('SGD', 'lr', this.lr, 0, Infinity);
    checkRate('SGD', 'momentum', this.momentum, 0, 1);
    this.velocity = params.map((p) => (this.momentum > 0 ? keep(fullLike(p, 0)) : null));
  }

  zeroGrad(): void {
    zeroGrads(this.params);
  }

  step(): void {
    checkRate('SGD', 'lr', this.lr, 0, Infinity);
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      const vel = this.velocity[i];
      const call = {
        kernel: 'sgd', param: p.storage('sgd'), grad: p.grad.storage('sgd'), velocity: vel ? vel.storage('sgd') : null, lr: this.lr, momentum: this.momentum,
      } as const;
      runKernel(p.backend, call, 'sgd', [p.shape]);
      refreshOnReplay(call, () => ({ lr: this.lr }));
    });
    endOfStep(this.params[0].backend);
  }
}

function checkValues(values: number[], size: number, name: string): number[] {
  if (!Array.isArray(values) || values.length !== size || values.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new Error(`optimizer state ${name}: expected ${size} finite numbers`);
  }
  return values;
}

let stepDepth = 0;

/**
 * Run one whole training step (any number of forward and backward passes and optimizer steps:
 * a GAN's D and G updates, say) and submit its GPU work once, at the end. Without it, each
 * optimizer step ends with a submit. On the CPU backend this changes nothing.
 */
export function trainingStep<T>(fn: () => T): T {
  stepDepth++;
  try {
    return fn();
  } finally {
    stepDepth--;
    if (stepDepth === 0) endTrainingStep(currentBackend());
  }
}

/** The end of an optimizer step is where a queued backend submits its work (one submit a step). */
function endOfStep(backend: Backend): void {
  if (stepDepth === 0) endTrainingStep(backend);
}
