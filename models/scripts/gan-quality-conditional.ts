// The conditional GAN's part of the GAN quality table (`npm run quality:gan -- --only conditional`):
// for each target and seed, train with the conditional defaults (GAN_CONDITIONAL), then for each
// class c score 5000 samples of G(z, c) against component c (models/gan/conditional-quality.ts).

import { GAN_CONDITIONAL_EPOCHS } from '../gan/config';
import { CONDITIONAL_GOAL, conditionalQualityRun, meetsGoal, type ConditionalQualityRow } from '../gan/conditional-quality';

export const CONDITIONAL_TARGETS = ['bimodal', '1d-trimodal'];

const f = (x: number, d = 3): string => x.toFixed(d);

/** Markdown lines: one row per seed and class, then one summary row per target. */
export async function conditionalTable(seeds: number, epochs = GAN_CONDITIONAL_EPOCHS): Promise<string[]> {
  const lines = [
    `Conditional GAN, ${epochs} epochs, seeds 0–${seeds - 1}, CPU backend (per class: 5000 samples of G(z, c) against component c; goal: ≥ ${100 * CONDITIONAL_GOAL.nearest}% nearest to its own component mean, |mean − μ_c| and |std − σ_c| ≤ ${CONDITIONAL_GOAL.meanError}).`,
    '',
    '| target | seed | class | share | mean (μ_c) | std (σ_c) | nearest own mean | goal | seconds |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const summary: string[] = [];
  for (const target of CONDITIONAL_TARGETS) {
    const rows: ConditionalQualityRow[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const r = await conditionalQualityRun(target, {}, seed, epochs);
      rows.push(r);
      process.stderr.write(`conditional ${target} seed ${seed}: ${r.passed ? 'goal met' : 'goal missed'} (${f(r.seconds, 1)} s)\n`);
      for (const c of r.classes) {
        lines.push(`| ${target} | ${seed} | ${c.class} | ${f(c.share)} | ${f(c.mean[0])} (${c.targetMean[0]}) | ${f(c.std[0])} (${c.targetStd[0]}) | ${f(100 * c.nearest, 1)}% | ${meetsGoal(c) ? 'met' : 'missed'} | ${f(r.seconds, 1)} |`);
      }
    }
    const all = rows.flatMap((r) => r.classes);
    summary.push(`| ${target} | ${rows.filter((r) => r.passed).length} / ${rows.length} | ${f(100 * Math.min(...all.map((c) => c.nearest)), 1)}% | ${f(Math.max(...all.map((c) => Math.abs(c.mean[0] - c.targetMean[0]))))} | ${f(Math.max(...all.map((c) => Math.abs(c.std[0] - c.targetStd[0]))))} |`);
  }
  lines.push('', '| target | seeds meeting the goal | lowest nearest-own-mean share | worst abs(mean − μ_c) | worst abs(std − σ_c) |', '| --- | --- | --- | --- | --- |', ...summary);
  return lines;
}
