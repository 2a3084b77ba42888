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

  it('package.json points exports and bin at the bundles', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('gradlab');
    expect(pkg.exports['.']).toBe('./dist/gradlab.js');
    expect(pkg.bin.gradlab).toBe('dist/cli.js');
  });
});
