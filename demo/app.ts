// What the page shell and the tabs share: the Tab contract, and what "under the hood" needs
// from the tab whose model is on screen.

import type { Tensor } from '../engine/index';
import type { GenerativeModel } from '../models/core/model';

/** One row of the live gradient check: one parameter entry, analytic against numeric. */
export interface GradcheckRow {
  parameter: string;
  index: number;
  value: number;
  analytic: number;
  numeric: number;
  relError: number;
}

export interface HoodSource {
  /** A short name of the step recorded, e.g. "one GAN step: k D-updates then one G-update". */
  stepName: string;
  model: GenerativeModel;
  /** One optimisation step of the live model (records GPU work; reads nothing back). */
  step(): void;
  /** Run fn when no training slice is in progress (the tab's training loop serialises them). */
  run<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Parameters by layer name, whose .grad holds the last step's gradient. */
  parameters(): [string, Tensor][];
  /** Run gradcheck on a slice of the live parameters at their current values, if supported. */
  gradcheck?(): Promise<{ rows: GradcheckRow[]; what: string }>;
  /** Per hidden layer of a ReLU network: units off for every input at the last draw (the GAN's D). */
  deadUnits?(): { network: string; layers: { layer: number; dead: number; units: number }[] };
}

export interface Tab {
  readonly id: string;
  readonly title: string;
  /** Build the tab's DOM inside container (once). */
  mount(container: HTMLElement): void;
  /** The tab became visible: build its model if needed and draw. */
  activate(): void;
  /** The tab was hidden: stop training (the model is kept). */
  deactivate(): void;
  /** The backend changed: models live on a backend, so rebuild. */
  backendChanged(): void;
  /** The y values a plot was last given (the page tests check they are finite). */
  plotted?(plot: string): number[][] | null;
  /** Steps per second of the tab's last training run, measured by its loop (0 before one). */
  trainingRate?(): number;
  /** The live model for the "under the hood" panel (null while there is none). */
  hood(): HoodSource | null;
}

/** Shared page services the tabs use. */
export interface AppServices {
  /** The backend in use ('webgpu' or 'cpu'). */
  backendName(): string;
  /** Tell "under the hood" that the tab's model was rebuilt or stepped. */
  modelChanged(tab: Tab): void;
}
