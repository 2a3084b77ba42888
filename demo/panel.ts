// The layout every model tab shares: a short introduction, the controls, the buttons
// (Start/Stop, Reset, Step, and the tab's own), a status line, a message area for divergence
// and notices, and the plot area. Keeping one idiom means a learner who knows the GAN tab
// knows them all.

import { buildControls, el, type ControlGroup, type ControlSpec } from './controls';

export interface PanelOptions {
  id: string;
  title: string;
  /** A sentence or two saying what the model does, in plain words. */
  intro: string;
  controls: readonly ControlSpec[];
  values: Record<string, string | number>;
  onControl(key: string, value: string | number): void;
  onStartStop(): void;
  onReset(): void;
  onStep(): void;
  /** Extra buttons after Step (e.g. "step D", "step G"). */
  extraButtons?: { label: string; key: string; title: string; onClick(): void }[];
}

export interface StatusLine {
  epoch: number;
  steps: number;
  /** Named numbers shown after the epoch, e.g. [['G', 0.69], ['D', 1.38]]. */
  values: [string, number][];
  stepsPerSecond: number;
  backend: string;
}

export class ModelPanel {
  readonly root: HTMLElement;
  readonly controls: ControlGroup;
  /** Where the tab puts its plots and extras. */
  readonly body: HTMLElement;
  readonly startButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly message: HTMLElement;

  constructor(parent: HTMLElement, options: PanelOptions) {
    this.root = el('section', { class: 'model-panel', 'data-panel': options.id });
    const head = el('div', { class: 'panel-head' });
    head.append(el('h2', {}, options.title), el('p', { class: 'intro' }, options.intro));

    this.controls = buildControls(options.controls, options.values, options.onControl);

    const buttons = el('div', { class: 'button-row' });
    this.startButton = el('button', { class: 'btn primary', 'data-action': 'start' }, 'Start');
    this.startButton.addEventListener('click', options.onStartStop);
    const reset = el('button', { class: 'btn', 'data-action': 'reset', title: 'New networks and data with the current settings' }, 'Reset');
    reset.addEventListener('click', options.onReset);
    const step = el('button', { class: 'btn', 'data-action': 'step', title: 'Train one epoch (dataset size / batch steps) and stop' }, 'Step (1 epoch)');
    step.addEventListener('click', options.onStep);
    buttons.append(this.startButton, reset, step);
    for (const b of options.extraButtons ?? []) {
      const button = el('button', { class: 'btn small', 'data-action': b.key, title: b.title }, b.label);
      button.addEventListener('click', b.onClick);
      buttons.append(button);
    }

    this.status = el('div', { class: 'status', 'aria-live': 'polite' });
    this.message = el('div', { class: 'message', hidden: '' });
    this.body = el('div', { class: 'panel-body' });
    this.root.append(head, this.controls.element, buttons, this.status, this.message, this.body);
    parent.append(this.root);
  }

  setRunning(running: boolean): void {
    this.startButton.textContent = running ? 'Stop' : 'Start';
    this.startButton.classList.toggle('running', running);
  }

  setStatus(s: StatusLine): void {
    const parts: [string, string, string][] = [
      ['epoch', 'Epoch', String(s.epoch)],
      ['steps', 'steps', String(s.steps)],
      ...s.values.map(([k, v]): [string, string, string] => [k.toLowerCase().replace(/[^a-z0-9]+/g, '-'), k, Number.isFinite(v) ? v.toFixed(3) : '—']),
      ['sps', 'steps/s', s.stepsPerSecond > 0 ? s.stepsPerSecond.toFixed(0) : '—'],
      ['backend', 'backend', s.backend],
    ];
    this.status.replaceChildren(...parts.map(([key, label, value]) => {
      const item = el('span', { class: 'status-item', 'data-status': key });
      item.append(el('span', { class: 'status-label' }, `${label} `), el('b', {}, value));
      return item;
    }));
  }

  /** A message under the status line: 'error' (with a Reset button), 'info', or null to hide. */
  showMessage(kind: 'error' | 'info' | null, text = '', onReset?: () => void): void {
    if (kind === null) {
      this.message.hidden = true;
      this.message.replaceChildren();
      return;
    }
    this.message.hidden = false;
    this.message.className = `message ${kind}`;
    this.message.replaceChildren(el('span', {}, text));
    if (onReset) {
      const b = el('button', { class: 'btn small', 'data-action': 'message-reset' }, 'Reset and try again');
      b.addEventListener('click', onReset);
      this.message.append(b);
    }
  }
}

/** A card: a titled box for one plot or one teaching extra. */
export function card(parent: HTMLElement, title: string, className = ''): HTMLElement {
  const box = el('div', { class: `card ${className}`.trim() });
  if (title) box.append(el('h3', {}, title));
  parent.append(box);
  return box;
}

/** A short callout in plain words; `kind` picks the colour. */
export function callout(parent: HTMLElement, kind: 'hint' | 'watch' | 'warn', html: string): HTMLElement {
  const box = el('div', { class: `callout ${kind}` });
  box.innerHTML = html;
  parent.append(box);
  return box;
}
