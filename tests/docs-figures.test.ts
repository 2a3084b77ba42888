// The figures in README.md and docs/ that go stale when the code changes, each measured here and
// compared with what the docs say: the packed tarball's size and file count (docs/library.md),
// the size of the optional `webgpu` package, the number of gradcheck cases, the reference GAN
// and wide GAN steps' dispatches and the dependency table.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendStats } from '../engine/index';
import { opCases } from '../engine/gradcheck-suite';
import { createEngineGan } from '../models/bench/engine-gan';
import { setFusion, type FusionName } from '../engine/fusion';
import { assembleWat } from '../kernels/cpu/wat-plugin.mjs';
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

describe('docs/library.md: the dependency table', () => {
  it('lists exactly the packages package.json depends on', () => {
    const pkg = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
    const wanted = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }).sort();
    const section = read('docs/library.md').split('## Dependencies')[1] ?? '';
    const listed = [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((n) => n[1]));
    expect([...new Set(listed)].sort()).toEqual([...new Set(wanted)].sort());
  });
});

/** The dispatches of one step of `gan`. */
function stepDispatches(gan: ReturnType<typeof createEngineGan>): number {
  const before = backendStats().dispatches;
  const losses = gan.step();
  const n = backendStats().dispatches - before;
  for (const t of Object.values(losses)) t.dispose();
  return n;
}

describe("the reference GAN step's dispatches", () => {
  it('as many as docs/performance.md and docs/engine.md say (counted on the CPU; WebGPU runs the same calls)', () => {
    const gan = createEngineGan(0);
    const one = (): number => stepDispatches(gan);
    one(); // the first step allocates; count a warm one
    const dispatches = one();
    gan.dispose();
    const [warm] = figures('docs/performance.md', /A warm WebGPU step of the reference GAN is \*\*(\d+) dispatches\*\*/);
    const [plain, compiled] = figures('docs/performance.md', /\*\*(\d+) dispatches\*\* \((\d+) compiled\)/);
    const [engine] = figures('docs/engine.md', /the reference GAN step is (\d+) dispatches/);
    expect([warm, plain, engine, compiled]).toEqual([dispatches, dispatches, dispatches, dispatches + 2]);
  });
});

describe("the wide GAN step's dispatches", () => {
  it('as many as docs/performance.md and docs/fusion.md say (counted on the CPU)', () => {
    const gan = createEngineGan(0, { batch: 512, gHidden: [64, 64, 64], dHidden: [64, 64, 64] });
    const one = (): number => stepDispatches(gan);
    one();
    const dispatches = one();
    // Each fusion's row says how many dispatches it saved and how many the step took before it:
    // with it and the later ones off, against only the later ones off.
    const later: FusionName[] = ['biasGradInProduct', 'gradientAddedInKernel', 'activationGradInLayerBackward', 'activationGradInProduct'];
    const without = later.map((f) => {
      setFusion(f, false);
      return one();
    });
    for (const f of later) setFusion(f, true);
    gan.dispose();
    const [withoutNinth, withoutEighth, withoutSeventh, withoutSixth] = without;
    const [plain, compiled] = figures('docs/performance.md', /it is \*\*(\d+) dispatches\*\* \((\d+) compiled\) since the ninth fusion/);
    const [table, bench, benchCompiled] = figures('docs/fusion.md', /`gan-wide` from \d+ to (\d+) .*report per step \(24 and (\d+) with every fusion on; 26 and (\d+) compiled/);
    const [ninth] = figures('docs/fusion.md', /\*\*(\d+) dispatches\*\* a step on the CPU/);
    const row = (name: FusionName): number[] => figures('docs/fusion.md', new RegExp(`\`${name}\` \\|[^|]*\\|[^|]*\\|[^|]*; (\\d+) of the wide GAN's (\\d+) \\|`));
    expect([plain, table, bench, ninth, compiled, benchCompiled]).toEqual([dispatches, dispatches, dispatches, dispatches, dispatches + 2, dispatches + 2]);
    expect(row('activationGradInProduct')).toEqual([withoutSixth - withoutSeventh, withoutSixth]);
    expect(row('activationGradInLayerBackward')).toEqual([withoutSeventh - withoutEighth, withoutSeventh]);
    expect(row('gradientAddedInKernel')).toEqual([withoutEighth - withoutNinth, withoutEighth]);
    expect(row('biasGradInProduct')).toEqual([withoutNinth - dispatches, withoutNinth]);
  });
});

describe('docs/performance.md: the WebAssembly matrix product', () => {
  it('its module is as large as the page says (within 20%)', async () => {
    const [bytes] = figures('docs/performance.md', /the module \(about (\d+) bytes\)/);
    const module = await assembleWat(join(root, 'kernels/cpu/gemm.wat'));
    expect(Math.abs(module.length - bytes) / bytes, `gemm.wat assembles to ${module.length} bytes`).toBeLessThan(0.2);
  });
});
