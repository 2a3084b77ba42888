// The import graph of the TypeScript sources has no cycle through models/: a reader can take the
// models' files in an order where each only uses what came before. The graph comes from a small
// walker over relative imports (`import ... from './x'`, `export ... from '../y'`, `import type`
// included: a type-only import still makes one file need the other to be read).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const SOURCE_DIRS = ['engine', 'kernels', 'models', 'demo'];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue; // models/bench/peers/ installs the bench's peers there
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The file a relative specifier names: x.ts, x/index.ts, or x.js written for x.ts. */
function resolveImport(from: string, spec: string, files: Set<string>): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')]) {
    if (files.has(candidate)) return candidate;
  }
  return null;
}

export function importGraph(): Map<string, string[]> {
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d)));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const target = resolveImport(file, m[1], known);
      if (target) deps.push(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Every cycle found by a depth-first search (one per back edge), as lists of files. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('import graph', () => {
  it('the walker finds a planted cycle', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('the walker sees the imports of a real file, type-only ones included', () => {
    const graph = importGraph();
    const gan = join(ROOT, 'models/gan/model.ts');
    const deps = (graph.get(gan) ?? []).map((f) => relative(ROOT, f));
    expect(deps).toContain('models/core/base-model.ts');
    expect(deps).toContain('models/data/targets.ts');
    expect((graph.get(join(ROOT, 'models/gan/discriminate.ts')) ?? []).map((f) => relative(ROOT, f))).toContain('models/gan/model.ts');
  });

  it('no cycle goes through models/', () => {
    const through = cycles(importGraph())
      .map((c) => c.map((f) => relative(ROOT, f)))
      .filter((c) => c.some((f) => f.startsWith('models/')));
    expect(through.map((c) => c.join(' → '))).toEqual([]);
  });
});
