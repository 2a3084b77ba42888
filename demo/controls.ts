// The controls idiom every tab shares: a grid of labelled selects and sliders, each bound to
// one key of the tab's settings. A slider shows its value beside it; the learning rate uses a
// log slider. Changing a control calls onChange(key, value); the tab decides whether that
// rebuilds the model (architecture, data) or applies live (learning rate).

export type ControlSpec =
  | { kind: 'select'; key: string; label: string; options: { value: string | number; label: string }[]; help?: string }
  | { kind: 'range'; key: string; label: string; min: number; max: number; step: number; help?: string }
  /** A slider over log10(value), from 10^minExp to 10^maxExp. */
  | { kind: 'log'; key: string; label: string; minExp: number; maxExp: number; step: number; help?: string }
  | { kind: 'number'; key: string; label: string; min: number; max: number; help?: string };

export interface ControlGroup {
  /** Show a value in a control (after a reset or a URL load), without calling onChange. */
  set(key: string, value: string | number): void;
  /** Show a text in place of a control's input (e.g. a loaded file's row count), or the input again (null). */
  setNote(key: string, text: string | null): void;
  /** Show or hide one control (a setting that does nothing for the others' values is hidden). */
  setVisible(key: string, visible: boolean): void;
  /** Add an option to a select (e.g. "your data" once a CSV is loaded). */
  addOption(key: string, value: string, label: string): void;
  element: HTMLElement;
}

/** Two significant digits: 0.0031622 -> 0.0032. */
export function roundSignificant(x: number, digits = 2): number {
  return Number(x.toPrecision(digits));
}

/** A learning rate as learners read it: 3e-3, 1.2e-4. */
export function formatRate(x: number): string {
  const [m, e] = x.toExponential(1).split('e');
  return `${m.replace(/\.0$/, '')}e${e}`;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function buildControls(
  specs: readonly ControlSpec[],
  values: Record<string, string | number>,
  onChange: (key: string, value: string | number) => void,
): ControlGroup {
  const grid = el('div', { class: 'control-grid' });
  const setters = new Map<string, (v: string | number) => void>();
  const selects = new Map<string, HTMLSelectElement>();
  const groups = new Map<string, HTMLElement>();

  for (const spec of specs) {
    const group = el('label', { class: 'control', 'data-control': spec.key });
    const name = el('span', { class: 'control-label' }, spec.label);
    group.append(name);
    groups.set(spec.key, group);

    if (spec.kind === 'select') {
      const select = el('select', { 'data-key': spec.key });
      for (const o of spec.options) select.append(el('option', { value: String(o.value) }, o.label));
      const numeric = typeof spec.options[0]?.value === 'number';
      select.addEventListener('change', () => onChange(spec.key, numeric ? Number(select.value) : select.value));
      setters.set(spec.key, (v) => { select.value = String(v); });
      selects.set(spec.key, select);
      group.append(select);
    } else if (spec.kind === 'number') {
      const input = el('input', { type: 'number', min: String(spec.min), max: String(spec.max), step: '1', 'data-key': spec.key });
      input.addEventListener('change', () => {
        const v = Math.round(Number(input.value));
        if (Number.isFinite(v) && v >= spec.min && v <= spec.max) onChange(spec.key, v);
        else input.value = String(values[spec.key]);
      });
      setters.set(spec.key, (v) => { input.value = String(v); });
      group.append(input);
    } else {
      const isLog = spec.kind === 'log';
      const input = el('input', {
        type: 'range', 'data-key': spec.key,
        min: String(isLog ? spec.minExp : spec.min), max: String(isLog ? spec.maxExp : spec.max), step: String(spec.step),
      });
      const shown = el('output', { class: 'control-value' });
      const toValue = (pos: number): number => (isLog ? roundSignificant(10 ** pos) : pos);
      const show = (v: number): void => { shown.textContent = isLog ? formatRate(v) : String(v); };
      // While dragging, only the number beside the slider changes; the setting applies on release.
      input.addEventListener('input', () => show(toValue(Number(input.value))));
      input.addEventListener('change', () => onChange(spec.key, toValue(Number(input.value))));
      setters.set(spec.key, (v) => {
        input.value = String(isLog ? Math.log10(Number(v)) : v);
        show(Number(v));
      });
      group.append(input, shown);
    }
    // The help is text on the page, not a tooltip: a touch screen shows it too.
    if (spec.help) group.append(el('span', { class: 'control-help' }, spec.help));
    grid.append(group);
    setters.get(spec.key)?.(values[spec.key]);
  }

  return {
    element: grid,
    set: (key, value) => setters.get(key)?.(value),
    setNote(key, text) {
      const g = groups.get(key);
      if (!g) return;
      let note = g.querySelector<HTMLElement>('.control-note');
      if (text !== null && !note) {
        note = el('output', { class: 'control-note' });
        g.querySelector('.control-label')?.after(note);
      }
      if (note) { note.textContent = text ?? ''; note.hidden = text === null; }
      for (const input of g.querySelectorAll<HTMLElement>('select, input, .control-value')) input.hidden = text !== null;
    },
    setVisible(key, visible) {
      const g = groups.get(key);
      if (g) g.hidden = !visible;
    },
    addOption(key, value, label) {
      const select = selects.get(key);
      if (!select) return;
      const existing = [...select.options].find((o) => o.value === value);
      if (existing) existing.textContent = label;
      else select.append(el('option', { value }, label));
    },
  };
}
