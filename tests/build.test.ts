// The build's promises: a library bundle usable in the browser (no Node-only import of the
// 'webgpu' package), a CLI with a shebang that runs and exits on its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

describe('build.mjs', () => {
  beforeAll(() => {
    execFileSync('node', ['build.mjs'], { cwd: root, stdio: 'pipe' });
  }, 120_000);

  it('emits dist/gradlab.js as ESM without a static import of the Node-only webgpu package or node: builtins', () => {
    const lib = readFileSync(resolve(root, 'dist/gradlab.js'), 'utf8');
    expect(lib).toMatch(/export\s*\{/);
    expect(lib).not.toMatch(/^\s*import\s[^;]*from\s*["']webgpu["']/m);
    expect(lib).not.toMatch(/from\s*["']node:/);
    expect(lib).not.toMatch(/require\(["'](fs|node:fs|path|webgpu)["']\)/);
  });

  it('the page embeds the CPU twin of every kernel (and gemm.wat, and the op table), and none of the plumbing', async () => {
    const { kernelNames, shownCpuKernelFiles } = await import('../demo/cpu-kernel-files.mjs');
    const files = shownCpuKernelFiles(root);
    const names = [...kernelNames(root)];
    expect(names.length).toBeGreaterThan(20);
    // demo/source-view.ts shows the first file that exports a function of the kernel's name.
    for (const name of names) expect(Object.values(files).some((text) => new RegExp(`^export function ${name}\\b`, 'm').test(text)), name).toBe(true);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['gemm.wat', 'matmul.ts', 'unary.ts', 'engine/ops/unary-table.ts']));
    expect(Object.keys(files)).not.toContain('gemm-threads.ts');
    const page = readFileSync(resolve(root, 'dist/demo/main.js'), 'utf8');
    expect(page).toContain('export function linearGrad(');
    expect(page).not.toContain('export function claimChunk(ctl: Int32Array'); // gemm-threads.ts's text is not embedded (its code is bundled)
  });

  it('emits dist/cli.js with a shebang, executable, that prints help and exits', () => {
    const cli = resolve(root, 'dist/cli.js');
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(cli).mode & 0o111).not.toBe(0);
    const r = spawnSync(cli, ['help'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('gradcheck');
  });

  it('a bad option prints the usage line and exits with code 2', () => {
    const r = spawnSync('node', [resolve(root, 'dist/cli.js'), 'gradcheck', '--nope'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: gradlab gradcheck/);
    expect(r.stderr).toMatch(/unknown option --nope/);
  });

  it('the library bundle imports and trains in plain Node', async () => {
    const lib = await import(/* @vite-ignore */ resolve(root, 'dist/gradlab.js'));
    const x = lib.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(Array.from(x.grad.dataSync())).toEqual([2, 4, 6, 8]);
  });

  it('the library bundle accepts a tensor option (grad\'s seed), though the bundler renames the Tensor class', () => {
    // esbuild names the class _Tensor in the bundle: a check by constructor name refused every seed.
    const program = `
      import { grad, tensor } from ${JSON.stringify(resolve(root, 'dist/gradlab.js'))};
      const x = tensor([1, 2, 3], { requiresGrad: true });
      const [g] = grad(x.mul(x), [x], { seed: tensor([1, 0.5, -2]) });
      console.log(JSON.stringify(Array.from(g.dataSync())));
      try { grad(x.mul(x), [x], { seed: [1, 1, 1] }); } catch (e) { console.log(e.message); }`;
    const r = spawnSync('node', ['--input-type=module', '-e', program], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    const [values, refusal] = r.stdout.trim().split('\n');
    expect(JSON.parse(values)).toEqual([2, 2, -12]); // d(x²)/dx · seed = 2x · seed
    expect(refusal).toMatch(/grad: .*seed.* must be a Tensor, got an array/);
  });

  it('package.json points exports, types and bin at the bundles, and builds on install from git', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('gradlab');
    expect(pkg.exports['.']).toEqual({ types: './dist/types/models/index.d.ts', import: './dist/gradlab.js', default: './dist/gradlab.js' });
    expect(pkg.types).toBe('./dist/types/models/index.d.ts');
    expect(pkg.bin.gradlab).toBe('dist/cli.js');
    expect(pkg.engines.node).toBe('>=20');
    // The bundle registers the CPU backend when imported: a bundler must keep that (tests/package.test.ts).
    expect(pkg.sideEffects).toEqual(['./dist/gradlab.js']);
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.build).toBe('node build.mjs --types');
    expect(pkg.peerDependenciesMeta.webgpu.optional).toBe(true);
  });

  it('gradlab --version, and train --model vae --help lists the VAE options once each, in aligned columns', () => {
    const cli = resolve(root, 'dist/cli.js');
    const version = spawnSync('node', [cli, '--version'], { encoding: 'utf8', timeout: 30_000 });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(`gradlab ${JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version}`);
    const help = spawnSync('node', [cli, 'train', '--model', 'vae', '--help'], { encoding: 'utf8', timeout: 30_000 }).stdout;
    expect(help).toMatch(/^usage: gradlab train --model vae /);
    expect(help).toMatch(/\nvae options:\n/);
    expect(help).toMatch(/--beta <number> +weight β of the KL term/);
    expect(help).not.toMatch(/--g-width|--cd-k|--timesteps|gan options|\[vae\]/);
    const options = help.split('\n').filter((l) => l.startsWith('  --'));
    expect(new Set(options.map((l) => l.split(' ')[2])).size).toBe(options.length); // no option twice
    const all = spawnSync('node', [cli, 'train', '--help'], { encoding: 'utf8', timeout: 30_000 }).stdout;
    for (const kind of ['gan', 'vae', 'rbm', 'diffusion']) expect(all).toContain(`\n${kind} options:\n`);
    expect(all.match(/minibatch size B/g)?.length).toBe(4); // once per model section, never repeated in one line
    // Within each block the descriptions start in one column, after the longest option.
    for (const block of all.split('\n\n').filter((b) => b.includes('\n  --'))) {
      const rows = block.split('\n').filter((l) => l.startsWith('  --'));
      const columns = new Set(rows.map((l) => /^ {2}--\S+(?: <\w+>)? +/.exec(l)![0].length));
      expect(columns.size).toBe(1);
    }
  });
});
