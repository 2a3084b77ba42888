// report.html of `gradlab compare`: one self-contained page (uPlot's script and stylesheet
// inlined, the data embedded as JSON, nothing fetched) with
//   - the final table, and the fitted Gaussian for scale;
//   - KLD and W1 against epoch for every model (uPlot);
//   - each model's final histogram against the target density (uPlot; a scatter in 2D);
//   - the diagnostics of the PyTorch GAN tutorial: Q-Q, ECDF with the KS statistic, histogram
//     difference (inline SVG, report-diagnostics.ts);
//   - timeline snapshots every 5% of training (small SVG panels);
//   - the VAE's latent sweep E[x | z] over z in [−3, 3] (a line for a 1D latent, a heat map for 2D).
// No Node APIs: the caller reads uPlot's files and writes the page.

import type { HistoryRecord } from '../core/model';
import type { CompareResult } from '../eval/compare';
import { histogram, linspace } from '../eval/metrics';
import { diagnosticsSections } from './report-diagnostics';
import { getTarget } from '../data/targets';

export interface UplotAssets {
  /** Contents of uplot/dist/uPlot.iife.min.js. */
  script: string;
  /** Contents of uplot/dist/uPlot.min.css. */
  css: string;
}

const COLOURS: Record<string, string> = { gan: '#d62728', vae: '#1f77b4', rbm: '#2ca02c', diffusion: '#9467bd', target: '#444' };

/** A URL in the inlined code would make the page reach out (or look as if it did): refuse. */
const URL_PATTERN = /https?:\/\//i;

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Target curve for 1D plots: the density on a grid, or (no known density, or discrete) a histogram of fresh samples. */
function targetCurve(result: CompareResult, bins: number, range: [number, number]): { x: number[]; y: number[] } {
  let pdf: ((x: number) => number) | undefined;
  try {
    const t = getTarget(result.target);
    if (!t.discrete) pdf = t.pdf;
  } catch {
    pdf = undefined;
  }
  if (pdf) {
    const xs = linspace(range[0], range[1], 200);
    return { x: Array.from(xs, round), y: Array.from(xs, (x) => round(pdf(x))) };
  }
  return densityHistogram(result.targetSamples, bins, range);
}

function densityHistogram(samples: Float64Array, bins: number, range: [number, number]): { x: number[]; y: number[] } {
  const h = histogram(samples, bins, range);
  const n = Math.max(1, samples.length);
  return { x: Array.from(h.centres, round), y: Array.from(h.counts, (c) => round(c / (n * h.width))) };
}

function plotRange(result: CompareResult): [number, number] {
  try {
    return getTarget(result.target).range;
  } catch {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of result.targetSamples) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const pad = 0.1 * (hi - lo || 1);
    return [lo - pad, hi + pad];
  }
}

/** Everything the page's script draws, precomputed here (histograms, not raw samples). */
/**
 * The records whose W1 and KLD were measured at their own epoch. An unscored epoch repeats an
 * earlier score (its scoredEpoch); drawing it would show that old number as if measured then.
 */
export function scoredRecords(history: readonly HistoryRecord[]): HistoryRecord[] {
  return history.filter((h) => h.scoredEpoch === undefined || h.scoredEpoch === h.epoch);
}

function pageData(result: CompareResult): Record<string, unknown> {
  const range = plotRange(result);
  const bins = 50;
  const is1d = result.dim === 1;
  const thin = (s: Float64Array, pairs: number): number[] => Array.from(s.subarray(0, Math.min(s.length, pairs * result.dim)), round);
  return {
    dim: result.dim,
    range,
    target: is1d ? targetCurve(result, bins, range) : { points: thin(result.targetSamples, 600) },
    runs: result.runs.map((r) => {
      const last = r.snapshots[r.snapshots.length - 1];
      const scored = scoredRecords(r.history);
      return {
        model: r.model,
        colour: COLOURS[r.model] ?? '#000',
        epochs: scored.map((h) => h.epoch),
        kld: scored.map((h) => round(h.kld)),
        w1: scored.map((h) => round(h.w1)),
        final: last ? (is1d ? densityHistogram(last.samples, bins, range) : { points: thin(last.samples, 600) }) : null,
        snapshots: r.snapshots.map((s) => ({
          epoch: s.epoch, percent: s.percent,
          ...(is1d ? densityHistogram(s.samples, 30, range) : { points: thin(s.samples, 300) }),
        })),
        sweep: r.latentSweep ? { z: Array.from(r.latentSweep.z, round), x: Array.from(r.latentSweep.x, round), latent: r.latentSweep.latent } : null,
      };
    }),
  };
}

function summaryTable(result: CompareResult): string {
  const rows = result.runs.map((r) => `<tr><td><span class="swatch" style="background:${COLOURS[r.model] ?? '#000'}"></span>${r.model}</td>` +
    `<td>${r.parameters}</td><td>${r.hidden}</td><td>${r.final ? r.final.w1.toFixed(4) : '—'}</td><td>${r.final ? r.final.kld.toFixed(4) : '—'}</td>` +
    `<td>${r.seconds.toFixed(1)}</td><td>${r.error ? escapeHtml(r.error) : ''}</td></tr>`);
  rows.push(`<tr class="baseline"><td>Gaussian fit</td><td>—</td><td>—</td><td>${result.baseline.w1.toFixed(4)}</td><td>${result.baseline.kld.toFixed(4)}</td><td>—</td><td>the bar to clear</td></tr>`);
  return `<table><thead><tr><th>model</th><th>parameters</th><th>hidden H</th><th>W1</th><th>KLD</th><th>seconds</th><th>note</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

// The page's own script: draws from the embedded JSON with uPlot and plain SVG.
const PAGE_SCRIPT = String.raw`
const data = JSON.parse(document.getElementById('report-data').textContent);
const W = Math.min(900, document.body.clientWidth - 40);
const NS = 'http' + '://www.w3.org/2000/svg';
function el(tag, attrs, parent) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); if (parent) parent.appendChild(e); return e; }
function lineChart(id, title, key, logScale) {
  const runs = data.runs.filter((r) => r.epochs.length > 0);
  if (runs.length === 0) return;
  const epochs = [...new Set(runs.flatMap((r) => r.epochs))].sort((a, b) => a - b);
  const series = runs.map((r) => { const m = new Map(r.epochs.map((e, i) => [e, r[key][i]])); return epochs.map((e) => (m.has(e) ? m.get(e) : null)); });
  new uPlot({ title, width: W, height: 280, scales: { x: { time: false }, y: logScale ? { distr: 3 } : {} },
    series: [{ label: 'epoch' }, ...runs.map((r) => ({ label: r.model, stroke: r.colour, width: 1.5, spanGaps: true, points: { show: true, size: 5 } }))],
    axes: [{ label: 'epoch' }, { label: key.toUpperCase() }] }, [epochs, ...series], document.getElementById(id));
}
function histChart(parent, run) {
  const box = document.createElement('div'); parent.appendChild(box);
  if (!run.final) { box.textContent = run.model + ': no samples'; return; }
  const xs = data.target.x, h = run.final;
  // One x axis for both: the model's histogram is drawn as steps, the target as a line.
  const grid = [...new Set([...xs, ...h.x])].sort((a, b) => a - b);
  const at = (px, py) => { const m = new Map(px.map((x, i) => [x, py[i]])); return grid.map((x) => (m.has(x) ? m.get(x) : null)); };
  new uPlot({ title: run.model + ': final samples vs target', width: Math.min(440, W), height: 240, scales: { x: { time: false } },
    series: [{}, { label: 'target', stroke: '#444', width: 1.5, spanGaps: true }, { label: run.model, stroke: run.colour, fill: run.colour + '33', width: 1, spanGaps: true, paths: uPlot.paths.stepped({ align: 0 }) }],
    axes: [{}, { label: 'density' }] }, [grid, at(xs, data.target.y), at(h.x, h.y)], box);
}
function scatterSvg(parent, points, colour, size, title, background) {
  const [lo, hi] = data.range, s = (v) => ((v - lo) / (hi - lo)) * size;
  const svg = el('svg', { width: size, height: size + 16, class: 'panel' }, parent);
  el('text', { x: 4, y: 12, 'font-size': 11 }, svg).textContent = title;
  const g = el('g', { transform: 'translate(0,16)' }, svg);
  el('rect', { x: 0, y: 0, width: size, height: size, fill: 'none', stroke: '#ccc' }, g);
  if (background) for (let i = 0; i + 1 < background.length; i += 2) el('circle', { cx: s(background[i]), cy: size - s(background[i + 1]), r: 1.2, fill: '#bbb' }, g);
  for (let i = 0; i + 1 < points.length; i += 2) el('circle', { cx: s(points[i]), cy: size - s(points[i + 1]), r: 1.2, fill: colour }, g);
}
function miniHist(parent, snap, colour, title) {
  const w = 150, h = 90, [lo, hi] = data.range;
  const svg = el('svg', { width: w, height: h + 16, class: 'panel' }, parent);
  el('text', { x: 4, y: 12, 'font-size': 11 }, svg).textContent = title;
  const g = el('g', { transform: 'translate(0,16)' }, svg);
  const top = Math.max(1e-9, ...snap.y, ...data.target.y);
  const sx = (x) => ((x - lo) / (hi - lo)) * w, sy = (y) => h - (y / top) * (h - 4);
  const bw = snap.x.length > 1 ? sx(snap.x[1]) - sx(snap.x[0]) : w;
  snap.x.forEach((x, i) => el('rect', { x: sx(x) - bw / 2, y: sy(snap.y[i]), width: Math.max(0.5, bw - 0.5), height: h - sy(snap.y[i]), fill: colour, opacity: 0.6 }, g));
  el('polyline', { points: data.target.x.map((x, i) => sx(x) + ',' + sy(data.target.y[i])).join(' '), fill: 'none', stroke: '#444', 'stroke-width': 1 }, g);
}
function sweep(parent, run) {
  const s = run.sweep;
  if (!s) return;
  const box = document.createElement('div'); parent.appendChild(box);
  if (data.dim === 2) { scatterSvg(box, s.x, run.colour, 300, 'decoder mean E[x|z] over the z grid', null); return; }
  if (s.latent === 1) {
    new uPlot({ title: 'VAE latent sweep: E[x|z] against z', width: Math.min(440, W), height: 240, scales: { x: { time: false } },
      series: [{ label: 'z' }, { label: 'E[x|z]', stroke: run.colour, width: 1.5 }], axes: [{ label: 'z' }, { label: 'E[x|z]' }] }, [s.z, s.x], box);
    return;
  }
  // 2D latent, 1D data: a heat map of E[x|z1, z2] (z2 fastest in the grid).
  const n = Math.round(Math.sqrt(s.x.length)), cell = 14, size = n * cell;
  const lo = Math.min(...s.x), hi = Math.max(...s.x);
  const svg = el('svg', { width: size + 90, height: size + 30, class: 'panel' }, box);
  el('text', { x: 0, y: 12, 'font-size': 11 }, svg).textContent = 'E[x | z1, z2], z in [-3, 3]²';
  const g = el('g', { transform: 'translate(0,18)' }, svg);
  for (let i = 0; i < s.x.length; i++) {
    const t = hi > lo ? (s.x[i] - lo) / (hi - lo) : 0.5;
    const col = 'hsl(' + Math.round(240 - 240 * t) + ',70%,50%)';
    el('rect', { x: Math.floor(i / n) * cell, y: size - ((i % n) + 1) * cell, width: cell, height: cell, fill: col }, g);
  }
  el('text', { x: size + 6, y: 30, 'font-size': 11 }, svg).textContent = 'red ' + hi.toFixed(2);
  el('text', { x: size + 6, y: size, 'font-size': 11 }, svg).textContent = 'blue ' + lo.toFixed(2);
}
lineChart('kld-chart', 'KLD (target ‖ model) per epoch', 'kld', true);
lineChart('w1-chart', 'W1 per epoch', 'w1', true);
const finals = document.getElementById('finals');
for (const r of data.runs) {
  if (data.dim === 1) histChart(finals, r);
  else if (r.final) scatterSvg(finals, r.final.points, r.colour, 300, r.model + ' (grey: target)', data.target.points);
}
const timeline = document.getElementById('timeline');
for (const r of data.runs) {
  if (r.snapshots.length === 0) continue;
  const h = document.createElement('h3'); h.textContent = r.model; timeline.appendChild(h);
  const row = document.createElement('div'); row.className = 'row'; timeline.appendChild(row);
  for (const s of r.snapshots) {
    const title = s.percent + '% (epoch ' + s.epoch + ')';
    if (data.dim === 1) miniHist(row, s, r.colour, title); else scatterSvg(row, s.points, r.colour, 150, title, null);
  }
}
const sweeps = document.getElementById('sweep');
for (const r of data.runs) sweep(sweeps, r);
if (!data.runs.some((r) => r.sweep)) sweeps.textContent = 'No VAE in this comparison.';
`;

const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 20px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child, td:last-child { text-align: left; }
tr.baseline td { color: #666; font-style: italic; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
.row, #finals, #sweep { display: flex; flex-wrap: wrap; gap: 8px; }
.panel { background: #fff; }
`;

/** The whole page. Throws if the inlined code contains a URL (the page must not reach out). */
export function renderReport(result: CompareResult, uplot: UplotAssets): string {
  // uPlot's licence banner names its repository; keep the credit without the scheme.
  const script = uplot.script.replace(/\/\*!\s*https?:\/\/(\S+)/, '/*! uPlot, $1');
  const title = `gradlab compare: ${result.target}`;
  const settings = `budget ${result.budget} parameters, ${result.bins > 0 ? `${result.bins} bins` : 'continuous'}, ${result.epochs} epochs, seed ${result.seed}, ` +
    `${result.evalSamples} samples per evaluation, ${result.backend} backend`;
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${uplot.css}</style>
<style>${PAGE_STYLE}</style>
<script>${script}</script>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(settings)}. Every model's hidden width was chosen to bring its parameter count closest to the budget.
W1: Wasserstein-1 distance to fresh target samples${result.dim === 2 ? ' (sliced)' : ''}; KLD: histogram KL(target ‖ model). Lower is better.</p>
${summaryTable(result)}
<h2>KLD and W1 during training</h2>
<div id="kld-chart"></div>
<div id="w1-chart"></div>
<h2>Final samples against the target</h2>
<div id="finals"></div>
${diagnosticsSections(result, COLOURS, plotRange(result))}
<h2>Timeline: samples every 5% of training</h2>
<div id="timeline"></div>
<h2>VAE latent sweep</h2>
<div id="sweep"></div>
<script type="application/json" id="report-data">${scriptJson(pageData(result))}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
  const found = URL_PATTERN.exec(page);
  if (found) throw new Error(`report: the page would contain a URL near '${page.slice(Math.max(0, found.index - 40), found.index + 40)}'`);
  return page;
}
