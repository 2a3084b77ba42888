// The long-horizon part of the GAN quality table (`npm run quality:gan -- --only long`): the
// default GAN on the playground's five targets, each seed trained to the last checkpoint, W1 at
// each checkpoint and whether D ever went flat (models/gan/quality-long.ts says what passes).
// Options: --seeds N, --first-seed S, --targets a,b, --checkpoints 300,1000,3000, --config '{"lrDecay":0}' (laid
// over the defaults: for screening other settings), --label NAME.

import type { GanConfig } from '../gan';
import { FLAT_EVERY, FLAT_RANGE, LONG_SCORE_SAMPLES, longRun, STAY_FACTOR, type LongRow } from '../gan/quality-long';

export const LONG_TARGETS = ['normal', 'bimodal', 'uniform', 'exponential', 'mixture'];

const f = (x: number, d = 3): string => x.toFixed(d);

export interface LongOptions {
  /** Seeds firstSeed … firstSeed + seeds − 1. */
  seeds: number;
  firstSeed: number;
  targets: string[];
  checkpoints: number[];
  config: Partial<GanConfig>;
  label: string;
}

/** Markdown lines: one row per target and seed, then the count of passing runs. */
export async function longTable(o: LongOptions): Promise<string[]> {
  const cps = o.checkpoints;
  const lines = [
    `GAN long-horizon check (${o.label}), seeds ${o.firstSeed}–${o.firstSeed + o.seeds - 1}, CPU backend: W1 of ${LONG_SCORE_SAMPLES} samples against the target's exact quantile function at epochs ${cps.join(', ')}; pass: W1 at each later epoch ≤ ${STAY_FACTOR}× W1 at epoch ${cps[0]}, D never flat (D(x) varying by less than ${FLAT_RANGE} across the target's range, checked every ${FLAT_EVERY} epochs), normal under W1 0.2 and bimodal under 0.45 with both modes (share above 4 in [0.35, 0.65]) at every checkpoint.`,
    '',
    `| target | seed | ${cps.map((e) => `W1 @ ${e}`).join(' | ')} | smallest D range | D flat? | pass | seconds |`,
    `| --- | --- | ${cps.map(() => '---').join(' | ')} | --- | --- | --- | --- |`,
  ];
  const rows: LongRow[] = [];
  for (const target of o.targets) {
    for (let seed = o.firstSeed; seed < o.firstSeed + o.seeds; seed++) {
      const r = await longRun(target, o.config, seed, cps);
      rows.push(r);
      const w = r.checkpoints.map((c) => `${f(c.w1)} (${f(c.mean, 2)}±${f(c.std, 2)}, >4 ${f(c.above4, 2)})`).join(' ');
      process.stderr.write(`long ${o.label} ${target} seed ${seed}: W1 ${w}${r.failures.length ? ` FAIL: ${r.failures.join('; ')}` : ' pass'}; smallest D range ${r.minRange.toExponential(1)} (${f(r.seconds, 1)} s)\n`);
      lines.push(`| ${target} | ${seed} | ${r.checkpoints.map((c) => f(c.w1)).join(' | ')} | ${r.minRange.toExponential(1)} | ${r.flatAt === null ? 'no' : `at epoch ${r.flatAt}`} | ${r.failures.length ? `**fail**: ${r.failures.join('; ')}` : 'pass'} | ${f(r.seconds, 0)} |`);
    }
  }
  lines.push('', `${rows.filter((r) => r.failures.length === 0).length} of ${rows.length} runs pass.`);
  return lines;
}
