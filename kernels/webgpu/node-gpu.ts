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
