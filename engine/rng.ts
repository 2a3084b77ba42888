// Counter-based random numbers: Philox 4x32-10 (Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC 2011).
//
// A counter-based generator is a pure function  block = philox(key, counter)  that turns a
// 128-bit counter into 128 random bits. There is no hidden state to carry between draws: the
// n-th block of a stream can be computed directly, by a CPU loop or by one GPU thread each.
// That is what lets kernels/webgpu/random.wgsl produce the very same numbers on the device.
//
// Layout used everywhere in gradlab (CPU and WGSL alike):
//   key     = (seed mod 2^32, floor(seed / 2^32))
//   counter = (block mod 2^32, floor(block / 2^32), 0, 0)
//   uniform = ((bits >>> 9) + 0.5) * 2^-23        in (0, 1), exact in float32
//   normals = Box-Muller on lanes (0, 1) and (2, 3) of a block:
//             r = sqrt(-2 ln u0), z0 = r cos(2 pi u1), z1 = r sin(2 pi u1)
// Element i of a fill uses lane i % 4 of block (start + floor(i / 4)); a fill of n values
// advances the generator by ceil(n / 4) blocks, a scalar draw by one block.

import { PHILOX_CHUNK, philoxBlocks } from '../kernels/cpu/philox-wasm';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (JS numbers are exact only to 2^53). */
function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const loHi = aLo * bHi;
  const hiLo = aHi * bLo;
  const cross = (loLo >>> 16) + (loHi & 0xffff) + (hiLo & 0xffff);
  return (aHi * bHi + (loHi >>> 16) + (hiLo >>> 16) + (cross >>> 16)) >>> 0;
}

/** Philox 4x32 with 10 rounds. Writes 4 uint32 into `out`. */
export function philox4x32(
  k0: number, k1: number,
  c0: number, c1: number, c2: number, c3: number,
  out: Uint32Array,
): void {
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

const TWO_POW_32 = 4294967296;
const INV_2_23 = 1 / 8388608;

const jsBlock = new Uint32Array(4);
const jsWords = new Uint32Array(4 * PHILOX_CHUNK);

/**
 * The 4·count words of `count` consecutive blocks (count ≤ PHILOX_CHUNK) of the stream with key
 * (k0, k1), from block `first`: a view valid until the next call. The WebAssembly kernel
 * (kernels/cpu/philox-wasm.ts, the same words about ten times faster) computes them where it
 * runs, philox4x32 above elsewhere.
 */
export function philoxWords(k0: number, k1: number, first: number, count: number): Uint32Array {
  const words = philoxBlocks(k0, k1, first, count);
  if (words !== null) return words;
  for (let b = 0; b < count; b++) {
    const c = first + b;
    philox4x32(k0, k1, c % TWO_POW_32 >>> 0, Math.floor(c / TWO_POW_32) >>> 0, 0, 0, jsBlock);
    jsWords.set(jsBlock, 4 * b);
  }
  return jsWords.subarray(0, 4 * count);
}

/**
 * Walk the words of blocks first, first+1, ... that n elements take (element i: word i % 4 of
 * block first + floor(i / 4)), a chunk at a time: `fill(words, i0, count)` stores elements i0 ..
 * i0+count−1 from words[0 .. count). Chunks hold whole blocks, so Box-Muller's pairs never split.
 */
export function forEachPhiloxChunk(k0: number, k1: number, first: number, n: number, fill: (words: Uint32Array, i0: number, count: number) => void): void {
  for (let i0 = 0; i0 < n; i0 += 4 * PHILOX_CHUNK) {
    const words = philoxWords(k0, k1, first + i0 / 4, Math.min(PHILOX_CHUNK, Math.ceil((n - i0) / 4)));
    fill(words, i0, Math.min(n - i0, words.length));
  }
}

/** uint32 random bits -> uniform in (0, 1); the same formula is used in WGSL. */
export function bitsToUniform(bits: number): number {
  return ((bits >>> 9) + 0.5) * INV_2_23;
}

export type FloatArray = Float32Array | Float64Array;

/** A serialisable snapshot of a generator: enough to resume the exact stream. */
export interface RngState {
  seed: number;
  counter: number;
}

export interface Rng {
  readonly seed: number;
  /** The Philox key words, for kernels that regenerate this stream on a device. */
  readonly key: readonly [number, number];
  /** One uniform in (0, 1). */
  uniform(): number;
  /** One standard normal. */
  normal(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** Fill `out` with uniforms in (lo, hi). */
  fillUniform(out: FloatArray, lo?: number, hi?: number): void;
  /** Fill `out` with normals of the given mean and std. */
  fillNormal(out: FloatArray, mean?: number, std?: number): void;
  /**
   * Reserve the blocks a fill of n values would use and return the first block index.
   * The WebGPU backend calls this, then generates the values on the device.
   */
  reserve(n: number): number;
  /** Derive an independent generator (a different key) for a named purpose. */
  fork(): Rng;
  getState(): RngState;
  setState(state: RngState): void;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
    throw new Error(`createRng: seed must be a non-negative safe integer, got ${seed}`);
  }
}

class Philox implements Rng {
  private k0: number;
  private k1: number;
  private counter = 0;
  private readonly block = new Uint32Array(4);

  constructor(readonly seed: number) {
    checkSeed(seed);
    this.k0 = seed % TWO_POW_32 >>> 0;
    this.k1 = Math.floor(seed / TWO_POW_32) >>> 0;
  }

  /** Compute block number `index` of this stream into this.block. */
  private computeBlock(index: number): Uint32Array {
    philox4x32(this.k0, this.k1, index % TWO_POW_32 >>> 0, Math.floor(index / TWO_POW_32) >>> 0, 0, 0, this.block);
    return this.block;
  }

  reserve(n: number): number {
    const start = this.counter;
    this.counter += Math.max(1, Math.ceil(n / 4));
    return start;
  }

  uniform(): number {
    return bitsToUniform(this.computeBlock(this.reserve(1))[0]);
  }

  normal(): number {
    const b = this.computeBlock(this.reserve(1));
    return Math.sqrt(-2 * Math.log(bitsToUniform(b[0]))) * Math.cos(2 * Math.PI * bitsToUniform(b[1]));
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`rng.int: n must be a positive integer, got ${n}`);
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  fillUniform(out: FloatArray, lo = 0, hi = 1): void {
    const n = out.length;
    const start = this.reserve(n);
    const span = hi - lo;
    forEachPhiloxChunk(this.k0, this.k1, start, n, (words, i0, count) => {
      for (let j = 0; j < count; j++) out[i0 + j] = lo + span * bitsToUniform(words[j]);
    });
  }

  fillNormal(out: FloatArray, mean = 0, std = 1): void {
    const n = out.length;
    const start = this.reserve(n);
    // Box-Muller on word pairs (0, 1) and (2, 3) of each block.
    forEachPhiloxChunk(this.k0, this.k1, start, n, (words, i0, count) => {
      for (let j = 0; j < count; j += 2) {
        const r = Math.sqrt(-2 * Math.log(bitsToUniform(words[j])));
        const theta = 2 * Math.PI * bitsToUniform(words[j + 1]);
        out[i0 + j] = mean + std * r * Math.cos(theta);
        if (j + 1 < count) out[i0 + j + 1] = mean + std * r * Math.sin(theta);
      }
    });
  }

  fork(): Rng {
    // A child seed drawn from this stream: deterministic, and far from the parent's key.
    const b = this.computeBlock(this.reserve(1));
    return new Philox((b[0] % 0x200000) * TWO_POW_32 + b[1]);
  }

  getState(): RngState {
    return { seed: this.seed, counter: this.counter };
  }

  setState(state: RngState): void {
    if (state.seed !== this.seed) throw new Error(`rng.setState: state is for seed ${state.seed}, this generator has seed ${this.seed}`);
    if (!Number.isInteger(state.counter) || state.counter < 0) throw new Error(`rng.setState: bad counter ${state.counter}`);
    this.counter = state.counter;
  }

  get key(): [number, number] {
    return [this.k0, this.k1];
  }
}

/** A seeded counter-based generator (Philox 4x32-10). Same seed, same stream, on every backend. */
export function createRng(seed = 0): Rng {
  return new Philox(seed);
}

/** Restore a generator from a snapshot taken with getState(). */
export function rngFromState(state: RngState): Rng {
  const rng = createRng(state.seed);
  rng.setState(state);
  return rng;
}
