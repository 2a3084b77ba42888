// The large products of the CPU GEMM in WebAssembly SIMD: one kernel, written as text in
// gemm.wat (read it for the loops), assembled by wabt at build time, compiled once on first use,
// on a memory that the CPU backend's float32 arrays live in (wasm-heap.ts): operands there are
// passed by address; others are copied in, and results out.
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
// row i of A and column j of B), so a C written in place has no padding: m a multiple of 4, n of 8.
// The scratch for copies grows to the largest product seen and keeps its size.

import gemmBytes from './gemm.wat';
import transposeBytes from './transpose.wat?shared';
import adamBytes from './adam.wat?shared';
import normalsBytes from './normals.wat?shared';
import { createThreadedGemm, sharedGemm, THREADS_MIN_WORK, type AdamFn, type GemmFn, type NormalsFn, type ThreadedGemm } from './gemm-threads';
import type { FloatArray } from '../../engine/backend';
import { HEAP_MIN_FLOATS, WasmHeap } from './wasm-heap';
import { float64Words, instantiate } from './wasm-instance';

/** The module's bytes (about 800): exported for the tests. */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  return gemmBytes;
}

interface Instance {
  /** The kernel's memory, with the arrays and scratch carved from it (wasm-heap.ts). */
  heap: WasmHeap;
  /** The kernel over all block rows: on this thread, or split between threads (gemm-threads.ts), claiming C where split (`claim`). */
  run(args: Parameters<GemmFn>, work: number, claim: boolean): void;
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
  const shared = sharedGemm();
  if (shared !== null) return { heap: new WasmHeap(shared.memory, true), run: (args) => shared.gemm(...args), threads: null };
  const module = instantiate(gemmModuleBytes());
  if (module === null) return null;
  const gemm = module.exports.gemm as GemmFn;
  return { heap: new WasmHeap(module.memory, false), run: (args) => gemm(...args), threads: null };
}

function threadedInstance(): Instance | null {
  if (threadLimit <= 1 || typeof WebAssembly !== 'object' || !WebAssembly.validate(gemmModuleBytes())) return null;
  const threads = createThreadedGemm();
  if (threads === null) return null;
  return {
    heap: new WasmHeap(threads.memory, true),
    run: (args, work, claim) => (work >= threadsMinWork ? threads.run(args, threadLimit, claim) : threads.gemm(...args)),
    threads,
  };
}

/**
 * A fresh Float32Array of `size` inside the kernel's memory (wasm-heap.ts: a shared memory, at
 * least HEAP_MIN_FLOATS floats), so that products read and write it in place; otherwise an
 * ordinary one. The CPU backend makes its float32 arrays here.
 */
export function cpuFloat32Array(size: number): Float32Array {
  return (size >= HEAP_MIN_FLOATS && wasmGemmAvailable() ? instance!.heap.array(size) : null) ?? new Float32Array(size);
}

/** The kernel's memory where arrays live in it (a shared one), for the other kernels that work in place (select-sum-wasm.ts); else null. */
export function kernelHeap(): WasmHeap | null {
  return wasmGemmAvailable() && instance!.heap.shared ? instance!.heap : null;
}

/**
 * Another kernel module on the GEMM kernel's memory, for the kernels that work in place on its
 * arrays (select-sum-wasm.ts, gemv-wasm.ts): a getter that instantiates `bytes` on first use
 * (and again when that memory changed: resetWasmGemm) and gives its heap with the functions
 * `pick` takes from its exports; null where there is no shared memory or instantiating fails.
 */
export function kernelsOnHeap<T extends object>(bytes: Uint8Array<ArrayBuffer>, pick: (exports: WebAssembly.Exports) => T): () => (T & { heap: WasmHeap }) | null {
  let current: (T & { heap: WasmHeap }) | null = null;
  let failed = false;
  return () => {
    const heap = kernelHeap();
    if (heap === null || failed) return null;
    if (current?.heap !== heap) {
      try {
        current = { ...pick(new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: heap.memory } }).exports), heap };
      } catch {
        failed = true;
        return null;
      }
    }
    return current;
  };
}

/** transpose.wat on the kernel's memory: B stored transposed, copied into scratch as [k, n] rows. */
const transposeHere = kernelsOnHeap(transposeBytes, (exports) => ({
  transpose: exports.transpose as (src: number, lds: number, dst: number, ldd: number, rows: number, cols: number) => void,
}));

/** Whether a B stored transposed in the kernel's memory is copied by transpose.wat (tests): a shared memory, the module compiled. */
export function wasmTransposeAvailable(): boolean {
  return transposeHere() !== null;
}

/** Whether `a` lies inside the kernel's memory (tests). */
export function inKernelMemory(a: Float32Array): boolean {
  return wasmGemmAvailable() && instance!.heap.addressOf(a, 0) >= 0;
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

/** How many chunks of split products the worker threads (not this thread) have computed (tests). */
export function cpuWorkerChunks(): number {
  return instance?.threads?.workerChunks() ?? 0;
}

/** Resolves once the worker threads have compiled the kernel (at most `timeoutMs`), with cpuThreads(). */
export async function whenCpuThreadsReady(timeoutMs = 10_000): Promise<number> {
  const threads = wasmGemmAvailable() ? instance!.threads : null;
  const end = Date.now() + timeoutMs;
  while (threads !== null && threads.ready() < threads.workers && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return cpuThreads();
}

/**
 * Fill `out` with normal draws (mean a, standard deviation b) of the Philox stream with key
 * (key0, key1) from block `counter`, in WebAssembly (normals.wat): shared with the worker threads
 * (gemm-threads.ts) from NORMALS_MIN_SPLIT draws, else on this thread. fdlibm's ln, cos and
 * sin: the bits of kernels/cpu/random.ts's loop on Math in Node 20 (tests/engine/
 * normals-wasm.test.ts compares all 2^23 uniforms). Returns false, having done nothing, where
 * `out` does not lie in the kernel's memory; then the caller runs the loop.
 */
export function wasmNormals(out: Float32Array, key0: number, key1: number, counter: number, a: number, b: number): boolean {
  if (!wasmGemmAvailable()) return false;
  const at = instance!.heap.addressOf(out, 0);
  if (at < 0) return false;
  if (instance!.threads) {
    instance!.threads.normals(at, out.length, key0, key1, counter, a, b, threadLimit);
    return true;
  }
  const kernel = normalsHere();
  if (kernel === null) return false;
  kernel.normals(at, out.length, key0, key1, counter, a, b);
  return true;
}

/** normals.wat on the kernel's memory where there are no worker threads (the threads' own instance serves this thread otherwise). */
const normalsHere = kernelsOnHeap(normalsBytes, (exports) => ({ normals: exports.normals as NormalsFn }));

/**
 * Adam's update of `param` (all of it) with `grad` and the moments m[mAt ..], v[vAt ..] (c1 =
 * 1 − β1^t, c2 = 1 − β2^t), bit for bit as adam-range.ts's loop would, in WebAssembly
 * (adam.wat) where all four arrays are float32 in the kernel's memory (and apart): shared with
 * the worker threads (gemm-threads.ts) where the parameter is large (ADAM_MIN_SPLIT elements),
 * else on this thread. Returns false, having done nothing, otherwise; then the caller runs the loop.
 */
export function wasmAdam(
  param: FloatArray, grad: FloatArray, m: FloatArray, mAt: number, v: FloatArray, vAt: number,
  lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number,
): boolean {
  const n = param.length;
  if (!wasmGemmAvailable()) return false;
  if (!(param instanceof Float32Array && grad instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array)) return false;
  if (grad.length < n || m.length < mAt + n || v.length < vAt + n) return false;
  const heap = instance!.heap;
  const p = heap.addressOf(param, 0), g = heap.addressOf(grad, 0), mA = heap.addressOf(m, mAt), vA = heap.addressOf(v, vAt);
  if (p < 0 || g < 0 || mA < 0 || vA < 0) return false;
  if (instance!.threads) {
    instance!.threads.adam(p, g, mA, vA, n, lr, beta1, beta2, eps, c1, c2, threadLimit);
    return true;
  }
  const kernel = adamHere();
  if (kernel === null) return false;
  kernel.adam(p, g, mA, vA, n, lr, beta1, beta2, eps, c1, c2);
  return true;
}

/** adam.wat on the kernel's memory where there are no worker threads (the threads' own instance serves this thread otherwise). */
const adamHere = kernelsOnHeap(adamBytes, (exports) => ({ adam: exports.adam as AdamFn }));

/** wasmGemm's 15 kernel arguments, one array reused from product to product. */
const gemmArgs: Parameters<GemmFn> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/** The kernel's epilogue: 0 none, 1 ReLU, 2 LeakyReLU. */
export type GemmEpilogue = 0 | 1 | 2;


/**
 * out[oo + i·n + j] = init[j] + Σ_p A[i, p] · B[p, j] for float32 operands, with A[i, p] at
 * a[ao + i·sAi + p·sAp] and B[p, j] at b[bo + p·n + j] (or b[bo + j·k + p] when transB).
 * With `act`, the epilogue runs in the kernel as each block is stored: 1 ReLU, 2 LeakyReLU of
 * slope `alpha` (gemm.wat; the op table's rows bit for bit), so no JavaScript pass follows.
 * `claim`: out is a layer's output, read by both cores since it was last written; where the
 * product is split between threads, each first writes every line of its rows (gemm.wat).
 * Call only when wasmGemmAvailable(). Returns false, having done nothing, when the operands do
 * not fit in the kernel's memory (or k = 0 with an epilogue); then the caller computes the
 * product, and the activation, in JavaScript.
 */
export function wasmGemm(
  a: Float32Array, ao: number, sAi: number, sAp: number,
  b: Float32Array, bo: number, transB: boolean,
  out: Float32Array, oo: number, m: number, k: number, n: number,
  init: Float32Array | null, act: GemmEpilogue = 0, alpha = 0, claim = false,
): boolean {
  const heap = instance!.heap;
  if (k === 0 && act !== 0) return false;
  const mPad = Math.ceil(m / 4) * 4;
  const nPad = Math.ceil(n / 8) * 8;
  const aLen = m * k;
  // Operands inside the memory are read and written in place where the kernel's layout allows:
  // A when no padded rows are read past it, B when stored [k, n] with n a multiple of 8, C when
  // it has no padded rows or columns and overlaps neither operand. The others are copied.
  let aAt = mPad === m ? heap.addressOf(a, ao) : -1;
  let bAt = !transB && nPad === n ? heap.addressOf(b, bo) : -1;
  let cAt = mPad === m && nPad === n ? heap.addressOf(out, oo) : -1;
  if (cAt >= 0 && (overlaps(cAt, m * n, aAt, (m - 1) * sAi + (k - 1) * sAp + 1) || overlaps(cAt, m * n, bAt, k * n))) cAt = -1;
  // Scratch regions, in floats: A as stored (the padded rows read a little past it: slack up to
  // mPad·k), B as [k, nPad], the init row (nPad), and C as [mPad, nPad].
  const aFloats = aAt < 0 ? Math.max(aLen, mPad * k) + 4 : 0;
  const bFloats = bAt < 0 ? k * nPad : 0;
  const cFloats = cAt < 0 ? mPad * nPad : 0;
  const base = heap.scratch(4 * (aFloats + bFloats + nPad + cFloats));
  if (base < 0) return false;
  const floats = heap.floats; // after scratch(), which may grow the memory
  const aBase = base / 4, bBase = aBase + aFloats, initBase = bBase + bFloats, cBase = initBase + nPad;
  if (aAt < 0) {
    floats.set(a.subarray(ao, ao + aLen), aBase);
    aAt = aBase * 4;
  }
  if (bAt < 0) {
    if (!transB && nPad === n) floats.set(b.subarray(bo, bo + k * n), bBase);
    else {
      if (transB) {
        // Stored [n, k]: each row of it becomes a column, 4 × 4 at a time in WebAssembly where b
        // lies in the memory (transpose.wat), else one float at a time.
        const t = n % 4 === 0 && k % 4 === 0 ? transposeHere() : null;
        const src = t === null ? -1 : t.heap.addressOf(b, bo);
        if (src >= 0) t!.transpose(src, 4 * k, 4 * bBase, 4 * nPad, n, k);
        else for (let j = 0; j < n; j++) for (let p = 0, from = bo + j * k; p < k; p++) floats[bBase + p * nPad + j] = b[from + p];
      } else if (n < 16) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) floats[bBase + p * nPad + j] = b[bo + p * n + j];
      else for (let p = 0; p < k; p++) floats.set(b.subarray(bo + p * n, bo + p * n + n), bBase + p * nPad);
      for (let p = 0; p < k; p++) for (let j = n; j < nPad; j++) floats[bBase + p * nPad + j] = 0;
    }
    bAt = bBase * 4;
  }
  if (init) floats.set(init.subarray(0, n), initBase);
  else floats.fill(0, initBase, initBase + n);
  floats.fill(0, initBase + n, initBase + nPad);
  if (k === 0) {
    for (let i = 0; i < m; i++) out.set(floats.subarray(initBase, initBase + n), oo + i * n);
    return true;
  }
  const alphaWords = float64Words(alpha); // α as two i32 arguments
  const ldc = cAt < 0 ? nPad : n;
  // The kernel's 15 arguments, in one array reused from product to product (the kernel and the
  // threads read it during the call and keep nothing of it)
  const args = gemmArgs;
  args[0] = aAt; args[1] = sAi * 4; args[2] = sAp * 4; args[3] = bAt; args[4] = nPad * 4; args[5] = initBase * 4;
  args[6] = cAt < 0 ? cBase * 4 : cAt; args[7] = ldc * 4; args[8] = mPad / 4; args[9] = nPad / 8; args[10] = k;
  args[11] = act; args[12] = alphaWords[0]; args[13] = alphaWords[1]; // args[14], claim, stays 0: a split job sets it
  instance!.run(args, m * k * n, claim);
  if (cAt >= 0) return true;
  if (nPad === n) out.set(floats.subarray(cBase, cBase + m * n), oo);
  else if (n < 16) {
    // Narrow rows (a logit, n = 1): element by element, cheaper than a subarray per row.
    for (let i = 0, src = cBase, dst = oo; i < m; i++, src += nPad) for (let j = 0; j < n; j++) out[dst++] = floats[src + j];
  } else for (let i = 0; i < m; i++) out.set(floats.subarray(cBase + i * nPad, cBase + i * nPad + n), oo + i * n);
  return true;
}

/** Whether `count` floats at byte address `at` overlap `count2` at `at2` (-1: not in the memory). */
export function overlaps(at: number, count: number, at2: number, count2: number): boolean {
  return at2 >= 0 && at < at2 + count2 * 4 && at2 < at + count * 4;
}

/** Forget the compiled kernel: the next product detects WebAssembly SIMD again (for the tests of the fallback). */
export function resetWasmGemm(): void {
  instance?.threads?.close();
  instance = undefined;
}
