// The GIF encoder against an independent decoder written from the GIF89a specification (block
// parsing and the LZW decoder's side of the algorithm), and `gradlab train --movie out.gif`.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../engine/index.js';
import { encodeGif } from '../../models/report/movie/gif.js';
import { drawFrame, FRAME_PALETTE } from '../../models/report/movie/frame.js';

interface Decoded {
  width: number;
  height: number;
  palette: number[];
  loops: boolean;
  frames: { delay: number; pixels: Uint8Array }[];
}

/** LZW decoding as the specification states it: read codes LSB first, build the table as we go. */
function lzwDecode(data: number[], minCodeSize: number, count: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const out: number[] = [];
  let size = minCodeSize + 1;
  let dict: number[][] = [];
  const reset = (): void => {
    dict = [];
    for (let i = 0; i < clear; i++) dict.push([i]);
    dict.push([], []);
    size = minCodeSize + 1;
  };
  reset();
  let bitPos = 0;
  let prev: number[] | null = null;
  for (;;) {
    let code = 0;
    for (let b = 0; b < size; b++, bitPos++) code |= ((data[bitPos >> 3] >> (bitPos & 7)) & 1) << b;
    if (code === clear) { reset(); prev = null; continue; }
    if (code === end) break;
    let entry: number[];
    if (code < dict.length) entry = dict[code];
    else if (code === dict.length && prev) entry = [...prev, prev[0]];
    else throw new Error(`bad LZW code ${code} (table ${dict.length})`);
    out.push(...entry);
    if (prev) dict.push([...prev, entry[0]]);
    if (dict.length === 1 << size && size < 12) size++;
    prev = entry;
  }
  expect(out.length).toBe(count);
  return Uint8Array.from(out);
}

function decodeGif(bytes: Uint8Array): Decoded {
  const ascii = String.fromCharCode(...bytes.slice(0, 6));
  expect(ascii).toBe('GIF89a');
  const u16 = (i: number): number => bytes[i] | (bytes[i + 1] << 8);
  const width = u16(6);
  const height = u16(8);
  const flags = bytes[10];
  expect(flags & 0x80).toBe(0x80);
  const tableSize = 2 << (flags & 7);
  const palette = Array.from(bytes.slice(13, 13 + 3 * tableSize));
  let p = 13 + 3 * tableSize;
  const frames: Decoded['frames'] = [];
  let delay = 0;
  let loops = false;
  const subBlocks = (): number[] => {
    const data: number[] = [];
    while (bytes[p] !== 0) { const n = bytes[p++]; data.push(...bytes.slice(p, p + n)); p += n; }
    p++;
    return data;
  };
  for (;;) {
    const b = bytes[p++];
    if (b === 0x3b) break;
    if (b === 0x21) {
      const label = bytes[p++];
      const data = subBlocks();
      if (label === 0xf9) delay = data[1] | (data[2] << 8);
      if (label === 0xff && String.fromCharCode(...data.slice(0, 11)) === 'NETSCAPE2.0') loops = true;
    } else if (b === 0x2c) {
      const w = u16(p + 4);
      const h = u16(p + 6);
      p += 9;
      const min = bytes[p++];
      frames.push({ delay, pixels: lzwDecode(subBlocks(), min, w * h) });
    } else throw new Error(`unexpected block 0x${b.toString(16)} at ${p - 1}`);
  }
  return { width, height, palette, loops, frames };
}

describe('GIF encoder', () => {
  it('round-trips random frames, including ones long enough to fill and clear the LZW table', () => {
    const rng = createRng(8);
    const palette: [number, number, number][] = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]];
    const sizes: [number, number][] = [[1, 1], [7, 3], [200, 150]];
    for (const [w, h] of sizes) {
      const frames = [0, 1, 2].map((f) => {
        const pixels = new Uint8Array(w * h);
        // Random pixels (many table entries) in the first frame, long runs in the others.
        for (let i = 0; i < pixels.length; i++) pixels[i] = f === 0 ? rng.int(5) : Math.floor(i / (17 + f)) % 5;
        return { pixels };
      });
      const decoded = decodeGif(encodeGif(frames, { width: w, height: h, palette, delayCs: 7 }));
      expect([decoded.width, decoded.height]).toEqual([w, h]);
      expect(decoded.loops).toBe(true);
      expect(decoded.palette.slice(0, 15)).toEqual(palette.flat());
      expect(decoded.frames.length).toBe(3);
      decoded.frames.forEach((fr, i) => {
        expect(fr.delay).toBe(7);
        expect(Array.from(fr.pixels)).toEqual(Array.from(frames[i].pixels));
      });
    }
  });

  it('round-trips a drawn distribution frame', () => {
    const xs = Array.from({ length: 50 }, (_, i) => -3 + (6 * i) / 49);
    const target = xs.map((x) => Math.exp(-x * x / 2));
    const generated = xs.map((x) => Math.exp(-((x - 0.5) ** 2) / 2));
    const pixels = drawFrame({ xs, target, generated, discriminator: xs.map(() => 0.5), progress: 0.4 }, 120, 80);
    for (const c of [2, 3, 4, 5]) expect(pixels.includes(c)).toBe(true); // every curve drawn
    const decoded = decodeGif(encodeGif([{ pixels }], { width: 120, height: 80, palette: FRAME_PALETTE }));
    expect(Array.from(decoded.frames[0].pixels)).toEqual(Array.from(pixels));
  });

  it('names bad input', () => {
    const palette: [number, number, number][] = [[0, 0, 0], [1, 1, 1]];
    expect(() => encodeGif([], { width: 2, height: 2, palette })).toThrow(/no frames/);
    expect(() => encodeGif([{ pixels: new Uint8Array(3) }], { width: 2, height: 2, palette })).toThrow(/frame 0 has 3 pixels, expected 2×2 = 4/);
    expect(() => encodeGif([{ pixels: Uint8Array.from([0, 1, 2, 0]) }], { width: 2, height: 2, palette })).toThrow(/pixel 2 uses colour 2, the palette has 2/);
    expect(() => encodeGif([{ pixels: new Uint8Array(4) }], { width: 2, height: 2, palette: [[0, 0, 0]] })).toThrow(/2 to 256 colours, got 1/);
  });
});

describe('gradlab train --movie', () => {
  const root = resolve(__dirname, '../..');
  const cli = resolve(root, 'dist/cli.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'train', ...args], { cwd: root, encoding: 'utf8', timeout: 90_000 });

  it('writes an animated GIF with one frame per k epochs, plus the initial one', () => {
    execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
    const out = join(mkdtempSync(join(tmpdir(), 'gradlab-movie-')), 'train.gif');
    const r = run('--target', 'bimodal', '--epochs', '6', '--movie', out, '--movie-every', '2', '--dataset', '256');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`saved movie ${out} (4 frames)`);
    const decoded = decodeGif(new Uint8Array(readFileSync(out)));
    expect(decoded.frames.length).toBe(4);
    expect([decoded.width, decoded.height]).toEqual([480, 240]);
    // Frames differ: G moved between them.
    expect(Array.from(decoded.frames[0].pixels)).not.toEqual(Array.from(decoded.frames[3].pixels));
  }, 120_000);

  it('refuses other extensions, a missing folder, and --movie-every alone (exit 2)', () => {
    let r = run('--target', 'normal', '--epochs', '1', '--movie', 'out.mp4');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--movie: 'out.mp4' must end in .gif/);
    r = run('--target', 'normal', '--epochs', '1', '--movie', '/no/such/dir/a.gif');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--movie: the folder of '\/no\/such\/dir\/a.gif' does not exist/);
    r = run('--target', 'normal', '--epochs', '1', '--movie-every', '2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--movie-every needs --movie FILE.gif/);
  }, 60_000);
});
