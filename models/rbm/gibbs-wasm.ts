// The RBM's Gibbs sweeps and CD gradient through the WebAssembly SIMD kernel (gibbs.wat, read it
// for the loops): the operands are copied into the kernel's memory, the kernel draws the sweep's
// uniforms itself (Philox, the engine's stream), decides the hidden units and sums h·Wᵀ; the
// visible half of the sweep (n·V numbers) stays in JavaScript. Results are the JavaScript loops'
// of rbm-cpu.ts bit for bit (tests/models/rbm-cpu.test.ts).
//
// Memory, in bytes from 0 (each part 16-aligned; Hp = H rounded up to 4, np = n rounded up to 4):
//   W [V, Hp] f64 (padding −0) | c [Hp] f64 | v₀ [np, V] f32 | v_k [np, V] f32 | u [n·H + 4H + 32] f32 |
//   m [np/4, V, 4] f64 (blocks of four rows) | gW [V, Hp] f64 | gc [Hp] f64 | sp [n, Hp/32, 2, 2] f64

import gibbsBytes from './gibbs.wat';
import sharedGibbsBytes from './gibbs.wat?shared';
import { cpuThreadLimit } from '../../kernels/cpu/gemm-wasm';
import { instantiate } from '../../kernels/cpu/wasm-instance';
import { createKernelThreads, type KernelThreads } from '../../kernels/cpu/wasm-threads';
import type { Rng } from '../../engine/index';

type UniformsFn = (k0: number, k1: number, firstLo: number, firstHi: number, groups: number, out: number) => void;
type SweepRowsFn = (k0: number, k1: number, firstLo: number, firstHi: number, ...hidden: Parameters<HiddenFn>) => void;
type HiddenFn = (W: number, c: number, v: number, u: number, m: number, V: number, H: number, Hp: number, r0: number, r1: number, invVar: number) => void;
type GradientFn = (
  W: number, c: number, v: number, n: number, V: number, H: number, Hp: number, j0: number, j1: number,
  invVar: number, scale: number, gW: number, gc: number, energy: number, sp: number,
) => void;
type ArrayFn = (x: number, out: number, count: number) => void;

export interface GibbsKernel {
  memory: WebAssembly.Memory;
  uniforms: UniformsFn;
  hidden: HiddenFn;
  /** uniforms then hidden for a band of rows: one thread's share of a sweep. */
  sweepRows: SweepRowsFn;
  gradient: GradientFn;
  /** For the tests: e^x exactly (float64 pairs), and the float32 first-test exponential (quads). */
  expArray: ArrayFn;
  expFastArray: ArrayFn;
}

/** The module's bytes: exported for the tests. */
export function gibbsModuleBytes(): Uint8Array<ArrayBuffer> {
  return gibbsBytes;
}

let kernel: GibbsKernel | null | undefined; // undefined: not tried yet; null: unavailable here
let threads: KernelThreads | null = null;

/**
 * The kernel, compiled on first use; null where WebAssembly SIMD is missing or refused (then
 * rbm-cpu.ts's JavaScript loops run). Where shared memory and a second core are there (and
 * setCpuThreads allows more than one thread), it lives on a shared memory with worker threads.
 */
export function gibbsKernel(): GibbsKernel | null {
  if (kernel === undefined) {
    threads = cpuThreadLimit() > 1 ? createKernelThreads(sharedGibbsBytes, ['sweepRows', 'hidden', 'gradient']) : null;
    const module = threads ? { memory: threads.memory, exports: threads.exports } : instantiate(gibbsModuleBytes(), { exp: Math.exp });
    kernel = module && {
      memory: module.memory,
      ...(module.exports as unknown as Omit<GibbsKernel, 'memory'>),
    };
  }
  return kernel;
}

/** Forget the compiled kernel and stop its workers; `disable` keeps it off (the JavaScript loops run). For the tests. */
export function resetGibbsKernel(disable = false): void {
  threads?.close();
  threads = null;
  kernel = disable ? null : undefined;
}

/**
 * Hidden units (rows × H) from which a sweep, or a gradient phase, is split between threads.
 * Measured at 799 hidden units, one sweep and the gradient, best of 30 (2 cores at load 12–16):
 * 16 rows (1.3·10⁴ units) 0.33 ms on one thread against 0.38 on two, 32 rows (2.6·10⁴) even,
 * 64 rows (5.1·10⁴) 1.69 against 1.38, 128 rows 10.5 against 5.1. So from 2¹⁵ up: the training
 * step's 128 rows and the scoring chains are split; the tests' small cases run on one thread
 * unless setGibbsThreadsMinWork lowers this.
 */
export const GIBBS_THREADS_MIN_WORK = 1 << 15;
let threadsMinWork = GIBBS_THREADS_MIN_WORK;

/** For the tests: split from `work` hidden units up (undefined restores GIBBS_THREADS_MIN_WORK). */
export function setGibbsThreadsMinWork(work: number | undefined): void {
  threadsMinWork = work ?? GIBBS_THREADS_MIN_WORK;
}

/** Threads the kernel would use now for `work` hidden units: 1, or up to 1 + its ready workers (setCpuThreads limits it). */
export function gibbsThreads(work = Infinity): number {
  if (threads === null || work < threadsMinWork) return 1;
  return Math.max(1, Math.min(cpuThreadLimit(), 1 + threads.ready()));
}

/** Resolves once the workers have compiled the kernel (at most `timeoutMs`), with gibbsThreads(). */
export async function whenGibbsThreadsReady(timeoutMs = 10_000): Promise<number> {
  gibbsKernel();
  const end = Date.now() + timeoutMs;
  while (threads !== null && 1 + threads.ready() < Math.min(cpuThreadLimit(), 2) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return gibbsThreads();
}

/** Run `name` over `count` items cut into bands [lo, hi) (at multiples of `step`), one per thread: `args(lo, hi)`. */
function inBands(k: GibbsKernel, name: 'sweepRows' | 'hidden' | 'gradient', count: number, step: number, work: number, args: (lo: number, hi: number) => number[]): void {
  const bands = Math.min(gibbsThreads(work), Math.ceil(count / step));
  const edge = (t: number) => step * Math.floor((t * (count / step)) / bands);
  const shares = Array.from({ length: bands }, (_, t) => args(edge(t), t === bands - 1 ? count : edge(t + 1)));
  if (bands > 1 && threads) threads.run(name, shares);
  else for (const share of shares) (k[name] as (...a: number[]) => void)(...share);
}

const SP_START = [0, 0, 1, 1];
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
    const np = Math.ceil(n / 4) * 4;
    this.v0 = take(4 * np * V);
    this.vk = take(4 * np * V);
    this.u = take(4 * (Math.ceil(n * H / 16) * 16 + 4 * H + 32)); // whole groups of 16 uniforms, and the padding rows' reads
    this.m = take(8 * np * V);
    this.gW = take(8 * V * Hp);
    this.gc = take(8 * Hp);
    this.sp = take(32 * n * Math.ceil(Hp / 32));
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
  f32.fill(0, vAt + n * V, vAt + Math.ceil(n / 4) * 4 * V); // the padding rows of the last block of four
  const hidden = (r0: number, r1: number) => [L.W, L.c, L.v0, L.u, L.m, V, H, L.Hp, r0, r1, invVar];
  for (let s = 0; s < sweeps; s++) {
    // Bands of rows (whole blocks of four), one per thread; each row is decided and summed by one thread.
    if (noise.rng) {
      // the blocks rand([n, H]) would take, then randn([n, V]): the engine's order
      const first = noise.rng.reserve(n * H);
      const [k0, k1] = noise.rng.key;
      const key = [k0 | 0, k1 | 0, first % TWO_POW_32 | 0, Math.floor(first / TWO_POW_32) | 0];
      noise.normals(normals, sigma);
      inBands(k, 'sweepRows', n, 4, n * H, (r0, r1) => [...key, ...hidden(r0, r1)]);
    } else {
      const u = new Float32Array(n * H);
      noise.uniforms(u);
      f32.set(u, L.u / 4);
      noise.normals(normals, sigma);
      inBands(k, 'hidden', n, 4, n * H, hidden);
    }
    // v_i = b_i + m_i + σ·ε_i, where m = h Wᵀ
    let error = 0;
    const m = L.m / 8;
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < V; i++) {
        const mean = b[i] + f64[m + (r >> 2) * 4 * V + 4 * i + (r & 3)];
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
  // the free energy's hidden term by blocks of 32 units: Σ max(a, 0) from 0, Π (1 + e^−|a|) from 1
  const blocks = Math.ceil(L.Hp / 32);
  for (let at = L.sp / 8; at < L.sp / 8 + 4 * n * blocks; at += 4) f64.set(SP_START, at);
  for (const [v, at, sign] of [[v0, L.v0, 1], [vk, L.vk, -1]] as const) {
    const scale = (sign * invVar) / n;
    // bands of hidden units (whole blocks of 32), one per thread; each sum over the rows stays in one thread
    inBands(k, 'gradient', L.Hp, 32, n * H, (j0, j1) => [L.W, L.c, at, n, V, H, L.Hp, j0, j1, invVar, scale, L.gW, L.gc, sign > 0 ? 1 : 0, L.sp]);
    // the visible terms; F = Σ_i (v_i − b_i)²/2σ² − Σ_j softplus(a_j), row by row
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < V; i++) {
        const d = v[r * V + i] - b[i];
        if (sign > 0) energy += (d * d * invVar) / 2;
        gb[i] -= scale * d;
      }
      if (sign > 0) {
        for (let q = 0, at = L.sp / 8 + 4 * r * blocks; q < blocks; q++, at += 4) energy -= f64[at] + f64[at + 1] + Math.log(f64[at + 2] * f64[at + 3]);
      }
    }
  }
  const weight = new Float32Array(V * H);
  for (let i = 0; i < V; i++) weight.set(f64.subarray(L.gW / 8 + i * L.Hp, L.gW / 8 + i * L.Hp + H), i * H);
  return { weight, visibleBias: Float32Array.from(gb), hiddenBias: Float32Array.from(f64.subarray(L.gc / 8, L.gc / 8 + H)), dataEnergy: energy / n };
}
