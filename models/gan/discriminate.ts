// D(x) at given points, for what shows a GAN: the page's D curve and field, and the training
// movie's D curve (models/report/movie). Not part of training.

import { add, noGrad, tensor, tidy, type Tensor } from '../../engine/index';
import { digitise } from '../data/binning';
import { discriminatorOutput } from './losses';
import type { Gan } from './model';

/**
 * D(x) at each point (rows of `dim` values): sigmoid of the logit, the raw critic for WGAN.
 * In binned mode each value is given to D as the one-hot row of its bin. Conditional mode:
 * D(x, c) for class c, or without c the class shares' mix Σ_c share_c·D(x, c).
 */
export async function discriminate(gan: Gan, xs: Float64Array, c?: number): Promise<Float64Array> {
  if (xs.length % gan.dim !== 0) throw new Error(`discriminate: ${xs.length} values do not form points of dimension ${gan.dim}`);
  if (c !== undefined) gan.checkClass('discriminate', c);
  const rows = gan.binning ? digitise(gan.binning, xs) : xs;
  const n = xs.length / gan.dim;
  const dOf = (x: Tensor, cls: number | undefined): Tensor => discriminatorOutput(gan.config.loss, gan.D.forward(gan.withCondition(x, cls === undefined ? null : gan.classRows(n, cls))));
  const out = gan.evaluating(() => tidy(() => noGrad(() => {
    const x = tensor(rows, [n, gan.width]);
    if (!gan.classes || c !== undefined) return dOf(x, c);
    return gan.classes.share.map((share, cls) => dOf(x, cls).mul(share)).reduce((a, b) => add(a, b));
  })));
  try {
    return Float64Array.from(await out.data());
  } finally {
    out.dispose();
  }
}
