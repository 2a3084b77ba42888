// The WebAssembly kernels are written as text (kernels/cpu/*.wat) and assembled into bytes at
// build time by wabt, the WebAssembly Binary Toolkit. An import of a .wat file becomes a module
// whose default export is the assembled bytes:
//   import gemmBytes from './gemm.wat';   // Uint8Array, ready for new WebAssembly.Module()
//   import sharedBytes from './gemm.wat?shared';
// The `?shared` form is the same module importing a *shared* memory (WebAssembly threads), so
// that worker threads can run the kernel on the same operands (kernels/cpu/gemm-threads.ts).
// Two plugins do this, one for esbuild (build.mjs, the package, the CLI, the page and the scripts)
// and one for Vite (vitest.config.ts, so the tests run the same bytes from the sources).
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import wabtInit from 'wabt';

let wabt;

/** The memory import every kernel declares, and its shared form (up to 4 GiB: 65536 pages of 64 KiB). */
const MEMORY_IMPORT = '(import "env" "memory" (memory 1))';
const SHARED_MEMORY_IMPORT = '(import "env" "memory" (memory 1 65536 shared))';

/**
 * The bytes of a .wat file, validated (SIMD enabled), with its memory import made shared when
 * `shared`. Throws with wabt's message, naming the file and line.
 */
export async function assembleWat(path, text = readFileSync(path, 'utf8'), shared = false) {
  if (shared) {
    if (!text.includes(MEMORY_IMPORT)) throw new Error(`${path}: a ?shared import needs the memory import ${MEMORY_IMPORT}`);
    text = text.replace(MEMORY_IMPORT, SHARED_MEMORY_IMPORT);
  }
  wabt ??= await wabtInit();
  const features = { simd: true, threads: shared };
  const module = wabt.parseWat(path, text, features);
  try {
    module.resolveNames();
    module.validate(features);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/**
 * JavaScript for a module that exports the bytes: as base64, decoded once on load (a list of
 * numbers takes about four times the text, in every bundle and source map that holds a kernel).
 */
export function bytesModule(bytes) {
  return `export default Uint8Array.from(atob('${Buffer.from(bytes).toString('base64')}'), (c) => c.charCodeAt(0));\n`;
}

/** esbuild's namespace for the `?shared` imports. */
const SHARED_NAMESPACE = 'wat-shared';

/** esbuild: `import x from './k.wat'` is the assembled bytes. */
export const watEsbuildPlugin = {
  name: 'wat',
  setup(build) {
    // The shared form's path is kept relative to the working directory (the repository): esbuild
    // writes a path outside the file namespace as it is, into the bundle's comments and source map.
    build.onResolve({ filter: /\.wat\?shared$/ }, (args) => ({ path: relative(process.cwd(), join(args.resolveDir, args.path.slice(0, -'?shared'.length))), namespace: SHARED_NAMESPACE }));
    build.onLoad({ filter: /.*/, namespace: SHARED_NAMESPACE }, async (args) => ({ contents: bytesModule(await assembleWat(resolve(args.path), undefined, true)), loader: 'js' }));
    build.onLoad({ filter: /\.wat$/ }, async (args) => ({ contents: bytesModule(await assembleWat(args.path)), loader: 'js' }));
  },
};

/**
 * An esbuild source map (its JSON text; the map lies in `mapDir`) whose kernels point at their
 * .wat files instead of holding the modules above as base64: esbuild gives each kernel's
 * generated module as a source with its content, twice for a kernel also imported `?shared`. A
 * reader stepping through the bundle wants the .wat text, which is in the repository, not the
 * bytes (and the package's size budget is better spent on code): the entry becomes the .wat
 * file's path relative to the map (`?shared` kept), without content. build.mjs calls it.
 */
export function kernelsAsSources(text, mapDir) {
  const map = JSON.parse(text);
  const prefix = `${SHARED_NAMESPACE}:`;
  map.sources.forEach((source, i) => {
    const shared = source.startsWith(prefix);
    if (!shared && !source.endsWith('.wat')) return;
    map.sources[i] = shared ? `${relative(mapDir, source.slice(prefix.length))}?shared` : source;
    if (map.sourcesContent) map.sourcesContent[i] = null;
  });
  return JSON.stringify(map);
}

/** Vite (vitest): the same, for the tests that import the sources. */
export const watVitePlugin = {
  name: 'wat',
  async transform(code, id) {
    const shared = id.endsWith('.wat?shared');
    if (!id.endsWith('.wat') && !shared) return null;
    const path = shared ? id.slice(0, -'?shared'.length) : id;
    return { code: bytesModule(await assembleWat(path, readFileSync(path, 'utf8'), shared)), map: null };
  },
};
