// The GAN tab's words: what to watch, a live reading of the current run, and questions a
// learner can answer from the plots. Our own words throughout.

import { el } from '../controls';
import { callout } from '../panel';
import { isCritic, type GanLoss } from '../../models/gan/config';

/** What the notes above the plots depend on. */
export interface NoteSettings {
  loss: GanLoss;
  dim: 1 | 2;
  conditional: boolean;
  /** The class the plots show (conditional GAN), or undefined for all. */
  shownClass?: number;
}

/** The three notes: where the run should settle, signs of trouble, and how to read the picture. */
export function ganNotes(s: NoteSettings): [string, string, string] {
  const settle = isCritic(s.loss)
    ? `<strong>A critic, not a probability.</strong> With ${s.loss === 'wgan' ? 'WGAN' : s.loss === 'wgan-gp' ? 'WGAN-GP' : 'WGAN-LP'} the
      network D is a critic C(x): any real number, higher for "more like the data", with no sigmoid, so there is no 0.5 or
      ln 2 to settle at. Its loss E[C(G(z))] − E[C(x)] estimates −W₁ (Arjovsky et al. 2017) ${s.loss === 'wgan' ? 'up to the scale the clipped weights allow' : 'when the gradient penalty keeps C 1-Lipschitz'}:
      it rises toward 0 as G improves. The "critic response" plot shows the mean critic on real and fake samples; their gap is the estimate.`
    : `<strong>Where it should settle.</strong> When G's samples are indistinguishable from the data, the best D can do is
      answer 0.5 everywhere. Then D's loss −[log D(x) + log(1 − D(G(z)))] is 2 ln 2 ≈ 1.386 and G's
      ${s.loss === 'minimax' ? 'min-max loss log(1 − D(G(z))) is log ½ = −ln 2 ≈ −0.693' : 'non-saturating loss −log D(G(z)) is ln 2 ≈ 0.693'}:
      the dashed lines on the loss plot, and 0.5 on the D plot. The reverse does not hold: a dead D also sits there.`;
  const trouble = s.dim === 1
    ? `<strong>Signs of mode collapse.</strong> The generated std (solid orange) stays far below the target's (dashed);
      the green curve sits on one peak of a multi-peaked target; D's outputs swing up and down instead of settling.
      Try <em>bimodal</em> or <em>mixture</em> with a wide D and a narrow G.`
    : `<strong>Signs of mode collapse in 2D.</strong> The green points gather on some of the blue clusters and leave others
      empty; the statistics plot shows x₁ only, so read the picture. The diagnostics card compares one coordinate at a time.`;
  const picture = s.dim === 1
    ? `<strong>The arrows</strong> under the distribution are ∂D/∂x at generated samples: the way D says "more real". G's
      update drags its samples along them, so they point from where G puts too much mass toward where the data is.`
    : `<strong>The 2D view.</strong> Blue points: the data; green: G's samples; the shading is ${isCritic(s.loss) ? 'the critic C(x), rescaled to [0, 1] (blue: high, "real"; orange: low)' : 'D(x) (blue: "real", orange: "fake")'};
      each red arrow is ∂D/∂x at a generated sample, the direction G's update moves it.`;
  const cond = s.conditional
    ? ` <strong>Conditional GAN</strong> (Mirza and Osindero 2014): G(z, c) and D(x, c) both read the class c, the mixture
      component, as a one-hot row. ${s.shownClass === undefined ? 'All classes are shown, mixed by their shares; pick one class to see G(z, c) alone and its own numbers.' : `The plots show class ${s.shownClass} alone: its samples G(z, c = ${s.shownClass}), D(x, c = ${s.shownClass}), and the numbers under the plot are this class's.`}`
    : '';
  return [settle, trouble, picture + cond];
}

export function mountCallouts(parent: HTMLElement): HTMLElement[] {
  const row = el('div', { class: 'callouts' });
  const notes = ganNotes({ loss: 'nonsaturating', dim: 1, conditional: false });
  const boxes = [callout(row, 'hint', notes[0]), callout(row, 'warn', notes[1]), callout(row, 'hint', notes[2])];
  parent.append(row);
  return boxes;
}

/** Rewrite the notes for the current settings. */
export function updateCallouts(boxes: HTMLElement[], settings: NoteSettings): void {
  ganNotes(settings).forEach((html, i) => { if (boxes[i]) boxes[i].innerHTML = html; });
  boxes.forEach((b, i) => { b.dataset.note = ['settle', 'trouble', 'picture'][i]; });
}

const QUESTIONS: [string, string][] = [
  ['What goes into G and what comes out? And D?',
    'G takes a noise vector z (latent dim numbers drawn from N(0, I)) and returns one sample x (one number here, two in 2D). D takes a sample and returns one number: a logit whose sigmoid is its belief that the sample is real.'],
  ['In the min-max game, which player minimises V(D, G)?',
    'G minimises V = E[log D(x)] + E[log(1 − D(G(z)))], D maximises it. Press "step D" about 25 times while G stands still: the orange D(x) curve becomes a ramp, low where G\'s samples are and high toward the data, and it stays high beyond the data. D only has to separate two samples, not outline the data\'s bump: a small ReLU network is piecewise linear in x, so its sigmoid is a ramp between the two groups.'],
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
