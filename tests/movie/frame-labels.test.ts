// The movie frame's labels: the epoch on every frame, tick values under the x axis, a legend.

import { describe, expect, it } from 'vitest';
import { drawFrame, niceTicks } from '../../models/report/movie/frame';
import { drawText, textWidth, tickLabel } from '../../models/report/movie/font';

const xs = Array.from({ length: 60 }, (_, i) => -2 + (6 * i) / 59);
const bump = (m: number): number[] => xs.map((x) => Math.exp(-((x - m) ** 2)));

describe('movie frame labels', () => {
  it('writes the epoch in the top right corner, pixel for pixel', () => {
    const W = 240;
    const H = 120;
    const frame = drawFrame({ xs, target: bump(1), generated: bump(0.3), discriminator: xs.map((x) => 1 / (1 + Math.exp(-x))), progress: 0.5, epoch: 120 }, W, H);
    const label = 'epoch 120';
    const expected = new Set<number>();
    drawText(label, W - 6 - textWidth(label), 6, (x, y) => expected.add(y * W + x));
    expect(expected.size).toBeGreaterThan(40);
    for (const i of expected) expect(frame[i]).toBe(5);
    const without = drawFrame({ xs, target: bump(1), generated: bump(0.3), discriminator: xs.map((x) => 1 / (1 + Math.exp(-x))), progress: 0.5 }, W, H);
    const changed = [...frame.keys()].filter((i) => frame[i] !== without[i]);
    expect(new Set(changed)).toEqual(expected);
  });

  it('ticks at round values with their labels, and a legend in the curves\' colours', () => {
    expect(niceTicks(-2, 4, 6)).toEqual([-2, -1, 0, 1, 2, 3, 4]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.9, 4)).toEqual([0, 0.5]);
    expect(tickLabel(0.6000000000000001)).toBe('0.6');
    const frame = drawFrame({ xs, target: bump(1), generated: bump(0.3), progress: 0 }, 240, 120);
    // The legend's colour swatches: target (2) and model (3) on the legend row.
    const row = Array.from(frame.subarray(9 * 240, 10 * 240));
    expect(row.includes(2) && row.includes(3)).toBe(true);
    expect(() => drawText('épsilon', 0, 0, () => {})).toThrow(/no glyph for 'é'/);
  });
});

describe('2D movies', () => {
  it('draws data and generated points in the plane, with the epoch', async () => {
    const { drawScatterFrame } = await import('../../models/report/movie/frame');
    const frame = drawScatterFrame({ range: [-2, 2], target: [1, 1], generated: [-1, -1], progress: 0, epoch: 7 }, 200, 160);
    expect(Array.from(frame).filter((c) => c === 2).length).toBeGreaterThanOrEqual(4 + 12 * 2);
    // The generated point (−1, −1) sits a quarter of the way in from the bottom-left corner.
    const top = 7 + 12;
    const bottom = 160 - 11 - 6 - 6;
    const size = bottom - top;
    const left = Math.round((200 - size) / 2);
    expect(frame[Math.round(bottom - size / 4) * 200 + Math.round(left + size / 4)]).toBe(3);
  });

  it('records a 2D GAN as an animated GIF', async () => {
    const { createGan } = await import('../../models/gan');
    const { getTarget } = await import('../../models/data/targets');
    const { MovieRecorder } = await import('../../models/report/movie/recorder');
    const model = createGan(getTarget('2d-mix-gauss'), { seed: 1, dataset: 256, batch: 64, evalSamples: 200 });
    const recorder = new MovieRecorder(model);
    await recorder.capture(0);
    await model.trainEpoch();
    await recorder.capture(1);
    const gif = recorder.gif();
    expect(recorder.frameCount).toBe(2);
    expect(String.fromCharCode(...gif.subarray(0, 6))).toBe('GIF89a');
    model.dispose();
  });
});

describe('the report-style SVG frame (the renderer comparison in docs/cli.md)', () => {
  it('holds the legend, the epoch, the tick values and every curve, with finite coordinates', async () => {
    const { frameSvg, scatterSvg } = await import('../../models/report/movie/frame-svg');
    const svg = frameSvg({ xs, target: bump(1), generated: bump(0.3), discriminator: xs.map((x) => 1 / (1 + Math.exp(-x))), progress: 0.5, epoch: 120 }, 480, 240);
    for (const text of ['>data<', '>model<', '>D(x)<', '>epoch 120<', '>D 1<', '>-2<', '>0<', '>4<']) expect(svg).toContain(text);
    expect(svg.match(/<polyline /g)?.length).toBe(3);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const plane = scatterSvg({ range: [-2, 2], target: [1, 1, 0.5, -0.3], generated: [-1, -1, 3, 3], progress: 1, epoch: 9 }, 480, 320);
    expect(plane).toContain('>epoch 9<');
    // Two data points and one generated point inside the square; (3, 3) is outside and dropped.
    expect(plane.match(/M[\d.]+ [\d.]+h0/g)?.length).toBe(3);
  });
});
