// Both cores for the large products: the WebAssembly GEMM kernel (gemm.wat) run by the main
// thread and by worker threads at once, on one shared memory. The same threads also share large
// fills of normal draws (normals.wat: Philox words, then the Box–Muller transform; each element
// depends only on its own words, so the elements are cut into chunks the same way, with the same
// bits) and Adam's update of a large parameter (adam.wat, adam-range.ts's loop in float64 lanes:
// each element depends only on its own gradient and moments; division-bound, so two cores take
// about half the time).
//
// The kernel computes C block-row by block-row (4 rows of C at a time), and each block row reads
// only its own rows of A, all of B and init. So the block rows are cut into chunks of a few block
// rows each, and every thread runs the same kernel on the chunks it claims:
//   chunk c: block rows [c·per, (c+1)·per),  a_c = a + c·per·4·sAi,  c_c = c + c·per·4·ldc
// Each C[i, j] is still summed by one thread, in the order p = 0, 1, ..., so the bits are the
// same as on one thread, whoever claims which chunk: the rows are split, never the sum.
//
// The chunks are claimed, not handed out, and each thread has a band of them that is its own: of
// T threads, thread t's band is chunks [⌊t·chunks/T⌋, ⌊(t+1)·chunks/T⌋). A thread claims from the
// front of its own band; when that is empty it takes from the back of another's (claimChunk). On
// an idle machine each thread so computes the same rows of every product, and the rows a layer
// writes are the rows its next layer reads: they stay in that core's cache. (With one shared
// counter the rows went to whichever thread came first, and moving the cache lines between the
// cores cost a third of a split product's time: [512, 64]·[64, 64] with ReLU, 71–74 µs against
// 49–50.) A worker that wakes late (its core busy with another program) finds its band taken
// from the back, or all of it, and the main thread has done those rows meanwhile; so on a busy
// machine a split product costs about what one thread's costs. Only a chunk that a worker has
// claimed is waited for.
//
// The threads meet in a small Int32Array on shared memory, each part on its own 64-byte cache
// line (a word that one thread writes often would otherwise slow another's reads of its
// neighbours): the job (its kind, the chunk size and count, the thread count, the chunks the
// workers have computed so far, the kernel's arguments), one claim word per band, and one slot
// per worker:
//   go:    how many jobs the main thread has posted to this worker (it waits on this word)
//   join:  the last job this worker joined, or that the main thread closed without it: both
//          move it from job − 1 to job with compareExchange, and whoever moves it first decides
//          (a worker that joins is waited for; one that comes later leaves the job alone)
//   done:  the last job this worker finished its chunks of (the main thread waits on this word)
//   ready: 1 once the worker has compiled the kernel; only ready workers are posted jobs
//   band:  the band this worker owns in the job posted to it
// Node's worker_threads and the browser's Web Workers both work this way. Shared memory needs
// SharedArrayBuffer: always there in Node; in a page only when it is cross-origin isolated (its
// server sends COOP and COEP headers, as demo/serve.mjs does). Elsewhere there are no workers
// and the main thread runs every chunk, which gives the same bits.

import sharedGemmBytes from './gemm.wat?shared';
import sharedAdamBytes from './adam.wat?shared';
import sharedNormalsBytes from './normals.wat?shared';

/** adam.wat's signature: the byte addresses of the parameter, its gradient and moments, the element count, then Adam's numbers. */
export type AdamFn = (param: number, grad: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number) => void;

/** normals.wat's signature: the byte address of the fill's first element, the element count, the key, the first Philox block, the mean and the standard deviation. */
export type NormalsFn = (out: number, n: number, k0: number, k1: number, first: number, a: number, b: number) => void;

/** The kernel's signature: byte addresses and strides, the block counts and k, then the epilogue (see gemm.wat). */
export type GemmFn = (
  a: number, sAi: number, sAp: number, b: number, ldb: number, init: number, c: number, ldc: number,
  mBlocks: number, nBlocks: number, k: number, act: number, alphaLo: number, alphaHi: number, claim: number,
) => void;

/** Indices of the GEMM arguments that size the work (of 15), and of `claim` (set here, only in a split job). */
const ARG_M_BLOCKS = 8, ARG_N_BLOCKS = 9, ARG_K = 10, ARG_CLAIM = 14;
const ARGS = 15;
/** Int32 words in a 64-byte cache line: each part of the control array starts on its own line. */
const LINE = 16;
/**
 * The job's words (two lines): its kind (GEMM, NORMALS or ADAM), the chunk size (block rows, or
 * elements), the chunk count, the band count, the chunks the workers have computed so far, the
 * integer arguments (the GEMM's 15; the normals' out address, n, k0, k1; Adam's param, grad, m
 * and v addresses and n), and from word F64_ARG the float64 ones (the normals' a, b and first
 * Philox block; Adam's lr, β1, β2, ε, c1, c2). Then one line per band (its claim word), then one
 * line per worker (its slot).
 */
const KIND = 0, PER = 1, CHUNKS = 2, BANDS = 3, WORKER_CHUNKS = 4, FIRST_ARG = 5, F64_ARG = 20, JOB_WORDS = 2 * LINE; // the GEMM's 15 arguments: words 5 to 19; F64_ARG: up to 6 float64s, to word 32
const GEMM = 0, NORMALS = 1, ADAM = 2;
/** Where runChunk finds the job's words, and the kinds' numbers (passed to it: the workers run the same function). */
const JOB = { kind: KIND, per: PER, firstArg: FIRST_ARG, f64Arg: F64_ARG / 2, gemm: GEMM, adam: ADAM, gemmArgs: ARGS };
const GO = 0, JOIN = 1, DONE = 2, READY = 3, BAND = 4;
/** Most chunks in one job: a band's claim word counts each end in 16 bits. */
const MAX_CHUNKS = 0xffff;

/**
 * Multiply-adds (m·k·n) from which a product is split between threads: 2²⁰, so the wide GAN's
 * [512, 64]·[64, 64] products (2.1·10⁶) are split. With the operands in the kernel's memory
 * nothing is copied, and with chunks claimed rather than handed out a worker that wakes late
 * costs the main thread little. On a quiet 2-core machine this split alone gained nothing on the
 * wide GAN (waking a sleeping worker for each product cost about what it saved); with the workers
 * polling for SPIN_MS before they sleep, the step took 2.8–2.9 ms against 3.4 on one thread
 * (docs/performance.md, "The CPU step").
 */
export const THREADS_MIN_WORK = 1 << 20;

/** Multiply-adds per chunk, about: a few microseconds of work, so that a late worker leaves little for the main thread to wait on. */
const CHUNK_WORK = 1 << 16;
/** At least this many chunks per thread, so that the work evens out when the threads run at different speeds. */
const CHUNKS_PER_THREAD = 4;

/** Normal draws per chunk of a fill (a multiple of 4: whole Philox blocks), about 3 µs of work in normals.wat. */
const NORMALS_CHUNK = 256;
/** Draws from which a fill is shared between threads: below it a worker's start costs about what it saves. */
export const NORMALS_MIN_SPLIT = 2048;

/** Elements per chunk of Adam's update, about 1.5 µs of work in adam.wat (three divisions and a square root each; 1024 measured the same). */
const ADAM_CHUNK = 512;
/** Elements from which Adam's update of one parameter is shared between threads (the wide GAN's 64 × 64 weights are). */
export const ADAM_MIN_SPLIT = 2048;

/** How long a thread polls shared memory before it sleeps (ms). */
const SPIN_MS = 0.5;

/** How long the main thread waits for the chunks a worker holds after claiming the last one itself, before it gives up with an error. */
const WORKER_TIMEOUT_MS = 30_000;

/**
 * The next chunk for the thread that owns band `own` of `bands`: the first unclaimed one of its
 * own band, else the last unclaimed one of another band; −1 once every chunk is claimed. Band b
 * covers chunks [⌊b·chunks/bands⌋, ⌊(b+1)·chunks/bands⌋); its claim word, at ctl[at + b·LINE],
 * counts the chunks claimed from its front (low 16 bits) and from its back (high 16 bits), and
 * a claim is one compareExchange of that word, so no chunk is claimed twice. The workers run
 * this same function: its text is part of their program (WORKER_SOURCE), so it uses nothing but
 * its arguments.
 */
export function claimChunk(ctl: Int32Array, at: number, line: number, own: number, bands: number, chunks: number): number {
  for (let i = 0; i < bands; i++) {
    const band = (own + i) % bands;
    const fromFront = i === 0; // its own band from the front, another's from the back
    const lo = Math.floor((band * chunks) / bands), hi = Math.floor(((band + 1) * chunks) / bands);
    const word = at + band * line;
    for (;;) {
      const claims = Atomics.load(ctl, word);
      const front = claims & 0xffff, back = claims >>> 16;
      if (lo + front >= hi - back) break; // this band is all claimed
      const next = (claims + (fromFront ? 1 : 0x10000)) | 0;
      if (Atomics.compareExchange(ctl, word, claims, next) === claims) return fromFront ? lo + front : hi - 1 - back;
      // another thread claimed from this band meanwhile: read its word again
    }
  }
  return -1;
}

/**
 * Chunk `c` of the job in `ctl` (with `f64`, a float64 view of the same memory, and `job`, where
 * its words are): a GEMM's block rows c·per .. (c+1)·per − 1, A and C moved down to them (`args`
 * is scratch for its 15 arguments); the normal draws c·per .. (c+1)·per − 1 of a fill (`normals`:
 * normals.wat on this thread, from the chunk's first Philox block); or Adam's update of elements
 * c·per .. (c+1)·per − 1 of a parameter (`adam`: adam.wat on this thread). The workers run this
 * same function: its text is part of their program.
 */
export function runChunk(
  ctl: Int32Array, f64: Float64Array, job: typeof JOB, c: number, args: number[],
  gemm: (...args: number[]) => void, normals: NormalsFn, adam: AdamFn,
): void {
  const per = ctl[job.per], at = job.firstArg, kind = ctl[job.kind];
  if (kind === job.adam) { // byte addresses: element `from` of each array is 4·from bytes on
    const from = c * per, count = Math.min(per, ctl[at + 4] - from), x = job.f64Arg;
    adam(ctl[at] + 4 * from, ctl[at + 1] + 4 * from, ctl[at + 2] + 4 * from, ctl[at + 3] + 4 * from, count,
      f64[x], f64[x + 1], f64[x + 2], f64[x + 3], f64[x + 4], f64[x + 5]);
  } else if (kind === job.gemm) {
    for (let i = 0; i < job.gemmArgs; i++) args[i] = ctl[at + i];
    args[0] += c * per * 4 * args[1]; // A: + rows · sAi
    args[6] += c * per * 4 * args[7]; // C: + rows · ldc
    args[8] = Math.min(per, args[8] - c * per); // the chunk's block rows
    gemm(...args);
  } else { // NORMALS
    const from = c * per, count = Math.min(per, ctl[at + 1] - from); // per is a multiple of 4: whole blocks
    normals(ctl[at] + 4 * from, count, ctl[at + 2], ctl[at + 3], f64[job.f64Arg + 2] + from / 4, f64[job.f64Arg], f64[job.f64Arg + 1]);
  }
}

/** The worker's program, as text (a worker is started from source: no file to find in a bundle). */
const WORKER_SOURCE = `
"use strict";
// A worker of the threaded GEMM (kernels/cpu/gemm-threads.ts): compile the kernel on the shared
// memory, say ready, then for each job posted to it: join it (unless the main thread has closed
// it already) and run its chunks (block rows of a product, or normal draws of a fill) as it
// claims them, until none is left.
const inNode = typeof require === 'function';
const port = inNode ? require('node:worker_threads').parentPort : self;
const claimChunk = ${claimChunk.toString()};
const runChunk = ${runChunk.toString()};
const job = ${JSON.stringify(JOB)};
const start = ({ module, normalsModule, adamModule, memory, control, slot }) => {
  const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
  const normals = new WebAssembly.Instance(normalsModule, { env: { memory } }).exports.normals;
  const adam = new WebAssembly.Instance(adamModule, { env: { memory } }).exports.adam;
  const ctl = new Int32Array(control), f64 = new Float64Array(control);
  const go = slot + ${GO}, join = slot + ${JOIN}, done = slot + ${DONE};
  const args = new Array(${ARGS}).fill(0);
  let seen = Atomics.load(ctl, go);
  Atomics.store(ctl, slot + ${READY}, 1);
  for (;;) {
    // Poll for the next job for up to ${SPIN_MS} ms before sleeping: a step's products come
    // tens of microseconds apart, and waking a sleeping thread costs about as long.
    const until = performance.now() + ${SPIN_MS};
    while (Atomics.load(ctl, go) === seen && performance.now() < until) for (let i = 0; i < 64; i++);
    Atomics.wait(ctl, go, seen); // sleep until the main thread posts a job
    const posted = Atomics.load(ctl, go);
    seen = posted;
    if (Atomics.compareExchange(ctl, join, posted - 1, posted) !== posted - 1) continue; // closed without this worker
    const chunks = ctl[${CHUNKS}], bands = ctl[${BANDS}], own = ctl[slot + ${BAND}];
    let computed = 0;
    for (let c = claimChunk(ctl, ${JOB_WORDS}, ${LINE}, own, bands, chunks); c >= 0; c = claimChunk(ctl, ${JOB_WORDS}, ${LINE}, own, bands, chunks)) {
      runChunk(ctl, f64, job, c, args, gemm, normals, adam);
      computed++;
    }
    Atomics.add(ctl, ${WORKER_CHUNKS}, computed);
    Atomics.store(ctl, done, posted);
    Atomics.notify(ctl, done);
  }
};
if (inNode) port.once('message', start); else port.onmessage = (e) => start(e.data);
`;

export interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

export interface ThreadedGemm {
  /** The shared memory the operands live in or are copied into. */
  readonly memory: WebAssembly.Memory;
  /** The kernel on the main thread (one band, or all of them). */
  readonly gemm: GemmFn;
  /** Workers started, and how many of them are ready for jobs. */
  readonly workers: number;
  ready(): number;
  /** Products split between threads so far. */
  splits(): number;
  /** Chunks (of products and of normal fills) that workers, not the main thread, have computed so far. */
  workerChunks(): number;
  /**
   * Run the kernel over all block rows, in chunks claimed by the main thread and up to `threads − 1`
   * ready workers; `claim` (C is a layer's output, gemm.wat) where the chunks are shared.
   */
  run(args: Parameters<GemmFn>, threads: number, claim: boolean): void;
  /**
   * Fill the n float32s at byte address `out` with normal draws of the Philox stream (k0, k1)
   * from block `counter` (normals.wat), shared between up to `threads` threads from
   * NORMALS_MIN_SPLIT draws; below that, or where no worker is ready, on this thread alone.
   */
  normals(out: number, n: number, k0: number, k1: number, counter: number, a: number, b: number, threads: number): void;
  /**
   * Adam's update of the n float32s at byte address `param` (gradient at `grad`, moments at `m`
   * and `v`; adam.wat), shared between up to `threads` threads from ADAM_MIN_SPLIT elements;
   * below that, or where no worker is ready, on this thread alone.
   */
  adam(param: number, grad: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, threads: number): void;
  /** Stop the workers. */
  close(): void;
}

/**
 * How a split product's block rows (of 4 rows, `nBlocks` blocks of 8 columns, inner size k) are
 * cut for `threads` threads: `per` block rows a chunk (about CHUNK_WORK multiply-adds, at least
 * CHUNKS_PER_THREAD chunks a thread), `chunks` of them.
 */
export function chunkPlan(mBlocks: number, nBlocks: number, k: number, threads: number): { per: number; chunks: number } {
  const rowWork = 4 * k * 8 * nBlocks; // multiply-adds of one block row
  const per = Math.max(1, Math.min(Math.floor(CHUNK_WORK / rowWork), Math.floor(mBlocks / (CHUNKS_PER_THREAD * threads))), Math.ceil(mBlocks / MAX_CHUNKS));
  return { per, chunks: Math.ceil(mBlocks / per) };
}

/** The number of logical cores, or 1 where it cannot be known. */
export function coreCount(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  if (os) return os.availableParallelism?.() ?? os.cpus().length;
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** A Node built-in module, loaded synchronously (process.getBuiltinModule, Node ≥ 20.16); undefined elsewhere. */
function nodeBuiltin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(name) as T | undefined;
}

/** Start one worker from `source` (WORKER_SOURCE: the GEMM's); null where no kind of worker can be made here. */
export function startWorker(source = WORKER_SOURCE): WorkerHandle | null {
  const threads = nodeBuiltin<{ Worker: new (src: string, opts: { eval: true }) => WorkerHandle & { unref(): void } }>('node:worker_threads');
  if (threads) {
    const worker = new threads.Worker(source, { eval: true });
    worker.unref(); // a worker waiting for jobs must not keep a finished program alive
    return worker;
  }
  const WebWorker = (globalThis as { Worker?: new (url: string) => WorkerHandle }).Worker;
  if (typeof WebWorker !== 'function' || typeof Blob !== 'function') return null;
  return new WebWorker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}

/** Whether this thread may block in Atomics.wait (Node's main thread may; a page's main thread may not). */
export function canBlock(ctl: Int32Array): boolean {
  try {
    Atomics.wait(ctl, 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The kernel compiled for a shared memory (of up to 4 GiB, the most a 32-bit memory can address:
 * growing a shared memory keeps every view of it valid), instantiated on this thread; null
 * where shared memory is missing (no SharedArrayBuffer, or a page that is not cross-origin
 * isolated) or compiling fails.
 */
export function sharedGemm(): { memory: WebAssembly.Memory; module: WebAssembly.Module; gemm: GemmFn } | null {
  try {
    if (typeof SharedArrayBuffer !== 'function' || !WebAssembly.validate(sharedGemmBytes)) return null;
    if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return null;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const module = new WebAssembly.Module(sharedGemmBytes);
    const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm as GemmFn;
    return { memory, module, gemm };
  } catch {
    return null;
  }
}

/**
 * The kernel on a shared memory with `cores − 1` workers (at most `maxWorkers`), or null where
 * shared memory, workers or a second core are missing, or anything in the set-up fails.
 */
export function createThreadedGemm(maxWorkers = 7): ThreadedGemm | null {
  try {
    const cores = coreCount();
    if (cores < 2) return null;
    const shared = sharedGemm();
    if (shared === null) return null;
    const { memory, module, gemm } = shared;
    const normalsModule = new WebAssembly.Module(sharedNormalsBytes);
    const normalsKernel = new WebAssembly.Instance(normalsModule, { env: { memory } }).exports.normals as NormalsFn;
    const adamModule = new WebAssembly.Module(sharedAdamBytes);
    const adamKernel = new WebAssembly.Instance(adamModule, { env: { memory } }).exports.adam as AdamFn;
    const count = Math.min(cores - 1, maxWorkers);
    // the job, a claim word for each of the 1 + count threads' bands, a slot for each worker
    const ctl = new Int32Array(new SharedArrayBuffer(4 * (JOB_WORDS + LINE * (1 + count) + LINE * count)));
    const f64 = new Float64Array(ctl.buffer);
    const slotOf = (w: number) => JOB_WORDS + LINE * (1 + count) + LINE * w;
    const workers: WorkerHandle[] = [];
    for (let w = 0; w < count; w++) {
      const worker = startWorker();
      if (worker === null) break;
      worker.postMessage({ module, normalsModule, adamModule, memory, control: ctl.buffer, slot: slotOf(w) });
      workers.push(worker);
    }
    if (workers.length === 0) return null;
    const block = canBlock(ctl);
    const posted = new Int32Array(workers.length); // jobs posted to each worker so far
    let broken = false; // a worker stopped answering: the main thread does everything from then on
    let splits = 0;
    const ready = () => {
      let n = 0;
      for (let w = 0; w < workers.length; w++) n += Atomics.load(ctl, slotOf(w) + READY);
      return n;
    };
    const args = new Array(ARGS).fill(0);
    const gemmFn = gemm as (...args: number[]) => void;
    // The ready workers that join a job of `chunks` chunks on `threads` threads: helpers[0 ..
    // count) (an array kept from job to job); 0 where there are none to post it to.
    const helpers = new Int32Array(workers.length);
    const pickHelpers = (threads: number, chunks: number): number => {
      let count = 0;
      for (let w = 0; w < workers.length && count < Math.min(threads, chunks) - 1 && !broken; w++) {
        if (Atomics.load(ctl, slotOf(w) + READY) === 1) helpers[count++] = w;
      }
      return count;
    };
    // The helpers for a job of `n` elements in `chunks` chunks: none below `minSplit` elements
    // (a worker's start would cost about what it saves) or past MAX_CHUNKS; then this thread runs
    // the whole job in one call of the same kernel.
    const helpersFor = (n: number, minSplit: number, chunks: number, threads: number): number =>
      n < minSplit || chunks > MAX_CHUNKS ? 0 : pickHelpers(threads, chunks);
    // The job whose words are set in ctl (its kind, arguments, chunk size): `chunks` chunks shared
    // between the main thread (band 0) and the first `helperCount` helpers (bands 1, 2, ...).
    const runJob = (chunks: number, helperCount: number) => {
      const bands = helperCount + 1;
      ctl[CHUNKS] = chunks;
      ctl[BANDS] = bands;
      for (let band = 0; band < bands; band++) Atomics.store(ctl, JOB_WORDS + band * LINE, 0);
      if (helperCount > 0 && ctl[KIND] === GEMM) splits++;
      for (let i = 0; i < helperCount; i++) {
        const w = helpers[i];
        ctl[slotOf(w) + BAND] = i + 1;
        posted[w]++;
        Atomics.store(ctl, slotOf(w) + GO, posted[w]);
        Atomics.notify(ctl, slotOf(w) + GO);
      }
      for (let c = claimChunk(ctl, JOB_WORDS, LINE, 0, bands, chunks); c >= 0; c = claimChunk(ctl, JOB_WORDS, LINE, 0, bands, chunks)) {
        runChunk(ctl, f64, JOB, c, args, gemmFn, normalsKernel, adamKernel);
      }
      // Every chunk is claimed. Close the job to the workers that have not joined it yet; wait
      // for those that have (each finishes the chunk it holds). Node's main thread sleeps; a
      // page's main thread may not block, so it spins (the wait is one chunk at most).
      const deadline = Date.now() + WORKER_TIMEOUT_MS;
      for (let i = 0; i < helperCount; i++) {
        const w = helpers[i];
        const job = posted[w];
        if (Atomics.compareExchange(ctl, slotOf(w) + JOIN, job - 1, job) === job - 1) continue; // it never joined
        const done = slotOf(w) + DONE;
        const spinUntil = performance.now() + SPIN_MS;
        while (Atomics.load(ctl, done) !== job) {
          if (block && performance.now() > spinUntil) Atomics.wait(ctl, done, Atomics.load(ctl, done), 100);
          if (Date.now() > deadline) {
            broken = true;
            throw new Error(`matmul: a GEMM worker thread did not finish its rows within ${WORKER_TIMEOUT_MS / 1000} s; the threads are switched off (setCpuThreads(1) does this from the start)`);
          }
        }
      }
    };
    const run = (gemmArgs: Parameters<GemmFn>, threads: number, claim: boolean) => {
      const mBlocks = gemmArgs[ARG_M_BLOCKS];
      const helperCount = pickHelpers(threads, mBlocks);
      if (helperCount === 0) return gemm(...gemmArgs); // the whole product in one call
      const { per, chunks } = chunkPlan(mBlocks, gemmArgs[ARG_N_BLOCKS], gemmArgs[ARG_K], helperCount + 1);
      ctl[KIND] = GEMM;
      ctl[PER] = per;
      ctl.set(gemmArgs, FIRST_ARG);
      ctl[FIRST_ARG + ARG_CLAIM] = claim ? 1 : 0; // only cores that share C's lines have them to claim
      runJob(chunks, helperCount);
    };
    const fillNormals = (out: number, n: number, k0: number, k1: number, counter: number, a: number, b: number, threads: number): void => {
      const per = Math.max(NORMALS_CHUNK, 4 * Math.ceil(n / (4 * MAX_CHUNKS))); // whole blocks, at most MAX_CHUNKS chunks
      const chunks = Math.ceil(n / per);
      const helperCount = helpersFor(n, NORMALS_MIN_SPLIT, chunks, threads);
      if (helperCount === 0) return normalsKernel(out, n, k0, k1, counter, a, b); // the whole fill in one call
      ctl[KIND] = NORMALS;
      ctl[PER] = per;
      ctl[FIRST_ARG] = out;
      ctl[FIRST_ARG + 1] = n;
      ctl[FIRST_ARG + 2] = k0;
      ctl[FIRST_ARG + 3] = k1;
      const x = F64_ARG / 2;
      f64[x] = a;
      f64[x + 1] = b;
      f64[x + 2] = counter;
      runJob(chunks, helperCount);
    };
    const adam = (param: number, grad: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, threads: number): void => {
      const chunks = Math.ceil(n / ADAM_CHUNK);
      const helperCount = helpersFor(n, ADAM_MIN_SPLIT, chunks, threads);
      if (helperCount === 0) return adamKernel(param, grad, m, v, n, lr, beta1, beta2, eps, c1, c2); // the whole update in one call
      ctl[KIND] = ADAM;
      ctl[PER] = ADAM_CHUNK;
      ctl[FIRST_ARG] = param;
      ctl[FIRST_ARG + 1] = grad;
      ctl[FIRST_ARG + 2] = m;
      ctl[FIRST_ARG + 3] = v;
      ctl[FIRST_ARG + 4] = n;
      const x = F64_ARG / 2;
      f64[x] = lr;
      f64[x + 1] = beta1;
      f64[x + 2] = beta2;
      f64[x + 3] = eps;
      f64[x + 4] = c1;
      f64[x + 5] = c2;
      runJob(chunks, helperCount);
    };
    const close = () => {
      broken = true;
      for (const worker of workers) void worker.terminate();
    };
    return { memory, gemm, workers: workers.length, ready, splits: () => splits, workerChunks: () => Atomics.load(ctl, WORKER_CHUNKS), run, normals: fillNormals, adam, close };
  } catch {
    return null;
  }
}
