// What a click on a box of the graph shows: the forward code and its math, the derivative rule
// (GradNode.rule, and the op table's row for elementwise functions), the CPU kernel and the WGSL
// its dispatches ran, and the list of those dispatches, forward and backward.

import type { CapturedGraph, DispatchRecord, GraphNode } from '../../engine/index';
import { unaryOps, type UnaryOp } from '../../engine/ops/unary-table';
import { el } from '../controls';
import { cpuTwin, highlight, wgslFor, wgslBlocks } from '../source-view';
import type { InputLabel } from './display';
import { fusionNote } from './fused';
import { elementChain } from './element-chain';
import { fmt, shapeText } from './render';

/** The readable names (display.ts readableNames) and the inputs' roles of the graph a node is in. */
export interface DetailContext {
  names: ReadonlyMap<number, string>;
  labels: ReadonlyMap<number, InputLabel>;
  graph: CapturedGraph;
}

/** The forward as one line of engine code, and the math of the kernel that ran it. */
function forwardCode(node: GraphNode, byId: ReadonlyMap<number, GraphNode>, nameOf: (id: number) => string, label: InputLabel | undefined): { code: string; math: string | null } {
  if (node.kind !== 'op') return { code: `${nameOf(node.id)}: ${node.kind === 'parameter' ? 'a trainable parameter (a leaf: Adam updates it from its .grad)' : `${label?.text ?? 'an input (a leaf: data, noise or a constant)'} No gradient is kept for it.`}`, math: null };
  const args = node.inputs.map((i) => nameOf(i));
  const call = node.forward.find((d) => d.kernel !== 'fill')?.call;
  let extra = '';
  let math: string | null = null;
  if (call?.kernel === 'linear') {
    extra = call.activation === 'none' ? '' : `, '${call.activation}'`;
    math = call.activation === 'none' ? 'y = x·W + b' : `y = ${call.activation}(x·W + b)   (${unaryOps[call.activation].math.replace(/^y = /, '')})`;
  } else if (call?.kernel === 'unary') {
    math = `${unaryOps[call.op].math}${call.alpha || call.beta ? `   with α = ${fmt(call.alpha)}, β = ${fmt(call.beta)}` : ''}`;
  } else if (call?.kernel === 'binary') {
    math = `y = ${call.op}(a, b), broadcast ${shapeText(call.aShape)} with ${shapeText(call.bShape)}`;
  } else if (call?.kernel === 'matmul') {
    math = `Y = ${call.transA ? 'Aᵀ' : 'A'}·${call.transB ? 'Bᵀ' : 'B'}`;
  } else if (call?.kernel === 'reduce' && call.map) {
    // A loss and its mean fused into one reduction (the row's f applied to each element read).
    math = `y = ${fmt(call.scale)}·${call.op} over ${call.axisSize} elements of f(x), f: ${unaryOps[call.map.op].math}${call.map.alpha ? `   with α = ${fmt(call.map.alpha)}` : ''}`;
  } else if (call?.kernel === 'reduce') {
    math = `y = ${call.scale === 1 ? '' : `${fmt(call.scale)}·`}${call.op} over an axis of ${call.axisSize}`;
  }
  return { code: `${nameOf(node.id)} = ${node.op}(${args.join(', ')}${extra})   // ${shapeText(node.shape)}`, math };
}

/** The op table's row for the elementwise function a node ran, if it ran one. */
function tableRow(node: GraphNode): { op: UnaryOp; text: string } | null {
  const call = node.forward.find((d) => d.kernel === 'unary' || d.kernel === 'linear' || (d.call.kernel === 'reduce' && d.call.map))?.call;
  const op = call?.kernel === 'unary' ? call.op
    : call?.kernel === 'linear' && call.activation !== 'none' ? call.activation
      : call?.kernel === 'reduce' && call.map ? call.map.op : null;
  if (!op) return null;
  const row = unaryOps[op];
  return {
    op,
    text: [
      `// engine/ops/unary-table.ts, row '${op}'`,
      `math:       ${row.math}`,
      `derivative: ${row.derivative}`,
      `cpu:        ${row.cpu.toString()}`,
      `wgsl:       ${row.wgsl}`,
      `cpuGrad:    ${row.cpuGrad.toString()}`,
      `wgslGrad:   ${row.wgslGrad}`,
    ].join('\n'),
  };
}

function codeBlock(cls: string, code: string): HTMLElement {
  const pre = el('pre', { class: cls, tabindex: '0' });
  pre.innerHTML = highlight(code);
  return pre;
}

/** The WGSL and CPU twin of one dispatch. */
function kernelSources(r: DispatchRecord): HTMLElement[] {
  const parts: HTMLElement[] = [];
  for (const k of wgslFor(r)) {
    parts.push(el('h4', {}, `WGSL: ${k.label}${r.backend === 'cpu' ? ' (what WebGPU would run)' : ''}`), ...wgslBlocks(k.wgsl));
  }
  const twin = cpuTwin(r.kernel);
  parts.push(el('h4', {}, `CPU kernel: ${twin.file}`), codeBlock('cpu-source', twin.source));
  return parts;
}

function dispatchTable(title: string, list: readonly DispatchRecord[], show: (r: DispatchRecord) => void): HTMLElement {
  const box = el('div', { class: 'gdispatches', tabindex: '0', role: 'region', 'aria-label': title });
  box.append(el('h4', {}, `${title}: ${list.length} dispatch${list.length === 1 ? '' : 'es'}`));
  if (list.length === 0) return box;
  const table = el('table');
  const head = el('tr');
  for (const h of ['op', 'kernel', 'shapes', 'rule']) head.append(el('th', {}, h));
  table.append(head);
  for (const r of list) {
    const tr = el('tr', { class: 'op' });
    tr.append(el('td', {}, r.op), el('td', {}, r.label ?? r.kernel), el('td', {}, r.shapes.map(shapeText).join(' ')), el('td', {}, r.rule ?? ''));
    tr.addEventListener('click', () => show(r));
    table.append(tr);
  }
  box.append(table);
  return box;
}

/** Fill `host` with everything about one node. */
export function showNodeDetail(host: HTMLElement, node: GraphNode, byId: ReadonlyMap<number, GraphNode>, context?: DetailContext): void {
  // Never a tensor id: the readable name, else the parameter's name or the op.
  const nameOf = (id: number): string => context?.names.get(id) ?? byId.get(id)?.name ?? byId.get(id)?.op ?? 'tensor';
  const label = context?.labels.get(node.id);
  const { code, math } = forwardCode(node, byId, nameOf, label);
  const name = nameOf(node.id);
  const title = node.kind === 'op' && name !== node.op ? `${name} (${node.op})` : label ? `${name}: ${label.short}` : name;
  const fwd = el('section', { class: 'gfwd' });
  fwd.append(el('h4', {}, 'Forward'), codeBlock('forward-code', code));
  if (math) fwd.append(el('p', { class: 'gmath' }, math));
  const v = node.value;
  if (node.forward.some((d) => d.call.kernel === 'reduce' && d.op !== node.op)) {
    fwd.append(el('p', { class: 'gfused' }, 'Fused: this layer has no forward kernel of its own. The loss that reads its output computes '
      + 'act(x·W + b) for each row inside its own reduction, stores it here, and sums the loss in the same kernel (the dispatch below).'));
  }
  if (v) {
    fwd.append(el('p', {}, `value ${shapeText(node.shape)}: mean ${fmt(v.mean)}, std ${fmt(v.std)}, min ${fmt(v.min)}, max ${fmt(v.max)}; first values ${v.head.map(fmt).join(', ')}`));
  }
  const bwd = el('section', { class: 'gbwd' });
  bwd.append(el('h4', {}, 'Backward'));
  bwd.append(el('p', { class: 'grule' }, node.rule ? `derivative rule: ${node.rule}` : node.kind === 'op' ? 'no rule recorded' : 'a leaf: the chain rule stops here'));
  if (node.gradNorm !== undefined) {
    bwd.append(el('p', {}, node.gradNorm === null
      ? 'no gradient flowed into it (it does not require gradients)'
      : `‖∂L/∂${name}‖₂ = ${fmt(node.gradNorm)}, the gradient that flowed back into it (visited ${node.backwardOrder + 1}${['st', 'nd', 'rd'][node.backwardOrder] ?? 'th'} in the reverse pass)`));
  }
  // One element of the chain rule, with its numbers: dx = dy·f′(x).
  const chain = elementChain(node, byId);
  if (chain) {
    const p = el('p', { class: 'gelement', 'data-dy': String(chain.dy), 'data-fprime': String(chain.fPrime), 'data-product': String(chain.product) }, chain.text);
    bwd.append(p);
  }
  if (context) {
    const note = fusionNote(node, context.graph, (n) => nameOf(n.id));
    if (note) bwd.append(el('p', { class: 'gfused-bwd' }, note));
  }
  const params = node.inputs.map((i) => byId.get(i)).filter((p): p is GraphNode => p?.kind === 'parameter');
  if (params.length > 0) {
    const list = el('ul', { class: 'gparams-list' });
    for (const p of params) {
      list.append(el('li', {}, `${nameOf(p.id)} ${shapeText(p.shape)}${p.value ? `: mean ${fmt(p.value.mean)}, std ${fmt(p.value.std)}` : ''}${p.gradNorm ? `; ‖∂L/∂·‖₂ = ${fmt(p.gradNorm)} (summed over every op that reads it)` : p.gradNorm === null ? '; no gradient in this pass (frozen)' : ''}`));
    }
    bwd.append(el('p', {}, 'Parameters it reads:'), list);
  }
  const row = tableRow(node);
  const sources = el('div', { class: 'gsources' });
  const show = (r: DispatchRecord): void => { sources.replaceChildren(...kernelSources(r)); };
  const parts: HTMLElement[] = [el('h3', {}, title), fwd, bwd];
  if (row) parts.push(el('h4', {}, `The op table's row '${row.op}'`), codeBlock('op-row', row.text));
  parts.push(dispatchTable('Forward dispatches', node.forward, show), dispatchTable('Backward dispatches (its rule, and adding up gradients)', node.backward, show), sources);
  const first = node.forward[0] ?? node.backward[0];
  if (first) show(first);
  host.replaceChildren(...parts);
}
