// A tiny WebAssembly binary writer: enough to emit one module with an imported memory and a few
// exported functions, written as instruction lists that read like the text format (WAT).
// No assembler or toolchain: the bytes are built here, at run time, from this file.
// Format: the WebAssembly Core Specification 2.0, chapter 5 "Binary Format" (W3C), and the
// fixed-width SIMD proposal (128-bit vectors, opcodes after the 0xfd prefix).

/**
 * Value types: i32 (addresses, counters), i64 (Philox's 32×32 → 64-bit products) and v128 (one
 * 128-bit SIMD vector: 4 float32 lanes).
 */
export const i32 = 0x7f;
export const i64 = 0x7e;
export const v128 = 0x7b;
export type ValType = typeof i32 | typeof i64 | typeof v128;

/** Unsigned LEB128: 7 bits per byte, low bits first, the high bit set on all but the last byte. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates): like uleb, stopping once the sign bit is in place. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const utf8 = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** A memory access's immediate: log2 of the alignment, then a constant byte offset. */
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];

/** The instructions the kernels use (one array of bytes each); `x` is a local's index. */
export const op = {
  get: (x: number) => [0x20, ...uleb(x)],
  set: (x: number) => [0x21, ...uleb(x)],
  tee: (x: number) => [0x22, ...uleb(x)],
  i32: (n: number) => [0x41, ...sleb(n)],
  add: [0x6a], // i32.add
  sub: [0x6b], // i32.sub
  mul: [0x6c], // i32.mul
  ltU: [0x49], // i32.lt_u
  xor: [0x73], // i32.xor
  store32: (offset: number) => [0x36, ...memarg(2, offset)], // i32.store
  // i64, for the full product of two uint32: extend both, multiply, then take the halves.
  extendU: [0xad], // i64.extend_i32_u: uint32 -> i64
  mul64: [0x7e], // i64.mul
  shrU64: [0x88], // i64.shr_u
  i64: (n: number) => [0x42, ...sleb(n)], // i64.const (small values only: sleb works on 32 bits)
  wrap: [0xa7], // i32.wrap_i64: the low 32 bits
  // Structured control: a branch to a `loop` goes back to its start. [0x40]: no result value.
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  // SIMD
  load: (offset: number) => simd(0x00, ...memarg(4, offset)), // v128.load: 4 consecutive f32
  load32Splat: (offset: number) => simd(0x09, ...memarg(2, offset)), // one f32 into all 4 lanes
  store: (offset: number) => simd(0x0b, ...memarg(4, offset)), // v128.store
  f32x4Add: simd(0xe4), // lane-wise, each sum rounded to float32
  f32x4Mul: simd(0xe6), // lane-wise, each product rounded to float32
};

export interface FuncDef {
  name: string;
  params: ValType[];
  /** Types of the locals after the parameters (indices continue from params.length). */
  locals: ValType[];
  body: number[][];
}

/**
 * A module that imports its memory as env.memory (so JavaScript owns and grows it) and exports
 * each function by name. Functions take parameters and return nothing.
 */
export function encodeModule(funcs: FuncDef[]): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])]);
  const memoryImport = [...utf8('env'), ...utf8('memory'), 0x02, 0x00, ...uleb(1)]; // limits: min 1 page, no max
  const code = funcs.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t])); // one (count, type) entry per local
    const body = [...locals, ...f.body.flat(), ...op.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(funcs.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(code)),
  ]);
}

/**
 * Compile and instantiate a module of encodeModule() with a fresh memory of one page. Null where
 * WebAssembly is missing, the validator rejects the bytes (an engine without SIMD), or compiling
 * is refused (a page whose Content-Security-Policy allows neither 'wasm-unsafe-eval' nor
 * 'unsafe-eval'): the callers then compute in JavaScript. Compilation is synchronous, which is
 * fine for modules this small, even on a browser's main thread.
 */
export function instantiate(bytes: Uint8Array<ArrayBuffer>): { exports: WebAssembly.Exports; memory: WebAssembly.Memory } | null {
  try {
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return null;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
    return { exports, memory };
  } catch {
    return null;
  }
}
