// One movie frame as SVG, in the look of `gradlab compare`'s report (its colours, a boxed plot,
// round ticks with their values, a legend and the epoch), for a rasteriser such as resvg.
// No DOM: string building.

import type { FrameCurves, ScatterFrame } from './frame';
import { niceTicks } from './frame';
import { tickLabel } from './font';

export const SVG_COLOURS = { target: '#444444', model: '#d62728', discriminator: '#2ca02c', axes: '#cccccc', text: '#222222' } as const;
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"';

const p = (v: number): string => v.toFixed(1);

function legend(entries: [string, string, boolean?][], x0: number): string {
  let x = x0;
  let out = '';
  for (const [label, colour, dashed] of entries) {
    out += `<line x1="${x}" y1="12" x2="${x + 16}" y2="12" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="4 2"' : ''}/>`;
    out += `<text x="${x + 20}" y="16" ${FONT} fill="${SVG_COLOURS.text}">${label}</text>`;
    x += 20 + 7.5 * label.length + 14;
  }
  return out;
}

function header(width: number, epoch: number | undefined, entries: [string, string, boolean?][]): string {
  const ep = epoch === undefined ? '' : `<text x="${width - 8}" y="16" ${FONT} text-anchor="end" fill="${SVG_COLOURS.text}">epoch ${epoch}</text>`;
  return legend(entries, 8) + ep;
}

function progressBar(progress: number, width: number, height: number): string {
  const w = Math.max(0, Math.min(1, progress)) * (width - 16);
  return `<rect x="8" y="${height - 5}" width="${p(w)}" height="3" fill="${SVG_COLOURS.text}"/>`;
}

/** The 1D frame: target and generated densities on one scale, D(x) on [0, 1] with its own axis. */
export function frameSvg(c: FrameCurves, width: number, height: number, modelColour: string = SVG_COLOURS.model): string {
  const left = 10;
  const right = c.discriminator ? 34 : 10;
  const top = 26;
  const bottom = height - 28;
  const n = c.xs.length;
  const lo = c.xs[0];
  const hi = c.xs[n - 1];
  const sx = (x: number): number => left + ((x - lo) / (hi - lo || 1)) * (width - left - right);
  const peak = Math.max(1e-12, ...c.target, ...c.generated);
  const sy = (y: number, scale: number): number => bottom - (Math.min(y, scale) / scale) * (bottom - top);
  const line = (ys: number[], scale: number, colour: string, dashed = false): string =>
    `<polyline points="${ys.map((y, i) => `${p(sx(c.xs[i]))},${p(sy(y, scale))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="5 3"' : ''}/>`;
  let body = `<rect width="${width}" height="${height}" fill="#ffffff"/>`;
  body += `<rect x="${left}" y="${top}" width="${width - left - right}" height="${bottom - top}" fill="none" stroke="${SVG_COLOURS.axes}"/>`;
  for (const v of niceTicks(lo, hi, 6)) {
    const x = p(sx(v));
    body += `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="${SVG_COLOURS.text}"/>`;
    body += `<text x="${x}" y="${bottom + 16}" ${FONT} text-anchor="middle" fill="${SVG_COLOURS.text}">${tickLabel(v)}</text>`;
  }
  if (c.discriminator) {
    body += line(c.discriminator, 1, SVG_COLOURS.discriminator, true);
    body += `<text x="${width - right + 4}" y="${top + 4}" ${FONT} fill="${SVG_COLOURS.discriminator}">D 1</text>`;
    body += `<text x="${width - right + 4}" y="${bottom + 4}" ${FONT} fill="${SVG_COLOURS.discriminator}">0</text>`;
  }
  body += line(c.target, peak, SVG_COLOURS.target) + line(c.generated, peak, modelColour);
  body += header(width, c.epoch, [['data', SVG_COLOURS.target], ['model', modelColour], ...(c.discriminator ? [['D(x)', SVG_COLOURS.discriminator, true] as [string, string, boolean]] : [])]);
  body += progressBar(c.progress, width, height);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`;
}

/** The 2D frame: data (grey) and generated points in the square, ticks on both axes. */
export function scatterSvg(f: ScatterFrame, width: number, height: number, modelColour: string = SVG_COLOURS.model): string {
  const top = 26;
  const bottom = height - 28;
  const size = bottom - top;
  const left = Math.round((width - size) / 2);
  const [lo, hi] = f.range;
  const at = (v: number): number => ((v - lo) / (hi - lo)) * size;
  let body = `<rect width="${width}" height="${height}" fill="#ffffff"/>`;
  body += `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="${SVG_COLOURS.axes}"/>`;
  for (const v of niceTicks(lo, hi, 4)) {
    const x = p(left + at(v));
    const y = p(bottom - at(v));
    body += `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="${SVG_COLOURS.text}"/>`;
    body += `<line x1="${left - 4}" y1="${y}" x2="${left}" y2="${y}" stroke="${SVG_COLOURS.text}"/>`;
    body += `<text x="${x}" y="${bottom + 16}" ${FONT} text-anchor="middle" fill="${SVG_COLOURS.text}">${tickLabel(v)}</text>`;
    body += `<text x="${left - 6}" y="${p(bottom - at(v) + 4)}" ${FONT} text-anchor="end" fill="${SVG_COLOURS.text}">${tickLabel(v)}</text>`;
  }
  const dots = (pts: ArrayLike<number>, colour: string): string => {
    let d = '';
    for (let i = 0; i + 1 < pts.length; i += 2) {
      const x = at(pts[i]);
      const y = at(pts[i + 1]);
      if (x < 0 || x > size || y < 0 || y > size) continue;
      d += `M${p(left + x)} ${p(bottom - y)}h0`;
    }
    return `<path d="${d}" stroke="${colour}" stroke-width="2.6" stroke-linecap="round" fill="none"/>`;
  };
  body += dots(f.target, '#aaaaaa') + dots(f.generated, modelColour);
  body += header(width, f.epoch, [['data', '#aaaaaa'], ['model', modelColour]]);
  body += progressBar(f.progress, width, height);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`;
}
