// Record the distribution plot over the epochs and download it as a movie, as the notebook
// write-up of a simulated GAN animation saves its "real pdf, generator pdf, D(x)" frames (as
// MP4 and GIF). Each redraw of the tab in which the epoch moved on, the
// plot's uPlot canvas is composed onto a recording canvas under a title line and a legend
// (uPlot draws those in HTML, not on its canvas). Two formats:
//   - WebM: MediaRecorder on recordingCanvas.captureStream(0), one requested frame per redraw
//     (the video plays in the time the training took);
//   - GIF: each frame reduced to a 6×6×6 colour cube and encoded by our own GIF89a encoder
//     (models/report/movie/gif.ts), 0.15 s per frame; the fallback where MediaRecorder or WebM is missing.
// The page redraws a few times a second, so a fast model gives a frame every few epochs.
// Memory stays bounded however long the recording: when the GIF reaches GIF_MAX_FRAMES, every
// second frame is dropped and later redraws are taken one in two (then one in four...), so the
// movie still spans the whole run; a WebM recording stops itself after WEBM_MAX_MS.

import { encodeGif } from '../models/report/movie/gif';
import { el } from './controls';

const TITLE_BAND = 26;
const LEGEND_BAND = 22;
/** GIF frames are scaled down to this width at most (memory: one byte per pixel per frame). */
const GIF_WIDTH = 640;
const GIF_MAX_FRAMES = 400;
const GIF_DELAY_CS = 15;
/** A WebM recording stops itself after this long (about 2 MB a minute at the plot's size). */
const WEBM_MAX_MS = 30 * 60_000;

export type MovieFormat = 'webm' | 'gif';

/** The WebM MIME type this browser can record, or null. */
export function webmType(): string | null {
  if (typeof MediaRecorder === 'undefined' || typeof HTMLCanvasElement.prototype.captureStream !== 'function') return null;
  for (const t of ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm']) if (MediaRecorder.isTypeSupported(t)) return t;
  return null;
}

/** 216 colours: r, g, b each in {0, 51, ..., 255}; index 36r + 6g + b (digits 0..5). */
const CUBE: [number, number, number][] = Array.from({ length: 216 }, (_, i) => [51 * Math.floor(i / 36), 51 * (Math.floor(i / 6) % 6), 51 * (i % 6)]);

function toCube(rgba: Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) {
    const q = (v: number): number => Math.round(v / 51);
    out[i] = 36 * q(rgba[4 * i]) + 6 * q(rgba[4 * i + 1]) + q(rgba[4 * i + 2]);
  }
  return out;
}

/** What the recorder draws: the plot's canvas, a title, and the legend entries. */
export interface MovieSource {
  canvas: HTMLCanvasElement | null;
  title: string;
}

/** Legend entries read from a uPlot legend in `box` (label and marker colour; the x row has no marker). */
function legendOf(box: HTMLElement): { label: string; colour: string }[] {
  return Array.from(box.querySelectorAll<HTMLElement>('.u-legend .u-series')).flatMap((row) => {
    const marker = row.querySelector<HTMLElement>('.u-marker');
    return marker ? [{ label: row.querySelector('.u-label')?.textContent ?? '', colour: getComputedStyle(marker).borderColor }] : [];
  });
}

export class MovieControl {
  readonly root: HTMLElement;
  /** The last movie made (the page tests read its type and size). */
  blob: Blob | null = null;
  private readonly button: HTMLButtonElement;
  private readonly formatSelect: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly link: HTMLAnchorElement;
  private recording = false;
  private canvas: HTMLCanvasElement | null = null;
  private ctx: CanvasRenderingContext2D | null = null;
  private format: MovieFormat = 'gif';
  private recorder: MediaRecorder | null = null;
  private track: CanvasCaptureMediaStreamTrack | null = null;
  private chunks: Blob[] = [];
  private gifFrames: Uint8Array[] = [];
  private gifSize = { width: 0, height: 0 };
  private frames = 0;
  private firstEpoch = 0;
  private lastEpoch = -1;
  /** GIF: keep one redraw in `stride` (doubles each time the frames are thinned). */
  private stride = 1;
  private redraws = 0;
  private startedAt = 0;

  /** `box`: the card holding the distribution plot; `source` gives its canvas and title now. */
  constructor(private readonly box: () => HTMLElement, private readonly source: () => MovieSource, private readonly fileStem: string, private readonly epoch: () => number | null) {
    this.root = el('div', { class: 'movie-bar wide', 'data-movie': '' });
    this.button = el('button', { class: 'btn small', 'data-action': 'movie-record', title: 'Record the distribution plot, one frame per epoch, while you train' }, '● Record');
    this.button.addEventListener('click', () => void (this.recording ? this.stop() : this.start()));
    this.formatSelect = el('select', { 'data-movie-format': '', 'aria-label': 'movie format' });
    const webm = webmType();
    const webmOption = el('option', { value: 'webm' }, webm ? 'WebM video' : 'WebM video (not supported by this browser)');
    webmOption.disabled = webm === null;
    this.formatSelect.append(webmOption, el('option', { value: 'gif' }, 'animated GIF'));
    this.formatSelect.value = webm ? 'webm' : 'gif';
    this.status = el('span', { class: 'movie-status', 'data-movie-status': '' }, 'Record the distribution plot over the epochs, then download it.');
    this.link = el('a', { class: 'btn small', 'data-movie-download': '', hidden: '' }, 'Download');
    this.root.append(el('strong', {}, 'Movie '), this.button, this.formatSelect, this.status, this.link);
  }

  get isRecording(): boolean {
    return this.recording;
  }

  start(): void {
    if (this.recording) return;
    this.format = this.formatSelect.value === 'webm' && webmType() ? 'webm' : 'gif';
    this.recording = true;
    this.frames = 0;
    this.lastEpoch = -1;
    this.stride = 1;
    this.redraws = 0;
    this.startedAt = performance.now();
    this.gifFrames = [];
    this.chunks = [];
    this.canvas = null;
    this.link.hidden = true;
    this.formatSelect.disabled = true;
    this.button.textContent = '■ Stop recording';
    this.button.classList.add('recording');
    this.status.textContent = 'Recording: start training; a frame each time the plot shows a new epoch.';
    const now = this.epoch();
    if (now !== null) this.capture(now);
  }

  /** Called after each redraw of the tab: adds a frame when the epoch moved on (or the first). */
  capture(epoch: number): void {
    if (!this.recording || epoch === this.lastEpoch) return;
    if (this.format === 'webm' && this.frames > 0 && performance.now() - this.startedAt > WEBM_MAX_MS) {
      void this.stop();
      return;
    }
    if (this.format === 'gif' && this.redraws++ % this.stride !== 0) return;
    const { canvas: plot, title } = this.source();
    if (!plot || plot.width === 0) return;
    if (!this.canvas) this.open(plot);
    this.compose(plot, `${title} — epoch ${epoch}`);
    if (this.frames === 0) this.firstEpoch = epoch;
    this.lastEpoch = epoch;
    if (this.format === 'webm') {
      this.track?.requestFrame();
    } else {
      this.gifFrames.push(this.gifPixels());
      if (this.gifFrames.length >= GIF_MAX_FRAMES) {
        // Thin out: every second frame goes, and from now on one redraw in twice as many is kept.
        this.gifFrames = this.gifFrames.filter((_, i) => i % 2 === 0);
        this.stride *= 2;
      }
    }
    this.frames = this.format === 'gif' ? this.gifFrames.length : this.frames + 1;
    this.status.textContent = `Recording: ${this.frames} frame${this.frames === 1 ? '' : 's'} (epoch ${this.firstEpoch} to ${epoch}).`;
    this.root.dataset.frames = String(this.frames);
  }

  async stop(): Promise<void> {
    if (!this.recording) return;
    this.recording = false;
    this.button.textContent = '● Record';
    this.button.classList.remove('recording');
    this.formatSelect.disabled = false;
    if (this.frames === 0) {
      this.recorder?.stop();
      this.recorder = null;
      this.status.textContent = 'No frame recorded: train at least one epoch while recording.';
      return;
    }
    this.status.textContent = 'Encoding…';
    const blob = this.format === 'webm' ? await this.finishWebm() : this.finishGif();
    this.offer(blob);
  }

  /** Size the recording canvas from the plot's, and start the MediaRecorder for WebM. */
  private open(plot: HTMLCanvasElement): void {
    this.canvas = document.createElement('canvas');
    this.canvas.width = plot.width;
    this.canvas.height = plot.height + TITLE_BAND + LEGEND_BAND;
    this.ctx = this.canvas.getContext('2d');
    if (this.format === 'webm') {
      const stream = this.canvas.captureStream(0);
      this.track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
      this.recorder = new MediaRecorder(stream, { mimeType: webmType() ?? 'video/webm' });
      this.recorder.ondataavailable = (e) => { if (e.data.size > 0) this.chunks.push(e.data); };
      this.recorder.start(250);
    } else {
      const scale = Math.min(1, GIF_WIDTH / this.canvas.width);
      this.gifSize = { width: Math.max(1, Math.round(this.canvas.width * scale)), height: Math.max(1, Math.round(this.canvas.height * scale)) };
    }
  }

  /** White background, the title, the legend, then the plot scaled into the rest. */
  private compose(plot: HTMLCanvasElement, title: string): void {
    const { canvas, ctx } = this;
    if (!canvas || !ctx) return;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#1e293b';
    ctx.font = '600 15px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillText(title, 10, TITLE_BAND / 2);
    let x = 10;
    ctx.font = '12px system-ui, sans-serif';
    for (const { label, colour } of legendOf(this.box())) {
      ctx.fillStyle = colour;
      ctx.fillRect(x, TITLE_BAND + LEGEND_BAND / 2 - 2, 14, 4);
      ctx.fillStyle = '#334155';
      ctx.fillText(label, x + 18, TITLE_BAND + LEGEND_BAND / 2);
      x += 28 + ctx.measureText(label).width;
    }
    ctx.drawImage(plot, 0, TITLE_BAND + LEGEND_BAND, canvas.width, canvas.height - TITLE_BAND - LEGEND_BAND);
  }

  private gifPixels(): Uint8Array {
    const small = document.createElement('canvas');
    small.width = this.gifSize.width;
    small.height = this.gifSize.height;
    const sctx = small.getContext('2d') as CanvasRenderingContext2D;
    sctx.drawImage(this.canvas as HTMLCanvasElement, 0, 0, small.width, small.height);
    return toCube(sctx.getImageData(0, 0, small.width, small.height).data);
  }

  private finishGif(): Blob {
    const bytes = encodeGif(this.gifFrames.map((pixels) => ({ pixels })), { ...this.gifSize, palette: CUBE, delayCs: GIF_DELAY_CS });
    this.gifFrames = [];
    // encodeGif returns a fresh, exactly sized array: its buffer is the file.
    return new Blob([bytes.buffer as ArrayBuffer], { type: 'image/gif' });
  }

  private finishWebm(): Promise<Blob> {
    const recorder = this.recorder as MediaRecorder;
    this.recorder = null;
    // One more copy of the last frame, so that it is shown for a moment at the end.
    this.track?.requestFrame();
    return new Promise((resolve) => {
      recorder.onstop = () => resolve(new Blob(this.chunks, { type: 'video/webm' }));
      setTimeout(() => recorder.stop(), 300);
    });
  }

  private offer(blob: Blob): void {
    if (this.link.href) URL.revokeObjectURL(this.link.href);
    this.blob = blob;
    const ext = this.format === 'webm' ? 'webm' : 'gif';
    this.link.href = URL.createObjectURL(blob);
    this.link.download = `${this.fileStem}-epochs-${this.firstEpoch}-${this.lastEpoch}.${ext}`;
    this.link.textContent = `Download ${ext.toUpperCase()} (${Math.max(1, Math.round(blob.size / 1024))} KB)`;
    this.link.hidden = false;
    this.status.textContent = `${this.frames} frames, epochs ${this.firstEpoch} to ${this.lastEpoch}.`;
    this.root.dataset.type = blob.type;
    this.root.dataset.bytes = String(blob.size);
  }
}
