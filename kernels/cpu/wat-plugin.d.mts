// Types of wat-plugin.mjs (the build-time assembler of the .wat kernels).
import type { Plugin } from 'esbuild';

/** The bytes of a .wat file, validated; `shared`: its memory import made shared (WebAssembly threads). */
export function assembleWat(path: string, text?: string, shared?: boolean): Promise<Uint8Array>;
/** JavaScript for a module whose default export is the bytes. */
export function bytesModule(bytes: Uint8Array): string;
export const watEsbuildPlugin: Plugin;
export const watVitePlugin: { name: string; transform(code: string, id: string): Promise<{ code: string; map: null } | null> };
