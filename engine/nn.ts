// Layers: Linear, MLP, Dropout and BatchNorm1d. A layer owns its parameters (tensors with requiresGrad).

import type { FusedActivation } from './backend';
import { dropoutMask, full, leakyRelu, linear, mean, mul, randn, rand, relu, sigmoid, silu, softplus, sqrt, tanh, tensor } from './ops';
import { keep } from './memory';
import { noGrad } from './autograd';
import { createRng, type Rng } from './rng';
import type { Tensor } from './tensor';
import { checkOptions, type OptionSpec } from './options';

const INITS = ['glorotNormal', 'glorotUniform', 'he'] as const;
/** Every activation a layer accepts (the Activation type, as values for run-time checks). */
export const ACTIVATIONS = ['relu', 'leakyRelu', 'sigmoid', 'tanh', 'silu', 'softplus', 'none'] as const;
const LINEAR_OPTIONS: OptionSpec = { rng: 'object', init: INITS, bias: 'boolean' };
const MLP_OPTIONS: OptionSpec = {
  inputs: 'integer', hidden: 'array', outputs: 'integer', activation: ACTIVATIONS, outputActivation: ACTIVATIONS,
  rng: 'object', init: INITS, slope: 'number', dropout: 'number', batchNorm: 'boolean',
};

export type Init = 'glorotNormal' | 'glorotUniform' | 'he';
export type Activation = (typeof ACTIVATIONS)[number];

export interface Module {
  /** Parameters with stable names (for checkpoints), in a fixed order. */
  namedParameters(): [string, Tensor][];
  parameters(): Tensor[];
}

function paramsOf(m: Module): Tensor[] {
  return m.namedParameters().map(([, t]) => t);
}

/** Initial weights for a [fanIn, fanOut] matrix. */
export function initWeights(fanIn: number, fanOut: number, init: Init, rng: Rng): Tensor {
  switch (init) {
    // Glorot (Xavier): Var(w) = 2 / (fanIn + fanOut) keeps activations' variance steady both ways.
    case 'glorotNormal': return randn([fanIn, fanOut], rng, { std: Math.sqrt(2 / (fanIn + fanOut)), requiresGrad: true });
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return rand([fanIn, fanOut], rng, { lo: -limit, hi: limit, requiresGrad: true });
    }
    // He (Kaiming): Var(w) = 2 / fanIn, for ReLU layers.
    case 'he': return randn([fanIn, fanOut], rng, { std: Math.sqrt(2 / fanIn), requiresGrad: true });
    default: throw new Error(`initWeights: unknown init '${init as string}' (glorotNormal, glorotUniform, he)`);
  }
}

export interface LinearOptions {
  rng: Rng;
  init?: Init;
  bias?: boolean;
}

/** y = x·W + b, W of shape [in, out], b of shape [out] (zeros at init). */
export class Linear implements Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions) {
    for (const [name, v] of [['in', inFeatures], ['out', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${name} features must be a positive integer, got ${v}`);
    }
    checkOptions('Linear', options, LINEAR_OPTIONS);
    if (!options?.rng) throw new Error('Linear: options.rng is required (createRng(seed)) so that initialisation is reproducible');
    this.weight = initWeights(inFeatures, outFeatures, options.init ?? 'glorotNormal', options.rng);
    this.bias = options.bias === false ? null : full([outFeatures], 0, { requiresGrad: true });
  }

  /** act(x·W + b) in one fused kernel when the activation allows it. */
  forward(x: Tensor, activation: Activation = 'none', slope = 0.2): Tensor {
    if (!ACTIVATIONS.includes(activation)) throw new Error(`Linear.forward: unknown activation '${String(activation)}' (known: ${ACTIVATIONS.join(', ')})`);
    if (activation === 'silu') return silu(linear(x, this.weight, this.bias));
    if (activation === 'softplus') return softplus(linear(x, this.weight, this.bias));
    return linear(x, this.weight, this.bias, activation as FusedActivation, slope);
  }

  namedParameters(): [string, Tensor][] {
    return this.bias ? [['weight', this.weight], ['bias', this.bias]] : [['weight', this.weight]];
  }

  parameters(): Tensor[] {
    return paramsOf(this);
  }
}

/** Masks of Dropouts made without a generator come from this one (seed 0: runs repeat). */
let sharedDropoutRng: Rng | null = null;

/**
 * Inverted dropout: in training, zero each value with probability p and scale the rest by
 * 1/(1−p); in eval mode, the identity. `rng` defaults to a shared generator of seed 0.
 */
export class Dropout {
  training = true;
  private readonly rng: Rng;

  constructor(readonly p: number, rng?: Rng) {
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
    this.rng = rng ?? (sharedDropoutRng ??= createRng(0));
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const mask = dropoutMask(x.shape, 1 - this.p, this.rng, x);
    return mul(x, mask);
  }

  train(): void { this.training = true; }
  eval(): void { this.training = false; }
}

/**
 * Batch normalisation over a batch of rows (Ioffe and Szegedy 2015), as a function of tensors:
 *   x̂ = (x − μ_B) / √(σ²_B + ε),   y = γ·x̂ + β,
 * with μ_B and σ²_B the mean and (biased) variance of each column over the batch. Composed of
 * recorded ops, so its gradient (and its gradient's gradient) comes from their rules.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): { y: Tensor; mean: Tensor; variance: Tensor } {
  if (x.rank !== 2) throw new Error(`batchNorm: x must be [batch, features], got [${x.shape.join(', ')}]`);
  if (x.shape[0] < 2) throw new Error(`batchNorm: needs at least 2 rows to estimate a variance in training mode, got ${x.shape[0]}`);
  const mu = mean(x, 0, true); // [1, F]
  const centred = x.sub(mu);
  const variance = mean(centred.mul(centred), 0, true);
  const y = centred.div(sqrt(variance.add(eps))).mul(gamma).add(beta);
  return { y, mean: mu, variance };
}

/**
 * BatchNorm1d: batchNorm with learned γ (ones) and β (zeros) per feature, and running estimates
 * of the mean and variance (momentum 0.1, the variance unbiased, as in PyTorch) that eval mode
 * uses instead of the batch's.
 */
export class BatchNorm1d implements Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  training = true;

  constructor(readonly features: number, readonly options: { eps?: number; momentum?: number } = {}) {
    checkOptions('BatchNorm1d', options, { eps: 'number', momentum: 'number' });
    if (!Number.isInteger(features) || features <= 0) throw new Error(`BatchNorm1d: features must be a positive integer, got ${features}`);
    const momentum = options.momentum ?? 0.1;
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`BatchNorm1d: momentum must be in [0, 1], got ${momentum}`);
    if (!((options.eps ?? 1e-5) > 0)) throw new Error(`BatchNorm1d: eps must be positive, got ${options.eps}`);
    this.weight = full([features], 1, { requiresGrad: true });
    this.bias = full([features], 0, { requiresGrad: true });
    this.runningMean = keep(full([1, features], 0));
    this.runningVar = keep(full([1, features], 1));
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.features) throw new Error(`BatchNorm1d(${this.features}): expects [batch, ${this.features}], got [${x.shape.join(', ')}]`);
    const eps = this.options.eps ?? 1e-5;
    if (!this.training) return x.sub(this.runningMean).div(sqrt(this.runningVar.add(eps))).mul(this.weight).add(this.bias);
    const { y, mean: mu, variance } = batchNorm(x, this.weight, this.bias, eps);
    // running ← (1 − m)·running + m·batch statistic (the variance made unbiased: × B / (B − 1))
    const m = this.options.momentum ?? 0.1;
    const n = x.shape[0];
    noGrad(() => {
      const nextMean = keep(this.runningMean.mul(1 - m).add(mu.mul(m)));
      const nextVar = keep(this.runningVar.mul(1 - m).add(variance.mul((m * n) / (n - 1))));
      this.runningMean.dispose();
      this.runningVar.dispose();
      this.runningMean = nextMean;
      this.runningVar = nextVar;
    });
    return y;
  }

  train(): void { this.training = true; }
  eval(): void { this.training = false; }

  namedParameters(): [string, Tensor][] {
    return [['weight', this.weight], ['bias', this.bias]];
  }

  /** The running statistics: state that is not trained by gradients (checkpoints save it). */
  namedBuffers(): [string, Tensor][] {
    return [['runningMean', this.runningMean], ['runningVar', this.runningVar]];
  }

  parameters(): Tensor[] {
    return paramsOf(this);
  }
}

/** An activation by name, as a separate op (after a layer that could not fuse it). */
export function activate(x: Tensor, activation: Activation, slope = 0.2): Tensor {
  switch (activation) {
    case 'relu': return relu(x);
    case 'leakyRelu': return leakyRelu(x, slope);
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return tanh(x);
    case 'silu': return silu(x);
    case 'softplus': return softplus(x);
    case 'none': return x;
    default: throw new Error(`activate: unknown activation '${String(activation)}'`);
  }
}

export interface MLPOptions {
  inputs: number;
  hidden: number[];
  outputs: number;
  activation?: Activation;
  outputActivation?: Activation;
  rng: Rng;
  init?: Init;
  /** Slope of leakyRelu (default 0.2). */
  slope?: number;
  /** Dropout after each hidden layer (0 = none). */
  dropout?: number;
  /** BatchNorm1d after each hidden layer's x·W + b, before its activation. */
  batchNorm?: boolean;
}

/** A multilayer perceptron: Linear layers with an activation between them. */
export class MLP implements Module {
  readonly layers: Linear[];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  readonly slope: number;
  private readonly dropouts: Dropout[];
  readonly norms: BatchNorm1d[];

  constructor(options: MLPOptions) {
    if (options === undefined) throw new Error('MLP: needs options { inputs, hidden, outputs, rng }');
    checkOptions('MLP', options, MLP_OPTIONS);
    const sizes = [options.inputs, ...options.hidden, options.outputs];
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) this.layers.push(new Linear(sizes[i], sizes[i + 1], { rng: options.rng, init: options.init }));
    this.activation = options.activation ?? 'relu';
    this.outputActivation = options.outputActivation ?? 'none';
    this.slope = options.slope ?? 0.2;
    const p = options.dropout ?? 0;
    // The masks come from the MLP's own generator (not a fork of it): a model that saves that
    // generator's state in its checkpoints resumes a run with dropout exactly.
    this.dropouts = p > 0 ? options.hidden.map(() => new Dropout(p, options.rng)) : [];
    this.norms = options.batchNorm ? options.hidden.map((h) => new BatchNorm1d(h)) : [];
  }

  forward(x: Tensor): Tensor {
    let h = x;
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const norm = i < last ? this.norms[i] : undefined;
      if (norm) h = activate(norm.forward(layer.forward(h)), this.activation, this.slope);
      else h = layer.forward(h, i === last ? this.outputActivation : this.activation, this.slope);
      if (i < last && this.dropouts[i]) h = this.dropouts[i].forward(h);
    });
    return h;
  }

  train(): void { for (const m of [...this.dropouts, ...this.norms]) m.train(); }
  eval(): void { for (const m of [...this.dropouts, ...this.norms]) m.eval(); }

  namedParameters(): [string, Tensor][] {
    return [
      ...this.layers.flatMap((layer, i) => layer.namedParameters().map(([n, t]): [string, Tensor] => [`layers.${i}.${n}`, t])),
      ...this.norms.flatMap((norm, i) => norm.namedParameters().map(([n, t]): [string, Tensor] => [`norms.${i}.${n}`, t])),
    ];
  }

  /** State that gradients do not train (BatchNorm's running statistics), for checkpoints. */
  namedBuffers(): [string, Tensor][] {
    return this.norms.flatMap((norm, i) => norm.namedBuffers().map(([n, t]): [string, Tensor] => [`norms.${i}.${n}`, t]));
  }

  parameters(): Tensor[] {
    return paramsOf(this);
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }
}

/** Replace a parameter's values (checkpoint loading) after checking its shape. */
export function assignValues(param: Tensor, values: ArrayLike<number>, name: string): void {
  if (values.length !== param.size) throw new Error(`load: parameter '${name}' has ${param.size} values, the checkpoint gives ${values.length}`);
  const t = tensor(Array.from(values), [...param.shape]);
  param.writeValues(t.dataSync(), 'load');
  t.dispose();
}
