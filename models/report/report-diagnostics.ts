// The report's diagnostics sections, after the PyTorch GAN tutorial's evaluation plots: for each
// model, its final samples against fresh target samples as a Q-Q plot, the two ECDFs with the
// KS statistic marked, and the histogram difference (generated − target). In 2D, one panel per
// coordinate (the marginals of x₁ and of x₂). Static inline SVG: the page draws nothing itself.

import type { CompareResult } from '../eval/compare';
import { diagnostics, marginal, type Diagnostics } from '../eval/diagnostics';
import { ecdfSvg, histogramDifferenceSvg, qqSvg } from './diagnostics-svg';

type Panel = (d: Diagnostics, colour: string, title: string) => string;

const SECTIONS: { title: string; id: string; intro: string; panel: Panel }[] = [
  {
    title: 'Q-Q', id: 'qq',
    intro: 'Each dot is one quantile level p: the target\'s quantile across, the model\'s up. On the dashed diagonal the model puts the same mass below that point as the target; a slope below 1 means too narrow, a bend means the wrong shape.',
    panel: (d, colour, title) => qqSvg(d.qq, colour, title),
  },
  {
    title: 'ECDF', id: 'ecdf',
    intro: 'The empirical CDFs F(x) = share of samples ≤ x (target dark grey, model in colour). The red segment marks the Kolmogorov–Smirnov statistic KS = maxₓ |F_model(x) − F_target(x)|, where it occurs.',
    panel: (d, colour, title) => ecdfSvg(d.ecdf, d.ks, colour, title),
  },
  {
    title: 'Histogram difference', id: 'hist-diff',
    intro: 'Model density minus target density in each bin: bars above zero where the model puts too much mass, below where too little.',
    panel: (d, colour, title) => histogramDifferenceSvg(d.histogram, colour, title),
  },
];

/** The three sections as HTML (titled "Q-Q", "ECDF", "Histogram difference"). */
export function diagnosticsSections(result: CompareResult, colours: Record<string, string>, range: [number, number]): string {
  const coords: (0 | 1)[] = result.dim === 1 ? [0] : [0, 1];
  const panels = result.runs.map((run) => {
    const last = run.snapshots[run.snapshots.length - 1];
    if (!last || last.samples.length === 0 || result.targetSamples.length === 0) return { run, per: null };
    const per = coords.map((c) => ({
      name: result.dim === 1 ? run.model : `${run.model}, ${c === 0 ? 'x₁' : 'x₂'}`,
      d: diagnostics(marginal(last.samples, result.dim, c), marginal(result.targetSamples, result.dim, c), { range, bins: 40 }),
    }));
    return { run, per };
  });
  const note = result.dim === 2 ? ' In 2D each coordinate is compared on its own (its marginal): x₁, then x₂.' : '';
  return SECTIONS.map((s) => {
    const body = panels.map(({ run, per }) => {
      if (!per) return `<p>${run.model}: no samples.</p>`;
      return per.map(({ name, d }) => s.panel(d, colours[run.model] ?? '#000', name)).join('');
    }).join('');
    return `<h2>${s.title}</h2>\n<p>${s.intro}${note}</p>\n<div class="row" id="${s.id}">${body}</div>`;
  }).join('\n');
}
