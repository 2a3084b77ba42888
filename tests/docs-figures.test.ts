// The figures in README.md and docs/ that go stale when the code changes, each measured here and
// compared with what the docs say: the packed tarball's size and file count (docs/library.md),
// the size of the optional `webgpu` package, and the number of gradcheck cases.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { opCases } from '../engine/gradcheck-suite';
import { markdownFiles, root } from './readme-block';

const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** The one match of `pattern` in `file`, as numbers (the test fails if the sentence is gone). */
function figures(file: string, pattern: RegExp): number[] {
  const m = pattern.exec(read(file).replace(/\s+/g, ' '));
  expect(m, `${file} states ${pattern}`).not.toBeNull();
  return m!.slice(1).map((s) => Number(s.replace(/,/g, '')));
}

function bytesUnder(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, f) => sum + bytesUnder(join(path, f)), 0);
}

describe('figures in the docs that the code can make stale', () => {
  beforeAll(() => {
    // npm pack lists what package.json's "files" names in dist/: build it if it is not there.
    if (!existsSync(join(root, 'dist/types/models/index.d.ts')) || !existsSync(join(root, 'dist/demo/main.js'))) {
      execFileSync(process.execPath, ['build.mjs', '--types'], { cwd: root, stdio: 'ignore' });
    }
  }, 300_000);

  it('docs/library.md: the tarball size (within 10%) and its exact file count, as `npm pack --dry-run` reports them', () => {
    const [kB, files] = figures('docs/library.md', /\(`npm pack`: about ([\d,]+) kB, (\d+) files\)/);
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { cwd: root, encoding: 'utf8' });
    const [pack] = JSON.parse(out) as { size: number; entryCount: number }[];
    const message = `npm pack: ${Math.round(pack.size / 1000)} kB, ${pack.entryCount} files; update docs/library.md`;
    expect(pack.entryCount, message).toBe(files);
    expect(Math.abs(pack.size / 1000 - kB) / kB, message).toBeLessThan(0.1);
  }, 120_000);

  it('docs/library.md: the size of the optional webgpu package (within 10%)', () => {
    const [mb] = figures('docs/library.md', /it is about (\d+) MB of native binaries/);
    const bytes = bytesUnder(join(root, 'node_modules/webgpu'));
    expect(Math.abs(bytes / 1e6 - mb) / mb, `node_modules/webgpu holds ${(bytes / 1e6).toFixed(0)} MB`).toBeLessThan(0.1);
  });

  it(`the gradcheck suite's case count (${opCases.length}) wherever the docs give one`, () => {
    const [cases, pass] = figures('docs/engine.md', /`engine\/gradcheck-suite\.ts`, (\d+) cases\).*? All (\d+) pass/);
    expect([cases, pass]).toEqual([opCases.length, opCases.length]);
    // Any other paragraph that counts gradcheck cases must agree.
    for (const file of markdownFiles()) {
      for (const paragraph of read(file).split(/\n\s*\n/).filter((p) => /gradcheck/i.test(p))) {
        for (const m of paragraph.matchAll(/\b(\d+) cases\b/g)) expect(Number(m[1]), `${file}: "${m[0]}"`).toBe(opCases.length);
      }
    }
  });
});
