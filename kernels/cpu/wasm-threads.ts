// Worker threads for a WebAssembly kernel module on one shared memory: the main thread and each
// worker run exported functions of the same module, each on its own share of the work (the
// caller cuts the work so that every number is computed by one thread, in the order one thread
// would: then the bits do not depend on the thread count). The GEMM has its own, leaner version
// of this (gemm-threads.ts, whose worker start-up this reuses); the RBM's Gibbs kernel uses this one.
//
// The threads meet in a small shared buffer, one slot per worker:
//   posted, done, ready (Int32, as in gemm-threads.ts), the export's index, then up to 16
//   arguments as float64 (a float64 holds every i32 and f64 argument exactly).

import { canBlock, coreCount, startWorker, type WorkerHandle } from './gemm-threads';

const POSTED = 0, DONE = 1, READY = 2, FN = 3;
const MAX_ARGS = 16;
const SLOT_BYTES = 8 * (2 + MAX_ARGS); // 4 Int32 words, then the arguments
const WORKER_TIMEOUT_MS = 30_000;

/** The worker's program: instantiate the module on the shared memory, say ready, run each job. */
function workerSource(exportNames: readonly string[]): string {
  return `
"use strict";
// A worker of kernels/cpu/wasm-threads.ts: run exported functions of a kernel on shared memory.
const inNode = typeof require === 'function';
const port = inNode ? require('node:worker_threads').parentPort : self;
const start = ({ module, memory, control, slot }) => {
  const exports = new WebAssembly.Instance(module, { env: { memory, exp: Math.exp } }).exports;
  const fns = ${JSON.stringify(exportNames)}.map((name) => exports[name]);
  const ctl = new Int32Array(control);
  const args = new Float64Array(control);
  const at = slot / 4, argsAt = slot / 8 + 2;
  let seen = Atomics.load(ctl, at + ${POSTED});
  Atomics.store(ctl, at + ${READY}, 1);
  for (;;) {
    Atomics.wait(ctl, at + ${POSTED}, seen);
    seen = Atomics.load(ctl, at + ${POSTED});
    const fn = fns[ctl[at + ${FN}]];
    fn(...args.subarray(argsAt, argsAt + fn.length));
    Atomics.store(ctl, at + ${DONE}, seen);
    Atomics.notify(ctl, at + ${DONE});
  }
};
if (inNode) port.once('message', start); else port.onmessage = (e) => start(e.data);
`;
}

export interface KernelThreads {
  /** The shared memory, and the module's exports on this thread. */
  readonly memory: WebAssembly.Memory;
  readonly exports: WebAssembly.Exports;
  /** Workers that have compiled the module and take jobs. */
  ready(): number;
  /**
   * Run export `name` once per argument list, at once: the first on this thread, the others on
   * ready workers (on this thread too where there are not enough of them); returns when all are done.
   */
  run(name: string, shares: readonly (readonly number[])[]): void;
  close(): void;
}

/**
 * `bytes` (a module whose memory import is shared: `import x from './k.wat?shared'`) on a shared
 * memory with up to `maxWorkers` workers, one per core beyond the first; `imports` besides the
 * memory are Math.exp as env.exp. Null where shared memory, workers or a second core are missing.
 */
export function createKernelThreads(bytes: Uint8Array<ArrayBuffer>, exportNames: readonly string[], maxWorkers = 7): KernelThreads | null {
  try {
    const cores = coreCount();
    if (cores < 2 || typeof SharedArrayBuffer !== 'function' || !WebAssembly.validate(bytes)) return null;
    if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return null;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const module = new WebAssembly.Module(bytes);
    const exports = new WebAssembly.Instance(module, { env: { memory, exp: Math.exp } }).exports;
    const count = Math.min(cores - 1, maxWorkers);
    const control = new SharedArrayBuffer(SLOT_BYTES * count);
    const ctl = new Int32Array(control);
    const args = new Float64Array(control);
    const source = workerSource(exportNames);
    const workers: WorkerHandle[] = [];
    for (let w = 0; w < count; w++) {
      const worker = startWorker(source);
      if (worker === null) break;
      worker.postMessage({ module, memory, control, slot: w * SLOT_BYTES });
      workers.push(worker);
    }
    if (workers.length === 0) return null;
    const block = canBlock(ctl);
    const posted = new Int32Array(workers.length);
    let broken = false;
    const slot = (w: number) => (w * SLOT_BYTES) / 4;
    const ready = () => {
      let n = 0;
      for (let w = 0; w < workers.length; w++) n += Atomics.load(ctl, slot(w) + READY);
      return n;
    };
    const run = (name: string, shares: readonly (readonly number[])[]) => {
      const fn = exports[name] as (...a: number[]) => void;
      const index = exportNames.indexOf(name);
      const helpers: number[] = [];
      for (let w = 0; w < workers.length && helpers.length < shares.length - 1 && !broken; w++) {
        if (Atomics.load(ctl, slot(w) + READY) === 1) helpers.push(w);
      }
      helpers.forEach((w, i) => {
        const share = shares[i + 1];
        ctl[slot(w) + FN] = index;
        args.set(share, (w * SLOT_BYTES) / 8 + 2);
        posted[w]++;
        Atomics.store(ctl, slot(w) + POSTED, posted[w]);
        Atomics.notify(ctl, slot(w) + POSTED);
      });
      fn(...shares[0]);
      for (let s = helpers.length + 1; s < shares.length; s++) fn(...shares[s]); // shares without a worker
      const deadline = Date.now() + WORKER_TIMEOUT_MS;
      for (const w of helpers) {
        const done = slot(w) + DONE;
        while (Atomics.load(ctl, done) !== posted[w]) {
          if (block) Atomics.wait(ctl, done, Atomics.load(ctl, done), 100);
          if (Date.now() > deadline) {
            broken = true;
            throw new Error(`${name}: a worker thread did not finish its share within ${WORKER_TIMEOUT_MS / 1000} s; the threads are switched off (setCpuThreads(1) does this from the start)`);
          }
        }
      }
    };
    const close = () => {
      broken = true;
      for (const worker of workers) void worker.terminate();
    };
    return { memory, exports, ready, run, close };
  } catch {
    return null;
  }
}
