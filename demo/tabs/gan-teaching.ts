// The GAN tab's words: what to watch, a live reading of the current run, and questions a
// learner can answer from the plots. Our own words throughout.

import { el } from '../controls';
import { callout } from '../panel';

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
