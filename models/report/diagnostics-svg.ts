// The three diagnostics plots (Q-Q, ECDFs with the KS statistic, histogram difference) as
// small SVG strings inlined in `gradlab compare`'s report.html (HTML needs no xmlns, and the
// report must hold no URL). No DOM: string building.

import type { EcdfCurves, HistogramDifference, KsLocation, QQPoints } from '../eval/diagnostics';

const W = 300;
const H = 220;
const PAD = { left: 44, right: 10, top: 22, bottom: 30 };
const TARGET_COLOUR = '#444';
const KS_COLOUR = '#dc2626';

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Linear maps from data to pixels for a box [x0, x1] × [y0, y1]. */
interface Frame {
  sx(x: number): number;
  sy(y: number): number;
}

function frame(x0: number, x1: number, y0: number, y1: number): Frame {
  const dx = x1 > x0 ? x1 - x0 : 1;
  const dy = y1 > y0 ? y1 - y0 : 1;
  return {
    sx: (x) => PAD.left + ((x - x0) / dx) * (W - PAD.left - PAD.right),
    sy: (y) => H - PAD.bottom - ((y - y0) / dy) * (H - PAD.top - PAD.bottom),
  };
}

const p = (v: number): string => v.toFixed(1);

/** The box, end labels on both axes, axis names and a title. */
function axes(title: string, xLabel: string, yLabel: string, xr: [number, number], yr: [number, number]): string {
  const [l, r, t, b] = [PAD.left, W - PAD.right, PAD.top, H - PAD.bottom];
  return `<text x="4" y="14" font-size="12" font-weight="600">${escapeXml(title)}</text>` +
    `<rect x="${l}" y="${t}" width="${r - l}" height="${b - t}" fill="none" stroke="#ccc"/>` +
    `<text x="${l}" y="${b + 12}" font-size="10">${fmt(xr[0])}</text>` +
    `<text x="${r}" y="${b + 12}" font-size="10" text-anchor="end">${fmt(xr[1])}</text>` +
    `<text x="${(l + r) / 2}" y="${b + 25}" font-size="10" text-anchor="middle">${escapeXml(xLabel)}</text>` +
    `<text x="${l - 3}" y="${b}" font-size="10" text-anchor="end">${fmt(yr[0])}</text>` +
    `<text x="${l - 3}" y="${t + 8}" font-size="10" text-anchor="end">${fmt(yr[1])}</text>` +
    `<text x="10" y="${(t + b) / 2}" font-size="10" text-anchor="middle" transform="rotate(-90 10 ${(t + b) / 2})">${escapeXml(yLabel)}</text>`;
}

function svg(kind: string, body: string): string {
  return `<svg width="${W}" height="${H}" class="panel diag" data-diag="${kind}">${body}</svg>`;
}

/** Generated quantiles (y) against target quantiles (x), with the diagonal y = x dashed. */
export function qqSvg(qq: QQPoints, colour: string, title: string): string {
  const all = [...qq.target, ...qq.generated];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const f = frame(lo, hi, lo, hi);
  const diagonal = `<line x1="${p(f.sx(lo))}" y1="${p(f.sy(lo))}" x2="${p(f.sx(hi))}" y2="${p(f.sy(hi))}" stroke="${TARGET_COLOUR}" stroke-dasharray="4 3"/>`;
  const dots = qq.target.map((x, i) => `<circle cx="${p(f.sx(x))}" cy="${p(f.sy(qq.generated[i]))}" r="2.2" fill="${colour}"/>`).join('');
  return svg('qq', axes(title, 'target quantile', 'generated quantile', [lo, hi], [lo, hi]) + diagonal + dots);
}

/** A right-continuous step path through (x, y) points. */
function steps(f: Frame, xs: number[], ys: number[]): string {
  let d = `M${p(f.sx(xs[0]))},${p(f.sy(0))}`;
  for (let i = 0; i < xs.length; i++) d += `H${p(f.sx(xs[i]))}V${p(f.sy(ys[i]))}`;
  return d;
}

/** Both ECDFs (target dark grey, generated in the model's colour) and the KS segment in red. */
export function ecdfSvg(ecdf: EcdfCurves, ks: KsLocation, colour: string, title: string): string {
  const xs = ecdf.x;
  const f = frame(xs[0], xs[xs.length - 1], 0, 1);
  const kx = p(f.sx(ks.x));
  const label = `KS = ${ks.d.toFixed(3)} at x = ${fmt(ks.x)}`;
  const labelX = f.sx(ks.x) > W / 2 ? f.sx(ks.x) - 4 : f.sx(ks.x) + 4;
  return svg('ecdf', axes(title, 'x', 'F(x)', [xs[0], xs[xs.length - 1]], [0, 1]) +
    `<path d="${steps(f, xs, ecdf.target)}" fill="none" stroke="${TARGET_COLOUR}" stroke-width="1.5"/>` +
    `<path d="${steps(f, xs, ecdf.generated)}" fill="none" stroke="${colour}" stroke-width="1.5"/>` +
    `<line x1="${kx}" y1="${p(f.sy(ks.targetCdf))}" x2="${kx}" y2="${p(f.sy(ks.generatedCdf))}" stroke="${KS_COLOUR}" stroke-width="2.5" data-ks="${ks.d}"/>` +
    `<text x="${p(labelX)}" y="${p(f.sy((ks.targetCdf + ks.generatedCdf) / 2))}" font-size="10" fill="${KS_COLOUR}" text-anchor="${f.sx(ks.x) > W / 2 ? 'end' : 'start'}">${escapeXml(label)}</text>`);
}

/** Bars of generated − target density per bin, from a zero line. */
export function histogramDifferenceSvg(h: HistogramDifference, colour: string, title: string): string {
  const top = Math.max(1e-9, ...h.difference.map(Math.abs));
  const lo = h.edges[0];
  const hi = h.edges[h.edges.length - 1];
  const f = frame(lo, hi, -top, top);
  const zero = f.sy(0);
  const bars = h.difference.map((v, i) => {
    const x0 = f.sx(h.edges[i]);
    const x1 = f.sx(h.edges[i + 1]);
    const y = f.sy(v);
    return `<rect x="${p(x0)}" y="${p(Math.min(y, zero))}" width="${p(Math.max(0.5, x1 - x0 - 0.5))}" height="${p(Math.abs(y - zero))}" fill="${v >= 0 ? colour : TARGET_COLOUR}" opacity="0.75"/>`;
  }).join('');
  return svg('histdiff', axes(title, 'x', 'density difference', [lo, hi], [-top, top]) + bars +
    `<line x1="${PAD.left}" y1="${p(zero)}" x2="${W - PAD.right}" y2="${p(zero)}" stroke="#000" stroke-dasharray="3 3" opacity="0.5"/>`);
}
