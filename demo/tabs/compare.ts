// The Compare tab: the JAX GAN-vs-VAE-vs-RBM benchmark's dashboard. Every chosen model is trained in turn on one target
// under one parameter budget P (each gets the hidden width H whose parameter count is closest to
// P, see models/core/budget.ts), scored the same way after every epoch: KLD and W1 against epoch, one
// line per model, then each model's final samples against the target, and a table.
//
// The page drives the models itself, one epoch at a time, instead of calling runCompare: an
// epoch on the CPU backend never gives the browser a turn, and runCompare has no way to stop,
// so between epochs we yield an animation frame (the page stays responsive, Stop works).
// Same budget solver (budgetedConfig), same scoring (each model's history records), same
// yardstick (the Gaussian fit) as `gradlab compare`.

import { DivergenceError, type HistoryRecord, type ModelKind } from '../../models/core/model';
import { gaussianBaseline } from '../../models/eval/baseline';
import { budgetedConfig, COMPARE_MODELS } from '../../models/eval/compare';
import { referenceSamples } from '../../models/eval/evaluate';
import { createModel } from '../../models/core/registry';
import { getTarget, listTargets, type Target } from '../../models/data/targets';
import type { AppServices, Tab } from '../app';
import { buildControls, el, type ControlGroup, type ControlSpec } from '../controls';
import { callout, card } from '../panel';
import { COLORS, LinePlot } from '../plots';
import { readSettings, writeSettings, type AnyField, type Field, type Values } from '../url-state';
import { controlsOf, fieldsOf, numberChoice, seedSetting, type Setting } from '../settings';
import { FinalSamplesPlot } from './compare-plots';
import type { Notify } from './model-tab';

/** Samples scored after each epoch (the CLI uses 1000; fewer keeps a page run short). */
export const PAGE_EVAL_SAMPLES = 500;
/** Gibbs sweeps of the RBM's sampling chain on the page (the CLI uses the model's 1000). */
export const PAGE_GIBBS_STEPS = 100;
/** Final samples drawn per model for its histogram, in chunks with a frame between them. */
const FINAL_SAMPLES = 1000;
const FINAL_CHUNK = 250;
/** Milliseconds of training before giving the browser a frame; plots redraw at most this often. */
const SLICE_MS = 30;
const REDRAW_MS = 250;

const MODEL_NAMES: Record<ModelKind, string> = { gan: 'GAN', vae: 'VAE', rbm: 'RBM', diffusion: 'Diffusion' };
const BUDGETS = [200, 400, 800, 1600, 3200, 6400];
const BIN_CHOICES = [0, 10, 20, 30, 50];

/** The chosen models as "gan,vae,...": known names, no repeats, at least one, kept in the usual order. */
function modelsField(fallback: readonly ModelKind[]): Field<string> {
  return {
    key: 'models', default: fallback.join(','), expects: `a comma-separated list of ${COMPARE_MODELS.join(', ')}`,
    parse(text) {
      const names = text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
      if (names.length === 0 || names.some((n) => !(COMPARE_MODELS as readonly string[]).includes(n))) return undefined;
      return COMPARE_MODELS.filter((m) => names.includes(m)).join(',');
    },
    format: (v) => v,
  };
}

/** One model's run on the page: what the table, the lines and the histogram show. */
interface ModelRow {
  kind: ModelKind;
  hidden: number;
  parameters: number;
  history: HistoryRecord[];
  /** Seconds inside training and scoring (frames given to the browser not counted). */
  seconds: number;
  state: 'waiting' | 'training' | 'sampling' | 'done' | 'stopped' | 'failed';
  note: string;
  samples: Float64Array | null;
}

interface RunView {
  target: Target;
  epochs: number;
  budget: number;
  bins: number;
  baseline: { w1: number; kld: number };
  rows: ModelRow[];
  kldPlot: LinePlot;
  w1Plot: LinePlot;
  finals: Map<ModelKind, FinalSamplesPlot>;
}

/**
 * Give the browser a turn: wait for the next frame (the page paints), then for a fresh task, so
 * that clicks queued meanwhile (Stop) are handled before the next epoch starts.
 */
const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

export class CompareTab implements Tab {
  readonly id = 'compare';
  readonly title = 'Compare';
  private readonly prefix = 'cmp.';
  /** Every setting, once (the models list is a field without a control: the checkboxes set it). */
  private readonly settings: Setting[] = [
    { kind: 'select', key: 'target', label: 'Target', default: '1d-trimodal', options: listTargets().map((t) => ({ value: t.name, label: `${t.name} — ${t.label}` })) },
    numberChoice('budget', 'Budget P', 1600, BUDGETS, 'each model gets the hidden width whose parameter count is closest to P'),
    numberChoice('bins', 'Bins', 0, BIN_CHOICES, 'K > 0: each value becomes a one-hot vector over K bins (1D targets only)', (v) => (v === 0 ? '0: off' : String(v))),
    { kind: 'number', key: 'epochs', label: 'Epochs', min: 1, max: 500, default: 10, help: 'epochs per model; one epoch = dataset size / batch steps' },
    seedSetting(),
  ];
  private readonly fields: AnyField[] = [...fieldsOf(this.settings), modelsField(COMPARE_MODELS)];
  private readonly specs: ControlSpec[] = controlsOf(this.settings);

  private values: Values = {};
  private root!: HTMLElement;
  private controls!: ControlGroup;
  private checkboxes = new Map<ModelKind, HTMLInputElement>();
  private runButton!: HTMLButtonElement;
  private status!: HTMLElement;
  private progress!: HTMLProgressElement;
  private message!: HTMLElement;
  private lineGrid!: HTMLElement;
  private tableBox!: HTMLElement;
  private finalGrid!: HTMLElement;
  private view: RunView | null = null;
  private running = false;
  private stopRequested = false;
  private lastDraw = 0;

  constructor(private readonly services: AppServices, private readonly notify: Notify) {}

  mount(container: HTMLElement): void {
    const read = readSettings(this.fields, window.location.search, this.prefix);
    this.values = read.values;
    for (const n of read.notices) this.notify(`URL: ${n}.`);

    this.root = el('section', { class: 'model-panel', 'data-panel': this.id });
    const head = el('div', { class: 'panel-head' });
    head.append(el('h2', {}, 'Compare the four models under one parameter budget'), el('p', { class: 'intro' },
      'Each model is trained in turn on the same target with about the same number of trainable parameters P: the hidden width H is solved so that the parameter count lands closest to P. After every epoch its samples are scored against the target with the same two yardsticks, KLD and W1. This is the dashboard of the JAX benchmark of GAN vs VAE vs RBM under one parameter budget, run live in your browser.'));
    this.controls = buildControls(this.specs, this.values, (key, value) => this.controlChanged(key, value));
    this.controls.element.append(this.modelChecks());

    const buttons = el('div', { class: 'button-row' });
    this.runButton = el('button', { class: 'btn primary', 'data-action': 'run', title: 'Train every chosen model in turn with these settings' }, 'Run');
    this.runButton.addEventListener('click', () => (this.running ? this.stop() : void this.run()));
    buttons.append(this.runButton);
    this.progress = el('progress', { class: 'compare-progress', max: '1', value: '0', 'data-progress': '' });
    buttons.append(this.progress);

    this.status = el('div', { class: 'status', 'aria-live': 'polite' });
    this.message = el('div', { class: 'message', hidden: '' });
    const body = el('div', { class: 'panel-body' });
    this.root.append(head, this.controls.element, buttons, this.status, this.message, body);
    container.append(this.root);

    const notes = el('div', { class: 'callouts' });
    callout(notes, 'hint', '<strong>Same budget, different shapes.</strong> A network of width H has about H² weights per hidden layer, the RBM only V·H: so at P = 1600 the RBM gets hundreds of hidden units while the GAN, VAE and diffusion net get a few dozen. The table shows each H.');
    callout(notes, 'hint', '<strong>Two yardsticks.</strong> KLD compares histograms: it punishes missing mass where the target has some, but is blind to <em>how far</em> a misplaced sample is. W1 is the average distance samples must travel to match the target. Lower is better for both; the dashed line is a Gaussian fitted to the target, the score of a model that learned only the mean and spread.');
    callout(notes, 'watch', `<strong>On this page</strong> each epoch is scored on ${PAGE_EVAL_SAMPLES} samples and the RBM samples with a Gibbs chain of ${PAGE_GIBBS_STEPS} sweeps (the command line <code>gradlab compare</code> uses 1000 and 1000), so a run takes seconds, not minutes; the RBM's chain is still the slowest part. Ten epochs is a first look: most models have only just reached the dashed line. Raise Epochs to 50 or more to see who pulls ahead.`);
    body.append(notes);

    const grid = el('div', { class: 'plot-grid' });
    body.append(grid);
    this.lineGrid = grid;
    this.tableBox = card(grid, 'Results after the last epoch', 'wide compare-table');
    this.tableBox.dataset.plot = 'table';
    const finals = card(grid, 'Final samples against the target', 'wide');
    this.finalGrid = el('div', { class: 'plot-grid compare-finals' });
    finals.append(this.finalGrid);
    this.showIdle();
  }

  activate(): void {
    if (!this.running) this.showIdle();
  }

  /** Hidden: stop the run (the results so far stay on screen). */
  deactivate(): void {
    this.stop();
  }

  backendChanged(): void {
    this.stop();
    if (!this.running) this.showIdle();
  }

  plotted(plot: string): number[][] | null {
    const rows = this.view?.rows.filter((r) => r.history.length > 0) ?? [];
    if (plot === 'kld') return rows.map((r) => r.history.map((h) => h.kld));
    if (plot === 'w1') return rows.map((r) => r.history.map((h) => h.w1));
    if (plot === 'finals') return [...(this.view?.finals.values() ?? [])].flatMap((f) => f.lastData);
    return null;
  }

  hood(): null {
    return null;
  }

  // ---- controls ----

  private modelChecks(): HTMLElement {
    const group = el('div', { class: 'control compare-models', 'data-control': 'models' });
    group.append(el('span', { class: 'control-label' }, 'Models'));
    const boxes = el('span', { class: 'checks' });
    const chosen = String(this.values.models).split(',');
    for (const kind of COMPARE_MODELS) {
      const label = el('label', { class: 'check' });
      const box = el('input', { type: 'checkbox', 'data-model': kind });
      box.checked = chosen.includes(kind);
      box.addEventListener('change', () => {
        const picked = COMPARE_MODELS.filter((m) => this.checkboxes.get(m)?.checked);
        if (picked.length === 0) {
          box.checked = true;
          this.showMessage('info', 'Keep at least one model to compare.');
          return;
        }
        this.controlChanged('models', picked.join(','));
      });
      this.checkboxes.set(kind, box);
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = COLORS.models[kind];
      label.append(box, swatch, document.createTextNode(MODEL_NAMES[kind]));
      boxes.append(label);
    }
    group.append(boxes);
    return group;
  }

  private controlChanged(key: string, value: string | number): void {
    this.values[key] = value;
    writeSettings(this.fields, this.values, this.prefix);
    this.showMessage(null);
    if (this.running) this.showMessage('info', 'The new settings apply to the next run.');
    else this.showIdle();
  }

  private chosenModels(): ModelKind[] {
    const names = String(this.values.models).split(',');
    return COMPARE_MODELS.filter((m) => names.includes(m));
  }

  // ---- the run ----

  private stop(): void {
    if (this.running) this.stopRequested = true;
  }

  private setRunning(running: boolean): void {
    this.running = running;
    this.runButton.textContent = running ? 'Stop' : 'Run';
    this.runButton.classList.toggle('running', running);
  }

  private async run(): Promise<void> {
    const target = getTarget(String(this.values.target));
    const bins = Number(this.values.bins);
    const epochs = Number(this.values.epochs);
    const budget = Number(this.values.budget);
    const seed = Number(this.values.seed);
    const kinds = this.chosenModels();
    if (bins > 0 && target.dim !== 1) {
      this.showMessage('error', `Binned mode is for 1D data and ${target.name} is 2D: set Bins to 0 (continuous).`);
      return;
    }
    this.showMessage(null);
    this.setRunning(true);
    this.stopRequested = false;
    const backend = this.services.backendName();
    try {
      const view = this.newView(target, epochs, budget, bins, seed, kinds);
      this.view = view;
      for (const [index, row] of view.rows.entries()) {
        if (this.stopRequested) break;
        await this.trainRow(view, row, index, seed);
      }
      for (const row of view.rows) if (row.state === 'waiting') { row.state = 'stopped'; row.note = 'not run (stopped)'; }
      this.draw(view);
      const stoppedEarly = view.rows.some((r) => r.state === 'stopped');
      this.setStatus(view, null, stoppedEarly ? 'stopped' : 'done', backend);
    } catch (e) {
      this.showMessage('error', `The comparison failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.setRunning(false);
    }
  }

  private newView(target: Target, epochs: number, budget: number, bins: number, seed: number, kinds: ModelKind[]): RunView {
    const rows: ModelRow[] = kinds.map((kind) => {
      const b = budgetedConfig(kind, budget, target.dim, bins);
      return { kind, hidden: b.hidden, parameters: b.parameters, history: [], seconds: 0, state: 'waiting', note: '', samples: null };
    });
    const baseline = gaussianBaseline(target, PAGE_EVAL_SAMPLES, seed);
    // New line plots each run: one line per chosen model, and the Gaussian fit dashed.
    this.lineGrid.querySelectorAll('[data-plot="kld"], [data-plot="w1"]').forEach((n) => n.remove());
    const kldBox = el('div', { class: 'card', 'data-plot': 'kld' });
    const w1Box = el('div', { class: 'card', 'data-plot': 'w1' });
    this.lineGrid.prepend(kldBox, w1Box);
    const series = kinds.map((k) => ({ label: MODEL_NAMES[k], color: COLORS.models[k], points: epochs <= 30 }));
    const kldPlot = new LinePlot(kldBox, {
      title: 'KLD(target ‖ model) against epoch (log scale)', xLabel: 'epoch', yLabel: 'KLD', height: 250, logY: true, series,
      refs: [{ value: baseline.kld, label: 'Gaussian fit' }],
    });
    const w1Plot = new LinePlot(w1Box, {
      title: 'Wasserstein-1 distance against epoch (log scale)', xLabel: 'epoch', yLabel: 'W1', height: 250, logY: true, series,
      refs: [{ value: baseline.w1, label: 'Gaussian fit' }],
    });
    // One card per model for its final samples, the target drawn from the start.
    this.finalGrid.replaceChildren();
    const reference = referenceSamples(target, 2000, seed);
    const finals = new Map<ModelKind, FinalSamplesPlot>();
    for (const row of rows) {
      const box = el('div', { class: 'final-card', 'data-final': row.kind });
      this.finalGrid.append(box);
      const plot = new FinalSamplesPlot(box, target, reference, bins, MODEL_NAMES[row.kind], COLORS.models[row.kind]);
      plot.waiting(`${MODEL_NAMES[row.kind]}: waiting for its turn`);
      finals.set(row.kind, plot);
    }
    return { target, epochs, budget, bins, baseline, rows, kldPlot, w1Plot, finals };
  }

  /** Train one model for the run's epochs, one epoch at a time with frames between, then sample it. */
  private async trainRow(view: RunView, row: ModelRow, index: number, seed: number): Promise<void> {
    const backend = this.services.backendName();
    const { config } = budgetedConfig(row.kind, view.budget, view.target.dim, view.bins);
    const pageConfig = { ...config, seed, bins: view.bins, evalSamples: PAGE_EVAL_SAMPLES, ...(row.kind === 'rbm' ? { gibbsSteps: PAGE_GIBBS_STEPS } : {}) };
    const final = view.finals.get(row.kind);
    let model;
    try {
      model = createModel(row.kind, view.target, pageConfig);
    } catch (e) {
      // A model that cannot run this setting (the GAN has no binned mode) is reported, not fatal.
      row.state = 'failed';
      row.note = e instanceof Error ? e.message : String(e);
      final?.waiting(`${MODEL_NAMES[row.kind]}: not run with these settings (see the table)`);
      this.draw(view);
      return;
    }
    row.state = 'training';
    final?.waiting(`${MODEL_NAMES[row.kind]}: training…`);
    this.setStatus(view, { row, index }, 'training', backend);
    this.draw(view);
    await nextFrame();
    try {
      let sliceStart = performance.now();
      while (row.history.length < view.epochs) {
        if (this.stopRequested) break;
        const t0 = performance.now();
        row.history.push({ ...(await model.trainEpoch()) });
        row.seconds += (performance.now() - t0) / 1000;
        if (performance.now() - sliceStart >= SLICE_MS) {
          this.setStatus(view, { row, index }, 'training', backend);
          if (performance.now() - this.lastDraw >= REDRAW_MS) this.draw(view);
          await nextFrame();
          sliceStart = performance.now();
        }
      }
      // A stopped model is not sampled: Stop should stop now (the RBM's chain takes seconds).
      if (row.history.length === view.epochs && !this.stopRequested) {
        row.state = 'sampling';
        this.setStatus(view, { row, index }, 'sampling', backend);
        this.draw(view);
        row.samples = await this.finalSamples(model, row);
      }
      if (row.samples) {
        row.state = 'done';
        final?.show(row.samples, `${MODEL_NAMES[row.kind]} after ${view.epochs} epoch${view.epochs === 1 ? '' : 's'}`);
      } else {
        row.state = 'stopped';
        row.note = `stopped after ${row.history.length} of ${view.epochs} epochs`;
        final?.waiting(`${MODEL_NAMES[row.kind]}: ${row.note}`);
      }
    } catch (e) {
      row.state = 'failed';
      if (e instanceof DivergenceError) row.note = `diverged: ${e.message}`;
      else if (this.stopRequested) row.note = 'stopped';
      else row.note = `failed: ${e instanceof Error ? e.message : String(e)}`;
      final?.waiting(`${MODEL_NAMES[row.kind]}: ${row.note.split(':')[0]} (see the table)`);
    } finally {
      model.dispose();
    }
    this.draw(view);
  }

  /** FINAL_SAMPLES samples in chunks, a frame between chunks (the RBM's chain is slow); null if stopped. */
  private async finalSamples(model: { sample(n: number): Promise<Float64Array> }, row: ModelRow): Promise<Float64Array | null> {
    const dim = this.view?.target.dim ?? 1;
    const out = new Float64Array(FINAL_SAMPLES * dim);
    for (let done = 0; done < FINAL_SAMPLES; done += FINAL_CHUNK) {
      const t0 = performance.now();
      out.set(await model.sample(FINAL_CHUNK), done * dim);
      row.seconds += (performance.now() - t0) / 1000;
      await nextFrame();
      if (this.stopRequested) return null;
    }
    return out;
  }

  // ---- drawing ----

  private draw(view: RunView): void {
    this.lastDraw = performance.now();
    const xs = Array.from({ length: view.epochs }, (_, i) => i + 1);
    const line = (key: 'kld' | 'w1'): number[][] => view.rows.map((r) => xs.map((_, i) => r.history[i]?.[key] ?? NaN));
    view.kldPlot.setData(xs, line('kld'));
    view.w1Plot.setData(xs, line('w1'));
    this.drawTable(view);
  }

  private drawTable(view: RunView): void {
    const finished = view.rows.filter((r) => r.history.length > 0);
    const best = (key: 'w1' | 'kld'): number => Math.min(...finished.map((r) => r.history[r.history.length - 1][key]));
    const bestW1 = best('w1');
    const bestKld = best('kld');
    const table = el('table', { class: 'results' });
    const head = el('tr');
    for (const h of ['model', 'parameters', 'hidden H', 'epochs', 'W1', 'KLD', 'seconds', 'note']) head.append(el('th', {}, h));
    table.append(el('thead'), el('tbody'));
    table.tHead?.append(head);
    const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(4));
    for (const r of view.rows) {
      const last = r.history[r.history.length - 1];
      const tr = el('tr', { 'data-row': r.kind, class: `state-${r.state}` });
      const name = el('td');
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = COLORS.models[r.kind];
      name.append(swatch, document.createTextNode(MODEL_NAMES[r.kind]));
      const w1 = el('td', { class: 'num' }, fmt(last?.w1));
      const kld = el('td', { class: 'num' }, fmt(last?.kld));
      if (last && last.w1 === bestW1 && finished.length > 1) w1.classList.add('best');
      if (last && last.kld === bestKld && finished.length > 1) kld.classList.add('best');
      const note = r.note || { waiting: 'waiting', training: 'training…', sampling: 'drawing final samples…', done: '', stopped: 'stopped', failed: '' }[r.state];
      tr.append(name, el('td', { class: 'num' }, String(r.parameters)), el('td', { class: 'num' }, String(r.hidden)),
        el('td', { class: 'num' }, `${r.history.length}`), w1, kld, el('td', { class: 'num' }, r.history.length ? r.seconds.toFixed(1) : '—'), el('td', { class: 'note' }, note));
      table.tBodies[0].append(tr);
    }
    const base = el('tr', { class: 'baseline', 'data-row': 'baseline' });
    base.append(el('td', {}, 'Gaussian fit'), el('td', { class: 'num' }, '—'), el('td', { class: 'num' }, '—'), el('td', { class: 'num' }, '—'),
      el('td', { class: 'num' }, fmt(view.baseline.w1)), el('td', { class: 'num' }, fmt(view.baseline.kld)), el('td', { class: 'num' }, '—'),
      el('td', { class: 'note' }, 'the bar to clear: a model that learned only the mean and spread'));
    table.tBodies[0].append(base);
    const caption = el('p', { class: 'caption' },
      `Target ${view.target.name}, budget P = ${view.budget}, ${view.bins > 0 ? `${view.bins} bins (one-hot)` : 'continuous'}, ${view.epochs} epochs per model. ` +
      'W1 and KLD are those of the last epoch (lower is better, the best in bold); seconds count training and scoring only.');
    this.tableBox.querySelectorAll('table, p').forEach((n) => n.remove());
    this.tableBox.append(table, caption);
  }

  private setStatus(view: RunView, current: { row: ModelRow; index: number } | null, phase: 'training' | 'sampling' | 'done' | 'stopped', backend: string): void {
    const count = view.rows.length;
    const row = current?.row;
    const last = row?.history[row.history.length - 1];
    const epochsDone = view.rows.reduce((s, r) => s + (r.state === 'failed' || r.state === 'done' ? view.epochs : r.history.length), 0);
    this.progress.value = phase === 'done' ? 1 : epochsDone / (count * view.epochs);
    const parts: [string, string, string][] = row && current
      ? [
          ['model', 'Model', `${MODEL_NAMES[row.kind]} (${current.index + 1} of ${count})`],
          ['epoch', 'Epoch', `${row.history.length} / ${view.epochs}`],
          ['w1', 'W1', last ? last.w1.toFixed(3) : '—'],
          ['kld', 'KLD', last ? last.kld.toFixed(3) : '—'],
          ['phase', '', phase === 'sampling' ? 'drawing final samples…' : 'training…'],
          ['backend', 'backend', backend],
        ]
      : [
          ['phase', '', phase === 'done' ? `Done: ${count} model${count === 1 ? '' : 's'} × ${view.epochs} epochs.` : 'Stopped; the results so far are kept.'],
          ['seconds', 'total seconds', view.rows.reduce((s, r) => s + r.seconds, 0).toFixed(1)],
          ['backend', 'backend', backend],
        ];
    this.renderStatus(parts);
  }

  private showIdle(): void {
    const kinds = this.chosenModels();
    this.renderStatus([
      ['phase', '', `Ready: ${kinds.map((k) => MODEL_NAMES[k]).join(', ')} on ${this.values.target}, ${this.values.epochs} epochs each. Press Run.`],
      ['backend', 'backend', this.services.backendName()],
    ]);
    if (!this.view) {
      this.tableBox.querySelectorAll('table, p').forEach((n) => n.remove());
      this.tableBox.append(el('p', { class: 'caption' }, 'Press Run to train the chosen models; the table fills in as each one finishes.'));
    }
  }

  private renderStatus(parts: [string, string, string][]): void {
    this.status.replaceChildren(...parts.map(([key, label, value]) => {
      const item = el('span', { class: 'status-item', 'data-status': key });
      if (label) item.append(el('span', { class: 'status-label' }, `${label} `));
      item.append(el('b', {}, value));
      return item;
    }));
  }

  private showMessage(kind: 'error' | 'info' | null, text = ''): void {
    this.message.hidden = kind === null;
    this.message.className = kind ? `message ${kind}` : 'message';
    this.message.replaceChildren(...(kind ? [el('span', {}, text)] : []));
  }
}

export function createCompareTab(services: AppServices, notify: Notify): CompareTab {
  return new CompareTab(services, notify);
}
