// The parameter budget (the JAX GAN-vs-VAE-vs-RBM benchmark): to compare models of different shapes fairly, each gets the
// hidden width H that brings its number of trainable scalars closest to one budget P.
//
// A fully connected layer a → b has a·b weights and b biases, so an MLP whose hidden layers all
// have width H has a parameter count quadratic in H (H² per hidden-to-hidden layer), or linear
// with a single hidden layer. The RBM has one weight per visible–hidden pair plus one bias per
// unit: V·H + V + H, linear in H. We solve count(H) = P in closed form and round to the nearer
// integer neighbour.

/** Σ over layers (a·b + b) for consecutive sizes [in, hidden..., out]. */
export function mlpParameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return n;
}

const hiddenSizes = (h: number, layers: number): number[] => new Array<number>(layers).fill(h);

/** VAE: encoder [width, H×layers, 2·latent] and decoder [latent, H×layers, width]. */
export function vaeParameterCount(h: number, o: { width: number; latent: number; layers: number }): number {
  return mlpParameterCount([o.width, ...hiddenSizes(h, o.layers), 2 * o.latent]) + mlpParameterCount([o.latent, ...hiddenSizes(h, o.layers), o.width]);
}

/** Diffusion: noise predictor [width + embedding, H×layers, width]. */
export function diffusionParameterCount(h: number, o: { width: number; embedding: number; layers: number }): number {
  return mlpParameterCount([o.width + o.embedding, ...hiddenSizes(h, o.layers), o.width]);
}

/** RBM: W [visible, H], visible biases, hidden biases. */
export function rbmParameterCount(h: number, o: { visible: number }): number {
  return o.visible * h + o.visible + h;
}

/** GAN: generator [latent, H×gLayers, width] and discriminator [width, H×dLayers, 1]. */
export function ganParameterCount(h: number, o: { width: number; latent: number; gLayers: number; dLayers: number }): number {
  return mlpParameterCount([o.latent, ...hiddenSizes(h, o.gLayers), o.width]) + mlpParameterCount([o.width, ...hiddenSizes(h, o.dLayers), 1]);
}

export interface BudgetSolution {
  hidden: number;
  /** The parameter count at that width. */
  parameters: number;
}

/**
 * The width H ≥ 1 whose count(H) is closest to `budget` (the smaller H on a tie). count must be
 * a polynomial of degree ≤ 2 in H, increasing for H ≥ 1: with a = (f(2) − 2f(1) + f(0))/2,
 * b = f(1) − f(0) − a, c = f(0), the real root of a·H² + b·H + c = P is
 * H* = (−b + √(b² − 4a(c − P))) / 2a  (H* = (P − c)/b when a = 0); then ⌊H*⌋ and ⌈H*⌉ are compared.
 */
export function solveHidden(count: (h: number) => number, budget: number): BudgetSolution {
  if (!(budget > 0) || !Number.isFinite(budget)) throw new Error(`budget: the parameter budget must be a positive number, got ${budget}`);
  const f0 = count(0);
  const f1 = count(1);
  const f2 = count(2);
  const a = (f2 - 2 * f1 + f0) / 2;
  const b = f1 - f0 - a;
  const c = f0;
  if (a < 0 || (a === 0 && b <= 0)) throw new Error('budget: the parameter count does not grow with the hidden width');
  const root = a === 0 ? (budget - c) / b : (-b + Math.sqrt(Math.max(0, b * b - 4 * a * (c - budget)))) / (2 * a);
  const below = Math.max(1, Math.floor(root));
  const above = below + 1;
  const best = Math.abs(count(above) - budget) < Math.abs(count(below) - budget) ? above : below;
  return { hidden: best, parameters: count(best) };
}
