// `gradlab train --movie`: every usage error of the movie's flags exits 2 with a message naming
// the flag, before any training and without writing a file; 1D and 2D runs are recorded, and every
// decoded frame carries the axes, tick labels, legend, epoch and progress bar the frame drawer
// puts around the plot, pixel for pixel.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGan } from '../../models/gan';
import { getTarget } from '../../models/data/targets';
import { curvesBox, drawFrame, drawScatterFrame, scatterBox } from '../../models/report/movie/frame';
import { MovieRecorder } from '../../models/report/movie/recorder';
import { decodeGif } from './gif-decode';

const root = resolve(__dirname, '../..');
const cli = resolve(root, 'dist/cli.js');
const train = (...args: string[]) => spawnSync(process.execPath, [cli, 'train', ...args], { cwd: root, encoding: 'utf8', timeout: 90_000 });

/** Pixels outside a rectangle (inclusive bounds) where the curves or points may fall. */
function outside(width: number, height: number, x0: number, x1: number, y0: number, y1: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (x < x0 || x > x1 || y < y0 || y > y1) out.push(y * width + x);
  return out;
}

/** The indices where two frames differ among `at`. */
const differing = (a: Uint8Array, b: Uint8Array, at: number[]): number[] => at.filter((i) => a[i] !== b[i]);

describe('gradlab train --movie: usage errors', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  }, 300_000);

  it('exit 2 with a message naming the flag, before training, writing nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-movie-usage-'));
    mkdirSync(join(dir, 'folder.gif'));
    const gif = join(dir, 'run.gif');
    const cases: [string[], RegExp][] = [
      [['--movie', join(dir, 'run.mp4')], /--movie: '.*run\.mp4' must end in \.gif/],
      [['--movie', join(dir, 'run')], /--movie: '.*run' must end in \.gif/],
      [['--movie', ''], /--movie: the path is empty/],
      [['--movie', join(dir, '.gif')], /--movie: '.*\.gif' has no name before \.gif/],
      [['--movie'], /--movie needs a value/],
      [['--movie', '/no/such/dir/a.gif'], /--movie: the folder of '\/no\/such\/dir\/a\.gif' does not exist/],
      [['--movie', join(dir, 'folder.gif')], /--movie: '.*folder\.gif' is a directory/],
      [['--movie-every', '2'], /--movie-every needs --movie FILE\.gif/],
      [['--movie', gif, '--movie-every', '0'], /--movie-every must be a whole number of epochs between 1 and 1e7, got 0/],
      [['--movie', gif, '--movie-every', '-3'], /--movie-every must be a whole number of epochs between 1 and 1e7, got -3/],
      [['--movie', gif, '--movie-every', '1e8'], /--movie-every must be a whole number of epochs between 1 and 1e7, got 100000000/],
      [['--movie', gif, '--movie-every', '1.5'], /--movie-every must be an integer, got '1\.5'/],
      [['--movie', gif, '--movie-every', 'abc'], /--movie-every must be a number, got 'abc'/],
      [['--movie', gif, '--save', gif], /--movie and --save name the same file '.*run\.gif'; the movie would replace the checkpoint/],
      [['--movie', gif, '--resume', gif], /--movie and --resume name the same file/],
      [['--movie', gif, '--movie-fps', '10'], /--movie-fps/],
    ];
    for (const [args, message] of cases) {
      const r = train('--target', 'normal', '--epochs', '3', ...args);
      const said = `${args.join(' ')} → ${r.status}: ${r.stderr.slice(-300)}`;
      expect(r.status, said).toBe(2);
      expect(r.stderr, said).toMatch(message);
      expect(r.stdout, said).not.toMatch(/epoch|saved/);
    }
    expect(readdirSync(dir)).toEqual(['folder.gif']);
  }, 120_000);
});

describe('gradlab train --movie: frames', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-movie-frames-'));

  it('1D: every frame has the x ticks and labels, D\'s axis, the legend, its epoch and the progress bar', () => {
    const out = join(dir, 'bimodal.gif');
    const r = train('--target', 'bimodal', '--epochs', '6', '--movie', out, '--movie-every', '2', '--dataset', '256', '--seed', '3');
    expect(r.status, r.stderr).toBe(0);
    const gif = decodeGif(new Uint8Array(readFileSync(out)));
    expect(gif.frames.length).toBe(4);
    const { width: W, height: H } = gif;
    // The frame drawer's own output around the plot, with any curves: what every frame must show there.
    const model = createGan(getTarget('bimodal'), { seed: 0 });
    const xs = new MovieRecorder(model).xs;
    model.dispose();
    const sigmoid = xs.map((x) => 1 / (1 + Math.exp(x - 4)));
    const bump = (m: number): number[] => xs.map((x) => Math.exp(-((x - m) ** 2)));
    const box = curvesBox(W, H, true);
    const around = outside(W, H, box.left, box.left + box.plotW - 1, box.top, box.bottom + 1);
    gif.frames.forEach((frame, k) => {
      const expected = drawFrame({ xs, target: bump(2), generated: bump(6), discriminator: sigmoid, progress: k / 3, epoch: 2 * k }, W, H);
      expect(differing(frame.pixels, expected, around), `frame ${k}`).toEqual([]);
      // The check can tell epochs apart, and there is text to check.
      const other = drawFrame({ xs, target: bump(2), generated: bump(6), discriminator: sigmoid, progress: k / 3, epoch: 2 * k + 1 }, W, H);
      expect(differing(other, expected, around).length).toBeGreaterThan(0);
    });
    const labelled = around.filter((i) => drawFrame({ xs, target: bump(2), generated: bump(6), discriminator: sigmoid, progress: 0, epoch: 0 }, W, H)[i] === 5);
    expect(labelled.length).toBeGreaterThan(200); // tick marks, tick labels, legend names, "epoch 0"
    // Inside the plot: the data (2), the model (3) and D(x) (4) drawn.
    for (const c of [2, 3, 4]) expect(gif.frames[3].pixels.includes(c), `colour ${c}`).toBe(true);
  }, 120_000);

  it('2D: the points in the plane, with ticks and labels on both axes, the legend, the epoch and the progress bar', () => {
    const out = join(dir, 'mix.gif');
    const r = train('--target', '2d-mix-gauss', '--epochs', '4', '--movie', out, '--movie-every', '2', '--dataset', '256', '--seed', '1');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`saved movie ${out} (3 frames)`);
    const gif = decodeGif(new Uint8Array(readFileSync(out)));
    expect([gif.width, gif.height, gif.frames.length]).toEqual([480, 320, 3]);
    const { width: W, height: H } = gif;
    const box = scatterBox(W, H);
    const around = outside(W, H, box.left, box.left + box.size + 1, box.top, box.bottom + 1);
    const range = getTarget('2d-mix-gauss').range;
    gif.frames.forEach((frame, k) => {
      const expected = drawScatterFrame({ range, target: [], generated: [], progress: k / 2, epoch: 2 * k }, W, H);
      expect(differing(frame.pixels, expected, around), `frame ${k}`).toEqual([]);
      expect(around.filter((i) => expected[i] === 5).length).toBeGreaterThan(300);
      // Data (2) and generated (3) points inside the square.
      for (const c of [2, 3]) expect(frame.pixels.includes(c)).toBe(true);
    });
    expect(Array.from(gif.frames[0].pixels)).not.toEqual(Array.from(gif.frames[2].pixels));
    expect(existsSync(out)).toBe(true);
  }, 120_000);

  it('a run stopped by Ctrl+C keeps its movie, ending on the epoch it stopped at', async () => {
    const out = join(dir, 'stopped.gif');
    const child = spawn(process.execPath, [cli, 'train', '--target', 'normal', '--epochs', '1000000', '--movie', out, '--movie-every', '7'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    // Non-terminal progress prints a line every few seconds: training is under way once one shows.
    while (!/epoch \d+\/1000000/.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('close', r));
    expect(code, stderr).toBe(130);
    const stoppedAt = Number(/stopped by SIGINT after (\d+) of 1000000 epochs/.exec(stderr)?.[1]);
    expect(stoppedAt).toBeGreaterThan(0);
    const gif = decodeGif(new Uint8Array(readFileSync(out)));
    // Before training, every 7th epoch, and the one it stopped at.
    expect(gif.frames.length).toBe(1 + Math.floor(stoppedAt / 7) + (stoppedAt % 7 === 0 ? 0 : 1));
    const { width: W, height: H } = gif;
    const model = createGan(getTarget('normal'), { seed: 0 });
    const xs = new MovieRecorder(model).xs;
    model.dispose();
    const curve = xs.map((x) => Math.exp(-((x - 4) ** 2)));
    const box = curvesBox(W, H, true);
    const around = outside(W, H, box.left, box.left + box.plotW - 1, box.top, box.bottom + 1);
    const last = drawFrame({ xs, target: curve, generated: curve, discriminator: curve, progress: stoppedAt / 1000000, epoch: stoppedAt }, W, H);
    expect(differing(gif.frames[gif.frames.length - 1].pixels, last, around)).toEqual([]);
  }, 120_000);
});
