// Types of cpu-kernel-files.mjs (the CPU kernel sources the page embeds, chosen at build time).

/** The kernel names of the KernelCall union in engine/backend.ts. */
export function kernelNames(root: string): Set<string>;
/** { file name: text } of the kernels/cpu/ files the page shows, plus 'engine/ops/unary-table.ts'. */
export function shownCpuKernelFiles(root: string): Record<string, string>;
