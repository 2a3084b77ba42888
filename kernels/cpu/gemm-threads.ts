// Both cores for the large products: the WebAssembly GEMM kernel (gemm.wat) run by the main
// thread and by worker threads at once, on one shared memory.
//
// The kernel computes C block-row by block-row (4 rows of C at a time), and each block row reads
// only its own rows of A, all of B and init. So the block rows are cut into bands, one per thread:
//   band t: block rows [s_t, s_{t+1}),  a_t = a + s_t·4·sAi,  c_t = c + s_t·4·ldc
// and every thread runs the same kernel on its band. Each C[i, j] is still summed by one thread,
// in the order p = 0, 1, ..., so the bits are the same as on one thread: the rows are split,
// never the sum.
//
// The threads meet in a small Int32Array on shared memory, one slot per worker:
//   posted:  how many jobs the main thread has handed this worker (it waits on this word)
//   done:    how many of them the worker has finished (the main thread waits on this word)
//   ready:   1 once the worker has compiled the kernel; only ready workers are handed jobs
//   args:    the 14 kernel arguments of its band
// Node's worker_threads and the browser's Web Workers both work this way. Shared memory needs
// SharedArrayBuffer: always there in Node; in a page only when it is cross-origin isolated (its
// server sends COOP and COEP headers, as demo/serve.mjs does). Elsewhere there are no workers
// and the main thread runs every band, which gives the same bits.

import sharedGemmBytes from './gemm.wat?shared';

/** The kernel's signature: byte addresses and strides, the block counts and k, then the epilogue (see gemm.wat). */
export type GemmFn = (
  a: number, sAi: number, sAp: number, b: number, ldb: number, init: number, c: number, ldc: number,
  mBlocks: number, nBlocks: number, k: number, act: number, alphaLo: number, alphaHi: number,
) => void;

/** Indices of the arguments that the bands change (of 14). */
const ARG_A = 0, ARG_SAI = 1, ARG_C = 6, ARG_LDC = 7, ARG_M_BLOCKS = 8;
const ARGS = 14;
const POSTED = 0, DONE = 1, READY = 2, FIRST_ARG = 3;
const SLOT = FIRST_ARG + ARGS;

/**
 * Multiply-adds (m·k·n) from which a product is split between threads. Measured with
 * `gradlab bench --cpu` on 2 cores at load 1.8 (GFLOP/s, one thread → two): the wide GAN's
 * [512,64]·[64,64] products (2·10⁶ multiply-adds) 44 → 42 and 128² 43 → 40, slower, since waking
 * a worker and the single-threaded copies in and out cost about as much as the half they save;
 * 256² (1.7·10⁷) 45 → 63 and 512² 43 → 69, faster. So products split from 2²³ (8.4·10⁶) up.
 */
export const THREADS_MIN_WORK = 1 << 23;

/** How long the main thread waits for a worker's band after finishing its own, before it gives up with an error. */
const WORKER_TIMEOUT_MS = 30_000;

/** The worker's program, as text (a worker is started from source: no file to find in a bundle). */
const WORKER_SOURCE = `
"use strict";
// A worker of the threaded GEMM (kernels/cpu/gemm-threads.ts): compile the kernel on the shared
// memory, say ready, then run the band of each job it is handed.
const inNode = typeof require === 'function';
const port = inNode ? require('node:worker_threads').parentPort : self;
const start = ({ module, memory, control, slot }) => {
  const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
  const ctl = new Int32Array(control);
  const posted = slot + ${POSTED}, done = slot + ${DONE}, args = slot + ${FIRST_ARG};
  let seen = Atomics.load(ctl, posted);
  Atomics.store(ctl, slot + ${READY}, 1);
  for (;;) {
    Atomics.wait(ctl, posted, seen); // sleep until the main thread hands over a job
    seen = Atomics.load(ctl, posted);
    const a = []; for (let i = 0; i < ${ARGS}; i++) a.push(ctl[args + i]);
    gemm(...a);
    Atomics.store(ctl, done, seen);
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
  /** Run the kernel over all block rows, split into bands between the main thread and `threads − 1` ready workers. */
  run(args: Parameters<GemmFn>, threads: number): void;
  /** Stop the workers. */
  close(): void;
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
    const ctl = new Int32Array(new SharedArrayBuffer(4 * SLOT * count));
    const workers: WorkerHandle[] = [];
    for (let w = 0; w < count; w++) {
      const worker = startWorker();
      if (worker === null) break;
      worker.postMessage({ module, memory, control: ctl.buffer, slot: w * SLOT });
      workers.push(worker);
    }
    if (workers.length === 0) return null;
    const block = canBlock(ctl);
    const posted = new Int32Array(workers.length); // jobs handed to each worker so far
    let broken = false; // a worker stopped answering: the main thread does everything from then on
    let splits = 0;
    const ready = () => {
      let n = 0;
      for (let w = 0; w < workers.length; w++) n += Atomics.load(ctl, w * SLOT + READY);
      return n;
    };
    const run = (args: Parameters<GemmFn>, threads: number) => {
      const mBlocks = args[ARG_M_BLOCKS];
      const helpers: number[] = [];
      for (let w = 0; w < workers.length && helpers.length < Math.min(threads, mBlocks) - 1; w++) {
        if (Atomics.load(ctl, w * SLOT + READY) === 1) helpers.push(w);
      }
      if (helpers.length === 0 || broken) {
        gemm(...args);
        return;
      }
      splits++;
      // Bands of (nearly) equal size; the main thread takes the first.
      const bands = helpers.length + 1;
      const band = (t: number) => Math.floor((t * mBlocks) / bands);
      const bandArgs = (t: number): Parameters<GemmFn> => {
        const out = [...args] as Parameters<GemmFn>;
        const first = band(t);
        out[ARG_A] = args[ARG_A] + first * 4 * args[ARG_SAI];
        out[ARG_C] = args[ARG_C] + first * 4 * args[ARG_LDC];
        out[ARG_M_BLOCKS] = band(t + 1) - first;
        return out;
      };
      helpers.forEach((w, i) => {
        const slot = w * SLOT;
        ctl.set(bandArgs(i + 1), slot + FIRST_ARG);
        posted[w]++;
        Atomics.store(ctl, slot + POSTED, posted[w]);
        Atomics.notify(ctl, slot + POSTED);
      });
      gemm(...bandArgs(0));
      // The workers' bands are as large as the main thread's, so they finish about now. Node's
      // main thread sleeps; a page's main thread may not block, so it spins (the wait is short).
      const deadline = Date.now() + WORKER_TIMEOUT_MS;
      for (const w of helpers) {
        const done = w * SLOT + DONE;
        while (Atomics.load(ctl, done) !== posted[w]) {
          if (block) Atomics.wait(ctl, done, Atomics.load(ctl, done), 100);
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
    return { memory, gemm, workers: workers.length, ready, splits: () => splits, run, close };
  } catch {
    return null;
  }
}
