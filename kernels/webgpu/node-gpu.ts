// WebGPU in Node: the npm package `webgpu` (Google's Dawn as a Node add-on). It is loaded with
// a dynamic import of a specifier held in a variable, so bundlers leave it out of the browser
// build (build.mjs also marks 'webgpu' external) and the browser never tries to fetch it.

interface DawnModule {
  create(flags: string[]): GPU;
  globals: object;
}

let gpu: Promise<GPU> | null = null;

/**
 * The process-wide GPU object from Dawn (created once: each create() prints Dawn's warnings
 * again, and one adapter serves one device). Also installs GPUBufferUsage, GPUMapMode, ... on
 * globalThis, as a browser has them. Rejects when the package or its native part is missing.
 */
export function nodeGpu(): Promise<GPU> {
  if (gpu === null) {
    gpu = (async () => {
      const specifier = 'webgpu';
      const dawn = (await import(/* @vite-ignore */ specifier)) as DawnModule;
      Object.assign(globalThis, dawn.globals);
      return dawn.create([]);
    })();
    gpu.catch(() => { gpu = null; }); // let a later call try again
  }
  return gpu;
}

/** True when running under Node (where navigator.gpu does not exist). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** How long a wait polls Dawn at full speed before it backs off to timers (ms). */
export const GPU_WAIT_SPIN_MS = 1;
/** The timer period of a backed-off wait (ms): at most this much latency added to a wait. */
export const GPU_WAIT_POLL_MS = 1;

let waits = 0;
let realSetImmediate: typeof setImmediate | null = null;
let spinUntil = 0;

/**
 * Whether a setImmediate callback looks like Dawn's: a native function, nameless, taking no
 * arguments (a script's functions are not native; a promise's resolve is native but takes one).
 */
const isDawnCallback = (fn: unknown): boolean =>
  typeof fn === 'function' && fn.length === 0 && fn.name === '' && Function.prototype.toString.call(fn).endsWith('[native code] }');

/**
 * Await a promise of Dawn's (a mapAsync, onSubmittedWorkDone) without a busy loop.
 *
 * While such a promise is pending, Dawn's Node add-on polls for its completion from setImmediate,
 * over and over: a busy loop that keeps one core at 100%. On a CPU adapter (lavapipe, 2 cores)
 * that core is taken from the driver's own threads, which run the kernels being waited for:
 * perf on the wide GAN's step put the main thread at 43% of all samples and each of the two
 * driver threads at 22%. So while a wait is pending here, the add-on's setImmediate calls (the
 * native callbacks) run at full speed for the first GPU_WAIT_SPIN_MS, then as GPU_WAIT_POLL_MS
 * timers. Other setImmediate callbacks are untouched, and the real setImmediate is back as soon
 * as no wait is pending. Outside Node (a browser polls by itself)
 * the promise is awaited as it is.
 */
export async function gpuWait<T>(start: () => Promise<T>): Promise<T> {
  const g = globalThis as { setImmediate?: typeof setImmediate };
  if (!isNode() || typeof g.setImmediate !== 'function') return start();
  if (waits++ === 0) {
    realSetImmediate = g.setImmediate;
    const real = realSetImmediate;
    const gentle = ((fn: (...a: unknown[]) => void, ...args: unknown[]) =>
      isDawnCallback(fn) && performance.now() > spinUntil ? setTimeout(fn, GPU_WAIT_POLL_MS, ...args) : real(fn, ...args)) as unknown as typeof setImmediate;
    g.setImmediate = gentle;
  }
  spinUntil = Math.max(spinUntil, performance.now() + GPU_WAIT_SPIN_MS);
  try {
    return await start();
  } finally {
    if (--waits === 0 && realSetImmediate) {
      g.setImmediate = realSetImmediate;
      realSetImmediate = null;
    }
  }
}
