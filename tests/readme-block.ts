// Run a ```ts block of the README exactly as printed, with 'gradlab' resolved to this repo, and
// collect what it logs. Used by the README example tests.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, vi } from 'vitest';

/** The first ```ts block after `heading` in `file` (README.md), its lines checked against `maxLines`. */
export function readmeBlock(heading: string, maxLines: number, file = 'README.md'): string {
  const readme = readFileSync(resolve(__dirname, '..', file), 'utf8');
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const block = new RegExp(`${escaped}[\\s\\S]*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  expect(block, `${file} has a \`\`\`ts block under "${heading}"`).toBeTruthy();
  expect(block!.trim().split('\n').length).toBeLessThanOrEqual(maxLines);
  return block!;
}

/** Import the block as a module (console.log captured) and return the logged argument lists. */
export async function runBlock(block: string): Promise<unknown[][]> {
  const library = pathToFileURL(resolve(__dirname, '../models/index.ts')).href;
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-readme-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, block.replace("from 'gradlab'", `from '${library}'`));
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    spy.mockRestore();
  }
  return logged;
}
