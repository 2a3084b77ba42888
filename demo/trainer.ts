// The training loop of the page. Training runs in slices: each animation frame runs whole
// epochs until about 30 ms have passed, then gives the browser back its frame (so buttons,
// sliders and plots stay responsive). Plots are redrawn a few times a second, not every epoch.
// A DivergenceError (a NaN loss, exploding weights) stops the loop and is reported.
//
// Pacing (as GAN Lab's speed slider): `pace` optimisation steps a second, from 1 to full speed
// (Infinity). Below full speed the loop takes single steps with trainStep() and closes each
// epoch with trainEpoch({ stepsDone }), so an epoch's record is the same whatever the pace.
// Steps due are counted from the clock, at most a quarter second's worth at once: a slow frame
// or a pause never leaves a backlog to replay.
//
// A tab in the background: the browser stops animation frames there, so training pauses; it
// goes on when the learner comes back, and the tab is told (hooks.note) how long it was paused.
// Nothing is queued meanwhile.
//
// A model handed over part-way through an epoch (restored from a checkpoint the command line
// saved mid-epoch) finishes that epoch first, as `gradlab train --resume` does.
//
// Memory: the model keeps only the last HISTORY_TAIL records of its history (historyLimit),
// and each record goes to hooks.recorded, where the tab keeps its bounded history for the plots
// (demo/history.ts).

import type { GenerativeModel, HistoryRecord } from '../models/core/model';
import { unfinishedEpochSteps } from '../models/core/train-loop';

export interface TrainLoopHooks {
  /** Redraw the plots (called at most every `renderEveryMs`, and once when training stops). */
  render(): Promise<void>;
  /** Training stopped because of an error (DivergenceError or anything else). */
  failed(error: Error): void;
  /** Running state changed (to relabel the Start/Stop button). */
  runningChanged(running: boolean): void;
  /** An epoch finished with this record (the tab's plotted history takes it). */
  recorded?(record: HistoryRecord): void;
  /** Something the learner should read (training paused while the tab was hidden). */
  note?(text: string): void;
}

/** Milliseconds of training per animation frame before yielding. */
const SLICE_MS = 30;
/** Records a model keeps in its own history on the page (the diagnoses read the last few). */
export const HISTORY_TAIL = 64;
/** The speeds offered, in steps per second (Infinity: full speed). */
export const PACES = [1, 2, 5, 10, 30, 100, Infinity] as const;

/** "1 min 5 s", "12 s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export class TrainLoop {
  running = false;
  renderEveryMs = 250;
  /** Optimisation steps per second, over the last second or so of training. */
  stepsPerSecond = 0;
  /** Steps of the current epoch taken one by one (paced); the next trainEpoch takes the rest. */
  stepsInEpoch = 0;
  private modelNow: GenerativeModel | null = null;
  private paceNow = Infinity;
  /** Steps due but not yet taken (paced), and when the clock was last read. */
  private credit = 0;
  private lastTick = 0;
  private lastRender = 0;
  private rate: { t: number; steps: number }[] = [];
  private busy: Promise<void> = Promise.resolve();
  private rendering = false;
  private hiddenAt: number | null = null;

  constructor(private readonly hooks: TrainLoopHooks) {
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', () => this.visibilityChanged());
  }

  /** Set by the tab: the model currently trained (null while none is built). */
  get model(): GenerativeModel | null {
    return this.modelNow;
  }

  set model(model: GenerativeModel | null) {
    if (model) model.historyLimit = HISTORY_TAIL;
    this.modelNow = model;
    // A model restored from a checkpoint saved part-way through an epoch goes on with that
    // epoch, its running sums included, as `gradlab train --resume` does.
    this.stepsInEpoch = model ? unfinishedEpochSteps(model) : 0;
  }

  /** Steps per second (Infinity: full speed). */
  get pace(): number {
    return this.paceNow;
  }

  set pace(stepsPerSecond: number) {
    if (!(stepsPerSecond > 0)) throw new Error(`pace: steps per second must be > 0 (or Infinity), got ${stepsPerSecond}`);
    this.paceNow = stepsPerSecond;
    this.credit = 0;
    this.lastTick = performance.now();
    this.rate = [];
  }

  start(): void {
    if (this.running || !this.model) return;
    this.running = true;
    this.rate = [];
    this.credit = 0;
    this.lastTick = performance.now();
    this.hooks.runningChanged(true);
    requestAnimationFrame(() => void this.frame());
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.hooks.runningChanged(false);
  }

  /** Run fn when no epoch is in progress (Step, step D/G, reset wait for the current slice). */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.busy.then(fn);
    this.busy = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Run one epoch outside the loop (the Step button): the rest of the current epoch. */
  async stepEpoch(): Promise<void> {
    await this.exclusive(async () => {
      const model = this.model;
      if (!model) return;
      try {
        await this.closeEpoch(model);
      } catch (e) {
        this.fail(e);
        return;
      }
    });
    await this.renderNow();
  }

  /** Redraw now (after a reset, a single step or a settings change). */
  async renderNow(): Promise<void> {
    if (this.rendering) return;
    this.rendering = true;
    try {
      this.lastRender = performance.now();
      await this.hooks.render();
    } catch (e) {
      this.fail(e);
    } finally {
      this.rendering = false;
    }
  }

  private fail(e: unknown): void {
    this.stop();
    this.hooks.failed(e instanceof Error ? e : new Error(String(e)));
  }

  /** Finish the current epoch (all its steps at full speed, the rest after paced steps). */
  private async closeEpoch(model: GenerativeModel): Promise<void> {
    const record = await model.trainEpoch(this.stepsInEpoch > 0 ? { stepsDone: this.stepsInEpoch } : {});
    this.stepsInEpoch = 0;
    this.hooks.recorded?.(record);
  }

  /** One optimisation step; the epoch's last one closes the epoch. */
  private async oneStep(model: GenerativeModel): Promise<void> {
    if (this.stepsInEpoch + 1 >= model.stepsPerEpoch) {
      await this.closeEpoch(model);
    } else {
      model.trainStep();
      this.stepsInEpoch++;
    }
  }

  /** Steps due now at the current pace (whole steps; at most a quarter second's worth, at least 1 held). */
  private stepsDue(): number {
    const now = performance.now();
    this.credit = Math.min(this.credit + (this.paceNow * (now - this.lastTick)) / 1000, Math.max(1, this.paceNow / 4));
    this.lastTick = now;
    const due = Math.floor(this.credit);
    this.credit -= due;
    return due;
  }

  private async frame(): Promise<void> {
    if (!this.running) return;
    const model = this.model;
    if (!model) return this.stop();
    const t0 = performance.now();
    let ok = true;
    await this.exclusive(async () => {
      try {
        if (Number.isFinite(this.paceNow)) {
          for (let due = this.stepsDue(); due > 0 && this.running && this.model === model && performance.now() - t0 < SLICE_MS; due--) {
            await this.oneStep(model);
          }
        } else {
          do {
            await this.closeEpoch(model);
          } while (this.running && performance.now() - t0 < SLICE_MS && this.model === model && !Number.isFinite(this.paceNow));
        }
      } catch (e) {
        ok = false;
        this.fail(e);
      }
    });
    if (!ok || this.model !== model) return;
    this.measureRate(model.steps);
    if (performance.now() - this.lastRender >= this.renderEveryMs || !this.running) await this.renderNow();
    if (this.running) requestAnimationFrame(() => void this.frame());
  }

  private visibilityChanged(): void {
    if (document.visibilityState === 'hidden') {
      if (this.running) this.hiddenAt = performance.now();
      return;
    }
    if (this.hiddenAt === null) return;
    const away = performance.now() - this.hiddenAt;
    this.hiddenAt = null;
    // The gap is not training time: start the rate and the pace afresh.
    this.rate = [];
    this.credit = 0;
    this.lastTick = performance.now();
    if (this.running) {
      this.hooks.note?.(`Training paused while this tab was in the background (${formatDuration(away)}); it went on from epoch ${this.model?.epoch ?? 0} when you came back.`);
    }
  }

  private measureRate(steps: number): void {
    const t = performance.now();
    this.rate.push({ t, steps });
    while (this.rate.length > 2 && t - this.rate[0].t > 1500) this.rate.shift();
    const first = this.rate[0];
    if (this.rate.length >= 2 && t > first.t) this.stepsPerSecond = ((steps - first.steps) * 1000) / (t - first.t);
  }
}
