// The training loop of the page. Training runs in slices: each animation frame runs whole
// epochs until about 30 ms have passed, then gives the browser back its frame (so buttons,
// sliders and plots stay responsive). Plots are redrawn a few times a second, not every epoch.
// A DivergenceError (a NaN loss, exploding weights) stops the loop and is reported.

import type { GenerativeModel } from '../models/core/model';

export interface TrainLoopHooks {
  /** Redraw the plots (called at most every `renderEveryMs`, and once when training stops). */
  render(): Promise<void>;
  /** Training stopped because of an error (DivergenceError or anything else). */
  failed(error: Error): void;
  /** Running state changed (to relabel the Start/Stop button). */
  runningChanged(running: boolean): void;
}

/** Milliseconds of training per animation frame before yielding. */
const SLICE_MS = 30;

export class TrainLoop {
  running = false;
  renderEveryMs = 250;
  /** Optimisation steps per second, over the last second or so of training. */
  stepsPerSecond = 0;
  /** Set by the tab: the model currently trained (null while none is built). */
  model: GenerativeModel | null = null;
  private lastRender = 0;
  private rate: { t: number; steps: number }[] = [];
  private busy: Promise<void> = Promise.resolve();
  private rendering = false;

  constructor(private readonly hooks: TrainLoopHooks) {}

  start(): void {
    if (this.running || !this.model) return;
    this.running = true;
    this.rate = [];
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

  /** Run one epoch outside the loop (the Step button). */
  async stepEpoch(): Promise<void> {
    await this.exclusive(async () => {
      if (!this.model) return;
      try {
        await this.model.trainEpoch();
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

  private async frame(): Promise<void> {
    if (!this.running) return;
    const model = this.model;
    if (!model) return this.stop();
    const t0 = performance.now();
    let ok = true;
    await this.exclusive(async () => {
      try {
        do {
          await model.trainEpoch();
        } while (this.running && performance.now() - t0 < SLICE_MS && this.model === model);
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

  private measureRate(steps: number): void {
    const t = performance.now();
    this.rate.push({ t, steps });
    while (this.rate.length > 2 && t - this.rate[0].t > 1500) this.rate.shift();
    const first = this.rate[0];
    if (this.rate.length >= 2 && t > first.t) this.stepsPerSecond = ((steps - first.steps) * 1000) / (t - first.t);
  }
}
