// Records a 1D model's training as frames of its distribution plot (target pdf, generated
// density, D(x) for the GAN) and encodes them as an animated GIF. No Node or DOM APIs.

import { createRng } from '../../../engine/index';
import type { GenerativeModel } from '../../core/model';
import { discriminate } from '../../gan/discriminate';
import { Gan } from '../../gan/model';
import { densityOf, drawFrame, FRAME_PALETTE } from './frame';
import { encodeGif } from './gif';

const BINS = 60;
const SAMPLES = 2000;


export interface MovieOptions {
  width?: number;
  height?: number;
  /** Hundredths of a second per frame (default 10). */
  delayCs?: number;
}

export class MovieRecorder {
  private readonly frames: Uint8Array[] = [];
  private readonly xs: number[];
  private readonly target: number[];
  readonly width: number;
  readonly height: number;

  constructor(private readonly model: GenerativeModel, private readonly options: MovieOptions = {}) {
    if (model.dim !== 1) throw new Error(`movie: only 1D targets can be recorded, '${model.target.name}' is 2D`);
    this.width = options.width ?? 480;
    this.height = options.height ?? 240;
    const [lo, hi] = model.target.range;
    const w = (hi - lo) / BINS;
    this.xs = Array.from({ length: BINS }, (_, i) => lo + (i + 0.5) * w);
    const pdf = model.target.pdf;
    // Without a closed-form pdf (discrete or CSV data), a histogram of a large fixed draw.
    this.target = pdf && !model.target.discrete
      ? this.xs.map((x) => pdf(x))
      : densityOf(model.target.sample(50_000, createRng(12345)), lo, hi, BINS);
  }

  get frameCount(): number {
    return this.frames.length;
  }

  /** Draw the model's current state; `progress` in [0, 1] fills the bar along the bottom. */
  async capture(progress: number): Promise<void> {
    const [lo, hi] = this.model.target.range;
    const generated = densityOf(await this.model.sample(SAMPLES), lo, hi, BINS);
    const discriminator = this.model instanceof Gan
      ? Array.from(await discriminate(this.model, Float64Array.from(this.xs)))
      : undefined;
    this.frames.push(drawFrame({ xs: this.xs, target: this.target, generated, discriminator, progress }, this.width, this.height));
  }

  gif(): Uint8Array {
    return encodeGif(this.frames.map((pixels) => ({ pixels })), {
      width: this.width, height: this.height, palette: FRAME_PALETTE, delayCs: this.options.delayCs,
    });
  }
}
