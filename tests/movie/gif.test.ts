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
import { decodeGif } from './gif-decode';

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

  it('round-trips 256-colour frames (the page\'s colour cube) through several table clears', () => {
    const rng = createRng(21);
    const palette = Array.from({ length: 256 }, (_, i) => [i, 255 - i, (i * 7) % 256] as [number, number, number]);
    const w = 160;
    const h = 120;
    // Noise in the top half (the table fills every few thousand pixels), gradients below.
    const pixels = new Uint8Array(w * h);
    for (let i = 0; i < pixels.length; i++) pixels[i] = i < pixels.length / 2 ? rng.int(256) : ((i % w) + Math.floor(i / w)) % 256;
    const decoded = decodeGif(encodeGif([{ pixels }], { width: w, height: h, palette }));
    expect(Array.from(decoded.frames[0].pixels)).toEqual(Array.from(pixels));
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
