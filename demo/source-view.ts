// Kernel sources for the "under the hood" panel: the WGSL a dispatch ran (or would run), the
// CPU twin of the same kernel (the function of the same name in kernels/cpu/), and a small
// syntax colouring for both.

import { kernelSource, type DispatchRecord } from '../engine/index';
import { DEFAULT_LIMITS } from '../kernels/webgpu/plan';
import { planCall } from '../kernels/webgpu/planners';
import cpuKernelFiles from 'virtual:cpu-kernels';
import { el } from './controls';
import { splitSharedHelpers } from './wgsl-helpers';

/** A kernel's WGSL as the page shows it: its own code first, the shared helpers folded below. */
export function wgslBlocks(wgsl: string): HTMLElement[] {
  const { own, shared } = splitSharedHelpers(wgsl);
  const pre = el('pre', { class: 'wgsl', tabindex: '0' });
  pre.innerHTML = highlight(own);
  if (shared === null) return [pre];
  const fold = el('details', { class: 'wgsl-shared' });
  const lines = shared.split('\n').length;
  fold.append(el('summary', {}, `Shared WGSL helpers, ${lines} lines prepended to many kernels (the numeric guards, a safe sigmoid, erf, ±∞ and NaN of kernels/webgpu/wgsl.ts; a matrix product's operand reads)`));
  const helpers = el('pre', { class: 'wgsl wgsl-helpers', tabindex: '0' });
  helpers.innerHTML = highlight(shared);
  fold.append(helpers);
  return [pre, fold];
}

/**
 * The WGSL of a dispatch. On WebGPU the backend keeps the source of every kernel it compiled
 * (kernelSource); on the CPU backend we ask the same planners what WebGPU would run.
 */
export function wgslFor(record: DispatchRecord): { label: string; wgsl: string; workgroups: string }[] {
  const fromBackend = record.label ? kernelSource(record.label) : undefined;
  if (fromBackend !== undefined && record.label) {
    return [{ label: record.label, wgsl: fromBackend, workgroups: (record.workgroups ?? []).map((w) => w.join('×')).join(', ') }];
  }
  try {
    return planCall(record.call, DEFAULT_LIMITS).map((p) => ({ label: p.label, wgsl: p.wgsl(), workgroups: p.workgroups.join('×') }));
  } catch (e) {
    return [{ label: record.kernel, wgsl: `// no WGSL plan for this call: ${e instanceof Error ? e.message : String(e)}`, workgroups: '' }];
  }
}

/** The name of the CPU function that runs a kernel ('unary:relu' -> 'unary'). */
function cpuFunctionName(kernel: string): string {
  return kernel.split(':')[0];
}

const OP_TABLE = 'engine/ops/unary-table.ts';

/** An elementwise op's row of the op table: its math, CPU and WGSL forms and derivative rule. */
function opTableRow(op: string): string | null {
  const text = cpuKernelFiles[OP_TABLE] ?? '';
  const start = text.search(new RegExp(`^  ${op}: \\{`, 'm'));
  if (start < 0) return null;
  const end = text.indexOf('\n  },', start);
  return text.slice(start, end < 0 ? undefined : end + 5);
}

/**
 * The CPU twin: the exported function of that name, with the comment above it, and its file.
 * An elementwise kernel ('unary:sigmoid') shows the op's row of the op table, which the CPU
 * loop (and the WGSL) is built from; a layer's backward that computes a loss's gradient itself
 * ('linearGrad:bceLogits') shows its function and then the loss's row.
 */
export function cpuTwin(kernel: string): { file: string; source: string } {
  const name = cpuFunctionName(kernel);
  const op = kernel.split(':')[1];
  const row = op === undefined ? null : opTableRow(op);
  if ((name === 'unary' || name === 'unaryGrad' || name === 'meanUnaryGrad') && row !== null) {
    const part = name === 'unary' ? '`cpu` (forward)'
      : name === 'unaryGrad' ? '`cpuGrad` (the fused gradient; `rule` is the same derivative in tensor ops)'
        : '`cpu` and `cpuGrad` (meanUnaryGrad: the gradient of a fused mean, dy/n times f\'(x), y = f(x) recomputed; `rule` is the same derivative in tensor ops)';
    return { file: `${OP_TABLE} (row '${op}')`, source: `// kernels/cpu/unary.ts runs ${part} of this row in a loop over the elements.\n${row}` };
  }
  const fn = cpuFunction(name);
  if (name === 'linearGrad' && row !== null) {
    const note = `// dy is the gradient of the loss mean(${op}(y)) of the layer's output y, computed here from y with\n` +
      '// `cpu` and `cpuGrad` of this row (meanUnaryGrad\'s loop), not read from a stored tensor.';
    return { file: `${fn.file} and ${OP_TABLE} (row '${op}')`, source: `${fn.source}\n\n${note}\n${row}` };
  }
  const gemm = cpuKernelFiles['gemm.wat'];
  if ((name === 'matmul' || name === 'linear') && gemm !== undefined) {
    // Large float32 products leave the JavaScript loops for the WebAssembly kernel, written as text.
    const note = '// Large float32 products run the WebAssembly SIMD kernel below (kernels/cpu/gemm.wat), same bits.';
    return { file: `${fn.file} and kernels/cpu/gemm.wat`, source: `${fn.source}\n\n${note}\n${gemm}` };
  }
  return fn;
}

/** The exported function `name` of kernels/cpu/, with the comment above it, and its file. */
function cpuFunction(name: string): { file: string; source: string } {
  for (const [file, text] of Object.entries(cpuKernelFiles)) {
    if (file === OP_TABLE) continue;
    const start = text.search(new RegExp(`^export function ${name}\\b`, 'm'));
    if (start < 0) continue;
    // Take the comment block right above, then up to the first closing brace at column 0.
    const before = text.slice(0, start).split('\n');
    before.pop();
    let commentLines = 0;
    while (before.length > commentLines && /^\s*(\/\/|\/\*\*|\*)/.test(before[before.length - 1 - commentLines])) commentLines++;
    const head = before.slice(before.length - commentLines).join('\n');
    const end = text.indexOf('\n}', start);
    const body = text.slice(start, end < 0 ? undefined : end + 2);
    return { file: `kernels/cpu/${file}`, source: (head ? head + '\n' : '') + body };
  }
  return { file: '(none)', source: `// no CPU function named '${name}' in kernels/cpu/` };
}

const KEYWORDS = new Set([
  'fn', 'let', 'var', 'const', 'return', 'if', 'else', 'for', 'while', 'loop', 'break', 'continue', 'struct', 'switch', 'case', 'default',
  'function', 'export', 'import', 'from', 'new', 'throw', 'of', 'in', 'type', 'interface', 'true', 'false', 'null', 'storage', 'uniform',
  'read', 'read_write', 'workgroup', 'override', 'select', 'bitcast',
]);
const TYPES = /^(f32|f64|i32|u32|bool|vec[234][fiu]?|mat[234]x[234][f]?|array|atomic|number|FloatArray|DataArray|Float32Array|Float64Array|Int32Array|Shape|boolean|void|string)$/;

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Colour comments, numbers, keywords, types, attributes and called functions (WGSL, TS or WAT, whose comments start with ;;). */
export function highlight(code: string): string {
  const token = /(\/\/[^\n]*|(?<![(\w]);;[^\n]*|\/\*[\s\S]*?\*\/)|(@\w+)|(\b\d+(?:\.\d*)?(?:e[+-]?\d+)?[fui]?\b)|([A-Za-z_]\w*)(\s*\()?/g;
  let out = '';
  let last = 0;
  for (let m = token.exec(code); m !== null; m = token.exec(code)) {
    out += escapeHtml(code.slice(last, m.index));
    last = token.lastIndex;
    const [whole, comment, attr, num, word, call] = m;
    if (comment) out += `<span class="tok-com">${escapeHtml(comment)}</span>`;
    else if (attr) out += `<span class="tok-attr">${attr}</span>`;
    else if (num) out += `<span class="tok-num">${num}</span>`;
    else if (word && KEYWORDS.has(word)) out += `<span class="tok-kw">${word}</span>${call ?? ''}`;
    else if (word && TYPES.test(word)) out += `<span class="tok-ty">${word}</span>${call ?? ''}`;
    else if (word && call) out += `<span class="tok-fn">${word}</span>${call}`;
    else out += escapeHtml(whole);
  }
  return out + escapeHtml(code.slice(last));
}
