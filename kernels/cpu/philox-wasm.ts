// Philox 4x32-10 (engine/rng.ts) in WebAssembly: many consecutive blocks of one stream per call.
//
// Each round of Philox multiplies two 32-bit words by constants and keeps both halves of the
// 64-bit products. JavaScript numbers are exact only to 2^53, so engine/rng.ts builds the high
// half from four 16-bit products; WebAssembly has 64-bit integers, so here it is one i64.mul and
// a shift. Integer arithmetic has one answer, so the words are the JavaScript function's bit for
// bit (tests/engine/philox-wasm.test.ts), and every backend still draws the same numbers.
//
//   for each block b:   counter = (first + b, its carry into the high word, 0, 0), key = (k0, k1)
//     10 rounds:  p0 = M0·c0,  p1 = M1·c2                       (64-bit products)
//                 (c0, c1, c2, c3) = (hi(p1) ^ c1 ^ k0,  lo(p1),  hi(p0) ^ c3 ^ k1,  lo(p0))
//                 k0 += W0,  k1 += W1                           (Weyl sequence, mod 2^32)
//     store c0, c1, c2, c3
//
// The module (about 150 bytes) is written by wasm-encoder.ts and compiled on first use; where
// WebAssembly is missing or refused, philoxBlocks() returns null and the caller uses JavaScript.

import { encodeModule, i32, i64, instantiate, op, type FuncDef } from './wasm-encoder';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Blocks per call: 16 bytes each, so one 64 KiB page of memory holds them all. */
export const PHILOX_CHUNK = 4096;

// Parameters, then locals (i32 unless named P0/P1).
const [K0, K1, FIRST_LO, FIRST_HI, BLOCKS] = [0, 1, 2, 3, 4];
const [C0, C1, C2, C3, KEY0, KEY1, ROUND, B, ADDR, P0, P1] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/** A uint32 constant as i64: i32.const takes the signed view of its bits; extending unsigned restores the value. */
const u32AsI64 = (n: number): number[] => [...op.i32(n | 0), ...op.extendU];

function philoxKernel(): FuncDef {
  const { get, set } = op;
  return {
    name: 'philox',
    params: [i32, i32, i32, i32, i32],
    locals: [i32, i32, i32, i32, i32, i32, i32, i32, i32, i64, i64],
    body: [
      op.i32(0), set(B), op.i32(0), set(ADDR),
      op.loop, // for B in 0 .. BLOCKS-1 (BLOCKS ≥ 1)
      // counter = first + B: the low word, and the high word plus the carry (1 when the low word wrapped)
      get(FIRST_LO), get(B), op.add, op.tee(C0),
      get(FIRST_LO), op.ltU, get(FIRST_HI), op.add, set(C1),
      op.i32(0), set(C2), op.i32(0), set(C3),
      get(K0), set(KEY0), get(K1), set(KEY1),
      op.i32(10), set(ROUND),
      op.loop, // 10 rounds
      get(C0), op.extendU, u32AsI64(M0), op.mul64, set(P0),
      get(C2), op.extendU, u32AsI64(M1), op.mul64, set(P1),
      get(P1), op.i64(32), op.shrU64, op.wrap, get(C1), op.xor, get(KEY0), op.xor, set(C0),
      get(P1), op.wrap, set(C1),
      get(P0), op.i64(32), op.shrU64, op.wrap, get(C3), op.xor, get(KEY1), op.xor, set(C2),
      get(P0), op.wrap, set(C3),
      get(KEY0), op.i32(W0 | 0), op.add, set(KEY0),
      get(KEY1), op.i32(W1 | 0), op.add, set(KEY1),
      get(ROUND), op.i32(1), op.sub, op.tee(ROUND), op.brIf(0),
      op.end,
      get(ADDR), get(C0), op.store32(0),
      get(ADDR), get(C1), op.store32(4),
      get(ADDR), get(C2), op.store32(8),
      get(ADDR), get(C3), op.store32(12),
      get(ADDR), op.i32(16), op.add, set(ADDR),
      get(B), op.i32(1), op.add, op.tee(B), get(BLOCKS), op.ltU, op.brIf(0),
      op.end,
    ],
  };
}

/** The module's bytes: exported for the tests. */
export function philoxModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([philoxKernel()]);
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
