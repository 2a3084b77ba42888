// Records a model's training as frames of its distribution plot (1D: target pdf, generated
// density, D(x) for the GAN; 2D: data and generated points in the plane) and encodes them as an
// animated GIF. No Node or DOM APIs.
// Memory is bounded: past `maxFrames`, every second frame is dropped (the last one kept) and
// from then on one capture in two (then four...) is drawn, so the movie spans the whole run.

import { createRng } from '../../../engine/index';
import type { GenerativeModel } from '../../core/model';
import { discriminate } from '../../gan/discriminate';
import { Gan } from '../../gan/model';
import { densityOf, drawFrame, drawScatterFrame, FRAME_PALETTE, type FrameCurves, type ScatterFrame } from './frame';
import { encodeGif } from './gif';

const BINS = 60;
const SAMPLES = 2000;
/** Points per 2D frame, data and model each. */
const SCATTER_POINTS = 600;


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
  /** The x positions of the 1D curves (bin centres over the target's range). */
  readonly xs: number[];
  private readonly target: number[];
  private readonly points: Float64Array | null;
  readonly width: number;
  readonly height: number;
  readonly maxFrames: number;
  /** Draw one capture in `stride` (doubles each time the frames are thinned). */
  private stride = 1;
  private calls = 0;

  constructor(private readonly model: GenerativeModel, private readonly options: MovieOptions = {}) {
    this.width = options.width ?? 480;
    this.height = options.height ?? (model.dim === 2 ? 320 : 240);
    this.maxFrames = options.maxFrames ?? MOVIE_MAX_FRAMES;
    if (!(Number.isInteger(this.maxFrames) && this.maxFrames >= 2)) throw new Error(`movie: maxFrames must be an integer >= 2, got ${this.maxFrames}`);
    const [lo, hi] = model.target.range;
    // 2D: a fixed draw of the target's points, and G's points per frame, in the plane.
    this.points = model.dim === 2 ? model.target.sample(SCATTER_POINTS, createRng(12345)) : null;
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
    const shown = await this.snapshot(progress);
    this.frames.push('curves' in shown ? drawFrame(shown.curves, this.width, this.height) : drawScatterFrame(shown.scatter, this.width, this.height));
    this.thinFrames();
  }

  /** What a frame shows now: the curves (1D) or the points in the plane (2D). */
  async snapshot(progress: number): Promise<{ curves: FrameCurves } | { scatter: ScatterFrame }> {
    const [lo, hi] = this.model.target.range;
    if (this.points) {
      const generated = await this.model.sample(SCATTER_POINTS);
      return { scatter: { range: [lo, hi], target: this.points, generated, progress, epoch: this.model.epoch } };
    }
    const generated = densityOf(await this.model.sample(SAMPLES), lo, hi, BINS);
    const discriminator = this.model instanceof Gan
      ? Array.from(await discriminate(this.model, Float64Array.from(this.xs)))
      : undefined;
    return { curves: { xs: this.xs, target: this.target, generated, discriminator, progress, epoch: this.model.epoch } };
  }

  /** Past maxFrames: keep every second frame (and the last), and draw one capture in twice as many from now on. */
  private thinFrames(): void {
    if (this.frames.length <= this.maxFrames) return;
    const kept = this.frames.filter((_, i, all) => i % 2 === 0 || i === all.length - 1);
    this.frames.splice(0, this.frames.length, ...kept);
    this.stride *= 2;
  }

  gif(): Uint8Array {
    return encodeGif(this.frames.map((pixels) => ({ pixels })), {
      width: this.width, height: this.height, palette: FRAME_PALETTE, delayCs: this.options.delayCs,
    });
  }
}
