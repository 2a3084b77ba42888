// The code blocks of README.md and docs/*.md, as the doc tests see them.
//
// A fenced block's info string says what it is:
//   ```ts                     a program: typechecked under `strict` against the library ('gradlab'
//                             is this repo's models/index.ts) and run in a fresh Node process
//   ```ts no-run: REASON      typechecked, not run (REASON says why, e.g. it needs a browser)
//   ```ts excerpt FILE        a few lines quoted from FILE: each code line (trailing // comments
//                             aside) must appear in FILE, in order
//   ```sh, ```text, ...       shown, never run
// A block with no language, or in plain js/javascript/typescript, is refused: everything that is
// code must say how it is checked.
import { build } from 'esbuild';
import { watEsbuildPlugin } from '../kernels/cpu/wat-plugin.mjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const root = resolve(__dirname, '..');

export interface DocBlock {
  /** The markdown file, relative to the repo root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The first word of the info string: 'ts', 'sh', 'text', ... ('' when missing). */
  lang: string;
  /** For ts blocks: 'run', 'no-run' or 'excerpt'. */
  kind: 'run' | 'no-run' | 'excerpt' | 'shown';
  /** What follows the kind in the info string: no-run's reason, excerpt's file. */
  argument: string;
  /** The nearest heading above the block. */
  heading: string;
  code: string;
}

/** README.md and every markdown file under docs/, sorted. */
export function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true }).map(String).filter((f) => f.endsWith('.md'));
  return ['README.md', ...docs.map((f) => join('docs', f)).sort()];
}

/** The fenced code blocks of one markdown file. */
export function blocksOf(file: string): DocBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6} (.*)$/.exec(lines[i]);
    if (h) heading = h[1].trim();
    const open = /^(\s*)(```+)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j].trimEnd() !== indent + fence; j++) body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    if (j === lines.length) throw new Error(`${file}:${i + 1}: the code block is never closed`);
    const [lang = '', word = '', ...rest] = info.trim().split(/\s+/);
    const kind = lang !== 'ts' ? 'shown' : word === '' ? 'run' : word.replace(/:$/, '');
    blocks.push({ file, line: i + 1, lang, kind: kind as DocBlock['kind'], argument: rest.join(' '), heading, code: body.join('\n') + '\n' });
    i = j;
  }
  return blocks;
}

export function allBlocks(): DocBlock[] {
  return markdownFiles().flatMap(blocksOf);
}

/** Where a block is, for messages: docs/engine.md:272 (under "Gradients of gradients"). */
export function where(b: DocBlock): string {
  return `${b.file}:${b.line} (under "${b.heading}")`;
}

const work = join(root, 'test-results', 'doc-blocks');

function slug(b: DocBlock): string {
  return `${b.file.replace(/[^a-z0-9]+/gi, '-')}-${b.line}`;
}

/** Write the blocks as module files (an `export {}` makes each a module) and return their paths. */
function writeBlocks(blocks: DocBlock[]): Map<string, DocBlock> {
  mkdirSync(work, { recursive: true });
  const files = new Map<string, DocBlock>();
  for (const b of blocks) {
    const path = join(work, `${slug(b)}.ts`);
    writeFileSync(path, `${b.code}export {};\n`);
    files.set(path, b);
  }
  return files;
}

/**
 * Typecheck the blocks as a user's strict program would be ('gradlab' resolved to this repo's
 * sources). Returns one message per error, naming the markdown file and line.
 */
export function typecheckBlocks(blocks: DocBlock[]): string[] {
  rmSync(work, { recursive: true, force: true });
  const files = writeBlocks(blocks);
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['@webgpu/types', 'node'],
    skipLibCheck: true,
    noEmit: true,
    baseUrl: root,
    paths: { gradlab: ['models/index.ts'] },
  };
  // wat-modules.d.ts: what importing a kernel's .wat file gives (its bytes), as in build.mjs.
  const program = ts.createProgram([...files.keys(), join(root, 'kernels/cpu/wat-modules.d.ts')], options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const b = d.file ? files.get(resolve(d.file.fileName)) : undefined;
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return b ? `${b.file}:${b.line + 1 + line} (block under "${b.heading}"): ${text}` : `${relative(root, d.file.fileName)}:${line + 1}: ${text}`;
  });
}

export interface BlockRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Bundle one block with 'gradlab' resolved to this repo's sources, and run it in a fresh Node. */
export async function runDocBlock(b: DocBlock, timeoutMs = 90_000, env: Record<string, string> = {}): Promise<BlockRun> {
  const [path] = writeBlocks([b]).keys();
  const outfile = path.replace(/\.ts$/, '.mjs');
  await build({
    entryPoints: [path], outfile, bundle: true, platform: 'node', format: 'esm', target: 'es2022', external: ['webgpu'], logLevel: 'silent',
    plugins: [watEsbuildPlugin, {
      name: 'gradlab-from-sources',
      setup(p) {
        p.onResolve({ filter: /^gradlab$/ }, () => ({ path: join(root, 'models/index.ts') }));
      },
    }],
  });
  const r = spawnSync(process.execPath, [outfile], {
    cwd: root, encoding: 'utf8', timeout: timeoutMs,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Normalise a line of code for the excerpt check: trailing // comment and surrounding space removed. */
function codeLine(line: string): string {
  return line.replace(/\s+\/\/ .*$/, '').replace(/\s+/g, ' ').trim();
}

/** For an excerpt block: the code lines not found in its file, in order (empty when it matches). */
export function excerptMismatches(b: DocBlock): string[] {
  const source = readFileSync(join(root, b.argument), 'utf8').split('\n').map(codeLine);
  const missing: string[] = [];
  let at = 0;
  for (const line of b.code.split('\n').map(codeLine).filter((l) => l !== '' && !l.startsWith('//'))) {
    const found = source.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}
