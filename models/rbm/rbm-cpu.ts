// The Gaussian-Bernoulli RBM's Gibbs sweeps and its contrastive-divergence gradient as fused
// loops over Float32Arrays: the CPU backend's fast path for models/rbm/rbm.ts (continuous data).
//
// Written with engine ops, one Gibbs sweep over n rows and H hidden units makes about ten passes
// over [n, H] arrays (linear, scale, sigmoid, uniforms, compare, clamp, ...), each a kernel call
// with its own output buffer; here each hidden unit is visited once:
//   a_j = (c_j + Σ_i v_i W_ij) / σ²,   h_j = [u_j < sigmoid(a_j)],   m_i += h_j W_ij
// and then v_i = b_i + m_i + σ·ε_i. A unit whose |a_j| passes 20 is decided without the
// exponential: sigmoid(a) is then within 2.1·10⁻⁹ of 0 or 1, beyond every uniform u the
// generator gives (u ∈ [2⁻²⁴, 1 − 2⁻²⁴]), in float32 as in float64.
//
// The random numbers are the engine's: the same generator calls in the same order as
// rand([n, H]) then randn([n, V], σ), so a sweep here draws exactly what the engine's sweep
// (Rbm.gibbsFrom) draws, and the CPU and WebGPU runs of a seed stay together. (Philox in plain
// JavaScript cost about as much per number as the rest of the sweep; its words now come from a
// WebAssembly kernel, kernels/cpu/philox-wasm.ts, about ten times faster and bit for bit the same.)
//
// These loops are the definition and the fallback: where WebAssembly SIMD compiles, the same
// computation runs in gibbs.wat (through gibbs-wasm.ts), on both cores, with the same bits.
//
// The gradient of L = mean F(v₀) − mean F(v_k) is written out by hand, with s_j = sigmoid(a_j):
//   ∂F/∂W_ij = −v_i s_j / σ²,   ∂F/∂c_j = −s_j / σ²,   ∂F/∂b_i = −(v_i − b_i) / σ²
// (tests/models/rbm-cpu.test.ts checks it against the engine's backward() of F).

import type { Rng } from '../../engine/index';
import { cdGradientWasm, gibbsKernel, sweepWasm } from './gibbs-wasm';

/** The RBM's parameters as arrays: W [V, H] row-major, visible biases b [V], hidden biases c [H]. */
export interface RbmArrays {
  weight: ArrayLike<number>;
  visibleBias: ArrayLike<number>;
  hiddenBias: ArrayLike<number>;
}

/**
 * Where a sweep's random numbers come from: n·H uniforms, then n·V normals N(0, std²), per sweep
 * (tests may substitute their own). With `rng`, the WebAssembly kernel draws the uniforms from
 * that generator's stream itself, the numbers `uniforms` would give.
 */
export interface SweepNoise {
  rng?: Rng;
  uniforms(out: Float32Array): void;
  normals(out: Float32Array, std: number): void;
}

/** The engine's own stream: the same numbers as rand(shape, rng) and randn(shape, rng, { std }). */
export function engineNoise(rng: Rng): SweepNoise {
  return { rng, uniforms: (out) => rng.fillUniform(out), normals: (out, std) => rng.fillNormal(out, 0, std) };
}

/** |a| beyond which sigmoid(a) rounds past every uniform: the unit is on (a > 0) or off for sure. */
const SATURATED = 20;

export interface CdGradient {
  weight: Float32Array;
  visibleBias: Float32Array;
  hiddenBias: Float32Array;
  /** mean F(v₀): the data's free energy. */
  dataEnergy: number;
}

export class RbmCpu {
  private uniforms = new Float32Array(0);
  private readonly invVar: number;

  /**
   * V visible units, H hidden units, visible std σ. The loops run in the WebAssembly SIMD kernel
   * (gibbs-wasm.ts, the same bits) where it compiles, unless `wasm` is false.
   */
  constructor(readonly visible: number, readonly hidden: number, readonly sigma: number, private readonly wasm = true) {
    this.invVar = 1 / sigma ** 2;
  }

  /**
   * `sweeps` Gibbs sweeps v → h → v' of the n rows in `v` (n·V numbers, changed in place).
   * With `recon`, the first sweep also writes the mean squared reconstruction error of the
   * starting rows, mean_rows ‖v − E[v | h₁]‖², into recon[0].
   */
  sweep(p: RbmArrays, v: Float32Array, sweeps: number, noise: SweepNoise, recon?: Float64Array): void {
    const kernel = this.wasm ? gibbsKernel() : null;
    if (kernel) return sweepWasm(kernel, p, v, this.visible, this.hidden, this.sigma, this.invVar, sweeps, noise, recon);
    const { visible: V, hidden: H, invVar, sigma } = this;
    const n = v.length / V;
    if (this.uniforms.length < n * H) this.uniforms = new Float32Array(n * H);
    const u = this.uniforms.subarray(0, n * H);
    const normals = new Float32Array(n * V);
    const W = p.weight;
    const b = p.visibleBias;
    const c = p.hiddenBias;
    const m = new Float64Array(V);
    for (let s = 0; s < sweeps; s++) {
      noise.uniforms(u);
      noise.normals(normals, sigma);
      let error = 0;
      for (let r = 0; r < n; r++) {
        const row = r * V;
        const ur = r * H;
        m.fill(0);
        if (V === 1) {
          // The common 1D case, without the inner loops over visible units.
          const x = v[row];
          let acc = 0;
          for (let j = 0; j < H; j++) {
            const a = (c[j] + x * W[j]) * invVar;
            if (a > SATURATED || (a > -SATURATED && u[ur + j] * (1 + Math.exp(-a)) < 1)) acc += W[j]; // u < sigmoid(a)
          }
          m[0] = acc;
        } else {
          for (let j = 0; j < H; j++) {
            let a = c[j];
            for (let i = 0; i < V; i++) a += v[row + i] * W[i * H + j];
            a *= invVar;
            if (a > SATURATED || (a > -SATURATED && u[ur + j] * (1 + Math.exp(-a)) < 1)) for (let i = 0; i < V; i++) m[i] += W[i * H + j];
          }
        }
        for (let i = 0; i < V; i++) {
          const mean = b[i] + m[i];
          if (s === 0 && recon) error += (v[row + i] - mean) ** 2;
          v[row + i] = mean + normals[row + i];
        }
      }
      if (s === 0 && recon) recon[0] = error / n;
    }
  }

  /** ∇ of L = mean F(v₀) − mean F(v_k) with respect to W, b and c, and mean F(v₀). */
  cdGradient(p: RbmArrays, v0: Float32Array, vk: Float32Array): CdGradient {
    const kernel = this.wasm ? gibbsKernel() : null;
    if (kernel) return cdGradientWasm(kernel, p, v0, vk, this.visible, this.hidden, this.invVar);
    const { visible: V, hidden: H } = this;
    const g: CdGradient = {
      weight: new Float32Array(V * H), visibleBias: new Float32Array(V), hiddenBias: new Float32Array(H), dataEnergy: 0,
    };
    const gW = new Float64Array(V * H);
    const gb = new Float64Array(V);
    const gc = new Float64Array(H);
    const positive = this.accumulate(p, v0, 1, gW, gb, gc);
    this.accumulate(p, vk, -1, gW, gb, gc);
    g.weight.set(gW);
    g.visibleBias.set(gb);
    g.hiddenBias.set(gc);
    g.dataEnergy = positive;
    return g;
  }

  /**
   * Adds sign · mean over the rows of ∇F(v) into gW, gb, gc; returns mean F(v). With sign +1 for
   * the data and −1 for the chains' ends this is the CD gradient, −(⟨v hᵀ⟩_data − ⟨v hᵀ⟩_model)/σ²
   * for W, with h replaced by its mean s = sigmoid(a).
   */
  private accumulate(p: RbmArrays, v: Float32Array, sign: number, gW: Float64Array, gb: Float64Array, gc: Float64Array): number {
    const { visible: V, hidden: H, invVar } = this;
    const W = p.weight;
    const b = p.visibleBias;
    const c = p.hiddenBias;
    const n = v.length / V;
    const scale = (sign * invVar) / n;
    let energy = 0;
    for (let r = 0; r < n; r++) {
      const row = r * V;
      for (let i = 0; i < V; i++) {
        const d = v[row + i] - b[i];
        energy += (d * d * invVar) / 2;
        gb[i] -= scale * d;
      }
      for (let j = 0; j < H; j++) {
        let a = c[j];
        for (let i = 0; i < V; i++) a += v[row + i] * W[i * H + j];
        a *= invVar;
        // sigmoid(a) and softplus(a) = max(a, 0) + log(1 + e^−|a|), from one exponential
        const e = Math.exp(-Math.abs(a));
        const s = a >= 0 ? 1 / (1 + e) : e / (1 + e);
        if (sign > 0) energy -= Math.max(a, 0) + Math.log1p(e);
        gc[j] -= scale * s;
        for (let i = 0; i < V; i++) gW[i * H + j] -= scale * v[row + i] * s;
      }
    }
    return energy / n;
  }
}
