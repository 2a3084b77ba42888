// The kernels/cpu/ sources the page embeds to show a dispatch's CPU twin (demo/source-view.ts):
// the files that export a function named as a kernel of the KernelCall union in
// engine/backend.ts, gemm.wat (shown under the products), and the op table the unary loops are
// built from. The other files (threads, WebAssembly plumbing) would only add to the package.
// build.mjs serves this as 'virtual:cpu-kernels'; tests/build.test.ts checks every kernel is in it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The kernel names of the KernelCall union. */
export function kernelNames(root) {
  return new Set([...readFileSync(join(root, 'engine/backend.ts'), 'utf8').matchAll(/kernel: '(\w+)'/g)].map((m) => m[1]));
}

/** { file name: text } of the files the page shows, plus 'engine/ops/unary-table.ts'. */
export function shownCpuKernelFiles(root) {
  const names = kernelNames(root);
  const dir = join(root, 'kernels/cpu');
  const shows = (file, text) => file === 'gemm.wat' || [...text.matchAll(/^export function (\w+)/gm)].some((m) => names.has(m[1]));
  const files = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.ts') || f.endsWith('.wat')).sort()
    .map((f) => [f, readFileSync(join(dir, f), 'utf8')]).filter(([f, text]) => shows(f, text)));
  files['engine/ops/unary-table.ts'] = readFileSync(join(root, 'engine/ops/unary-table.ts'), 'utf8');
  return files;
}
