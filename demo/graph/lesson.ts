// A derivative lesson: pick a one-line function, see its graph, and step through backward one
// node at a time, with the chain-rule product written out in numbers:
//   ∂L/∂input = ∂L/∂output · ∂output/∂input
// At the end the gradients are set beside the central differences that gradcheck uses.
// The numbers come from engine/backward-steps.ts (float64, CPU), not from code of the page.

import { add, explainBackward, mul, pow, sigmoid, sin, summarise, tanh, type BackwardLesson, type GraphNode, type Tensor } from '../../engine/index';
import { el } from '../controls';
import { displayNodes } from './display';
import { renderGraph } from './render';

interface LessonFunction {
  label: string;
  inputs: { name: string; value: number }[];
  fn: (...xs: Tensor[]) => Tensor;
}

export const LESSON_FUNCTIONS: LessonFunction[] = [
  { label: 'L = sigmoid(x·w + b)', inputs: [{ name: 'x', value: 0.8 }, { name: 'w', value: -1.3 }, { name: 'b', value: 0.4 }], fn: (x, w, b) => sigmoid(add(mul(x, w), b)) },
  { label: 'L = tanh(x)²', inputs: [{ name: 'x', value: 0.7 }], fn: (x) => pow(tanh(x), 2) },
  { label: 'L = sin(x)·x', inputs: [{ name: 'x', value: 1.2 }], fn: (x) => mul(sin(x), x) },
];

/** Enough digits to compare by eye: 0.19661193. */
const num = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(8)).toString() : String(v));

export class LessonPanel {
  private lesson: BackwardLesson | null = null;
  private shown = 0;
  private readonly picker: HTMLSelectElement;
  private readonly inputsBox: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly result: HTMLElement;
  private readonly stepButton: HTMLButtonElement;

  constructor(root: HTMLElement) {
    const body = el('div', { class: 'lesson-body' });
    body.append(el('p', { class: 'intro' }, 'Backward runs the chain rule one node at a time, from the loss back to the inputs: each node multiplies the gradient that reached it, ∂L/∂output, by its own local derivative ∂output/∂input, and passes the product on; a value used twice adds up what comes back along both paths. Step through it, then compare with finite differences.'));
    this.picker = el('select', { 'data-lesson': 'function', 'aria-label': 'function to differentiate' }) as HTMLSelectElement;
    LESSON_FUNCTIONS.forEach((f, i) => this.picker.append(el('option', { value: String(i) }, f.label)));
    this.picker.addEventListener('change', () => { this.fillInputs(); this.start(); });
    this.inputsBox = el('span', { class: 'lesson-inputs' });
    const restart = el('button', { class: 'btn small', 'data-action': 'lesson-start' }, 'Forward');
    restart.addEventListener('click', () => this.start());
    this.stepButton = el('button', { class: 'btn small', 'data-action': 'lesson-step' }, 'Backward: next node') as HTMLButtonElement;
    this.stepButton.addEventListener('click', () => this.step());
    const all = el('button', { class: 'btn small', 'data-action': 'lesson-all' }, 'All the way');
    all.addEventListener('click', () => { while (this.lesson && this.shown < this.lesson.steps.length) this.step(); });
    const row = el('div', { class: 'button-row' });
    row.append(this.picker, this.inputsBox, restart, this.stepButton, all);
    this.canvas = el('div', { class: 'graph-canvas lesson-canvas' });
    this.log = el('ol', { class: 'lesson-log' }) as HTMLOListElement;
    this.result = el('div', { class: 'lesson-result' });
    body.append(row, this.canvas, this.log, this.result);
    root.append(body);
    this.fillInputs();
    root.addEventListener('toggle', () => { if ((root as HTMLDetailsElement).open && !this.lesson) this.start(); });
  }

  private current(): LessonFunction {
    return LESSON_FUNCTIONS[Number(this.picker.value)] ?? LESSON_FUNCTIONS[0];
  }

  private fillInputs(): void {
    this.inputsBox.replaceChildren(...this.current().inputs.map((i) => {
      const label = el('label', {}, `${i.name} = `);
      label.append(el('input', { type: 'number', step: '0.1', value: String(i.value), 'data-input': i.name }));
      return label;
    }));
  }

  /** The forward pass: values on every node, no gradients yet. */
  start(): void {
    const f = this.current();
    const inputs = f.inputs.map((i) => {
      const v = Number((this.inputsBox.querySelector(`[data-input="${i.name}"]`) as HTMLInputElement | null)?.value);
      return { name: i.name, value: Number.isFinite(v) ? v : i.value };
    });
    this.lesson = explainBackward(f.fn, inputs);
    this.shown = 0;
    this.log.replaceChildren();
    this.result.replaceChildren();
    this.stepButton.disabled = false;
    this.draw();
  }

  /** A short name per node: the inputs' own names, u1, u2, ... for the ops, L for the loss. */
  private name(id: number): string {
    const l = this.lesson as BackwardLesson;
    const node = l.graph.nodes.find((n) => n.id === id);
    if (node?.name) return node.name;
    if (id === l.graph.root) return 'L';
    const ops = l.graph.nodes.filter((n) => n.kind === 'op' && n.id !== l.graph.root);
    return `u${ops.findIndex((n) => n.id === id) + 1}`;
  }

  /** Gradients known after the steps shown so far (partial sums while contributions arrive). */
  private knownGradients(): Map<number, number> {
    const l = this.lesson as BackwardLesson;
    const known = new Map<number, number>([[l.graph.root, 1]]);
    for (const s of l.steps.slice(0, this.shown)) {
      for (const link of s.links) known.set(link.input, (known.get(link.input) ?? 0) + link.contribution[0]);
    }
    return known;
  }

  private draw(): void {
    const l = this.lesson;
    if (!l) return;
    const known = this.knownGradients();
    const nodes: GraphNode[] = l.graph.nodes.map((n) => ({ ...n, value: summarise(l.values.get(n.id) ?? []) }));
    const graph = { root: l.graph.root, nodes };
    const all = new Set(nodes.map((n) => n.id));
    const boxes = displayNodes(graph, all).map((b) => ({
      ...b, expandable: false,
      title: b.node.kind === 'op' ? `${this.name(b.id)} = ${b.node.op}(${b.node.inputs.map((i) => this.name(i)).join(', ')})` : this.name(b.id),
    }));
    const step = l.steps[this.shown];
    renderGraph(this.canvas, boxes, {
      selected: null,
      onSelect: () => undefined,
      current: new Set(step ? [step.node] : []),
      gradText: (n) => (known.has(n.id) ? `∂L/∂${this.name(n.id)} = ${num(known.get(n.id) as number)}` : null),
      gradWidth: (n) => (known.has(n.id) && n.id !== l.graph.root ? 2 : 0),
    });
  }

  /** One node's rule, written out with the numbers. */
  step(): void {
    const l = this.lesson;
    if (!l || this.shown >= l.steps.length) return;
    const s = l.steps[this.shown];
    const node = l.graph.nodes.find((n) => n.id === s.node) as GraphNode;
    const before = this.knownGradients();
    const out = this.name(s.node);
    const li = el('li', { 'data-step': String(this.shown) });
    li.append(el('p', {}, `${out} = ${node.op}(${node.inputs.map((i) => this.name(i)).join(', ')}) = ${num(l.values.get(s.node)?.[0] ?? NaN)};  ∂L/∂${out} = ${num(s.dy[0])};  rule: ${node.rule ?? '—'}`));
    for (const link of s.links) {
      const x = this.name(link.input);
      const prev = before.get(link.input);
      const sum = prev === undefined ? '' : `   (added to the ${num(prev)} from another path: ${num(prev + link.contribution[0])})`;
      li.append(el('p', { class: 'chain' }, `∂L/∂${x} = ∂L/∂${out} · ∂${out}/∂${x} = ${num(s.dy[0])} × ${num(link.local[0])} = ${num(link.contribution[0])}${sum}`));
    }
    this.log.append(li);
    this.shown++;
    this.draw();
    if (this.shown === l.steps.length) this.finish();
  }

  /** The gradients beside the central differences, and gradcheck's verdict. */
  private finish(): void {
    const l = this.lesson as BackwardLesson;
    this.stepButton.disabled = true;
    const table = el('table');
    const head = el('tr');
    for (const h of ['input', 'value', 'backward ∂L/∂input', 'finite difference', 'rel. error']) head.append(el('th', {}, h));
    table.append(head);
    l.inputIds.forEach((id, k) => {
      const a = l.analytic[k];
      const n = l.numeric[k];
      const rel = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-3);
      const tr = el('tr', { 'data-input': this.name(id), 'data-analytic': String(a), 'data-numeric': String(n) });
      tr.append(el('td', {}, this.name(id)), el('td', {}, num(l.values.get(id)?.[0] ?? NaN)), el('td', {}, num(a)), el('td', {}, num(n)), el('td', {}, rel.toExponential(1)));
      table.append(tr);
    });
    const verdict = el('p', { class: l.gradcheck.ok ? 'ok' : 'bad', 'data-gradcheck': l.gradcheck.ok ? 'pass' : 'fail' },
      `gradcheck (central differences (f(x + h) − f(x − h)) / 2h, h = 10⁻⁶·max(1, |x|), float64): ${l.gradcheck.ok ? 'pass' : 'FAIL'}, largest relative error ${l.gradcheck.maxRelError.toExponential(1)}.`);
    this.result.replaceChildren(el('h4', {}, 'Backward against finite differences'), table, verdict);
  }
}
