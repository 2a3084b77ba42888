// The large products of the CPU GEMM in WebAssembly SIMD: one kernel, written as text in
// gemm.wat (read it for the loops), assembled by wabt at build time, compiled once on first use,
// and fed through a memory that JavaScript copies the operands into.
//
//   C[i, j] = init[j] + Σ_p A[i, p] · B[p, j]      (init: the bias row, or 0)
//
// Register blocking: C is cut into 4 × 8 blocks; a block lives in 8 vectors of 4 float32 lanes
// (a row is 2 vectors) for the whole sum over p. Each step p loads the 8 values B[p, j..j+7]
// (2 vectors), and for each of the 4 rows broadcasts A[i, p] to all lanes ("splat") and does
//   acc[r] = acc[r] + splat(A[i+r, p]) · B[p, j..j+7]
// so 2 + 4 loads feed 32 multiply-adds. The rounding is float32's, step by step: the product is
// rounded to float32 (f32x4.mul), then the sum (f32x4.add), in the order p = 0, 1, ... . The
// JavaScript loops of matmul.ts round the same way, so both give the same bits and the choice
// between them (by size) never changes a result.
// (A variant that kept JavaScript's double-precision products bit for bit, computing in f64x2
// lanes and rounding each sum to float32, ran at 2.6–3.7 GFLOP/s here: no faster than the plain
// loops. In float32 lanes the kernel does 20–31 GFLOP/s on the wide GAN's products, close to
// the 8 floating-point operations per cycle that one core's separate vector multiply and add allow.)
//
// Layouts the kernel reads: A[i, p] at a + i·sAi + p·sAp bytes (so A may be stored transposed:
// sAi = 4, sAp = 4·m), B[p, j..j+7] contiguous at b + p·ldb + 4·j (B stored [k, n]; a transposed B
// is transposed while copied in), init as one row of nPad floats, C row-major with ldc bytes per
// row (written, never read). Edges: the caller pads m to a multiple of 4 and n to a multiple of 8;
// the padded rows and columns compute garbage that is never copied out (each C[i, j] reads only
// row i of A and column j of B). The memory grows to the largest product seen and keeps its size.

import gemmBytes from './gemm.wat';
import { createThreadedGemm, THREADS_MIN_WORK, type GemmFn, type ThreadedGemm } from './gemm-threads';
import { instantiate } from './wasm-instance';

/** The module's bytes (about 700): exported for the tests. */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  return gemmBytes;
}

interface Instance {
  memory: WebAssembly.Memory;
  heap: Float32Array;
  /** The kernel over all block rows: on this thread, or split between threads (gemm-threads.ts). */
  run(args: Parameters<GemmFn>, work: number): void;
  threads: ThreadedGemm | null;
}

let instance: Instance | null | undefined; // undefined: not tried yet; null: unavailable here
let threadLimit = Infinity; // setCpuThreads
let threadsMinWork = THREADS_MIN_WORK; // setCpuThreadsMinWork

/**
 * Whether the kernel is compiled and ready (compiling it on the first call): false where
 * WebAssembly SIMD is missing (an old engine: the validator rejects the 0xfd opcodes) or
 * compilation is refused (a page whose Content-Security-Policy allows neither 'wasm-unsafe-eval'
 * nor 'unsafe-eval'). Then the JavaScript loops do every product. Where shared memory and a
 * second core are there, the kernel runs on a shared memory with worker threads.
 */
export function wasmGemmAvailable(): boolean {
  if (instance === undefined) instance = threadedInstance() ?? singleInstance();
  return instance !== null;
}

function singleInstance(): Instance | null {
  const module = instantiate(gemmModuleBytes());
  if (module === null) return null;
  const gemm = module.exports.gemm as GemmFn;
  return { memory: module.memory, heap: new Float32Array(module.memory.buffer), run: (args) => gemm(...args), threads: null };
}

function threadedInstance(): Instance | null {
  if (threadLimit <= 1 || typeof WebAssembly !== 'object' || !WebAssembly.validate(gemmModuleBytes())) return null;
  const threads = createThreadedGemm();
  if (threads === null) return null;
  return {
    memory: threads.memory,
    heap: new Float32Array(threads.memory.buffer),
    run: (args, work) => (work >= threadsMinWork ? threads.run(args, threadLimit) : threads.gemm(...args)),
    threads,
  };
}

/**
 * Threads for the large float32 products: 1 keeps them on this thread; Infinity (the default)
 * uses every core, a worker per core beyond the first. Takes effect from the next product;
 * results are the same bits either way.
 */
export function setCpuThreads(count: number): void {
  if (count !== Infinity && (!Number.isInteger(count) || count < 1)) throw new Error(`setCpuThreads: expected a whole number ≥ 1 (or Infinity), got ${String(count)}`);
  threadLimit = count;
}

/** The thread limit that setCpuThreads set (Infinity: every core); other kernels with worker threads follow it. */
export function cpuThreadLimit(): number {
  return threadLimit;
}

/** The multiply-adds from which a product is split between threads (benchmarks); undefined restores THREADS_MIN_WORK. */
export function setCpuThreadsMinWork(work: number | undefined): void {
  threadsMinWork = work ?? THREADS_MIN_WORK;
}

/** Threads that the large products use now: 1, or 1 + the workers that are ready. */
export function cpuThreads(): number {
  if (!wasmGemmAvailable() || instance!.threads === null) return 1;
  return Math.min(threadLimit, 1 + instance!.threads.ready());
}

/** How many products have been split between threads since the kernel was set up (tests, the page's note). */
export function cpuThreadSplits(): number {
  return instance?.threads?.splits() ?? 0;
}

/** Resolves once the worker threads have compiled the kernel (at most `timeoutMs`), with cpuThreads(). */
export async function whenCpuThreadsReady(timeoutMs = 10_000): Promise<number> {
  const threads = wasmGemmAvailable() ? instance!.threads : null;
  const end = Date.now() + timeoutMs;
  while (threads !== null && threads.ready() < threads.workers && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return cpuThreads();
}

/** The wasm memory as floats, grown to hold at least `floats` of them; null if it cannot grow that far (4 GiB at most). */
function heapOf(inst: Instance, floats: number): Float32Array | null {
  const bytes = floats * 4;
  if (inst.memory.buffer.byteLength < bytes) {
    try {
      inst.memory.grow(Math.ceil((bytes - inst.memory.buffer.byteLength) / 65536));
    } catch {
      return null;
    }
    inst.heap = new Float32Array(inst.memory.buffer); // growing detaches the old view
  }
  return inst.heap;
}

/** The kernel's epilogue: 0 none, 1 ReLU, 2 LeakyReLU. */
export type GemmEpilogue = 0 | 1 | 2;

/** α's float64 as two 32-bit words (little-endian: low word first), for the kernel's i32 arguments. */
const alphaBits = new Float64Array(1);
const alphaWords = new Int32Array(alphaBits.buffer);

/**
 * out[oo + i·n + j] = init[j] + Σ_p A[i, p] · B[p, j] for float32 operands, with A[i, p] at
 * a[ao + i·sAi + p·sAp] and B[p, j] at b[bo + p·n + j] (or b[bo + j·k + p] when transB).
 * With `act`, the epilogue runs in the kernel as each block is stored: 1 ReLU, 2 LeakyReLU of
 * slope `alpha` (gemm.wat; the op table's rows bit for bit), so no JavaScript pass follows.
 * Call only when wasmGemmAvailable(). Returns false, having done nothing, when the operands do
 * not fit in the kernel's memory (or k = 0 with an epilogue); then the caller computes the
 * product, and the activation, in JavaScript.
 */
export function wasmGemm(
  a: Float32Array, ao: number, sAi: number, sAp: number,
  b: Float32Array, bo: number, transB: boolean,
  out: Float32Array, oo: number, m: number, k: number, n: number,
  init: Float32Array | null, act: GemmEpilogue = 0, alpha = 0,
): boolean {
  const inst = instance!;
  if (k === 0 && act !== 0) return false;
  const mPad = Math.ceil(m / 4) * 4;
  const nPad = Math.ceil(n / 8) * 8;
  // Regions, in floats: A as stored (the padded rows read a little past it: slack up to mPad·k),
  // then B as [k, nPad], the init row (nPad), and C as [mPad, nPad].
  const aLen = m * k;
  const aBase = 0;
  const bBase = aBase + Math.max(aLen, mPad * k) + 4;
  const initBase = bBase + k * nPad;
  const cBase = initBase + nPad;
  const heap = heapOf(inst, cBase + mPad * nPad);
  if (heap === null) return false;
  heap.set(a.subarray(ao, ao + aLen), aBase);
  if (!transB && nPad === n) heap.set(b.subarray(bo, bo + k * n), bBase);
  else {
    if (transB) {
      // Stored [n, k]: read each row of it in order, write it as a column.
      for (let j = 0; j < n; j++) for (let p = 0, src = bo + j * k; p < k; p++) heap[bBase + p * nPad + j] = b[src + p];
    } else for (let p = 0; p < k; p++) heap.set(b.subarray(bo + p * n, bo + p * n + n), bBase + p * nPad);
    for (let p = 0; p < k; p++) heap.fill(0, bBase + p * nPad + n, bBase + (p + 1) * nPad);
  }
  if (init) heap.set(init.subarray(0, n), initBase);
  else heap.fill(0, initBase, initBase + n);
  heap.fill(0, initBase + n, initBase + nPad);
  if (k === 0) {
    for (let i = 0; i < m; i++) out.set(heap.subarray(initBase, initBase + n), oo + i * n);
    return true;
  }
  alphaBits[0] = alpha;
  inst.run([aBase * 4, sAi * 4, sAp * 4, bBase * 4, nPad * 4, initBase * 4, cBase * 4, nPad * 4, mPad / 4, nPad / 8, k, act, alphaWords[0], alphaWords[1]], m * k * n);
  if (nPad === n) out.set(heap.subarray(cBase, cBase + m * n), oo);
  else for (let i = 0; i < m; i++) out.set(heap.subarray(cBase + i * nPad, cBase + i * nPad + n), oo + i * n);
  return true;
}

/** Forget the compiled kernel: the next product detects WebAssembly SIMD again (for the tests of the fallback). */
export function resetWasmGemm(): void {
  instance?.threads?.close();
  instance = undefined;
}
