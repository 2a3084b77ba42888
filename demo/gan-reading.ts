// The GAN tab's live reading: what state the run is in, decided from measurements, in words.
// Pure functions on the training history, the target and a probe of the live networks
// (gan-probe.ts), so that tests can build each state and check what is said about it:
//   - divergence: a non-finite loss or sample, or W1 far above its best and still growing;
//   - a dead D: every hidden ReLU unit of one of D's layers is off for every input, so
//     D(x) is one constant and ∂D/∂x ≡ 0: G gets no gradient at all;
//   - a saturated D: D(G(z)) → 0, where the min-max loss log(1 − D(G(z))) is flat (Goodfellow
//     et al. 2014, section 3: the reason for the non-saturating loss);
//   - mode collapse: the generated std far below the target's, or a mixture's modes given shares
//     far from their weights;
//   - oscillation: the losses or D's outputs swinging between epochs instead of settling;
//   - near equilibrium: W1 and KLD small against the target's spread (the moments alone can
//     match while a mode is in the wrong place).

import type { HistoryRecord } from '../models/core/model';
import type { Target } from '../models/data/targets';
import { isCritic, type GanLoss } from '../models/gan/config';

export type ReadingState = 'waiting' | 'divergence' | 'dead-d' | 'saturated-d' | 'mode-collapse' | 'oscillation' | 'equilibrium' | 'learning';

/** What the probe measured on the live networks (gan-probe.ts). */
export interface GanProbe {
  /** Per hidden layer of D: the share of ReLU units that are off (≤ 0) for every input; empty when unknown. */
  deadShare: number[];
  /** max |∂D/∂x| over generated samples (NaN when not measured). */
  gradMax: number;
  /** Generated samples (interleaved pairs in 2D), for the mode shares. */
  samples?: Float64Array;
}

export interface GanReading {
  state: ReadingState;
  kind: 'hint' | 'watch' | 'warn';
  html: string;
}

const LN2 = Math.log(2);
/** Epochs averaged for a reading. */
const WINDOW = 8;
/** D(G(z)) below this: D rejects G's samples with near certainty. */
const SATURATED = 0.05;
/** Generated std below this share of the target's: collapse. */
const NARROW = 0.35;
/** A mode whose share of the samples is below this share of its weight is "missing". */
const MISSING_MODE = 0.3;
/** W1 below this share of the target's std, and KLD below EQUILIBRIUM_KLD: near equilibrium. */
const EQUILIBRIUM_W1 = 0.1;
const EQUILIBRIUM_KLD = 0.1;
/** W1 this many times its best so far, and above the target's std: diverging. */
const DIVERGED = 4;

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function spread(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / values.length);
}

/** The target's spread: its std in 1D, the mean of the two coordinates' stds in 2D. */
export function targetSpread(target: Target): number {
  return mean(target.std.slice(0, target.dim));
}

/**
 * Each mixture component's share of the generated samples (a sample counts for the component
 * whose mean is nearest in units of that component's std), beside its weight. Null for a
 * target without components.
 */
export function modeShares(samples: ArrayLike<number>, target: Target): { weight: number; share: number; mean: number[] }[] | null {
  const parts = target.components;
  if (!parts || parts.length < 2 || samples.length < target.dim) return null;
  const counts = new Array<number>(parts.length).fill(0);
  const n = Math.floor(samples.length / target.dim);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDistance = Infinity;
    parts.forEach((p, k) => {
      let d = 0;
      for (let j = 0; j < target.dim; j++) d += ((samples[i * target.dim + j] - p.mean[j]) / p.std[j]) ** 2;
      if (d < bestDistance) { bestDistance = d; best = k; }
    });
    counts[best]++;
  }
  return parts.map((p, k) => ({ weight: p.weight, share: counts[k] / n, mean: p.mean }));
}

const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

/** The reading of the last epochs of a run. */
export function readGan(history: readonly HistoryRecord[], target: Target, loss: GanLoss, probe: GanProbe | null): GanReading {
  const last = history[history.length - 1];
  const say = (state: ReadingState, kind: GanReading['kind'], text: string): GanReading =>
    ({ state, kind, html: `<strong>Live reading${last ? ` (epoch ${last.epoch})` : ''}: ${TITLES[state]}.</strong> ${text}` });
  if (!last) return say('waiting', 'hint', 'Press Start (or Step) and this box will say what the measurements show.');
  const recent = history.slice(-WINDOW);
  const col = (k: string): number[] => recent.map((r) => r[k]);
  const critic = isCritic(loss);
  const sigma = targetSpread(target);
  const numbers = `W₁ ${fmt(last.w1)}, KLD ${fmt(last.kld)}; generated mean ${fmt(last.genMean, 2)} (target ${fmt(target.mean[0], 2)}), std ${fmt(last.genStd, 2)} (target ${fmt(target.std[0], 2)}).`;

  // Divergence: something is no longer a number, or W1 has run far away from its best.
  const nonFinite = ['gLoss', 'dLoss', 'w1', 'genMean', 'genStd'].filter((k) => k in last && !Number.isFinite(last[k]));
  const bestW1 = Math.min(...history.map((r) => r.w1).filter(Number.isFinite));
  // W1 going up and down by a large factor again and again: a swing (oscillation), not a run-away.
  const w1s = col('w1');
  const turns = w1s.slice(1, -1).filter((v, i) => (v - w1s[i]) * (w1s[i + 2] - v) < 0).length;
  const w1Swing = recent.length >= 6 && turns >= 2 && Math.max(...w1s) > 3 * Math.min(...w1s);
  const w1Rising = history.length >= 2 && last.w1 > history[history.length - 2].w1 && !w1Swing;
  if (nonFinite.length > 0 || (probe?.samples && probe.samples.some((v) => !Number.isFinite(v)))) {
    return say('divergence', 'warn', `${nonFinite.length ? nonFinite.join(', ') : 'the samples'} stopped being finite numbers: the weights blew up. Lower the learning rate and press Reset.`);
  }
  if (last.w1 > DIVERGED * bestW1 && last.w1 > sigma && w1Rising) {
    return say('divergence', 'warn', `W₁ ${fmt(last.w1)} is ${fmt(last.w1 / bestW1, 1)}× its best (${fmt(bestW1)}) and still rising: G is running away from the data. ${numbers}`);
  }

  // A dead D: a layer whose ReLUs are all off passes the same numbers on for every input.
  const deadLayer = probe ? probe.deadShare.findIndex((s) => s >= 1) : -1;
  if (deadLayer >= 0) {
    return say('dead-d', 'warn', `every ReLU unit of D's hidden layer ${deadLayer + 1} is off for every input, so D(x) is the same number everywhere (D(x) ${fmt(last.dReal, 2)}, D(G(z)) ${fmt(last.dFake, 2)}) and ∂D/∂x ≡ 0: G gets no gradient and stops moving. ${critic ? '' : 'The losses sitting on 2 ln 2 and ln 2 here do not mean equilibrium. '}A dead ReLU never comes back by itself: press Reset, and try LeakyReLU or a smaller learning rate. ${numbers}`);
  }

  if (probe && probe.gradMax === 0) {
    return say('dead-d', 'warn', `∂D/∂x is exactly 0 at every generated sample: D's units are all off wherever G's samples are, so G gets no gradient there and stops moving. ${numbers}`);
  }

  // A saturated D: it rejects G's samples with certainty.
  if (!critic && mean(col('dFake')) < SATURATED) {
    const why = loss === 'minimax'
      ? 'With the min-max loss G minimises log(1 − D(G(z))), which is flat where D(G(z)) ≈ 0: its gradient vanishes and G barely moves. The non-saturating loss −log D(G(z)) is steep exactly there.'
      : 'The non-saturating loss −log D(G(z)) still gives G a strong gradient here; if it lasts, a smaller D or learning rate helps.';
    return say('saturated-d', 'warn', `D(G(z)) ≈ ${fmt(mean(col('dFake')))}, D(x) ≈ ${fmt(mean(col('dReal')), 2)}: D rejects G's samples with near certainty. ${why} ${numbers}`);
  }

  // Mode collapse: too narrow, or a mixture's mode left out.
  const shares = probe?.samples ? modeShares(probe.samples, target) : null;
  const missing = shares?.filter((m) => m.share < MISSING_MODE * m.weight) ?? [];
  if (target.dim === 1 && last.genStd < NARROW * target.std[0]) {
    return say('mode-collapse', 'warn', `the generated std ${fmt(last.genStd)} is far below the target's ${fmt(target.std[0])}: G maps most z to a narrow region. ${numbers}`);
  }
  if (missing.length > 0 && shares) {
    const list = shares.map((m) => `${m.mean.map((v) => v.toFixed(1)).join(', ')}: ${(100 * m.share).toFixed(0)}% (should be ${(100 * m.weight).toFixed(0)}%)`).join('; ');
    return say('mode-collapse', 'warn', `${missing.length} of the target's ${shares.length} modes get almost no samples (share of the samples nearest each mode: ${list}). ${numbers}`);
  }

  // Oscillation: the players chase each other: the losses swing, or W1 goes up and down by
  // a large factor again and again (G's samples sweep past the data and back).
  const swing = recent.length >= 6 ? Math.max(spread(col('gLoss')), critic ? 0 : 2 * spread(col('dFake'))) : 0;
  if (swing > 0.25 || w1Swing) {
    return say('oscillation', 'warn', `${w1Swing ? `W₁ went up and down ${turns} times in the last ${recent.length} epochs, between ${fmt(Math.min(...w1s))} and ${fmt(Math.max(...w1s))}; ` : ''}G's loss swings by ±${fmt(spread(col('gLoss')), 2)}${critic ? '' : ` and D(G(z)) by ±${fmt(spread(col('dFake')), 2)}`}: the two players are chasing each other rather than settling. A smaller learning rate or Adam β₁ 0.5 damps it. ${numbers}`);
  }

  // Near equilibrium, from the distances (not from the losses or the moments).
  if (last.w1 < EQUILIBRIUM_W1 * sigma && last.kld < EQUILIBRIUM_KLD) {
    const losses = critic
      ? `The critic's loss ${fmt(last.dLoss)} estimates −W₁ up to the critic's scale.`
      : `D(x) ${fmt(last.dReal, 2)}, D(G(z)) ${fmt(last.dFake, 2)} (0.5 when D cannot tell), D's loss ${fmt(last.dLoss)} (2 ln 2 = ${fmt(2 * LN2)}).`;
    return say('equilibrium', 'hint', `W₁ ${fmt(last.w1)} is under ${EQUILIBRIUM_W1} × the target's std (${fmt(sigma, 2)}) and KLD ${fmt(last.kld)} under ${EQUILIBRIUM_KLD}: the samples match the data. ${losses} ${numbers}`);
  }
  const near = !critic && Math.abs(mean(col('dLoss')) - 2 * LN2) < 0.08 && Math.abs(mean(col('dReal')) - 0.5) < 0.1;
  return say('learning', 'watch', `${near ? 'D answers about 0.5 and the losses sit near 2 ln 2 and ln 2, yet W₁ and KLD say the samples do not match the data yet: loss values alone do not prove convergence. ' : ''}${critic ? `Critic loss ${fmt(last.dLoss)} (≈ −W₁ up to scale).` : `D(x) ${fmt(last.dReal, 2)}, D(G(z)) ${fmt(last.dFake, 2)}.`} ${numbers}`);
}

const TITLES: Record<ReadingState, string> = {
  waiting: 'nothing trained yet',
  divergence: 'divergence',
  'dead-d': 'a dead discriminator',
  'saturated-d': 'a saturated discriminator',
  'mode-collapse': 'mode collapse',
  oscillation: 'oscillation',
  equilibrium: 'near equilibrium',
  learning: 'still learning',
};
