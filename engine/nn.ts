// Layers: Linear, MLP and Dropout. A layer owns its parameters (tensors with requiresGrad).

import type { FusedActivation } from './backend';
import { dropoutMask, full, linear, mul, randn, rand, silu, softplus, tensor } from './ops';
import { createRng, type Rng } from './rng';
import type { Tensor } from './tensor';
import { checkOptions, type OptionSpec } from './options';

const INITS = ['glorotNormal', 'glorotUniform', 'he'] as const;
/** Every activation a layer accepts (the Activation type, as values for run-time checks). */
export const ACTIVATIONS = ['relu', 'leakyRelu', 'sigmoid', 'tanh', 'silu', 'softplus', 'none'] as const;
const LINEAR_OPTIONS: OptionSpec = { rng: 'object', init: INITS, bias: 'boolean' };
const MLP_OPTIONS: OptionSpec = {
  inputs: 'integer', hidden: 'array', outputs: 'integer', activation: ACTIVATIONS, outputActivation: ACTIVATIONS,
  rng: 'object', init: INITS, slope: 'number', dropout: 'number',
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
}

/** A multilayer perceptron: Linear layers with an activation between them. */
export class MLP implements Module {
  readonly layers: Linear[];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  readonly slope: number;
  private readonly dropouts: Dropout[];

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
    this.dropouts = p > 0 ? options.hidden.map(() => new Dropout(p, options.rng.fork())) : [];
  }

  forward(x: Tensor): Tensor {
    let h = x;
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h, i === last ? this.outputActivation : this.activation, this.slope);
      if (i < last && this.dropouts[i]) h = this.dropouts[i].forward(h);
    });
    return h;
  }

  train(): void { for (const d of this.dropouts) d.train(); }
  eval(): void { for (const d of this.dropouts) d.eval(); }

  namedParameters(): [string, Tensor][] {
    return this.layers.flatMap((layer, i) => layer.namedParameters().map(([n, t]): [string, Tensor] => [`layers.${i}.${n}`, t]));
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
  param.backend.write(param.storage('load'), t.dataSync());
  t.dispose();
}
