// gradlab as a user installs it, offline: copy the sources as a clean checkout has them (no
// dist/), `npm pack` (its `prepare` script builds), install the tarball into a fresh project,
// typecheck a strict TypeScript program (the README example) under node16/nodenext and bundler
// resolution, check that a type error is reported, run the program, and run `npx gradlab`.
// WebGPU's package is an optional peer and is not installed here, so --backend webgpu must fail
// with the fix and --backend auto must fall back.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'gradlab-pack-'));
const app = join(work, 'app');
let tarball = '';
let packed: string[] = [];

/** Offline npm, no audit or funding requests, in `cwd`. */
function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function run(cmd: string, args: string[], cwd = app): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' } });
}

function tsconfig(module: 'NodeNext' | 'ESNext', resolution: 'NodeNext' | 'Bundler', files: string[], emit = false): string {
  const name = `tsconfig.${resolution}.${files[0].replace('.ts', '')}.json`;
  writeFileSync(join(app, name), JSON.stringify({
    compilerOptions: { strict: true, target: 'ES2022', module, moduleResolution: resolution, types: [], noEmit: !emit, outDir: 'out' },
    files,
  }));
  return name;
}

describe('the packed package, installed offline into a fresh project', () => {
  beforeAll(() => {
    // A clean checkout: the sources without dist/ (build output), test results or git data.
    const src = join(work, 'gradlab');
    const skip = new Set(['node_modules', 'dist', 'test-results', '.git']);
    // (and no nested node_modules: models/bench/peers/ holds the bench's peers when installed)
    cpSync(root, src, { recursive: true, filter: (from) => !skip.has(from.slice(root.length + 1).split('/')[0]) && !from.endsWith('/node_modules') });
    symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'), 'dir');
    tarball = npm(['pack', '--pack-destination', work], src).trim().split('\n').pop()!;
    packed = execFileSync('tar', ['tzf', join(work, tarball)], { encoding: 'utf8' }).trim().split('\n');
    // uplot, the one runtime dependency (the compare report inlines it), from the repo's node_modules.
    const uplot = npm(['pack', '--ignore-scripts', '--pack-destination', work, join(root, 'node_modules/uplot')], work).trim().split('\n').pop()!;
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    npm(['install', join(work, tarball), join(work, uplot)], app);
  }, 600_000);

  it('the tarball holds the built library, CLI, types and page, the README and the licence, nothing else', () => {
    const top = new Set(packed.map((f) => f.split('/').slice(1, 3).join('/')));
    expect([...top].sort()).toEqual(['LICENSE', 'README.md', 'dist/cli.js', 'dist/demo', 'dist/gradlab.js', 'dist/gradlab.js.map', 'dist/types', 'package.json']);
    expect(packed).toContain('package/dist/types/models/index.d.ts');
    expect(packed).toContain('package/dist/demo/index.html');
    const size = statSync(join(work, tarball)).size;
    console.log(`gradlab tarball: ${(size / 1024).toFixed(0)} KiB, ${packed.length} files`);
    expect(size).toBeLessThan(1_000_000);
  });

  it("the library's source map names each WebAssembly kernel by its .wat file, without its bytes or the build machine's paths", () => {
    const dist = join(app, 'node_modules/gradlab/dist');
    const map = JSON.parse(readFileSync(join(dist, 'gradlab.js.map'), 'utf8')) as { sources: string[]; sourcesContent: (string | null)[] };
    const kernels = map.sources.map((source, i) => ({ source, content: map.sourcesContent[i] })).filter(({ source }) => /\.wat(\?shared)?$/.test(source));
    expect(kernels.map(({ source }) => source)).toContain('../kernels/cpu/gemm.wat');
    expect(kernels.map(({ source }) => source)).toContain('../kernels/cpu/gemm.wat?shared');
    for (const { source, content } of kernels) {
      expect(source, source).toMatch(/^\.\.\/(kernels|models)\/[\w/-]+\.wat(\?shared)?$/);
      expect(content, source).toBeNull();
    }
    for (const source of map.sources) expect(source, 'a path relative to the map').not.toMatch(/^(\/|[a-z-]+:)/);
    // the package was built in a copy of the sources under `work`
    for (const file of ['gradlab.js', 'gradlab.js.map', 'cli.js', 'demo/main.js']) expect(readFileSync(join(dist, file), 'utf8'), file).not.toContain(work);
  });

  it('installs without the optional webgpu peer', () => {
    expect(readdirSync(join(app, 'node_modules')).sort()).toEqual(['.bin', '.package-lock.json', 'gradlab', 'uplot']);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/gradlab/package.json'), 'utf8'));
    expect(pkg.peerDependenciesMeta.webgpu.optional).toBe(true);
  });

  it('a strict TypeScript program with the README example typechecks (nodenext and bundler) and runs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = /## A 20-line example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1];
    writeFileSync(join(app, 'example.ts'), example);
    for (const [module, resolution] of [['ESNext', 'Bundler'], ['NodeNext', 'NodeNext']] as const) {
      const r = run(process.execPath, [tsc, '-p', tsconfig(module, resolution, ['example.ts'], resolution === 'NodeNext')]);
      expect(r.stdout + r.stderr, `tsc with moduleResolution ${resolution}`).toBe('');
      expect(r.status).toBe(0);
    }
    const out = run(process.execPath, ['out/example.js']);
    expect(out.stderr).toBe('');
    const lines = out.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['0', '100', '200', '300', 'true']);
    expect(Number(lines[3].split(' ')[1])).toBeLessThan(0.05);
  }, 180_000);

  it('a type error in the user program is reported, naming the option and the wrong type', () => {
    writeFileSync(join(app, 'wrong.ts'), [
      "import { Adam, tensor, zeros } from 'gradlab';",
      'const w = tensor([1, 2], { requiresGrad: true });',
      'new Adam([w], { learningRate: 0.5 });',
      "zeros([2, 3], { dtype: 'bogus' });",
      '',
    ].join('\n'));
    const r = run(process.execPath, [tsc, '-p', tsconfig('NodeNext', 'NodeNext', ['wrong.ts'])]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/wrong\.ts\(3,\d+\): error TS2353: .*'learningRate' does not exist in type 'AdamOptions'/);
    expect(r.stdout).toMatch(/wrong\.ts\(4,\d+\): error TS2322: Type '"bogus"' is not assignable to type 'DType/);
  }, 120_000);

  it('npx gradlab --version prints the version', () => {
    const r = run('npx', ['--no-install', 'gradlab', '--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`gradlab ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}`);
    expect(r.status).toBe(0);
  });

  it('--backend webgpu without the webgpu package exits 1 with the fix; --backend auto falls back to the CPU', () => {
    const args = ['--no-install', 'gradlab', 'train', '--target', 'normal', '--epochs', '1', '--dataset', '256', '--json'];
    const gpu = run('npx', [...args, '--backend', 'webgpu']);
    expect(gpu.status).toBe(1);
    expect(gpu.stderr).toMatch(/--backend webgpu: could not load the 'webgpu' package .*npm install webgpu.*use --backend auto to fall back to the CPU/s);
    const auto = run('npx', [...args, '--backend', 'auto']);
    expect(auto.status).toBe(0);
    expect(auto.stderr).toMatch(/--backend auto: WebGPU is not available, training on the CPU/);
    expect(JSON.parse(auto.stdout.trim().split('\n').pop()!).backend).toBe('cpu');
  }, 120_000);

  it("setBackend('webgpu') falls back with a warning that gives the fix for an installed package", () => {
    writeFileSync(join(app, 'fallback.mjs'), "import { setBackend } from 'gradlab';\nconsole.log(await setBackend('webgpu'));\n");
    const r = run(process.execPath, ['fallback.mjs']);
    expect(r.stdout.trim()).toBe('cpu');
    expect(r.stderr).toMatch(/npm install webgpu/);
    expect(r.stderr).not.toMatch(/tests\/setup/);
  });

  it('bundled into an app, a program that imports only ops still has its CPU backend; the package exports no internal helper', async () => {
    writeFileSync(join(app, 'ops-only.mjs'), "import { add, zeros } from 'gradlab';\nconsole.log(Array.from(add(zeros([3]), 2).dataSync()).join(','));\n");
    const { build } = await import('esbuild');
    await build({ entryPoints: [join(app, 'ops-only.mjs')], outfile: join(app, 'out/ops-only.bundle.mjs'), bundle: true, platform: 'node', format: 'esm', external: ['webgpu'], logLevel: 'silent' });
    const r = run(process.execPath, ['out/ops-only.bundle.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('2,2,2');
    writeFileSync(join(app, 'names.mjs'), "console.log(JSON.stringify(Object.keys(await import('gradlab'))));\n");
    const names = JSON.parse(run(process.execPath, ['names.mjs']).stdout) as string[];
    for (const internal of ['binaryKernel', 'binaryOp', 'unaryOp', 'unaryGrad', 'meanOfUnary', 'matmulT', 'runKernel']) expect(names).not.toContain(internal);
    for (const needed of ['eq', 'assign', 'where', 'Sequential', 'toSafetensors', 'setCpuThreads']) expect(names).toContain(needed);
  }, 120_000);
});
