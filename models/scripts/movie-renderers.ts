// The movie renderers compared, for docs/cli.md's table: the hand-written path (bitmap-font
// rasteriser, models/report/movie/frame.ts, and the GIF89a LZW encoder, gif.ts) against the
// report-style SVG frame (frame-svg.ts) rasterised by resvg (@resvg/resvg-js) and encoded by the
// hand-written encoder or by gifenc. Both packages are loaded only here, by name at run time:
//   npm install --no-save @resvg/resvg-js gifenc
//   npm run movie:renderers [-- DIR]
// Trains the default GAN 300 epochs on bimodal and on 2d-mix-gauss (seed 0), one frame every 3
// epochs; prints a markdown table of CPU milliseconds per frame and file sizes. Given a folder,
// writes there the GIFs and the last frame of each path as PNG (to look at the text).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createGan } from '../gan';
import { getTarget } from '../data/targets';
import { drawFrame, drawScatterFrame, FRAME_PALETTE, type FrameCurves, type ScatterFrame } from '../report/movie/frame';
import { frameSvg, scatterSvg, SVG_COLOURS } from '../report/movie/frame-svg';
import { encodeGif } from '../report/movie/gif';
import { MovieRecorder } from '../report/movie/recorder';

type Rgb = [number, number, number];
type Shown = { curves: FrameCurves } | { scatter: ScatterFrame };
interface Resvg { render(): { pixels: Uint8Array } }
interface ResvgModule { Resvg: new (svg: string, options?: object) => Resvg }
interface GifencModule {
  GIFEncoder(): { writeFrame(index: Uint8Array, w: number, h: number, o: object): void; finish(): void; bytes(): Uint8Array };
  quantize(rgba: Uint8Array, colours: number): number[][];
  applyPalette(rgba: Uint8Array, palette: number[][]): Uint8Array;
}

async function load<T>(name: string): Promise<T> {
  try {
    const m = (await import(/* @vite-ignore */ name)) as T & { default?: T };
    return (m.default && typeof m.default === 'object' ? m.default : m) as T;
  } catch {
    throw new Error(`movie-renderers: the comparison needs '${name}'; install it without saving it: npm install --no-save @resvg/resvg-js gifenc`);
  }
}

const outDir = process.argv[2];
if (outDir) mkdirSync(outDir, { recursive: true });

/** CPU milliseconds (user + system, all threads) of f. */
function cpuMs<T>(f: () => T): [T, number] {
  const t = process.cpuUsage();
  const r = f();
  const d = process.cpuUsage(t);
  return [r, (d.user + d.system) / 1000];
}

/** A minimal RGBA PNG (one IDAT, filter 0) to look at a frame. */
function png(rgba: Uint8Array, w: number, h: number): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer): number => { let c = 0xffffffff; for (const x of b) c = table[(c ^ x) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const head = Buffer.alloc(4); head.writeUInt32BE(data.length);
    const tail = Buffer.alloc(4); tail.writeUInt32BE(crc(body));
    return Buffer.concat([head, body, tail]);
  };
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) raw.set(rgba.subarray(y * w * 4, (y + 1) * w * 4), y * (w * 4 + 1) + 1);
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function toRgba(indices: Uint8Array, palette: readonly (readonly number[])[]): Uint8Array {
  const out = new Uint8Array(indices.length * 4);
  indices.forEach((c, i) => { out.set(palette[c].slice(0, 3), 4 * i); out[4 * i + 3] = 255; });
  return out;
}

/** A fixed palette for anti-aliased frames: each colour of the SVG blended with white in 15 steps. */
function blendPalette(): Rgb[] {
  const hex = (h: string): Rgb => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;
  const palette: Rgb[] = [[255, 255, 255]];
  for (const c of [...Object.values(SVG_COLOURS), '#aaaaaa'].map(hex)) {
    for (let k = 1; k <= 15; k++) palette.push(c.map((v) => Math.round(255 + ((v - 255) * k) / 15)) as Rgb);
  }
  return palette;
}

/** Each pixel's nearest palette colour (squared RGB distance), remembered per colour seen. */
function mapToPalette(rgba: Uint8Array, palette: Rgb[], memo: Map<number, number>): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) {
    const [r, g, b] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
    const key = (r << 16) | (g << 8) | b;
    let best = memo.get(key);
    if (best === undefined) {
      let d = Infinity;
      palette.forEach(([pr, pg, pb], j) => { const e = (pr - r) ** 2 + (pg - g) ** 2 + (pb - b) ** 2; if (e < d) { d = e; best = j; } });
      memo.set(key, best!);
    }
    out[i] = best!;
  }
  return out;
}

async function frames(targetName: string): Promise<{ shown: Shown[]; width: number; height: number }> {
  const model = createGan(getTarget(targetName), { seed: 0 });
  const recorder = new MovieRecorder(model);
  const shown: Shown[] = [await recorder.snapshot(0)];
  for (let e = 0; e < 300; e += 3) {
    for (let k = 0; k < 3; k++) await model.trainEpoch();
    shown.push(await recorder.snapshot((e + 3) / 300));
  }
  model.dispose();
  return { shown, width: recorder.width, height: recorder.height };
}

const { Resvg } = await load<ResvgModule>('@resvg/resvg-js');
const gifenc = await load<GifencModule>('gifenc');
const rows: string[] = [];
for (const targetName of ['bimodal', '2d-mix-gauss']) {
  process.stderr.write(`${targetName}: training 300 epochs...\n`);
  const { shown, width: W, height: H } = await frames(targetName);
  const n = shown.length;
  const per = (ms: number): string => (ms / n).toFixed(1);
  const kB = (b: Uint8Array): string => (b.length / 1024).toFixed(0);
  const gifencFile = (indexed: Uint8Array[], palette: readonly (readonly number[])[]): Uint8Array => {
    const g = gifenc.GIFEncoder();
    indexed.forEach((px, i) => g.writeFrame(px, W, H, { palette, delay: 100, repeat: 0, first: i === 0 }));
    g.finish();
    return g.bytes();
  };
  // Hand-written: bitmap font and palette raster, then our LZW (or gifenc on the same raster).
  const [hand, tDraw] = cpuMs(() => shown.map((s) => ('curves' in s ? drawFrame(s.curves, W, H) : drawScatterFrame(s.scatter, W, H))));
  const [handGif, tLzw] = cpuMs(() => encodeGif(hand.map((pixels) => ({ pixels })), { width: W, height: H, palette: FRAME_PALETTE }));
  const [handGifenc, tHandGifenc] = cpuMs(() => gifencFile(hand, FRAME_PALETTE));
  // SVG (the report's look) rasterised by resvg, mapped to a fixed palette; our LZW or gifenc.
  const [svgs, tSvg] = cpuMs(() => shown.map((s) => ('curves' in s ? frameSvg(s.curves, W, H) : scatterSvg(s.scatter, W, H))));
  const [rgba, tResvg] = cpuMs(() => svgs.map((svg) => new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().pixels));
  const palette = blendPalette();
  const memo = new Map<number, number>();
  const [indexed, tMap] = cpuMs(() => rgba.map((px) => mapToPalette(px, palette, memo)));
  const [svgGif, tSvgLzw] = cpuMs(() => encodeGif(indexed.map((pixels) => ({ pixels })), { width: W, height: H, palette }));
  const [svgGifenc, tSvgGifenc] = cpuMs(() => gifencFile(indexed, palette));
  // gifenc's own quantiser (one 256-colour palette from the last frame) instead of the fixed one.
  const [quantGif, tQuant] = cpuMs(() => {
    const pal = gifenc.quantize(rgba[n - 1], 256);
    return gifencFile(rgba.map((px) => gifenc.applyPalette(px, pal)), pal);
  });
  const target = `${targetName}, ${n} frames ${W}×${H}`;
  rows.push(`| ${target} | bitmap font + our LZW | ${per(tDraw)} | ${per(tLzw)} | ${per(tDraw + tLzw)} | ${kB(handGif)} |`);
  rows.push(`| ${target} | bitmap font + gifenc | ${per(tDraw)} | ${per(tHandGifenc)} | ${per(tDraw + tHandGifenc)} | ${kB(handGifenc)} |`);
  rows.push(`| ${target} | SVG + resvg + our LZW | ${per(tSvg + tResvg + tMap)} | ${per(tSvgLzw)} | ${per(tSvg + tResvg + tMap + tSvgLzw)} | ${kB(svgGif)} |`);
  rows.push(`| ${target} | SVG + resvg + gifenc | ${per(tSvg + tResvg + tMap)} | ${per(tSvgGifenc)} | ${per(tSvg + tResvg + tMap + tSvgGifenc)} | ${kB(svgGifenc)} |`);
  rows.push(`| ${target} | SVG + resvg + gifenc (its quantiser) | ${per(tSvg + tResvg)} | ${per(tQuant)} | ${per(tSvg + tResvg + tQuant)} | ${kB(quantGif)} |`);
  if (outDir) {
    const name = targetName.replace(/[^\w-]/g, '');
    writeFileSync(join(outDir, `${name}-bitmap.gif`), handGif);
    writeFileSync(join(outDir, `${name}-resvg.gif`), svgGif);
    writeFileSync(join(outDir, `${name}-bitmap-last.png`), png(toRgba(hand[n - 1], FRAME_PALETTE), W, H));
    writeFileSync(join(outDir, `${name}-resvg-last.png`), png(toRgba(indexed[n - 1], palette), W, H));
  }
}
console.log('| run | renderer + encoder | draw ms/frame | encode ms/frame | total ms/frame | GIF kB |');
console.log('|---|---|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
