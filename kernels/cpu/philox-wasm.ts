// Philox 4x32-10 (engine/rng.ts) in WebAssembly: many consecutive blocks of one stream per call.
//
// The kernel is written as text in philox.wat (read it for the rounds), assembled by wabt at
// build time and compiled on first use. Integer arithmetic has one answer, so its words are
// engine/rng.ts's bit for bit (tests/engine/philox-wasm.test.ts), and every backend still draws
// the same numbers. Where WebAssembly is missing or refused, philoxBlocks() returns null and the
// caller uses JavaScript.

import philoxBytes from './philox.wat';
import { instantiate } from './wasm-instance';

/** Blocks per call: 16 bytes each, so one 64 KiB page of memory holds them all. */
export const PHILOX_CHUNK = 4096;

/** The module's bytes: exported for the tests. */
export function philoxModuleBytes(): Uint8Array<ArrayBuffer> {
  return philoxBytes;
}

type PhiloxFn = (k0: number, k1: number, firstLo: number, firstHi: number, blocks: number) => void;

let kernel: { philox: PhiloxFn; words: Uint32Array } | null | undefined; // undefined: not tried yet; null: unavailable

const TWO_POW_32 = 4294967296;

/**
 * The 4·count words of blocks first .. first+count−1 of the stream with key (k0, k1), count ≤
 * PHILOX_CHUNK: a view into the kernel's memory, valid until the next call. Null where
 * WebAssembly is missing or refused (a page whose Content-Security-Policy forbids compiling it).
 */
export function philoxBlocks(k0: number, k1: number, first: number, count: number): Uint32Array | null {
  if (kernel === undefined) {
    const module = instantiate(philoxModuleBytes());
    kernel = module && { philox: module.exports.philox as PhiloxFn, words: new Uint32Array(module.memory.buffer) };
  }
  if (kernel === null || count < 1 || count > PHILOX_CHUNK) return null;
  kernel.philox(k0 | 0, k1 | 0, first % TWO_POW_32 | 0, Math.floor(first / TWO_POW_32) | 0, count);
  return kernel.words.subarray(0, 4 * count);
}

/** Forget the compiled kernel (for the tests of the JavaScript fallback); `disable` keeps it off. */
export function resetPhiloxWasm(disable = false): void {
  kernel = disable ? null : undefined;
}
