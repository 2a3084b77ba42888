// The shared helpers in a kernel's WGSL, to fold them under the kernel's own code on the page.

import { GUARDS } from '../kernels/webgpu/wgsl';

/** The line left in a kernel's own code where shared helpers were cut out. */
const FOLD_MARK = '// … shared helpers, folded below';

/**
 * A kernel's WGSL split into its own code and the shared helpers prepended to it: the numeric
 * guards, a sigmoid that never overflows, erf and the infinities (GUARDS, kernels/webgpu/wgsl.ts),
 * which every kernel that uses one of them carries in full, and the operand reads readA, loadA
 * (then readB, loadB, unless the kernel reads B as vec4s) a matrix-product kernel starts with
 * (kernels/webgpu/matmul.wgsl.ts). shared is null where there are none.
 */
export function splitSharedHelpers(wgsl: string): { own: string; shared: string | null } {
  let own = wgsl;
  const shared: string[] = [];
  const cut = (at: number, length: number): void => {
    shared.push(own.slice(at, at + length).trim());
    const before = own.slice(0, at).trimEnd();
    const after = own.slice(at + length).trimStart();
    // One marker where two cuts meet (a product's operand reads sit right beside the guards).
    const meets = before.endsWith(FOLD_MARK) || after.startsWith(FOLD_MARK);
    own = `${before}\n${meets ? '' : `${FOLD_MARK}\n`}${after}`;
  };
  const guards = own.indexOf(GUARDS.trim());
  if (guards >= 0) cut(guards, GUARDS.trim().length);
  const reads = /\nfn readA\([\s\S]*?\nfn loadA\([\s\S]*?\n\}\n(?:fn readB\([\s\S]*?\nfn loadB\([\s\S]*?\n\}\n)?/.exec(own);
  if (reads) cut(reads.index, reads[0].length);
  return { own: own.trim(), shared: shared.length > 0 ? shared.join('\n\n') : null };
}
