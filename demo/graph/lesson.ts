// A derivative lesson: pick an example or type a function, see its graph, and step through
// backward one node at a time, with the chain-rule product written out in numbers:
//   ∂L/∂x = ∂L/∂s · ∂s/∂x = 1.2 × 0.362 = 0.435
// At the end the gradients are set beside the central differences that gradcheck uses.
// The numbers come from engine/backward-steps.ts (float64, CPU) through lesson-model.ts; the
// typed function is read by expression.ts (a parser, not eval).

import { summarise, type GraphNode } from '../../engine/index';
import { el } from '../controls';
import { displayNodes } from './display';
import { ExpressionError, FUNCTIONS, inputNames, parseExpression } from './expression';
import { buildLesson, definition, knownGradients, nameOf, numbers, stepText, type InputValues, type LessonModel } from './lesson-model';
import { renderGraph } from './render';

export interface LessonFunction {
  label: string;
  /** The function as the learner would type it. */
  source: string;
  /** Starting values: a number, or a vector's elements. */
  values: InputValues;
}

export const LESSON_FUNCTIONS: LessonFunction[] = [
  { label: 'L = sigmoid(x·w + b)', source: 'sigmoid(x·w + b)', values: { x: 0.8, w: -1.3, b: 0.4 } },
  { label: 'L = tanh(x)²', source: 'tanh(x)^2', values: { x: 0.7 } },
  { label: 'L = sin(x)·x (x used twice)', source: 'sin(x)·x', values: { x: 1.2 } },
  { label: 'L = mean((x − t)²), x and t vectors', source: 'mean((x − t)^2)', values: { x: [0.5, -1.2, 2], t: [1, 0, 1.5] } },
];

/** A new input's starting value. */
const DEFAULT_VALUE = 0.7;

/** "0.5, -1.2, 2" → [0.5, −1.2, 2]; one number stays a number; null where it is not numbers. */
export function parseValues(text: string): number | number[] | null {
  const parts = text.split(/[,;\s]+/).filter((p) => p !== '').map((p) => Number(p.replace('−', '-')));
  if (parts.length === 0 || !parts.every(Number.isFinite)) return null;
  return parts.length === 1 ? parts[0] : parts;
}

const valueString = (v: number | number[]): string => (typeof v === 'number' ? String(v) : v.join(', '));

export class LessonPanel {
  private model: LessonModel | null = null;
  private shown = 0;
  private values: InputValues = {};
  private readonly picker: HTMLSelectElement;
  private readonly source: HTMLInputElement;
  private readonly error: HTMLElement;
  private readonly inputsBox: HTMLElement;
  private readonly canvas: HTMLElement;
  /** What a clicked (or Enter-pressed) box holds, in words. */
  private readonly boxNote: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly result: HTMLElement;
  private readonly stepButton: HTMLButtonElement;
  private readonly allButton: HTMLButtonElement;

  constructor(root: HTMLElement) {
    const body = el('div', { class: 'lesson-body' });
    body.append(el('p', { class: 'intro' }, 'Backward runs the chain rule one node at a time, from the result L back to the inputs. '
      + 'Each box computes one value from its inputs (s = sin(x)). ∂L/∂s is how much L moves per unit of s: the gradient that has reached s. '
      + 's passes back to x the product ∂L/∂x = ∂L/∂s · ∂s/∂x, where ∂s/∂x is the derivative of its own formula (cos(x) for sin(x)); '
      + 'a value used twice adds up what comes back along both paths. Step through it, then compare with finite differences.'));

    const pick = el('label', { class: 'lesson-pick' }, 'Example ');
    this.picker = el('select', { 'data-lesson': 'function' }) as HTMLSelectElement;
    LESSON_FUNCTIONS.forEach((f, i) => this.picker.append(el('option', { value: String(i) }, f.label)));
    this.picker.addEventListener('change', () => this.pickExample());
    pick.append(this.picker);

    // The learner's own function: typed, then read by the parser on Enter or the button.
    const form = el('form', { class: 'lesson-form', 'data-lesson': 'form' }) as HTMLFormElement;
    const sourceLabel = el('label', { class: 'lesson-source', for: 'lesson-source' }, 'L =');
    this.source = el('input', {
      id: 'lesson-source', type: 'text', 'data-lesson': 'source', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false',
      'aria-describedby': 'lesson-help lesson-error', placeholder: 'sin(x)·x',
    }) as HTMLInputElement;
    const go = el('button', { class: 'btn small', type: 'submit', 'data-action': 'lesson-parse' }, 'Differentiate');
    form.append(sourceLabel, this.source, go);
    form.addEventListener('submit', (e) => { e.preventDefault(); this.readSource(); });
    const help = el('p', { class: 'caption', id: 'lesson-help' },
      `Type your own: ${Object.keys(FUNCTIONS).join(', ')}; + − · (or *) / and ^ with a number (x^2); numbers; parentheses. `
      + 'Any other name is an input, with a value below (numbers separated by commas make a vector; then wrap L in sum or mean).');
    this.error = el('p', { class: 'lesson-error', id: 'lesson-error', role: 'alert' });

    this.inputsBox = el('span', { class: 'lesson-inputs' });
    const restart = el('button', { class: 'btn small', 'data-action': 'lesson-start' }, 'Forward');
    restart.addEventListener('click', () => this.start());
    this.stepButton = el('button', { class: 'btn small', 'data-action': 'lesson-step' }, 'Backward: next node') as HTMLButtonElement;
    this.stepButton.addEventListener('click', () => this.step());
    this.allButton = el('button', { class: 'btn small', 'data-action': 'lesson-all' }, 'All the way') as HTMLButtonElement;
    this.allButton.addEventListener('click', () => { while (this.model && this.shown < this.model.lesson.steps.length) this.step(); });
    const row = el('div', { class: 'button-row' });
    row.append(this.inputsBox, restart, this.stepButton, this.allButton);
    this.canvas = el('div', { class: 'graph-canvas lesson-canvas' });
    this.boxNote = el('p', { class: 'caption lesson-box-note', 'aria-live': 'polite' }, 'Click a box (or Tab to it and press Enter) to read it.');
    this.log = el('ol', { class: 'lesson-log', 'aria-live': 'polite' }) as HTMLOListElement;
    this.result = el('div', { class: 'lesson-result' });
    body.append(pick, form, help, this.error, row, this.canvas, this.boxNote, this.log, this.result);
    root.append(body);
    this.pickExample(false);
    root.addEventListener('toggle', () => { if ((root as HTMLDetailsElement).open && !this.model) this.start(); });
  }

  /** Put the chosen example in the box, with its values. */
  private pickExample(run = true): void {
    const f = LESSON_FUNCTIONS[Number(this.picker.value)] ?? LESSON_FUNCTIONS[0];
    this.source.value = f.source;
    this.values = { ...f.values };
    this.fillInputs(Object.keys(f.values));
    if (run) this.start();
  }

  /** Read the typed function: its inputs get value boxes (keeping values already set). */
  private readSource(): void {
    let names: string[];
    try {
      names = inputNames(parseExpression(this.source.value));
    } catch (e) {
      this.fail(e);
      return;
    }
    for (const n of names) if (this.values[n] === undefined) this.values[n] = DEFAULT_VALUE;
    this.fillInputs(names);
    this.start();
  }

  private fillInputs(names: readonly string[]): void {
    this.inputsBox.replaceChildren(...names.map((name) => {
      const label = el('label', {}, `${name} = `);
      const value = valueString(this.values[name] ?? DEFAULT_VALUE);
      const input = el('input', { type: 'text', value, size: String(Math.max(5, value.length + 1)), 'data-input': name }) as HTMLInputElement;
      input.addEventListener('change', () => this.start());
      label.append(input);
      return label;
    }));
  }

  /** Show a mistake (with its column for a typing mistake) and clear the lesson. */
  private fail(e: unknown): void {
    this.model = null;
    const message = e instanceof Error ? e.message : String(e);
    this.error.textContent = message;
    if (e instanceof ExpressionError) {
      // The typed line with a caret under the column.
      this.error.append(el('pre', { tabindex: '0', 'aria-label': `the typed line, a caret under column ${e.column}` }, `L = ${this.source.value}\n${' '.repeat(e.column + 3)}^`));
      this.error.dataset.column = String(e.column);
      this.source.setAttribute('aria-invalid', 'true');
      this.source.focus();
      this.source.setSelectionRange(e.column - 1, Math.min(e.column, this.source.value.length));
    }
    this.canvas.replaceChildren();
    this.log.replaceChildren();
    this.result.replaceChildren();
    this.stepButton.disabled = true;
    this.allButton.disabled = true;
  }

  /** The forward pass: values on every node, no gradients yet. */
  start(): void {
    for (const input of this.inputsBox.querySelectorAll<HTMLInputElement>('input[data-input]')) {
      const v = parseValues(input.value);
      const name = input.dataset.input as string;
      input.setAttribute('aria-invalid', String(v === null));
      if (v === null) {
        this.fail(new Error(`${name} = "${input.value}" is not a number; type one, or several separated by commas`));
        return;
      }
      this.values[name] = v;
    }
    this.error.textContent = '';
    delete this.error.dataset.column;
    this.source.removeAttribute('aria-invalid');
    try {
      this.model = buildLesson(this.source.value, this.values);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.shown = 0;
    this.log.replaceChildren();
    this.result.replaceChildren();
    this.stepButton.disabled = false;
    this.allButton.disabled = false;
    this.draw();
  }

  private draw(): void {
    const m = this.model;
    if (!m) return;
    const l = m.lesson;
    const known = knownGradients(m, this.shown);
    const nodes: GraphNode[] = l.graph.nodes.map((n) => ({ ...n, value: summarise(l.values.get(n.id) ?? []) }));
    const graph = { root: l.graph.root, nodes };
    const boxes = displayNodes(graph, new Set(nodes.map((n) => n.id))).map((b) => ({ ...b, expandable: false, title: definition(m, b.id) }));
    const step = l.steps[this.shown];
    // A box has room for about 27 characters: 6 digits for a number, 2 for a vector's elements.
    const short = (v: readonly number[]): string => numbers(v, v.length > 1 ? 2 : 6);
    renderGraph(this.canvas, boxes, {
      selected: null,
      onSelect: (id) => this.describeBox(id),
      current: new Set(step ? [step.node] : []),
      valueText: (n) => `= ${short(l.values.get(n.id) ?? [])}`,
      gradText: (n) => (known.has(n.id) ? `∂L/∂${nameOf(m, n.id)} = ${short(known.get(n.id) as number[])}` : null),
      gradWidth: (n) => (known.has(n.id) && n.id !== l.graph.root ? 2 : 0),
    });
    this.canvas.dataset.function = m.source;
    // A screen reader hears each box by its definition and value, not by the engine's op name.
    for (const g of this.canvas.querySelectorAll<SVGGElement>('.gnode')) {
      const id = Number(g.dataset.id);
      const grad = known.get(id);
      g.setAttribute('aria-label', `${definition(m, id)} = ${numbers(l.values.get(id) ?? [])}${grad ? `, ∂L/∂${nameOf(m, id)} = ${numbers(grad)}` : ''}`);
    }
  }

  /** A box in words: its definition, value, and the gradient known so far. */
  private describeBox(id: number): void {
    const m = this.model;
    if (!m) return;
    const name = nameOf(m, id);
    const grad = knownGradients(m, this.shown).get(id);
    const value = numbers(m.lesson.values.get(id) ?? []);
    const isInput = m.lesson.inputIds.includes(id);
    this.boxNote.textContent = `${definition(m, id)} = ${value}${isInput ? ' (an input)' : ''}. `
      + (grad ? `∂L/∂${name} = ${numbers(grad)}${id === m.lesson.graph.root ? ' (where backward starts)' : ''}.` : `∂L/∂${name} is not known yet: step backward until it is reached.`);
    this.boxNote.dataset.box = name;
  }

  /** One node's rule, written out with the numbers. */
  step(): void {
    const m = this.model;
    if (!m || this.shown >= m.lesson.steps.length) return;
    const s = m.lesson.steps[this.shown];
    const { head, chains } = stepText(m, s, knownGradients(m, this.shown));
    const li = el('li', { 'data-step': String(this.shown) });
    li.append(el('p', {}, head));
    for (const c of chains) li.append(el('p', { class: 'chain' }, c));
    const rule = m.lesson.graph.nodes.find((n) => n.id === s.node)?.rule;
    if (rule) li.append(el('p', { class: 'caption' }, `The engine's rule for ${m.lesson.graph.nodes.find((n) => n.id === s.node)?.op}: ${rule} (dy is ∂L/∂${nameOf(m, s.node)}).`));
    this.log.append(li);
    this.shown++;
    this.draw();
    if (this.shown === m.lesson.steps.length) this.finish();
  }

  /** The gradients beside the central differences, and gradcheck's verdict. */
  private finish(): void {
    const m = this.model as LessonModel;
    const l = m.lesson;
    this.stepButton.disabled = true;
    this.allButton.disabled = true;
    const table = el('table');
    const head = el('tr');
    for (const h of ['input', 'value', 'backward ∂L/∂input', 'finite difference', 'rel. error']) head.append(el('th', {}, h));
    table.append(head);
    l.inputIds.forEach((id, k) => {
      const values = l.values.get(id) ?? [];
      values.forEach((value, j) => {
        const a = l.analytic[k][j];
        const n = l.numeric[k][j];
        const rel = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-3);
        const name = values.length > 1 ? `${nameOf(m, id)}[${j}]` : nameOf(m, id);
        const tr = el('tr', { 'data-input': name, 'data-analytic': String(a), 'data-numeric': String(n) });
        tr.append(el('td', {}, name), el('td', {}, numbers([value])), el('td', {}, numbers([a])), el('td', {}, numbers([n])), el('td', {}, rel.toExponential(1)));
        table.append(tr);
      });
    });
    const verdict = el('p', { class: l.gradcheck.ok ? 'ok' : 'bad', 'data-gradcheck': l.gradcheck.ok ? 'pass' : 'fail' },
      `gradcheck (central differences (f(x + h) − f(x − h)) / 2h, h = 10⁻⁶·max(1, |x|), float64): ${l.gradcheck.ok ? 'pass' : 'FAIL'}, largest relative error ${l.gradcheck.maxRelError.toExponential(1)}.`);
    const scroll = el('div', { class: 'lesson-table', tabindex: '0', role: 'region', 'aria-label': 'gradients against finite differences' });
    scroll.append(table);
    this.result.replaceChildren(el('h4', {}, 'Backward against finite differences'), scroll, verdict);
  }
}
