// The README's 20-line example must run exactly as printed (with 'gradlab' resolved to this repo).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

describe('README example', () => {
  it('trains XOR, checks a gradient, and prints what the README says', async () => {
    const readme = readFileSync(resolve(__dirname, '../README.md'), 'utf8');
    const block = /## A 20-line example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README has a ```ts block under "A 20-line example"').toBeTruthy();
    const lines = block!.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(25);
    const library = pathToFileURL(resolve(__dirname, '../models/index.ts')).href;
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-readme-'));
    const file = join(dir, 'example.ts');
    writeFileSync(file, block!.replace("from 'gradlab'", `from '${library}'`));
    const logged: unknown[][] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
    try {
      await import(/* @vite-ignore */ pathToFileURL(file).href);
    } finally {
      spy.mockRestore();
    }
    // Steps 0, 100, 200, 300, then the gradcheck line.
    expect(logged.map((l) => l[0])).toEqual([0, 100, 200, 300, true]);
    const finalLoss = logged[3][1] as number;
    expect(finalLoss).toBeLessThan(0.05);
    expect(logged[4][1] as number).toBeLessThan(1e-6);
  });
});
