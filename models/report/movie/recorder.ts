// Records a 1D model's training as frames of its distribution plot (target pdf, generated
// density, D(x) for the GAN) and encodes them as an animated GIF. No Node or DOM APIs.
// Memory is bounded: past `maxFrames`, every second frame is dropped (the last one kept) and
// from then on one capture in two (then four...) is drawn, so the movie spans the whole run.

import { createRng } from '../../../engine/index';
import type { GenerativeModel } from '../../core/model';
import { densityOf, drawFrame, FRAME_PALETTE } from './frame';
import { encodeGif } from './gif';

const BINS = 60;
const SAMPLES = 2000;

/** A model that can score points with its discriminator (the GAN). */
interface Discriminating {
  discriminate(xs: Float64Array): Promise<Float64Array>;
}

function hasDiscriminator(m: unknown): m is Discriminating {
  return typeof (m as Partial<Discriminating>).discriminate === 'function';
}

export interface MovieOptions {
  width?: number;
  height?: number;
  /** Hundredths of a second per frame (default 10). */
  delayCs?: number;
  /** Frames kept at most (default 500: about 58 MB at 480 × 240, one byte a pixel). */
  maxFrames?: number;
}

export const MOVIE_MAX_FRAMES = 500;

export class MovieRecorder {
  private readonly frames: Uint8Array[] = [];
  private readonly xs: number[];
  private readonly target: number[];
  readonly width: number;
  readonly height: number;
  readonly maxFrames: number;
  /** Draw one capture in `stride` (doubles each time the frames are thinned). */
  private stride = 1;
  private calls = 0;

  constructor(private readonly model: GenerativeModel, private readonly options: MovieOptions = {}) {
    if (model.dim !== 1) throw new Error(`movie: only 1D targets can be recorded, '${model.target.name}' is 2D`);
    this.width = options.width ?? 480;
    this.height = options.height ?? 240;
    this.maxFrames = options.maxFrames ?? MOVIE_MAX_FRAMES;
    if (!(Number.isInteger(this.maxFrames) && this.maxFrames >= 2)) throw new Error(`movie: maxFrames must be an integer >= 2, got ${this.maxFrames}`);
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
    // The final frame (progress 1) is always drawn.
    if (this.calls++ % this.stride !== 0 && progress < 1) return;
    const [lo, hi] = this.model.target.range;
    const generated = densityOf(await this.model.sample(SAMPLES), lo, hi, BINS);
    const discriminator = hasDiscriminator(this.model)
      ? Array.from(await this.model.discriminate(Float64Array.from(this.xs)))
      : undefined;
    this.frames.push(drawFrame({ xs: this.xs, target: this.target, generated, discriminator, progress }, this.width, this.height));
    if (this.frames.length > this.maxFrames) {
      const kept = this.frames.filter((_, i, all) => i % 2 === 0 || i === all.length - 1);
      this.frames.splice(0, this.frames.length, ...kept);
      this.stride *= 2;
    }
  }

  gif(): Uint8Array {
    return encodeGif(this.frames.map((pixels) => ({ pixels })), {
      width: this.width, height: this.height, palette: FRAME_PALETTE, delayCs: this.options.delayCs,
    });
  }
}
