// A restricted Boltzmann machine: V visible units v, H binary hidden units h, weights W [V, H],
// biases b (visible) and c (hidden). An energy E(v, h) defines p(v, h) ∝ e^(−E(v, h)).
//
// Continuous data (Gaussian-Bernoulli RBM, data standardised, a visible std σ shared by all units):
//   E(v, h) = [ Σ_i (v_i − b_i)²/2 − Σ_j h_j (c_j + (v W)_j) ] / σ²
// Completing the square in v, E = Σ_i (v_i − b_i − (h Wᵀ)_i)²/2σ² + (terms in h alone), gives the
// two conditionals that Gibbs sampling alternates:
//   P(h_j = 1 | v) = sigmoid((c_j + (v W)_j) / σ²),     v | h ~ N(b + h Wᵀ, σ²)
// and summing h out gives the free energy, p(v) ∝ e^(−F(v)):
//   F(v) = Σ_i (v_i − b_i)²/(2σ²) − Σ_j softplus((c_j + (v W)_j) / σ²).
// Each hidden pattern h contributes one Gaussian bump N(b + hWᵀ, σ²), so σ well below the data's
// std (0.2 after standardising) lets many narrow bumps share out the modes.
// The hidden drive c_j + (vW)_j is written in data units and scaled by 1/σ² as a whole (unit j
// switches on where vW_j passes −c_j). The common form c_j + (vW)_j/σ² is the same family of
// models, but its biases must reach values like −18 for σ = 0.2, which 5000 Adam steps of 1e-3
// cannot do; on 1d-trimodal (seeds 0–2) it measured W1 0.25, 0.36, 0.42 against 0.32, 0.23, 0.04.
//
// Binned data (one-hot visible units, K of them, exactly one on):
//   E(v, h) = −v·b − h·c − vᵀ W h,   P(h_j = 1 | v) = sigmoid(c_j + (v W)_j),
//   v | h ~ Categorical(softmax(b + h Wᵀ)),   F(v) = −v·b − Σ_j softplus(c_j + (v W)_j).
//
// Training, contrastive divergence CD-k (Hinton, 2002): from a minibatch v₀ run k Gibbs steps to
// v_k, then descend  L = mean F(v₀) − mean F(v_k)  with v_k held constant. Its gradient is the
// CD estimate of the log-likelihood gradient (lower the free energy of the data, raise it where
// the model's samples are); the engine differentiates F like any other function.
// Generation: a Gibbs chain of `gibbsSteps` steps from N(0, 1) (a uniform draw of the bins in
// binned mode). History: free energy of the data, reconstruction error ‖v₀ − E[v | h₁]‖².
//
// On the CPU backend, continuous data, the Gibbs sweeps and the CD gradient run as hand-fused
// loops (models/rbm/rbm-cpu.ts; in WebAssembly SIMD on both cores, models/rbm/gibbs.wat, where
// it compiles) drawing the same random numbers. The engine's version below stays the definition, runs on WebGPU and in binned mode,
// and is what tests/models/rbm-cpu.test.ts checks the fused loops against; it also runs the step
// while something watches the dispatches (the page's graph and under-the-hood panels).

import {
  Adam, add, dispatchesWatched, keep, linear, mean, mul, noGrad, pow, randn, softplus, sigmoid, softmax, sub, sum, tensor, tidy, transpose, zeros,
  type Rng, type Tensor,
} from '../../engine/index';
import type { FlagSpec, Flags } from '../cli/args';
import { numberInRange } from '../cli/flag-checks';
import { BaseModel, checkpointTarget } from '../core/base-model';
import { validateCheckpoint } from '../core/checkpoint';
import { sampleBernoulli, sampleCategorical } from '../data/binning';
import { engineNoise, RbmCpu, type RbmArrays } from './rbm-cpu';
import { BASE_RANGES, checkedForCli, resolveConfig, sharedCliFlags, sharedConfigFromFlags, type NumericRange } from '../core/model-config';
import type { BaseConfig, Checkpoint } from '../core/model';
import type { Target } from '../data/targets';

export interface RbmConfig extends BaseConfig {
  /** Hidden units H. */
  hidden: number;
  /** Visible std σ in standardised units (continuous data only). */
  sigma: number;
  /** Gibbs steps per CD update. */
  k: number;
  /** Gibbs steps of a generating chain. */
  gibbsSteps: number;
  lr: number;
}

/** The calibrated setting: 64 hidden units, σ 0.2, CD-5, chains of 1000 steps, Adam 1e-3. */
export const RBM_DEFAULTS: RbmConfig = Object.freeze({
  seed: 0, dataset: 2048, batch: 128, evalSamples: 1000, bins: 0,
  hidden: 64, sigma: 0.2, k: 5, gibbsSteps: 1000, lr: 1e-3,
}) as RbmConfig;

const RANGES: Record<keyof RbmConfig, NumericRange> = {
  ...BASE_RANGES,
  hidden: [1, 100000, true],
  sigma: [1e-3, 100, false],
  k: [1, 1000, true],
  gibbsSteps: [1, 1_000_000, true],
  lr: [0, 10, false],
};

export function resolveRbmConfig(partial: Partial<RbmConfig> & Record<string, unknown>, source = 'rbm', complete = false): RbmConfig {
  return resolveConfig(RBM_DEFAULTS, partial, RANGES, source, complete);
}

/** The RBM's own `gradlab train` options (defaults in the help text). */
export const RBM_CLI_FLAGS: FlagSpec = {
  ...sharedCliFlags(RBM_DEFAULTS),
  sigma: { type: 'number', help: `visible std σ after standardising, continuous data (default ${RBM_DEFAULTS.sigma})` },
  'cd-k': { type: 'int', help: `Gibbs steps per contrastive-divergence update, CD-k (default ${RBM_DEFAULTS.k})` },
  'gibbs-steps': { type: 'int', help: `length of the Gibbs chain that generates samples (default ${RBM_DEFAULTS.gibbsSteps})` },
};

export function rbmConfigFromFlags(flags: Flags): Partial<RbmConfig> {
  const c: Partial<RbmConfig> = sharedConfigFromFlags(flags, RBM_DEFAULTS);
  const sigma = numberInRange(flags, 'sigma', 1e-3, 100);
  if (sigma !== undefined) c.sigma = sigma;
  const k = numberInRange(flags, 'cd-k', 1, 1000);
  if (k !== undefined) c.k = k;
  const gibbs = numberInRange(flags, 'gibbs-steps', 1, 1_000_000);
  if (gibbs !== undefined) c.gibbsSteps = gibbs;
  return checkedForCli(c, (p) => resolveRbmConfig(p));
}

export interface GibbsSamples {
  /** Samples in data space after the chain (interleaved pairs in 2D). */
  samples: Float64Array;
  /** Mean free energy F(v) of the chain's final state (model space). */
  freeEnergy: number;
}

/** The RBM's parameters: W [V, H], visible biases b [V], hidden biases c [H]. */
export interface RbmParameters {
  weight: Tensor;
  visibleBias: Tensor;
  hiddenBias: Tensor;
}

export class Rbm extends BaseModel<RbmConfig> implements RbmParameters {
  readonly kind = 'rbm' as const;
  /** W [V, H], visible biases b [V], hidden biases c [H]. */
  readonly weight: Tensor;
  readonly visibleBias: Tensor;
  readonly hiddenBias: Tensor;
  protected readonly lossNames = ['freeEnergy', 'reconError'] as const;
  private readonly opt: Adam;
  /** The chains behind scores and previews while training (trainingSamples), [n, V], by chain count n. */
  private readonly persistentChains = new Map<number, Tensor>();
  /** The fused CPU loops (CPU backend, continuous data), or null: the engine's ops. */
  private readonly fused: RbmCpu | null;

  private constructor(config: RbmConfig, target: Target, raw: Float64Array) {
    super(config, { target, raw, scaling: 'standardise' });
    // W ~ N(0, s²), s = 0.1·min(1, 64/H): the calibrated 0.1 for 64 hidden units, and no larger
    // total pull Σ_j |W_j| for wider layers (an untrained chain drifts to about ±Σ_j max(W_j, 0),
    // which would lie far outside the data for hundreds of units).
    const initStd = 0.1 * Math.min(1, 64 / config.hidden);
    this.weight = randn([this.width, config.hidden], this.rng, { std: initStd, requiresGrad: true });
    this.visibleBias = zeros([this.width], { requiresGrad: true });
    this.hiddenBias = zeros([config.hidden], { requiresGrad: true });
    this.opt = new Adam([this.weight, this.visibleBias, this.hiddenBias], { lr: config.lr });
    this.fused = this.weight.backend.name === 'cpu' && !this.binning ? new RbmCpu(this.width, config.hidden, config.sigma) : null;
  }

  static create(target: Target, config: Partial<RbmConfig> & Record<string, unknown> = {}, data?: Float64Array): Rbm {
    const c = resolveRbmConfig({ ...config, ...(data ? { dataset: data.length / target.dim } : {}) });
    return new Rbm(c, target, BaseModel.drawData(target, c, data));
  }

  static load(value: Checkpoint, source = 'rbm checkpoint'): Rbm {
    const checkpoint = validateCheckpoint(value, source, 'rbm');
    const config = resolveRbmConfig(checkpoint.config as Partial<RbmConfig>, source, true);
    const model = new Rbm(config, checkpointTarget(checkpoint), Float64Array.from(checkpoint.data));
    model.restore(checkpoint, source);
    return model;
  }

  namedParameters(): [string, Tensor][] {
    return [['W', this.weight], ['visibleBias', this.visibleBias], ['hiddenBias', this.hiddenBias]];
  }

  protected optimizers(): Record<string, Adam> {
    return { rbm: this.opt };
  }

  // ---- the energy model ----

  /** (c + vW)/σ² (continuous) or c + vW (binned): the logits of P(h = 1 | v), [n, H]. */
  private hiddenLogits(v: Tensor, p: RbmParameters = this): Tensor {
    const drive = linear(v, p.weight, p.hiddenBias);
    return this.binning ? drive : mul(drive, 1 / this.config.sigma ** 2);
  }

  /** b + hWᵀ: the mean of v | h (continuous) or the logits of the bins (binned), [n, V]. */
  private visibleMean(h: Tensor): Tensor {
    return linear(h, transpose(this.weight), this.visibleBias);
  }

  /** F(v) per row, [n]; `p` stands in other values of W, b and c (the demo's gradient check). */
  freeEnergy(v: Tensor, p: RbmParameters = this): Tensor {
    const hiddenTerm = sum(softplus(this.hiddenLogits(v, p)), 1);
    const visibleTerm = this.binning
      ? mul(sum(mul(v, p.visibleBias), 1), -1) // −v·b
      : mul(sum(pow(sub(v, p.visibleBias), 2), 1), 1 / (2 * this.config.sigma ** 2)); // Σ(v − b)²/2σ²
    return sub(visibleTerm, hiddenTerm);
  }

  /** h ~ P(h | v). */
  private sampleHidden(v: Tensor, rng: Rng): Tensor {
    return sampleBernoulli(sigmoid(this.hiddenLogits(v)), rng);
  }

  /** v ~ P(v | h), given the mean (or bin logits) b + hWᵀ. */
  private sampleVisible(visibleMean: Tensor, rng: Rng): Tensor {
    return this.binning
      ? sampleCategorical(visibleMean, rng)
      : add(visibleMean, randn(visibleMean.shape, rng, { std: this.config.sigma }));
  }

  /** One Gibbs sweep v → h → v'. */
  private gibbsStep(v: Tensor, rng: Rng): Tensor {
    return this.sampleVisible(this.visibleMean(this.sampleHidden(v, rng)), rng);
  }

  /** `sweeps` Gibbs sweeps from the rows v, outside the graph (CD-k's negative phase; the demo's gradient check). */
  gibbsFrom(v: Tensor, sweeps: number, rng: Rng): Tensor {
    return noGrad(() => tidy(() => {
      let x = v;
      for (let i = 0; i < sweeps; i++) x = this.gibbsStep(x, rng);
      return x;
    }));
  }

  /** W, b and c as arrays (copies), for the fused loops. */
  private arrays(): RbmArrays {
    return { weight: this.weight.dataSync(), visibleBias: this.visibleBias.dataSync(), hiddenBias: this.hiddenBias.dataSync() };
  }

  protected step(): Tensor[] {
    const v0 = this.data.minibatch(this.config.batch, this.rng);
    if (this.fused && !dispatchesWatched()) return this.fusedStep(this.fused, v0); // watched: show the engine's ops
    // The negative phase: k Gibbs steps from the data, outside the graph. The first step's
    // E[v | h₁] gives the reconstruction error.
    const { vk, reconError } = noGrad(() => {
      let v = v0;
      let error = v0;
      for (let i = 0; i < this.config.k; i++) {
        const visibleMean = this.visibleMean(this.sampleHidden(v, this.rng));
        if (i === 0) error = mean(sum(pow(sub(v0, this.binning ? softmax(visibleMean, -1) : visibleMean), 2), 1));
        v = this.sampleVisible(visibleMean, this.rng);
      }
      return { vk: v, reconError: error };
    });
    const dataEnergy = mean(this.freeEnergy(v0));
    const loss = sub(dataEnergy, mean(this.freeEnergy(vk)));
    this.opt.zeroGrad();
    loss.backward();
    this.opt.step();
    return [dataEnergy, reconError];
  }

  /** The same step as the engine's, through the fused loops: k sweeps, the gradient by hand, Adam. */
  private fusedStep(fused: RbmCpu, batch: Tensor): Tensor[] {
    const p = this.arrays();
    const v0 = new Float32Array(batch.dataSync());
    const vk = v0.slice();
    const recon = new Float64Array(1);
    fused.sweep(p, vk, this.config.k, engineNoise(this.rng), recon);
    const g = fused.cdGradient(p, v0, vk);
    this.opt.zeroGrad();
    this.weight.grad = keep(tensor(g.weight, this.weight.shape));
    this.visibleBias.grad = keep(tensor(g.visibleBias, this.visibleBias.shape));
    this.hiddenBias.grad = keep(tensor(g.hiddenBias, this.hiddenBias.shape));
    this.opt.step();
    return [tensor([g.dataEnergy], []), tensor([recon[0]], [])];
  }

  /** The start of a generating chain: N(0, 1) in standardised space, or uniformly drawn bins. */
  private chainStart(n: number, rng: Rng): Tensor {
    return this.binning ? sampleCategorical(zeros([n, this.width]), rng) : randn([n, this.width], rng);
  }

  /** Run `steps` Gibbs sweeps on n chains; returns the final visible states [n, V]. */
  private runChains(n: number, steps: number, rng: Rng): Tensor {
    return this.advanceChains(keep(tidy(() => this.chainStart(n, rng))), steps, rng);
  }

  /** `steps` Gibbs sweeps from the chain states v (disposed); returns the new states [n, V]. */
  private advanceChains(start: Tensor, steps: number, rng: Rng): Tensor {
    if (this.fused) {
      const v = new Float32Array(start.dataSync());
      start.dispose();
      this.fused.sweep(this.arrays(), v, steps, engineNoise(rng));
      return keep(tensor(v, [v.length / this.width, this.width]));
    }
    return noGrad(() => {
      let v = start;
      for (let s = 0; s < steps; s++) {
        const next = keep(tidy(() => this.gibbsStep(v, rng)));
        v.dispose();
        v = next;
      }
      return v;
    });
  }

  protected generateRows(n: number, rng: Rng): Tensor {
    return this.runChains(n, this.config.gibbsSteps, rng);
  }

  /**
   * Samples for scores and previews while training, from persistent chains (as in Tieleman's
   * persistent contrastive divergence, 2008): n chains kept from one call to the next (one set
   * per n: scores and compare's snapshots use different n), each call advancing them by a tenth
   * of the configured chain length; a new set starts from N(0, 1) like a generating chain, so the
   * first scores of a run are rough. The model changes little between
   * two epochs, so chains that were near equilibrium stay near it, at a tenth of the cost of
   * fresh chains. The final score (evaluate) and sample() always run fresh, full-length chains.
   */
  protected override async trainingSamples(n: number, rng: Rng): Promise<Float64Array> {
    const sweeps = Math.max(1, Math.ceil(this.config.gibbsSteps / 10));
    const previous = this.persistentChains.get(n);
    this.persistentChains.delete(n);
    const v = previous ? this.advanceChains(previous, sweeps, rng) : this.runChains(n, sweeps, rng); // advancing disposes previous
    this.persistentChains.set(n, v);
    return this.decode(await v.data(), rng);
  }

  protected override disposeExtras(): void {
    for (const v of this.persistentChains.values()) v.dispose();
    this.persistentChains.clear();
  }

  /** n samples from a chain of `steps` Gibbs sweeps (default: the configured length), and their mean free energy. */
  async gibbs(n: number, steps = this.config.gibbsSteps): Promise<GibbsSamples> {
    if (!Number.isInteger(n) || n < 1) throw new Error(`rbm.gibbs: n must be a positive integer, got ${n}`);
    if (!Number.isInteger(steps) || steps < 0) throw new Error(`rbm.gibbs: steps must be a non-negative integer, got ${steps}`);
    const v = this.runChains(n, steps, this.sampleRng);
    const energy = noGrad(() => mean(this.freeEnergy(v)));
    const values = await v.data();
    const freeEnergy = await energy.item();
    v.dispose();
    energy.dispose();
    return { samples: this.decode(values), freeEnergy };
  }
}

export function createRbm(target: Target, config?: Partial<RbmConfig> & Record<string, unknown>, data?: Float64Array): Rbm {
  return Rbm.create(target, config, data);
}
