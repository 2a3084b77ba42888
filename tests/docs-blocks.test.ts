// Every code block of README.md and docs/*.md: ```ts programs typecheck under `strict` and run as
// printed, ```ts no-run blocks typecheck, ```ts excerpt blocks match the file they quote (see
// tests/readme-block.ts for the markers). Two examples are also checked for what they compute:
// the README's 20-line example and the Hessian-vector product in docs/engine.md.
import { describe, expect, it } from 'vitest';
import { createRng, grad, linear, randn, tensor, tidy, type Tensor } from '../engine/index';
import { allBlocks, excerptMismatches, markdownFiles, runDocBlock, typecheckBlocks, where, type DocBlock } from './readme-block';

const blocks = allBlocks();
const tsBlocks = blocks.filter((b) => b.lang === 'ts');
const runnable = tsBlocks.filter((b) => b.kind === 'run');

function block(file: string, heading: string): DocBlock {
  const found = runnable.find((b) => b.file === file && b.heading === heading);
  if (!found) throw new Error(`${file} has no runnable \`\`\`ts block under "${heading}"`);
  return found;
}

describe('the code blocks of README.md and docs/', () => {
  it('reads README.md and the docs pages, and finds the programs it must run', () => {
    const files = markdownFiles();
    expect(files).toContain('README.md');
    expect(files).toContain('docs/engine.md');
    expect(runnable.length).toBeGreaterThanOrEqual(4);
  });

  it('every block says what it is: a language, and for ts, run / no-run with a reason / excerpt of a file', () => {
    const bad = blocks.flatMap((b) => {
      if (b.lang === '') return [`${where(b)}: a code block without a language (use ts, sh or text)`];
      if (['js', 'javascript', 'typescript', 'mjs'].includes(b.lang)) return [`${where(b)}: write \`\`\`ts so the block is typechecked and run`];
      if (b.lang !== 'ts') return [];
      if (!['run', 'no-run', 'excerpt'].includes(b.kind)) return [`${where(b)}: unknown marker '${b.kind}' (use no-run: REASON or excerpt FILE)`];
      if (b.kind === 'no-run' && b.argument.length < 10) return [`${where(b)}: a no-run block must say why it is not run`];
      if (b.kind === 'excerpt' && b.argument === '') return [`${where(b)}: an excerpt block must name the file it quotes`];
      return [];
    });
    expect(bad).toEqual([]);
  });

  it('every ```ts program and no-run block typechecks under strict', () => {
    // A block that strict mode must refuse rides along, so the check is known to bite: grad()
    // returns (Tensor | null)[], and reading .shape of an element needs a check or a cast.
    const refused: DocBlock = {
      file: 'strict-self-check', line: 0, lang: 'ts', kind: 'run', argument: '', heading: 'strict', code: [
        "import { grad, tensor } from 'gradlab';",
        'const x = tensor([1, 2], { requiresGrad: true });',
        'console.log(grad(x.sum(), [x])[0].shape);',
      ].join('\n') + '\n',
    };
    const errors = typecheckBlocks([...tsBlocks.filter((b) => b.kind !== 'excerpt'), refused]);
    const own = errors.filter((e) => e.startsWith(refused.file));
    expect(own.join('\n')).toMatch(/possibly 'null'/);
    expect(errors.filter((e) => !own.includes(e))).toEqual([]);
  }, 120_000);

  it('every ```ts excerpt matches the file it quotes, line for line in order', () => {
    const bad = tsBlocks.filter((b) => b.kind === 'excerpt').flatMap((b) => excerptMismatches(b).map((l) => `${where(b)}: not in ${b.argument}: ${l}`));
    expect(bad).toEqual([]);
  });

  for (const b of runnable) {
    it(`runs ${b.file}:${b.line} (${b.heading}) as printed`, async () => {
      const r = await runDocBlock(b);
      expect(r.status, `${where(b)} exits 0; stderr:\n${r.stderr}`).toBe(0);
    }, 120_000);
  }
});

describe('the README example', () => {
  it('trains XOR to a low loss and prints what its comments say', async () => {
    const b = block('README.md', 'A 20-line example');
    expect(b.code.trim().split('\n').length).toBeLessThanOrEqual(25);
    const r = await runDocBlock(b);
    const lines = r.stdout.trim().split('\n').map((l) => l.split(' '));
    // Steps 0, 100, 200, 300, then the gradcheck line.
    expect(lines.map((l) => l[0])).toEqual(['0', '100', '200', '300', 'true']);
    expect(Number(lines[3][1])).toBeLessThan(0.05);
    expect(Number(lines[4][1])).toBeLessThan(1e-6);
  }, 120_000);
});

describe('the program at the top of docs/webgpu.md', () => {
  it('prints the debug log that docs/webgpu.md shows under "Debugging" (on WebGPU)', async () => {
    // With the matmul tuner on, a product's label names the rung it picked on this adapter by
    // timing (small and block tie on lavapipe for this thin product); the page shows the log untuned.
    const r = await runDocBlock(block('docs/webgpu.md', 'The WebGPU backend'), 90_000, { GRADLAB_MATMUL_TUNE: 'off' });
    expect(r.status).toBe(0);
    const squash = (l: string): string => l.replace(/\s+/g, ' ').trim();
    const printed = r.stdout.split('\n').filter((l) => l.startsWith('[gradlab]')).map(squash);
    const backend = r.stdout.split('\n').find((l) => /^(webgpu|cpu) /.test(l))?.split(' ')[0];
    const shown = allBlocks().find((b) => b.file === 'docs/webgpu.md' && b.heading === 'Debugging' && b.lang === 'text');
    expect(shown, 'docs/webgpu.md has a text block under "Debugging"').toBeTruthy();
    // The log names the backend it ran on; the page shows WebGPU's, which the test machines have.
    expect(backend).toBe('webgpu');
    expect(printed).toEqual(shown!.code.trim().split('\n').map(squash));
  }, 120_000);
});

describe('the Hessian-vector example of docs/engine.md', () => {
  it('prints the shapes of H·v', async () => {
    const r = await runDocBlock(block('docs/engine.md', 'Gradients of gradients'));
    expect(r.stdout.trim()).toBe('[ 2, 4 ] [ 4, 1 ]');
  }, 120_000);

  it('computes H·v: the same network, checked against (∇L(θ + hv) − ∇L(θ − hv)) / 2h in float64', () => {
    const rng = createRng(7);
    const opts = { dtype: 'float64' as const };
    const x = tensor([[0.5, -1], [1.5, 0.25], [-0.75, 2]], opts);
    const W = randn([2, 4], rng, { ...opts, requiresGrad: true });
    const w = randn([4, 1], rng, { ...opts, requiresGrad: true });
    const v = [randn([2, 4], rng, opts), randn([4, 1], rng, opts)];
    const loss = (a: Tensor, b: Tensor): Tensor => linear(x, a, null, 'tanh').matmul(b).sigmoid().mean();
    const hv = tidy(() => {
      const g = grad(loss(W, w), [W, w], { createGraph: true }) as Tensor[];
      const gv = g[0].mul(v[0]).sum().add(g[1].mul(v[1]).sum());
      return grad(gv, [W, w]) as Tensor[];
    });
    const h = 1e-5;
    const gradAt = (sign: number): number[][] => tidy(() => {
      const shifted = [W, w].map((p, i) => p.add(v[i].mul(sign * h)).detach());
      shifted.forEach((t) => { t.requiresGrad = true; });
      return (grad(loss(shifted[0], shifted[1]), shifted) as Tensor[]).map((t) => Array.from(t.dataSync()));
    });
    const plus = gradAt(1);
    const minus = gradAt(-1);
    hv.forEach((t, i) => Array.from(t.dataSync()).forEach((a, j) => expect(a).toBeCloseTo((plus[i][j] - minus[i][j]) / (2 * h), 7)));
  });
});
