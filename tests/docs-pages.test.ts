// README.md stays a page for newcomers and docs/ stays a reference, not a lab notebook: the
// README's length and first install line, links that lead somewhere, and no dated notes (the
// history of a figure lives in git; the docs give the current one).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { blocksOf, markdownFiles, root } from './readme-block';

const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** Pages that docs/README.md lists and that other work is writing; a link to one may dangle until it lands. */
const PAGES_IN_PROGRESS = new Set<string>(); // pages linked before they are written (none now)

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/** The text with its fenced code blocks (fences at the start of a line) removed. */
function withoutCodeBlocks(text: string): string {
  return text.replace(/^\s*```[\s\S]*?^\s*```/gm, '');
}

function anchorsOf(file: string): Set<string> {
  const prose = withoutCodeBlocks(read(file));
  return new Set([...prose.matchAll(/^#{1,6} (.*)$/gm)].map((m) => anchor(m[1])));
}

describe('README.md and docs/', () => {
  it('README.md is at most 300 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(300);
  });

  it('the README keeps the test command and the page command, and shows the page', () => {
    const shell = blocksOf('README.md').filter((b) => b.lang === 'sh').map((b) => b.code);
    expect(shell.some((c) => c.trim() === 'bash tests/run.sh'), 'a sh block that is exactly `bash tests/run.sh` (.ci/run calls it)').toBe(true);
    expect(shell.some((c) => /npm start/.test(c))).toBe(true);
    const picture = /!\[[^\]]+\]\((docs\/img\/[^)]+\.png)\)/.exec(read('README.md'));
    expect(picture, 'README shows a picture of the page').not.toBeNull();
    expect(existsSync(join(root, picture![1]))).toBe(true);
  });

  it('no page tells a user to `npm install gradlab` from the registry, where it is not published', () => {
    for (const file of markdownFiles()) {
      for (const b of blocksOf(file).filter((b) => b.lang === 'sh')) {
        expect(b.code, `${file}:${b.line}`).not.toMatch(/npm (install|i) (\S+ )*gradlab(@\S+)?(\s|$)/);
      }
    }
  });

  it('every relative link leads to a file that exists, and every #anchor to a heading', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const prose = withoutCodeBlocks(read(file)).replace(/`[^`\n]*`/g, '');
      for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1];
        if (/^[a-z]+:/i.test(link)) continue;
        const [path, hash] = link.split('#');
        const target = path === '' ? file : normalize(join(dirname(file), path));
        if (!existsSync(join(root, target))) {
          if (!PAGES_IN_PROGRESS.has(target)) broken.push(`${file}: ${link} (no file ${target})`);
          continue;
        }
        if (hash && target.endsWith('.md') && !anchorsOf(target).has(hash)) broken.push(`${file}: ${link} (no heading #${hash} in ${target})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every repo path the docs name in backticks exists (engine/…, kernels/…, models/…, tests/…)', () => {
    const missing = markdownFiles().flatMap((file) => [...read(file).matchAll(/`((?:engine|kernels|models|demo|tests|docs|\.ci)\/[^`\s]*)`/g)]
      .map((m) => m[1].replace(/[.,;:]$/, ''))
      .filter((path) => !/[<*]/.test(path) && !existsSync(join(root, path)))
      .map((path) => `${file}: ${path}`));
    expect(missing).toEqual([]);
  });

  it('docs/README.md links every page of docs/', () => {
    const index = read('docs/README.md');
    const pages = markdownFiles().filter((f) => f.startsWith('docs/') && f !== 'docs/README.md');
    expect(pages.filter((p) => !index.includes(`](${p.slice('docs/'.length)})`))).toEqual([]);
  });

  it('no dated lab notes: no dates, times of day, "today" or numbered passes in the prose', () => {
    const month = '(?:January|February|March|April|May|June|July|August|September|October|November|December)';
    const dated = new RegExp([
      `\\b\\d{1,2} ${month}\\b`, `\\b${month} \\d{4}\\b`, '\\b(?:at noon|this morning|this afternoon|(?:earlier|later) today|today|yesterday)\\b',
      '\\b(?:first|second|third|fourth) pass\\b(?! through)', '\\b(?:morning|afternoon)\\)',
    ].join('|'), 'i');
    const found = markdownFiles().flatMap((file) => read(file).split('\n').flatMap((line, i) => {
      const m = dated.exec(line);
      return m ? [`${file}:${i + 1}: "${m[0]}"`] : [];
    }));
    expect(found).toEqual([]);
  });
});

describe('the command line as the docs show it', () => {
  it('every --flag named in README.md and docs/cli.md is one the CLI knows (its help lists it)', async () => {
    const { runCli } = await import('../models/cli/run-cli');
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
    try {
      for (const argv of [['help'], ['train', '--help'], ['compare', '--help'], ['bench', '--help'], ['gradcheck', '--help'], ['targets', '--help']]) await runCli(argv);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
    const help = printed.join('\n');
    expect(help).toMatch(/--model/);
    const named = new Set(['README.md', 'docs/cli.md'].flatMap((f) => [...read(f).matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0])));
    expect([...named].filter((flag) => !help.includes(flag))).toEqual([]);
  });
});
