// Build with esbuild:
//   dist/gradlab.js  the library (ESM; Node and browser). The Node-only 'webgpu' package is
//                    loaded by a dynamic import that only runs in Node, and stays external.
//   dist/cli.js      the command line (`gradlab ...`), with a shebang.
//   dist/demo/       the demo page, when demo/ has one.
//   dist/types/      with --types (npm run build): the library's .d.ts files, relative imports
//                    ending in .js so that TypeScript's node16/nodenext resolution finds them.
// Every output file is written atomically (a temporary file renamed over it): a server or a
// test reading dist/ during a rebuild sees the old file or the new one, never a half-written one.
import { build as esbuild } from 'esbuild';
import { kernelsAsSources, watEsbuildPlugin } from './kernels/cpu/wat-plugin.mjs';
import { shownCpuKernelFiles } from './demo/cpu-kernel-files.mjs';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const common = { bundle: true, format: 'esm', sourcemap: true, logLevel: 'warning', external: ['webgpu'], target: 'es2022', plugins: [watEsbuildPlugin] };

// `node build.mjs --script models/scripts/x.ts`: bundle one Node script to dist/scripts/x.js and stop
// (the quality and soak scripts; they import the .wat kernels, so they go through the same plugin).
const scriptAt = process.argv.indexOf('--script');
if (scriptAt !== -1) {
  const entry = process.argv[scriptAt + 1];
  if (!entry) throw new Error('build.mjs --script: name the script, e.g. --script models/scripts/gan-quality.ts');
  const name = entry.split('/').pop().replace(/\.ts$/, '.js');
  await build({ ...common, entryPoints: [entry], outfile: `dist/scripts/${name}`, platform: 'node', sourcemap: false });
  process.exit(0);
}

/** Write `contents` to `path` through a temporary file in the same folder, renamed over it. */
function writeAtomic(path, contents, mode) {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temp, contents, mode === undefined ? undefined : { mode });
  renameSync(temp, path);
}

/** esbuild with its output kept in memory, then written atomically. */
async function build(options) {
  const result = await esbuild({ ...options, write: false });
  // source maps name the WebAssembly kernels by their .wat files, without their bytes (wat-plugin.mjs)
  for (const file of result.outputFiles) writeAtomic(file.path, file.path.endsWith('.map') ? kernelsAsSources(file.text, dirname(file.path)) : file.contents);
  return result;
}

/** cpSync's job, atomically. */
function copyAtomic(from, to) {
  writeAtomic(to, readFileSync(from), statSync(from).mode & 0o777);
}

await build({ ...common, entryPoints: ['models/index.ts'], outfile: 'dist/gradlab.js', platform: 'neutral', mainFields: ['module', 'main'] });

await build({
  ...common,
  entryPoints: ['models/cli/main.ts'],
  outfile: 'dist/cli.js',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
  // The CLI is a program to run, not to read (it holds the whole library again, and the package
  // has a size budget): without its whitespace, about 20 kB less to download. The library's
  // bundle and its source map, which a reader steps through, keep theirs.
  minifyWhitespace: true,
});
chmodSync('dist/cli.js', 0o755); // after the rename: the mode of the file in place

if (existsSync('demo/main.ts')) {
  mkdirSync('dist/demo', { recursive: true });
  // 'virtual:cpu-kernels': the text of the CPU kernels the page shows (demo/cpu-kernel-files.mjs).
  const cpuKernels = {
    name: 'cpu-kernel-sources',
    setup(b) {
      b.onResolve({ filter: /^virtual:cpu-kernels$/ }, () => ({ path: 'cpu-kernels', namespace: 'virtual' }));
      b.onLoad({ filter: /.*/, namespace: 'virtual' }, () => {
        const files = shownCpuKernelFiles('.');
        return { contents: `export default ${JSON.stringify(files)};`, loader: 'js', watchDirs: ['kernels/cpu', 'engine/ops'], watchFiles: ['engine/backend.ts'] };
      });
    },
  };
  await build({ ...common, entryPoints: ['demo/main.ts'], outfile: 'dist/demo/main.js', platform: 'browser', loader: { '.css': 'css' }, plugins: [watEsbuildPlugin, cpuKernels] });
  for (const f of ['index.html', 'style.css']) if (existsSync(`demo/${f}`)) copyAtomic(`demo/${f}`, `dist/demo/${f}`);
  copyAtomic('node_modules/uplot/dist/uPlot.min.css', 'dist/demo/uPlot.min.css');
}
if (process.argv.includes('--types')) await emitDeclarations();
console.log('built dist/gradlab.js, dist/cli.js' + (existsSync('demo/main.ts') ? ', dist/demo/' : '') + (process.argv.includes('--types') ? ', dist/types/' : ''));

/** tsc's declaration emit for models/index.ts (the package's entry), then explicit .js extensions. */
async function emitDeclarations() {
  const ts = (await import('typescript')).default;
  const { config } = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, '.');
  rmSync('dist/types', { recursive: true, force: true });
  // kernels/cpu/wat-modules.d.ts: what a .wat import is (its bytes); a root so the kernels typecheck.
  const program = ts.createProgram(['models/index.ts', 'kernels/cpu/wat-modules.d.ts'], {
    ...options, noEmit: false, declaration: true, emitDeclarationOnly: true, stripInternal: true, outDir: 'dist/types', rootDir: '.',
  });
  const result = program.emit();
  const errors = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => '.', getNewLine: () => '\n' }));
  for (const file of readdirSync('dist/types', { recursive: true })) {
    if (!String(file).endsWith('.d.ts')) continue;
    const path = join('dist/types', String(file));
    // './shape' -> './shape.js', './ops' -> './ops/index.js': what node16/nodenext resolution requires.
    const text = readFileSync(path, 'utf8').replace(/(from |import\()(['"])(\.{1,2}\/[^'"]*)\2/g, (all, head, q, spec) => {
      const target = join(dirname(path), spec);
      if (existsSync(`${target}.d.ts`)) return `${head}${q}${spec}.js${q}`;
      if (existsSync(join(target, 'index.d.ts'))) return `${head}${q}${spec}/index.js${q}`;
      return all;
    });
    writeAtomic(path, text);
  }
}
