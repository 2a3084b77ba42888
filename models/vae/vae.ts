// A variational autoencoder (Kingma and Welling, 2014) on 1D or 2D data.
//
//   encoder  x ↦ (μ, log σ²)          an MLP with 2·latent outputs
//   sample   z = μ + σ ⊙ ε, ε ~ N(0, I)  (the reparameterisation: the noise is an input, so
//                                        gradients flow through μ and σ)
//   decoder  z ↦ x̂                    an MLP; x̂ is the mean E[x | z]
//   loss     ‖x − x̂‖² + β·KL(N(μ, σ²) ‖ N(0, I)),  KL = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²)
//
// summed over dimensions and averaged over the batch; β = 0.1 as in the JAX GAN-vs-VAE-vs-RBM benchmark (sharper samples,
// a looser latent space). New samples: z from the prior N(0, I) through the decoder.
// Binned mode: the decoder outputs K logits, the reconstruction term is the cross-entropy
// −Σ_k x_k log softmax(ℓ)_k, and a sample is a draw from softmax(ℓ).
// The data are not standardised, as in the benchmark.

import {
  Adam, add, exp, gaussianKl, logSoftmax, mean, MLP, mul, pow, randn, softmax, sliceAxis, sub, sum, tensor, tidy, noGrad,
  type Rng, type Tensor,
} from '../../engine/index';
import type { FlagSpec, Flags } from '../cli/args';
import { numberInRange } from '../cli/flag-checks';
import { BaseModel, checkpointTarget } from '../core/base-model';
import { validateCheckpoint } from '../core/checkpoint';
import { decodeSoft, sampleCategorical } from '../data/binning';
import { linspace } from '../eval/metrics';
import { BASE_RANGES, checkedForCli, resolveConfig, sharedCliFlags, sharedConfigFromFlags, type NumericRange } from '../core/model-config';
import type { BaseConfig, Checkpoint } from '../core/model';
import type { Target } from '../data/targets';

export interface VaeConfig extends BaseConfig {
  /** Dimension of the latent code z. */
  latent: number;
  /** Width H of every hidden layer, encoder and decoder. */
  hidden: number;
  /** Hidden layers per network. */
  layers: number;
  /** Weight β of the KL term. */
  beta: number;
  /** Adam's learning rate. */
  lr: number;
}

/** Seed 003's VAE: latent 2, two hidden layers (width 25: a 1600-parameter budget in 1D), β 0.1, Adam 1e-3. */
export const VAE_DEFAULTS: VaeConfig = Object.freeze({
  seed: 0, dataset: 2048, batch: 128, evalSamples: 5000, bins: 0,
  latent: 2, hidden: 25, layers: 2, beta: 0.1, lr: 1e-3,
}) as VaeConfig;

const RANGES: Record<keyof VaeConfig, NumericRange> = {
  ...BASE_RANGES,
  latent: [1, 64, true],
  hidden: [1, 4096, true],
  layers: [1, 16, true],
  beta: [0, 1e6, false],
  lr: [0, 10, false],
};

export function resolveVaeConfig(partial: Partial<VaeConfig> & Record<string, unknown>, source = 'vae', complete = false): VaeConfig {
  return resolveConfig(VAE_DEFAULTS, partial, RANGES, source, complete);
}

/** The VAE's own `gradlab train` options (defaults in the help text, see model-config.ts). */
export const VAE_CLI_FLAGS: FlagSpec = {
  ...sharedCliFlags(VAE_DEFAULTS),
  latent: { type: 'int', help: `latent dimension (VAE default ${VAE_DEFAULTS.latent})` },
  layers: { type: 'int', help: `hidden layers per network (default ${VAE_DEFAULTS.layers})` },
  beta: { type: 'number', help: `weight β of the KL term (default ${VAE_DEFAULTS.beta})` },
};

export function vaeConfigFromFlags(flags: Flags): Partial<VaeConfig> {
  const c: Partial<VaeConfig> = sharedConfigFromFlags(flags, VAE_DEFAULTS);
  const latent = numberInRange(flags, 'latent', 1, 64);
  if (latent !== undefined) c.latent = latent;
  const layers = numberInRange(flags, 'layers', 1, 16);
  if (layers !== undefined) c.layers = layers;
  const beta = numberInRange(flags, 'beta', 0, 1e6);
  if (beta !== undefined) c.beta = beta;
  return checkedForCli(c, (p) => resolveVaeConfig(p));
}

export interface LatentSweep {
  /** Grid points: `points` values in 1D, or points² interleaved (z₁, z₂) pairs (z₂ fastest). */
  z: Float64Array;
  /** Decoder mean E[x | z] in data space at each grid point (interleaved pairs for 2D data). */
  x: Float64Array;
  /** Latent dimensions swept: 1, or 2 (further dimensions are held at 0). */
  latent: number;
}

export class Vae extends BaseModel<VaeConfig> {
  readonly kind = 'vae' as const;
  readonly encoder: MLP;
  readonly decoder: MLP;
  protected readonly lossNames = ['reconLoss', 'kl'] as const;
  private readonly opt: Adam;

  private constructor(config: VaeConfig, target: Target, raw: Float64Array) {
    super(config, { target, raw, scaling: 'none' });
    const hidden = new Array<number>(config.layers).fill(config.hidden);
    this.encoder = new MLP({ inputs: this.width, hidden, outputs: 2 * config.latent, activation: 'relu', rng: this.rng });
    this.decoder = new MLP({ inputs: config.latent, hidden, outputs: this.width, activation: 'relu', rng: this.rng });
    this.opt = new Adam([...this.encoder.parameters(), ...this.decoder.parameters()], { lr: config.lr });
  }

  static create(target: Target, config: Partial<VaeConfig> & Record<string, unknown> = {}, data?: Float64Array): Vae {
    const c = resolveVaeConfig({ ...config, ...(data ? { dataset: data.length / target.dim } : {}) });
    return new Vae(c, target, BaseModel.drawData(target, c, data));
  }

  static load(value: Checkpoint, source = 'vae checkpoint'): Vae {
    const checkpoint = validateCheckpoint(value, source, 'vae');
    const config = resolveVaeConfig(checkpoint.config as Partial<VaeConfig>, source, true);
    const model = new Vae(config, checkpointTarget(checkpoint), Float64Array.from(checkpoint.data));
    model.restore(checkpoint, source);
    return model;
  }

  namedParameters(): [string, Tensor][] {
    return [
      ...this.encoder.namedParameters().map(([n, t]): [string, Tensor] => [`encoder.${n}`, t]),
      ...this.decoder.namedParameters().map(([n, t]): [string, Tensor] => [`decoder.${n}`, t]),
    ];
  }

  protected optimizers(): Record<string, Adam> {
    return { vae: this.opt };
  }

  protected step(): Tensor[] {
    const { batch, latent, beta } = this.config;
    const x = this.data.minibatch(batch, this.rng);
    const h = this.encoder.forward(x);
    const mu = sliceAxis(h, 1, 0, latent);
    const logVar = sliceAxis(h, 1, latent, 2 * latent);
    // z = μ + exp(½ log σ²) ⊙ ε
    const z = add(mu, mul(exp(mul(logVar, 0.5)), randn([batch, latent], this.rng)));
    const out = this.decoder.forward(z);
    const recon = this.binning
      ? mul(mean(sum(mul(x, logSoftmax(out, -1)), 1)), -1) // −Σ_k x_k log softmax(ℓ)_k
      : mean(sum(pow(sub(out, x), 2), 1)); // ‖x − x̂‖²
    const kl = gaussianKl(mu, logVar);
    this.opt.zeroGrad();
    add(recon, mul(kl, beta)).backward();
    this.opt.step();
    return [recon, kl];
  }

  protected generateRows(n: number, rng: Rng): Tensor {
    return tidy(() => {
      const out = this.decoder.forward(randn([n, this.config.latent], rng));
      return this.binning ? sampleCategorical(out, rng) : out;
    });
  }

  /**
   * The decoder's mean E[x | z] over a grid of z in [−3, 3] (the JAX GAN-vs-VAE-vs-RBM benchmark's latent sweep): `points`
   * values of z₁ for a 1D latent, a points × points grid of (z₁, z₂) otherwise. In binned mode
   * E[x | z] = Σ_k softmax(ℓ)_k·c_k over the bin centres.
   */
  async latentSweep(points = 21): Promise<LatentSweep> {
    if (!Number.isInteger(points) || points < 2) throw new Error(`vae.latentSweep: points must be an integer >= 2, got ${points}`);
    const swept = Math.min(2, this.config.latent);
    const axis = linspace(-3, 3, points);
    const n = swept === 1 ? points : points * points;
    const grid = new Float64Array(n * this.config.latent);
    const z = new Float64Array(n * swept);
    for (let i = 0; i < n; i++) {
      const coords = swept === 1 ? [axis[i]] : [axis[Math.floor(i / points)], axis[i % points]];
      coords.forEach((v, d) => {
        grid[i * this.config.latent + d] = v;
        z[i * swept + d] = v;
      });
    }
    const out = noGrad(() => tidy(() => {
      const decoded = this.decoder.forward(tensor(grid, [n, this.config.latent]));
      return this.binning ? softmax(decoded, -1) : decoded;
    }));
    const values = await out.data();
    out.dispose();
    const x = this.binning ? decodeSoft(this.binning, values) : this.decode(values);
    return { z, x, latent: swept };
  }
}

export function createVae(target: Target, config?: Partial<VaeConfig> & Record<string, unknown>, data?: Float64Array): Vae {
  return Vae.create(target, config, data);
}
