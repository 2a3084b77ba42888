// What every model tab does the same way: settings read from and written to the URL, the panel
// of controls and buttons, the training loop, building the model on the current backend (and
// rebuilding it when the backend or an architecture setting changes), "your data" from a CSV,
// divergence messages, and the "under the hood" hookup. A model tab adds its fields, how to
// build its model, its plots and their drawing.

import { getTarget, listTargets, targetFromSamples, type Target } from '../../models/data/targets';
import type { GenerativeModel, HistoryRecord } from '../../models/core/model';
import type { ParsedCsv } from '../../models/data/csv';
import type { Tensor } from '../../engine/index';
import type { AppServices, GradcheckRow, HoodSource, Tab } from '../app';
import type { ControlSpec } from '../controls';
import { createCsvBox, type CsvBox } from '../csv-box';
import { DiagnosticsCard } from '../diagnostics-card';
import { MovieControl } from '../movie-control';
import { ModelPanel } from '../panel';
import { EpochHistory } from '../history';
import { paceControl } from '../pace-control';
import { TrainLoop } from '../trainer';
import { choiceField, readSettings, writeParam, writeSettings, type AnyField, type Values } from '../url-state';
import { batchSetting, datasetSetting, lrSetting, type Relevance, type Setting } from '../settings';

export type Notify = (text: string, kind?: 'warn' | 'info') => void;

/** The value of the target select that stands for the user's CSV. */
export const CSV_TARGET = 'csv';

export function targetField(fallback: string, filter: (t: Target) => boolean = () => true): AnyField {
  return choiceField('target', fallback, listTargets().filter(filter).map((t) => t.name));
}

/** The target select with its URL field (built-in targets; "your data" cannot travel in a link). */
export function targetSetting(fallback: string): Setting {
  return { kind: 'select', key: 'target', label: 'Target', default: fallback, options: targetOptions(), field: targetField(fallback) };
}

/** The settings every model tab starts with: target, dataset size, batch and learning rate. */
export function dataSettings(target: string, lr: number, lrHelp?: string): Setting[] {
  return [targetSetting(target), datasetSetting(), batchSetting(), lrSetting(lr, lrHelp)];
}

export function targetOptions(filter: (t: Target) => boolean = () => true): { value: string; label: string }[] {
  return [
    ...listTargets().filter(filter).map((t) => ({ value: t.name, label: `${t.name} — ${t.label}` })),
    { value: CSV_TARGET, label: 'your data (paste or drop a CSV)…' },
  ];
}

export abstract class ModelTab<M extends GenerativeModel> implements Tab {
  abstract readonly id: string;
  abstract readonly title: string;
  protected abstract readonly intro: string;
  /** URL keys are prefixed with this (e.g. 'vae.') so tabs do not collide. */
  protected abstract readonly urlPrefix: string;
  protected abstract fields(): AnyField[];
  protected abstract controlSpecs(): ControlSpec[];
  /** Build a model (throws a readable Error on a bad configuration). */
  protected abstract createModel(target: Target, values: Values, data?: Float64Array): M;
  /** Make the plots inside the panel body (once). */
  protected abstract mountPlots(body: HTMLElement): void;
  /** The card holding the distribution plot (recorded by the movie control). */
  protected abstract distributionCard(): HTMLElement;
  /** Draw everything from the model (called a few times a second while training). */
  protected abstract draw(model: M): Promise<void>;
  /** Numbers for the status line from the last history record. */
  protected abstract statusValues(last: HistoryRecord | undefined): [string, number][];
  /** Settings that apply to a live model without a rebuild (e.g. the learning rate). */
  protected applyLive(_model: M, _key: string, _value: string | number): boolean {
    return false;
  }
  protected extraButtons(): { label: string; key: string; title: string; onClick(): void }[] {
    return [];
  }
  /** Optional live gradient check for the hood. */
  protected gradcheck?(model: M): Promise<{ rows: GradcheckRow[]; what: string }>;
  /** Settings that do nothing for the other values, hidden while so (by key). */
  protected relevance(): Relevance {
    return {};
  }

  /** Hide the controls whose settings do nothing for the current values. */
  private showRelevant(): void {
    for (const [key, relevant] of Object.entries(this.relevance())) this.panel.controls.setVisible(key, relevant(this.values));
  }

  /** Optional dead ReLU units per layer for the hood. */
  protected deadUnits?(): NonNullable<HoodSource['deadUnits']> extends () => infer R ? R : never;
  /** Parameters for the hood's gradient norms. */
  protected abstract namedParameters(model: M): [string, Tensor][];
  protected stepName = 'one training step';

  protected values: Values = {};
  protected panel!: ModelPanel;
  protected loop!: TrainLoop;
  protected model: M | null = null;
  protected userData: { parsed: ParsedCsv; name: string } | null = null;
  protected csvBox!: CsvBox;
  /** Q-Q, ECDFs and histogram difference; tabs give it the real data and their latest samples. */
  protected diagnostics!: DiagnosticsCard;
  protected movie!: MovieControl;
  /** Every epoch's metrics for the plots, with bounded memory (older epochs decimated). */
  protected readonly plotHistory = new EpochHistory();
  private mounted = false;
  private stale = true;

  constructor(protected readonly services: AppServices, protected readonly notify: Notify) {}

  mount(container: HTMLElement): void {
    const read = readSettings(this.fields(), window.location.search, this.urlPrefix);
    this.values = read.values;
    for (const n of read.notices) this.notify(`URL: ${n}.`);
    const file = new URLSearchParams(window.location.search).get(`${this.urlPrefix}data`);
    if (file !== null) {
      this.notify(`This link was made while training on your own data, ${file.replace(/ \(a local file: not in this link\)$/, '')}, which a link cannot carry: showing the built-in target instead. Load the file again (target: your data) to continue with it.`, 'info');
      writeParam(`${this.urlPrefix}data`, null);
    }
    this.loop = new TrainLoop({
      render: () => this.renderAll(),
      failed: (e) => this.failed(e),
      runningChanged: (running) => this.panel.setRunning(running),
      recorded: (record) => this.plotHistory.push(record),
      note: (text) => this.panel.showMessage('info', text),
    });
    this.panel = new ModelPanel(container, {
      id: this.id, title: this.title, intro: this.intro,
      controls: this.controlSpecs(), values: this.values,
      onControl: (key, value) => this.controlChanged(key, value),
      onStartStop: () => (this.loop.running ? this.loop.stop() : this.startTraining()),
      onReset: () => void this.reset(),
      onStep: () => void this.stepOnce(),
      extraButtons: this.extraButtons(),
    });
    this.panel.startButton.parentElement?.append(paceControl(this.loop));
    this.csvBox = createCsvBox((parsed, name) => this.useData(parsed, name));
    this.panel.controls.element.after(this.csvBox.element);
    this.showRelevant();
    this.mountPlots(this.panel.body);
    this.movie = new MovieControl(() => this.distributionCard(), () => ({
      canvas: this.distributionCard().querySelector('canvas'), title: `${this.title}: ${this.model?.target.name ?? ''}`,
    }), `gradlab-${this.id}`, () => this.model?.epoch ?? null);
    this.distributionCard().after(this.movie.root);
    this.diagnostics = new DiagnosticsCard(this.panel.body.querySelector<HTMLElement>('.plot-grid') ?? this.panel.body);
    this.mounted = true;
  }

  activate(): void {
    if (this.stale || this.model === null) void this.reset();
    else void this.loop.renderNow();
  }

  deactivate(): void {
    this.loop.stop();
  }

  backendChanged(): void {
    this.loop.stop();
    this.stale = true;
    this.disposeModel();
    if (this.mounted && !this.panel.root.closest('[hidden]')) void this.reset();
  }

  trainingRate(): number {
    return this.loop.stepsPerSecond;
  }

  hood(): HoodSource | null {
    const model = this.model;
    if (!model) return null;
    return {
      stepName: this.stepName,
      model,
      run: (fn) => this.loop.exclusive(fn),
      step: () => model.trainStep(),
      parameters: () => this.namedParameters(model),
      gradcheck: this.gradcheck ? () => (this.gradcheck as NonNullable<typeof this.gradcheck>)(model) : undefined,
      deadUnits: this.deadUnits ? () => (this.deadUnits as NonNullable<typeof this.deadUnits>)() : undefined,
    };
  }

  /** The target trained on: the user's data when chosen, else the built-in one. */
  protected currentTarget(): Target {
    if (this.userData && this.values.target === CSV_TARGET) {
      const { parsed, name } = this.userData;
      return targetFromSamples(name.replace(/\.[a-z]+$/i, '') || 'your-data', parsed.data, parsed.dim);
    }
    return getTarget(String(this.values.target));
  }

  protected startTraining(): void {
    if (!this.model) return;
    this.panel.showMessage(null);
    this.loop.start();
  }

  protected async stepOnce(): Promise<void> {
    if (this.loop.running) this.loop.stop();
    await this.loop.stepEpoch();
    this.services.modelChanged(this);
  }

  /** New model and data with the current settings; keeps training if it was running. */
  async reset(): Promise<void> {
    const wasRunning = this.loop.running;
    this.loop.stop();
    await this.loop.exclusive(() => {
      this.disposeModel();
      this.panel.showMessage(null);
      try {
        const target = this.currentTarget();
        this.model = this.createModel(target, this.values, this.values.target === CSV_TARGET ? this.userData?.parsed.data : undefined);
        this.loop.model = this.model;
        this.plotHistory.clear();
        this.stale = false;
        this.modelBuilt(this.model);
      } catch (e) {
        this.panel.showMessage('error', `Could not build the model: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    this.services.modelChanged(this);
    await this.loop.renderNow();
    if (wasRunning && this.model) this.loop.start();
  }

  /** Hook for a freshly built model (cache the real data's KDE, ...). */
  protected modelBuilt(_model: M): void {}

  protected disposeModel(): void {
    this.loop.model = null;
    this.model?.dispose();
    this.model = null;
  }

  /** The settings into the page's URL; it keeps the last built-in target (a CSV cannot travel in a link). */
  protected writeUrl(): void {
    const shareable = { ...this.values };
    if (shareable.target === CSV_TARGET) delete shareable.target;
    writeSettings(this.fields().filter((f) => f.key in shareable), shareable, this.urlPrefix);
  }

  private controlChanged(key: string, value: string | number): void {
    if (key === 'target') {
      this.csvBox.open(value === CSV_TARGET);
      if (value === CSV_TARGET && !this.userData) {
        this.values.target = CSV_TARGET;
        return; // wait for the data
      }
    }
    this.values[key] = value;
    this.showRelevant();
    if (key === 'target') this.showDataNote();
    this.writeUrl();
    if (this.model && this.applyLive(this.model, key, value)) return;
    void this.reset();
  }

  private useData(parsed: ParsedCsv, name: string): void {
    this.userData = { parsed, name };
    this.values.target = CSV_TARGET;
    this.panel.controls.addOption('target', CSV_TARGET, `your data: ${name} (${parsed.rows} rows, ${parsed.dim}D)`);
    this.panel.controls.set('target', CSV_TARGET);
    this.showDataNote();
    void this.reset();
  }

  /**
   * With the user's file: its row count in place of the dataset size (which it replaces), and a
   * mark in the URL that the file itself did not travel (a link cannot carry a local file).
   */
  private showDataNote(): void {
    const file = this.values.target === CSV_TARGET ? this.userData : null;
    this.panel.controls.setNote('dataset', file ? `${file.parsed.rows} rows (${file.name})` : null);
    writeParam(`${this.urlPrefix}data`, file ? `${file.name} (a local file: not in this link)` : null);
  }

  private failed(e: Error): void {
    const diverged = e.name === 'DivergenceError';
    this.panel.showMessage('error', diverged ? `Training stopped: ${e.message}` : `Training failed: ${e.message}`, () => void this.reset());
    void this.loop.renderNow();
  }

  private async renderAll(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const last = model.history[model.history.length - 1];
    this.panel.setStatus({
      epoch: model.epoch, steps: model.steps, values: this.statusValues(last),
      stepsPerSecond: this.loop.stepsPerSecond, backend: this.services.backendName(),
    });
    await this.draw(model);
    // The epoch the plots now show (the page tests wait for it instead of a fixed time).
    this.panel.root.dataset.drawnEpoch = String(model.epoch);
    this.movie.capture(model.epoch);
  }
}
