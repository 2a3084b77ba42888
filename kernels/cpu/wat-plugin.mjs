// The WebAssembly kernels are written as text (kernels/cpu/*.wat) and assembled into bytes at
// build time by wabt, the WebAssembly Binary Toolkit. An import of a .wat file becomes a module
// whose default export is the assembled bytes:
//   import gemmBytes from './gemm.wat';   // Uint8Array, ready for new WebAssembly.Module()
// Two plugins do this, one for esbuild (build.mjs, the package, the CLI, the page and the scripts)
// and one for Vite (vitest.config.ts, so the tests run the same bytes from the sources).
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';

let wabt;

/** The bytes of a .wat file, validated (SIMD enabled). Throws with wabt's message, naming the file and line. */
export async function assembleWat(path, text = readFileSync(path, 'utf8')) {
  wabt ??= await wabtInit();
  const module = wabt.parseWat(path, text, { simd: true });
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** JavaScript for a module that exports the bytes. */
export function bytesModule(bytes) {
  return `export default new Uint8Array([${Array.from(bytes).join(',')}]);\n`;
}

/** esbuild: `import x from './k.wat'` is the assembled bytes. */
export const watEsbuildPlugin = {
  name: 'wat',
  setup(build) {
    build.onLoad({ filter: /\.wat$/ }, async (args) => ({ contents: bytesModule(await assembleWat(args.path)), loader: 'js' }));
  },
};

/** Vite (vitest): the same, for the tests that import the sources. */
export const watVitePlugin = {
  name: 'wat',
  async transform(code, id) {
    if (!id.endsWith('.wat')) return null;
    return { code: bytesModule(await assembleWat(id, code)), map: null };
  },
};
