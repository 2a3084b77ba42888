// The VAE / RBM / diffusion quality tables of the README: `npm run quality:models`
// (`-- --only trimodal|binned|modes` for one part). Prints markdown on stdout, progress on stderr.
// CPU backend. Protocol: dataset 2048, batch 128, metrics from 5000 samples against 5000 fresh
// target samples; the fitted Gaussian scored the same way.
//   trimodal: 1d-trimodal, seeds 0–2: VAE (latent 2, β 0.1, lr 1e-3, 5000 steps, budget 1600),
//             diffusion (T 100, lr 1e-3, 20000 steps, budget 1600), RBM (64 hidden, σ 0.2,
//             CD-5, 5000 steps, chains of 1000)
//   binned:   1d-trimodal in 20 bins, every model but the GAN at the 1600 budget, seeds 0–2
//   modes:    every model at the 1600 budget, seed 0: binned (20 bins) on 1d-poisson, and 2D on
//             2d-mix-gauss

import { gaussianBaseline } from '../eval/baseline';
import { budgetedConfig } from '../eval/compare';
import type { FinalMetrics, ModelKind } from '../core/model';
import { createModel } from '../core/registry';
import { getTarget } from '../data/targets';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const only = option('only', 'all');
const f = (x: number, d = 3): string => x.toFixed(d);

interface Row extends FinalMetrics {
  params: number;
  seconds: number;
}

async function run(kind: ModelKind, targetName: string, config: Record<string, unknown>, steps: number): Promise<Row> {
  const started = performance.now();
  const model = createModel(kind, getTarget(targetName), { dataset: 2048, batch: 128, evalSamples: 5000, ...config });
  for (let i = 0; i < steps; i++) model.trainStep();
  const metrics = await model.evaluate();
  const params = model.parameterCount();
  model.dispose();
  const row = { ...metrics, params, seconds: (performance.now() - started) / 1000 };
  process.stderr.write(`${kind} ${targetName} ${JSON.stringify(config)}: W1 ${f(row.w1)} KLD ${f(row.kld)} (${f(row.seconds, 1)} s)\n`);
  return row;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out: string[] = [];

if (only === 'all' || only === 'trimodal') {
  const suites: { label: string; kind: ModelKind; config: Record<string, unknown>; steps: number; goal: string }[] = [
    { label: 'VAE (latent 2, β 0.1, H 25)', kind: 'vae', config: { latent: 2, beta: 0.1, lr: 1e-3, ...budgetedConfig('vae', 1600, 1).config }, steps: 5000, goal: 'median W1 < 0.15, KLD < 0.15 (PyTorch 0.10 / 0.08)' },
    { label: 'diffusion (T 100, H 34)', kind: 'diffusion', config: { steps: 100, lr: 1e-3, ...budgetedConfig('diffusion', 1600, 1).config }, steps: 20000, goal: 'median W1 < 0.25, KLD < 0.2 (PyTorch W1 0.11–0.21, KLD 0.06–0.10)' },
    { label: 'RBM (64 hidden, σ 0.2, CD-5)', kind: 'rbm', config: { hidden: 64, sigma: 0.2, k: 5, gibbsSteps: 1000, lr: 1e-3 }, steps: 5000, goal: 'beat the fitted Gaussian in every seed (PyTorch W1 0.245, KLD 0.32)' },
  ];
  out.push('### 1d-trimodal (dataset 2048, batch 128, 5000 samples vs 5000 fresh target samples)', '');
  out.push('| model | steps | params | seed | W1 | KLD | Gaussian W1 | Gaussian KLD | seconds |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const summary: string[] = [];
  for (const s of suites) {
    const rows: Row[] = [];
    for (const seed of [0, 1, 2]) {
      const r = await run(s.kind, '1d-trimodal', { ...s.config, seed }, s.steps);
      rows.push(r);
      const g = gaussianBaseline(getTarget('1d-trimodal'), 5000, seed);
      out.push(`| ${s.label} | ${s.steps} | ${r.params} | ${seed} | ${f(r.w1)} | ${f(r.kld)} | ${f(g.w1)} | ${f(g.kld)} | ${f(r.seconds, 1)} |`);
    }
    summary.push(`- ${s.label}: median W1 ${f(median(rows.map((r) => r.w1)))}, median KLD ${f(median(rows.map((r) => r.kld)))}; goal: ${s.goal}`);
  }
  out.push('', ...summary, '');
}

if (only === 'all' || only === 'binned') {
  // Binned mode on the continuous 1d-trimodal: a bin decodes to a uniform point within it.
  out.push('### 1d-trimodal, binned (20 bins, budget 1600)', '');
  out.push('| model | H | params | steps | seed | W1 | KLD | seconds |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  const steps: Partial<Record<ModelKind, number>> = { vae: 5000, rbm: 5000, diffusion: 20000 };
  for (const kind of ['vae', 'rbm', 'diffusion'] as ModelKind[]) {
    const b = budgetedConfig(kind, 1600, 1, 20);
    const config = { ...b.config, bins: 20, ...(kind === 'rbm' ? { gibbsSteps: 200 } : {}) };
    for (const seed of [0, 1, 2]) {
      const r = await run(kind, '1d-trimodal', { ...config, seed }, steps[kind] as number);
      out.push(`| ${kind} | ${b.hidden} | ${r.params} | ${steps[kind]} | ${seed} | ${f(r.w1)} | ${f(r.kld)} | ${f(r.seconds, 1)} |`);
    }
  }
  out.push('');
}

if (only === 'all' || only === 'modes') {
  const cases: { target: string; bins: number; kinds: ModelKind[] }[] = [
    { target: '1d-poisson', bins: 20, kinds: ['vae', 'rbm', 'diffusion'] },
    { target: '2d-mix-gauss', bins: 0, kinds: ['gan', 'vae', 'rbm', 'diffusion'] },
  ];
  const steps: Record<ModelKind, number> = { gan: 5000, vae: 5000, rbm: 5000, diffusion: 20000 };
  out.push('### Binned mode and 2D (budget 1600, seed 0)', '');
  out.push('| target | model | H | params | steps | W1 | KLD | Gaussian KLD | beats Gaussian on KLD | seconds |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const c of cases) {
    const target = getTarget(c.target);
    const g = gaussianBaseline(target, 5000, 0);
    for (const kind of c.kinds) {
      const b = budgetedConfig(kind, 1600, target.dim, c.bins);
      const r = await run(kind, c.target, { ...b.config, bins: c.bins, seed: 0 }, steps[kind]);
      out.push(`| ${c.target}${c.bins ? ` (${c.bins} bins)` : ''} | ${kind} | ${b.hidden} | ${r.params} | ${steps[kind]} | ${f(r.w1)} | ${f(r.kld)} | ${f(g.kld)} | ${r.kld < g.kld ? 'yes' : 'no'} | ${f(r.seconds, 1)} |`);
    }
  }
  out.push('', 'The GAN has no binned mode yet (models/data/binning.ts has its Gumbel-softmax head); W1 in 2D is sliced W1.');
}
console.log(out.join('\n'));
