// The GAN quality table of the README: `npm run quality:gan` (or with options:
// `-- --seeds 5 --epochs 300 --only stable|playground|batchnorm|dropout|wgan|conditional|long`). Prints a markdown table on stdout,
// progress on stderr. CPU backend.
//   stable:     2×32 LeakyReLU, Adam 1e-3 betas (0.5, 0.999), on normal and bimodal
//   playground: the TF.js playground post's settings (G 1×16, D 1×32, ReLU, Adam 3e-3), on its 5 targets
//   batchnorm / dropout: the stable config with BatchNorm1d after G's hidden layers, or
//               Dropout(0.3) after D's (as in the PyTorch GAN tutorial), on normal and bimodal
//   wgan:       the stable networks as critic and generator, on normal, with the two ways of
//               keeping the critic Lipschitz side by side: weight clipping (c = 0.01) and the
//               gradient penalty (WGAN-GP, λ 10), and the one-sided penalty (WGAN-LP, λ 10, Petzka
//               et al. 2018), all with Gulrajani et al. 2017's optimizer (Adam 1e-4, β (0, 0.9),
//               5 critic steps per generator step)
//   conditional: the conditional GAN on bimodal and 1d-trimodal, per class (its own table;
//               the CLI's 150 conditional epochs unless --epochs is given)
//   long:       the default GAN on the playground's five targets for 3000 epochs, W1 at epochs
//               300, 1000 and 3000 and whether D went flat (gan-quality-long.ts; not in `all`)

import { GAN_POST, GAN_STABLE, type GanConfig } from '../gan';
import { WGAN_CLIP, WGAN_GP, WGAN_LP } from './gan-quality-configs';
import { median, qualityRun, type QualityRow } from '../gan/quality';
import { getTarget } from '../data/targets';
import { conditionalTable } from './gan-quality-conditional';
import { LONG_TARGETS, longTable } from './gan-quality-long';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const seeds = Number(option('seeds', '5'));
const epochs = Number(option('epochs', '300'));
const only = option('only', 'all');
const epochsGiven = process.argv.includes('--epochs');

const suites: { label: string; config: Partial<GanConfig>; targets: string[] }[] = [
  { label: 'stable', config: GAN_STABLE, targets: ['normal', 'bimodal'] },
  { label: 'playground', config: GAN_POST, targets: ['normal', 'bimodal', 'uniform', 'exponential', 'mixture'] },
  { label: 'stable + g-batchnorm', config: { ...GAN_STABLE, gBatchNorm: true }, targets: ['normal', 'bimodal'] },
  { label: 'stable + d-dropout 0.3', config: { ...GAN_STABLE, dDropout: 0.3 }, targets: ['normal', 'bimodal'] },
  { label: 'wgan-clip', config: WGAN_CLIP, targets: ['normal'] },
  { label: 'wgan-gp', config: WGAN_GP, targets: ['normal'] },
  { label: 'wgan-lp', config: WGAN_LP, targets: ['normal'] },
].filter((s) => only === 'all' || s.label === only || (only === 'wgan' && s.label.startsWith('wgan'))
  || (only === 'batchnorm' && s.label.endsWith('batchnorm')) || (only === 'dropout' && s.label.includes('dropout')));

const f = (x: number, d = 3): string => x.toFixed(d);
const lines = [
  `GAN quality, ${epochs} epochs, seeds 0–${seeds - 1}, CPU backend (metrics: 5000 generated vs 5000 fresh target samples; losses: mean of the last 20 epochs).`,
  '',
  '| target | config | seed | mean | std | W1 | KLD | share > 4 | D loss | G loss | seconds |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
const summary: string[] = [];
for (const suite of suites) {
  for (const target of suite.targets) {
    const rows: QualityRow[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const r = await qualityRun(target, suite.config, seed, epochs);
      rows.push(r);
      process.stderr.write(`${suite.label} ${target} seed ${seed}: W1 ${f(r.w1)} mean ${f(r.mean)} (${f(r.seconds, 1)} s)\n`);
      lines.push(`| ${target} | ${suite.label} | ${seed} | ${f(r.mean)} | ${f(r.std)} | ${f(r.w1)} | ${f(r.kld)} | ${f(r.above4, 2)} | ${f(r.dLossLast20)} | ${f(r.gLossLast20)} | ${f(r.seconds, 1)} |`);
    }
    const w1s = rows.map((r) => r.w1);
    const mu = getTarget(target).mean[0];
    summary.push(`| ${target} | ${suite.label} | ${f(median(w1s))} | ${f(Math.max(...w1s))} | ${f(Math.max(...rows.map((r) => Math.abs(r.mean - mu))))} |`);
  }
}

if (suites.length > 0) {
  lines.push('', '| target | config | median W1 | worst W1 | worst abs(mean − target mean) |', '| --- | --- | --- | --- | --- |', ...summary);
  console.log(lines.join('\n'));
}
if (only === 'long') {
  const table = await longTable({
    seeds,
    firstSeed: Number(option('first-seed', '0')),
    targets: option('targets', LONG_TARGETS.join(',')).split(','),
    checkpoints: option('checkpoints', '300,1000,3000').split(',').map(Number),
    config: JSON.parse(option('config', '{}')) as Partial<GanConfig>,
    label: option('label', 'the default GAN'),
  });
  console.log(table.join('\n'));
}
if (only === 'all' || only === 'conditional') {
  const table = await conditionalTable(seeds, epochsGiven ? epochs : undefined);
  console.log(`${suites.length > 0 ? '\n' : ''}${table.join('\n')}`);
}
