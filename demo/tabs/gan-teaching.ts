// The GAN tab's words: what to watch, a live reading of the current run, and questions a
// learner can answer from the plots. Our own words throughout.

import type { HistoryRecord } from '../../models/core/model';
import type { Target } from '../../models/data/targets';
import { el } from '../controls';
import { callout } from '../panel';
import { isCritic, type GanLoss } from '../../models/gan/config';

const LN2 = Math.log(2);

export function mountCallouts(parent: HTMLElement): HTMLElement {
  const row = el('div', { class: 'callouts' });
  callout(row, 'hint', `<strong>Where it should settle.</strong> When G's samples are indistinguishable from the data,
    the best D can do is answer 0.5 everywhere. Then D's loss −[log D(x) + log(1 − D(G(z)))] is 2 ln 2 ≈ 1.386 and G's
    non-saturating loss −log D(G(z)) is ln 2 ≈ 0.693: the dashed lines on the loss plot, and 0.5 on the D plot.`);
  callout(row, 'warn', `<strong>Signs of mode collapse.</strong> The generated std (solid orange) stays far below the
    target's (dashed); the green curve sits on one peak of a multi-peaked target; D(G(z)) swings up and down instead
    of settling. Try <em>bimodal</em> or <em>mixture</em> with a wide D and a narrow G.`);
  callout(row, 'hint', `<strong>The arrows</strong> under the distribution are ∂D/∂x at generated samples: the way D
    says "more real". G's update drags its samples along them, so they point from where G puts too much mass
    toward where the data is.`);
  parent.append(row);
  return row;
}

/** A live reading of the last epochs, in one or two sentences. */
export function diagnose(history: readonly HistoryRecord[], target: Target, loss: GanLoss): { kind: 'hint' | 'watch' | 'warn'; html: string } {
  const last = history[history.length - 1];
  if (!last) return { kind: 'hint', html: '<strong>Live reading.</strong> Press Start (or Step) and this box will describe what the plots show.' };
  const recent = history.slice(-8);
  const avg = (k: string): number => recent.reduce((s, r) => s + r[k], 0) / recent.length;
  const spread = (k: string): number => {
    const m = avg(k);
    return Math.sqrt(recent.reduce((s, r) => s + (r[k] - m) ** 2, 0) / recent.length);
  };
  const targetStd = target.std[0];
  const lines: string[] = [];
  let kind: 'hint' | 'watch' | 'warn' = 'watch';
  if (isCritic(loss)) {
    lines.push(`The critic's loss ${last.dLoss.toFixed(3)} estimates −W₁ between data and samples (up to the clip's scale): watch it rise toward 0 as G improves. W₁ from samples: ${last.w1.toFixed(3)}.`);
  } else {
    if (avg('dReal') > 0.85 && avg('dFake') < 0.15) {
      kind = 'warn';
      lines.push(`D is winning easily (D(x) ≈ ${avg('dReal').toFixed(2)}, D(G(z)) ≈ ${avg('dFake').toFixed(2)}). ${loss === 'minimax' ? 'With the min-max loss G now gets almost no gradient: switch to non-saturating.' : 'G still gets a gradient from the non-saturating loss; a smaller D or learning rate can help.'}`);
    } else if (Math.abs(avg('dLoss') - 2 * LN2) < 0.08 && Math.abs(avg('gLoss') - LN2) < 0.08 && Math.abs(avg('dReal') - 0.5) < 0.1) {
      const matched = Math.abs(last.genMean - target.mean[0]) < 0.25 * targetStd && Math.abs(last.genStd / targetStd - 1) < 0.3;
      lines.push(matched
        ? `Near equilibrium: D's loss ${avg('dLoss').toFixed(3)} (2 ln 2 = 1.386), G's ${avg('gLoss').toFixed(3)} (ln 2 = 0.693), D(x) ≈ D(G(z)) ≈ 0.5, and the moments match: D can no longer tell them apart.`
        : `The losses sit near 2 ln 2 and ln 2, yet G's samples do not match the data yet: a D that is still weak (or just reset) also answers ≈ 0.5. Loss values alone do not prove convergence; read the distribution plot.`);
    } else {
      lines.push(`D(x) on real ${last.dReal.toFixed(2)}, D(G(z)) on fake ${last.dFake.toFixed(2)}; D classifies ${(50 * (last.accReal + last.accFake)).toFixed(0)}% of the batch right.`);
    }
    if (recent.length >= 6 && spread('gLoss') > 0.25) {
      kind = 'warn';
      lines.push(`G's loss swings by ±${spread('gLoss').toFixed(2)} between epochs: the two players are chasing each other rather than settling.`);
    }
  }
  if (last.genStd < 0.35 * targetStd) {
    kind = 'warn';
    lines.push(`Generated std ${last.genStd.toFixed(3)} is far below the target's ${targetStd.toFixed(3)}: G maps most z to a narrow region (mode collapse).`);
  } else {
    lines.push(`Mean ${last.genMean.toFixed(2)} vs ${target.mean[0].toFixed(2)}, std ${last.genStd.toFixed(2)} vs ${targetStd.toFixed(2)}; W₁ ${last.w1.toFixed(3)}, KLD ${last.kld.toFixed(3)}.`);
  }
  return { kind, html: `<strong>Live reading (epoch ${last.epoch}).</strong> ${lines.join(' ')}` };
}

const QUESTIONS: [string, string][] = [
  ['What goes into G and what comes out? And D?',
    'G takes a noise vector z (latent dim numbers drawn from N(0, I)) and returns one sample x (one number here, two in 2D). D takes a sample and returns one number: a logit whose sigmoid is its belief that the sample is real.'],
  ['In the min-max game, which player minimises V(D, G)?',
    'G minimises V = E[log D(x)] + E[log(1 − D(G(z)))], D maximises it. Press "step D" a few times: the orange D(x) curve sharpens around the data while G stands still.'],
  ['Why is the non-saturating loss −log D(G(z)) the default?',
    'Early on D rejects G\'s samples confidently, D(G(z)) ≈ 0, where log(1 − D(G(z))) is flat: G gets almost no gradient. −log D(G(z)) is steep exactly there. Switch "loss" to min-max on a far target (exponential) and compare.'],
  ['What is mode collapse, and which plot shows it first?',
    'G sends most of its noise to a few places that fool the current D, ignoring the rest of the data. The std plot (generated std well under the target\'s) and the rug (ticks bunched on one peak) show it first.'],
  ['Why must the fake batch be detached when D is trained?',
    'D\'s update should change D only. Without the detach, backward() would also compute gradients for G\'s weights through the fake samples — wasted work, and wrong if an optimizer then applied them. The "under the hood" list shows the D update has no G kernels in its backward pass.'],
  ['Why walk the latent space along a slerp rather than a straight line?',
    'In d dimensions a Gaussian z has |z| ≈ √d almost always. The straight line between two such points passes closer to the origin, where G saw few inputs in training; slerp stays on the shell. The |z| plot beside the walk shows the dip.'],
];

export function mountQuestions(parent: HTMLElement): void {
  const box = el('details', { class: 'card questions' });
  box.append(el('summary', {}, 'Check yourself: six questions the plots can answer'));
  const list = el('ol');
  for (const [q, a] of QUESTIONS) {
    const item = el('li', {}, q);
    const answer = el('details');
    answer.append(el('summary', {}, 'answer'), el('p', {}, a));
    item.append(answer);
    list.append(item);
  }
  box.append(list);
  parent.append(box);
}
