// Both cores for the large products: the WebAssembly GEMM kernel (gemm.wat) run by the main
// thread and by worker threads at once, on one shared memory.
//
// The kernel computes C block-row by block-row (4 rows of C at a time), and each block row reads
// only its own rows of A, all of B and init. So the block rows are cut into chunks of a few block
// rows each, and every thread runs the same kernel on the chunks it claims:
//   chunk c: block rows [c·per, (c+1)·per),  a_c = a + c·per·4·sAi,  c_c = c + c·per·4·ldc
// Each C[i, j] is still summed by one thread, in the order p = 0, 1, ..., so the bits are the
// same as on one thread, whoever claims which chunk: the rows are split, never the sum.
//
// The chunks are claimed, not handed out: each thread takes the next one from a shared counter
// (Atomics.add) until none is left. A worker that wakes late (its core busy with another
// program) finds fewer chunks or none, and the main thread has done the rest meanwhile; so on a
// busy machine a split product costs about what one thread's costs, and on an idle one the
// threads share it. Only a chunk that a worker has claimed is waited for.
//
// The threads meet in a small Int32Array on shared memory: the job (the chunk counter, the
// chunk size and count, the chunks the workers have computed so far, the 14 kernel arguments)
// and one slot per worker:
//   go:    how many jobs the main thread has posted to this worker (it waits on this word)
//   join:  the last job this worker joined, or that the main thread closed without it: both
//          move it from job − 1 to job with compareExchange, and whoever moves it first decides
//          (a worker that joins is waited for; one that comes later leaves the job alone)
//   done:  the last job this worker finished its chunks of (the main thread waits on this word)
//   ready: 1 once the worker has compiled the kernel; only ready workers are posted jobs
// Node's worker_threads and the browser's Web Workers both work this way. Shared memory needs
// SharedArrayBuffer: always there in Node; in a page only when it is cross-origin isolated (its
// server sends COOP and COEP headers, as demo/serve.mjs does). Elsewhere there are no workers
// and the main thread runs every chunk, which gives the same bits.

import sharedGemmBytes from './gemm.wat?shared';

/** The kernel's signature: byte addresses and strides, the block counts and k, then the epilogue (see gemm.wat). */
export type GemmFn = (
  a: number, sAi: number, sAp: number, b: number, ldb: number, init: number, c: number, ldc: number,
  mBlocks: number, nBlocks: number, k: number, act: number, alphaLo: number, alphaHi: number,
) => void;

/** Indices of the arguments that the chunks change (of 14), and those that size the work. */
const ARG_A = 0, ARG_SAI = 1, ARG_C = 6, ARG_LDC = 7, ARG_M_BLOCKS = 8, ARG_N_BLOCKS = 9, ARG_K = 10;
const ARGS = 14;
/** The job's words, then one slot per worker. */
const TICKET = 0, CHUNK_BLOCKS = 1, CHUNKS = 2, WORKER_CHUNKS = 3, FIRST_ARG = 4, JOB_WORDS = FIRST_ARG + ARGS;
const GO = 0, JOIN = 1, DONE = 2, READY = 3, SLOT = 4;

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

/** How long a thread polls shared memory before it sleeps (ms). */
const SPIN_MS = 0.5;

/** How long the main thread waits for the chunks a worker holds after claiming the last one itself, before it gives up with an error. */
const WORKER_TIMEOUT_MS = 30_000;

/** The worker's program, as text (a worker is started from source: no file to find in a bundle). */
const WORKER_SOURCE = `
"use strict";
// A worker of the threaded GEMM (kernels/cpu/gemm-threads.ts): compile the kernel on the shared
// memory, say ready, then for each job posted to it: join it (unless the main thread has closed
// it already) and run the kernel on the chunks it claims until none is left.
const inNode = typeof require === 'function';
const port = inNode ? require('node:worker_threads').parentPort : self;
const start = ({ module, memory, control, slot }) => {
  const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
  const ctl = new Int32Array(control);
  const go = slot + ${GO}, join = slot + ${JOIN}, done = slot + ${DONE};
  const a = new Array(${ARGS}).fill(0);
  let seen = Atomics.load(ctl, go);
  Atomics.store(ctl, slot + ${READY}, 1);
  for (;;) {
    // Poll for the next job for up to ${SPIN_MS} ms before sleeping: a step's products come
    // tens of microseconds apart, and waking a sleeping thread costs about as long.
    const until = performance.now() + ${SPIN_MS};
    while (Atomics.load(ctl, go) === seen && performance.now() < until) for (let i = 0; i < 64; i++);
    Atomics.wait(ctl, go, seen); // sleep until the main thread posts a job
    const job = Atomics.load(ctl, go);
    seen = job;
    if (Atomics.compareExchange(ctl, join, job - 1, job) !== job - 1) continue; // closed without this worker
    const per = ctl[${CHUNK_BLOCKS}], chunks = ctl[${CHUNKS}];
    for (let i = 0; i < ${ARGS}; i++) a[i] = ctl[${FIRST_ARG} + i];
    const a0 = a[${ARG_A}], c0 = a[${ARG_C}], mBlocks = a[${ARG_M_BLOCKS}];
    const aStep = per * 4 * a[${ARG_SAI}], cStep = per * 4 * a[${ARG_LDC}];
    for (let c = Atomics.add(ctl, ${TICKET}, 1); c < chunks; c = Atomics.add(ctl, ${TICKET}, 1)) {
      a[${ARG_A}] = a0 + c * aStep;
      a[${ARG_C}] = c0 + c * cStep;
      a[${ARG_M_BLOCKS}] = Math.min(per, mBlocks - c * per);
      gemm(...a);
      Atomics.add(ctl, ${WORKER_CHUNKS}, 1);
    }
    Atomics.store(ctl, done, job);
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
  /** Chunks that workers (not the main thread) have computed so far. */
  workerChunks(): number;
  /** Run the kernel over all block rows, in chunks claimed by the main thread and up to `threads − 1` ready workers. */
  run(args: Parameters<GemmFn>, threads: number): void;
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
  const per = Math.max(1, Math.min(Math.floor(CHUNK_WORK / rowWork), Math.floor(mBlocks / (CHUNKS_PER_THREAD * threads))));
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
    const count = Math.min(cores - 1, maxWorkers);
    const ctl = new Int32Array(new SharedArrayBuffer(4 * (JOB_WORDS + SLOT * count)));
    const slotOf = (w: number) => JOB_WORDS + w * SLOT;
    const workers: WorkerHandle[] = [];
    for (let w = 0; w < count; w++) {
      const worker = startWorker();
      if (worker === null) break;
      worker.postMessage({ module, memory, control: ctl.buffer, slot: slotOf(w) });
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
    const chunk = new Array(ARGS).fill(0) as Parameters<GemmFn>;
    const run = (args: Parameters<GemmFn>, threads: number) => {
      const mBlocks = args[ARG_M_BLOCKS];
      const helpers: number[] = [];
      for (let w = 0; w < workers.length && helpers.length < Math.min(threads, mBlocks) - 1 && !broken; w++) {
        if (Atomics.load(ctl, slotOf(w) + READY) === 1) helpers.push(w);
      }
      if (helpers.length === 0) {
        gemm(...args);
        return;
      }
      splits++;
      const { per, chunks } = chunkPlan(mBlocks, args[ARG_N_BLOCKS], args[ARG_K], helpers.length + 1);
      ctl[CHUNK_BLOCKS] = per;
      ctl[CHUNKS] = chunks;
      ctl.set(args, FIRST_ARG);
      Atomics.store(ctl, TICKET, 0);
      for (const w of helpers) {
        posted[w]++;
        Atomics.store(ctl, slotOf(w) + GO, posted[w]);
        Atomics.notify(ctl, slotOf(w) + GO);
      }
      for (let i = 0; i < ARGS; i++) chunk[i] = args[i];
      const aStep = per * 4 * args[ARG_SAI], cStep = per * 4 * args[ARG_LDC];
      for (let c = Atomics.add(ctl, TICKET, 1); c < chunks; c = Atomics.add(ctl, TICKET, 1)) {
        chunk[ARG_A] = args[ARG_A] + c * aStep;
        chunk[ARG_C] = args[ARG_C] + c * cStep;
        chunk[ARG_M_BLOCKS] = Math.min(per, mBlocks - c * per);
        gemm(...chunk);
      }
      // Every chunk is claimed. Close the job to the workers that have not joined it yet; wait
      // for those that have (each finishes the chunk it holds). Node's main thread sleeps; a
      // page's main thread may not block, so it spins (the wait is one chunk at most).
      const deadline = Date.now() + WORKER_TIMEOUT_MS;
      for (const w of helpers) {
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
    const close = () => {
      broken = true;
      for (const worker of workers) void worker.terminate();
    };
    return { memory, gemm, workers: workers.length, ready, splits: () => splits, workerChunks: () => Atomics.load(ctl, WORKER_CHUNKS), run, close };
  } catch {
    return null;
  }
}
