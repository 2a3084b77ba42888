// The RBM's Gibbs sweeps and CD gradient through the WebAssembly SIMD kernel (gibbs.wat, read it
// for the loops): the operands are copied into the kernel's memory, the kernel draws the sweep's
// uniforms itself (Philox, the engine's stream), decides the hidden units and sums h·Wᵀ; the
// visible half of the sweep (n·V numbers) stays in JavaScript. Results are the JavaScript loops'
// of rbm-cpu.ts bit for bit (tests/models/rbm-cpu.test.ts).
//
// Memory, in bytes from 0 (each part 16-aligned; Hp = H rounded up to 4):
//   W [V, Hp] f64 (padding −0) | c [Hp] f64 | v₀ [n, V] f32 | v_k [n, V] f32 | u [n·H + 32] f32 |
//   m [n, V] f64 | gW [V, Hp] f64 | gc [Hp] f64 | sp [n, Hp] f64

import gibbsBytes from './gibbs.wat';
import { instantiate } from '../../kernels/cpu/wasm-instance';
import type { Rng } from '../../engine/index';

type UniformsFn = (k0: number, k1: number, firstLo: number, firstHi: number, groups: number, out: number) => void;
type HiddenFn = (W: number, c: number, v: number, u: number, m: number, V: number, H: number, Hp: number, r0: number, r1: number, invVar: number) => void;
type GradientFn = (
  W: number, c: number, v: number, n: number, V: number, Hp: number, j0: number, j1: number,
  invVar: number, scale: number, gW: number, gc: number, energy: number, sp: number,
) => void;
type ArrayFn = (x: number, out: number, count: number) => void;

export interface GibbsKernel {
  memory: WebAssembly.Memory;
  uniforms: UniformsFn;
  hidden: HiddenFn;
  gradient: GradientFn;
  /** For the tests: e^x exactly (float64 pairs), log(1 + x) (pairs), and the float32 first-test exponential (quads). */
  expArray: ArrayFn;
  log1pArray: ArrayFn;
  expFastArray: ArrayFn;
}

/** The module's bytes: exported for the tests. */
export function gibbsModuleBytes(): Uint8Array<ArrayBuffer> {
  return gibbsBytes;
}

let kernel: GibbsKernel | null | undefined; // undefined: not tried yet; null: unavailable here

/** The kernel, compiled on first use; null where WebAssembly SIMD is missing or refused (then rbm-cpu.ts's JavaScript loops run). */
export function gibbsKernel(): GibbsKernel | null {
  if (kernel === undefined) {
    const module = instantiate(gibbsModuleBytes(), { exp: Math.exp });
    kernel = module && {
      memory: module.memory,
      ...(module.exports as unknown as Omit<GibbsKernel, 'memory'>),
    };
  }
  return kernel;
}

/** Forget the compiled kernel; `disable` keeps it off (the JavaScript loops run). For the tests. */
export function resetGibbsKernel(disable = false): void {
  kernel = disable ? null : undefined;
}

const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
const TWO_POW_32 = 4294967296;

/** Byte offsets of the parts, for n rows, V visible and H hidden units. */
class Layout {
  readonly Hp: number;
  readonly W: number; readonly c: number; readonly v0: number; readonly vk: number; readonly u: number;
  readonly m: number; readonly gW: number; readonly gc: number; readonly sp: number; readonly end: number;

  constructor(readonly n: number, readonly V: number, readonly H: number) {
    const Hp = (this.Hp = Math.ceil(H / 4) * 4);
    let at = 0;
    const take = (bytes: number) => { const start = at; at += align(bytes); return start; };
    this.W = take(8 * V * Hp);
    this.c = take(8 * Hp);
    this.v0 = take(4 * n * V);
    this.vk = take(4 * n * V);
    this.u = take(4 * (Math.ceil(n * H / 16) * 16 + 32)); // whole groups of 16 uniforms, and the last row's 4-lane reads
    this.m = take(8 * n * V);
    this.gW = take(8 * V * Hp);
    this.gc = take(8 * Hp);
    this.sp = take(8 * n * Hp);
    this.end = at;
  }
}

/** The parameters, as rbm-cpu.ts's RbmArrays. */
export interface GibbsParameters {
  weight: ArrayLike<number>;
  visibleBias: ArrayLike<number>;
  hiddenBias: ArrayLike<number>;
}

/** The kernel's memory as typed arrays, grown to hold `layout`. */
function views(k: GibbsKernel, layout: Layout): { f32: Float32Array; f64: Float64Array } {
  const have = k.memory.buffer.byteLength;
  if (have < layout.end) k.memory.grow(Math.ceil((layout.end - have) / 65536));
  return { f32: new Float32Array(k.memory.buffer), f64: new Float64Array(k.memory.buffer) };
}

/** W [V, H] → [V, Hp] float64 padded with −0 (adds nothing to m), c → [Hp] padded with 0. */
function writeParameters(f64: Float64Array, L: Layout, p: GibbsParameters): void {
  const { V, H, Hp } = L;
  for (let i = 0; i < V; i++) {
    const row = L.W / 8 + i * Hp;
    for (let j = 0; j < H; j++) f64[row + j] = p.weight[i * H + j];
    f64.fill(-0, row + H, row + Hp);
  }
  for (let j = 0; j < H; j++) f64[L.c / 8 + j] = p.hiddenBias[j];
  f64.fill(0, L.c / 8 + H, L.c / 8 + Hp);
}

/** Where a sweep's numbers come from: the engine's generator (the kernel draws the uniforms), or arrays filled by the caller. */
export interface KernelNoise {
  rng?: Rng;
  uniforms(out: Float32Array): void;
  normals(out: Float32Array, std: number): void;
}

/**
 * `sweeps` Gibbs sweeps v → h → v' of the rows in `v` (changed in place), as RbmCpu.sweep; with
 * `recon`, the first sweep's mean squared reconstruction error of the starting rows goes to recon[0].
 */
export function sweepWasm(
  k: GibbsKernel, p: GibbsParameters, v: Float32Array, V: number, H: number, sigma: number, invVar: number,
  sweeps: number, noise: KernelNoise, recon?: Float64Array,
): void {
  const n = v.length / V;
  const L = new Layout(n, V, H);
  const { f32, f64 } = views(k, L);
  writeParameters(f64, L, p);
  const b = p.visibleBias;
  const normals = new Float32Array(n * V);
  const vAt = L.v0 / 4;
  f32.set(v, vAt);
  const groups = Math.ceil(n * H / 16);
  for (let s = 0; s < sweeps; s++) {
    if (noise.rng) {
      // the blocks rand([n, H]) would take, then randn([n, V]): the engine's order
      const first = noise.rng.reserve(n * H);
      const [k0, k1] = noise.rng.key;
      k.uniforms(k0 | 0, k1 | 0, first % TWO_POW_32 | 0, Math.floor(first / TWO_POW_32) | 0, groups, L.u);
    } else {
      const u = new Float32Array(n * H);
      noise.uniforms(u);
      f32.set(u, L.u / 4);
    }
    noise.normals(normals, sigma);
    k.hidden(L.W, L.c, L.v0, L.u, L.m, V, H, L.Hp, 0, n, invVar);
    // v_i = b_i + m_i + σ·ε_i, where m = h Wᵀ
    let error = 0;
    const m = L.m / 8;
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < V; i++) {
        const mean = b[i] + f64[m + r * V + i];
        if (s === 0 && recon) error += (f32[vAt + r * V + i] - mean) ** 2;
        f32[vAt + r * V + i] = mean + normals[r * V + i];
      }
    }
    if (s === 0 && recon) recon[0] = error / n;
  }
  v.set(f32.subarray(vAt, vAt + n * V));
}

/** The CD gradient and mean F(v₀), as RbmCpu.cdGradient. */
export function cdGradientWasm(
  k: GibbsKernel, p: GibbsParameters, v0: Float32Array, vk: Float32Array, V: number, H: number, invVar: number,
): { weight: Float32Array; visibleBias: Float32Array; hiddenBias: Float32Array; dataEnergy: number } {
  const n = v0.length / V;
  const L = new Layout(n, V, H);
  const { f32, f64 } = views(k, L);
  writeParameters(f64, L, p);
  f32.set(v0, L.v0 / 4);
  f32.set(vk, L.vk / 4);
  f64.fill(0, L.gW / 8, L.gW / 8 + V * L.Hp);
  f64.fill(0, L.gc / 8, L.gc / 8 + L.Hp);
  const b = p.visibleBias;
  const gb = new Float64Array(V);
  let energy = 0;
  for (const [v, at, sign] of [[v0, L.v0, 1], [vk, L.vk, -1]] as const) {
    const scale = (sign * invVar) / n;
    k.gradient(L.W, L.c, at, n, V, L.Hp, 0, L.Hp, invVar, scale, L.gW, L.gc, sign > 0 ? 1 : 0, L.sp);
    // the visible terms, and F's sum in the JavaScript loops' order: row by row, visible then hidden
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < V; i++) {
        const d = v[r * V + i] - b[i];
        if (sign > 0) energy += (d * d * invVar) / 2;
        gb[i] -= scale * d;
      }
      if (sign > 0) for (let j = 0, at = L.sp / 8 + r * L.Hp; j < H; j++) energy -= f64[at + j];
    }
  }
  const weight = new Float32Array(V * H);
  for (let i = 0; i < V; i++) weight.set(f64.subarray(L.gW / 8 + i * L.Hp, L.gW / 8 + i * L.Hp + H), i * H);
  return { weight, visibleBias: Float32Array.from(gb), hiddenBias: Float32Array.from(f64.subarray(L.gc / 8, L.gc / 8 + H)), dataEnergy: energy / n };
}
