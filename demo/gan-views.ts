// What the GAN tab draws beyond samples, computed from a Gan: D(x) (models/gan/discriminate.ts,
// shared with the training movie), the arrows ∂D/∂x at generated samples, and G along a latent
// walk. None of these trains or disturbs training's random stream.

import { noGrad, randn, softmax, sum, tensor, tidy, type Tensor } from '../engine/index';
import { decodeSoft } from '../models/data/binning';
import { checkCount, type Gan } from '../models/gan/model';
import { latentPath } from '../models/gan/latent-path';
import { discriminatorOutput } from '../models/gan/losses';

export { discriminate } from '../models/gan/discriminate';

/**
 * n generated samples and ∂D/∂x at each (the arrows of GAN Lab: where D would push each
 * sample to look more real). D is sigmoid(logit), or the raw critic for WGAN.
 */
export async function sampleWithGradients(gan: Gan, n: number, c?: number): Promise<{ samples: Float64Array; grads: Float64Array }> {
  checkCount('sampleWithGradients', n);
  if (c !== undefined) gan.checkClass('sampleWithGradients', c);
  if (gan.binning) throw new Error('sampleWithGradients: not available in binned mode (D reads one-hot rows, not points with a gradient)');
  const dParams = gan.D.parameters();
  for (const p of dParams) p.requiresGrad = false;
  // Conditional: the classes of the samples (given, or drawn with the class shares), for G and D.
  const cond = gan.classes ? tidy(() => (c === undefined ? gan.drawClasses(n, gan.viewRng) as Tensor : gan.classRows(n, c))) : null;
  let x: Tensor;
  try {
    x = gan.evaluating(() => tidy(() => noGrad(() => gan.sampler.forward(gan.withCondition(randn([n, gan.config.latent], gan.viewRng), cond)))));
    x.requiresGrad = true;
    gan.evaluating(() => tidy(() => sum(discriminatorOutput(gan.config.loss, gan.D.forward(gan.withCondition(x, cond)))).backward()));
  } finally {
    for (const p of dParams) p.requiresGrad = true;
    cond?.dispose();
  }
  try {
    const [samples, grads] = await Promise.all([x.data(), x.grad!.data()]);
    return { samples: Float64Array.from(samples), grads: Float64Array.from(grads) };
  } finally {
    x.grad?.dispose();
    x.dispose();
  }
}

/**
 * G(z) along the lerp or slerp path between two latent points drawn from `seed` (latent-path.ts).
 * In binned mode, the expectation Σ_k softmax(ℓ)_k·c_k over the bin centres. Conditional
 * mode: G(z, c) for the class c (default 0).
 */
export async function latentWalk(gan: Gan, points: number, mode: 'lerp' | 'slerp', seed = 0, c = 0): Promise<Float64Array> {
  checkCount('latentWalk', points);
  if (gan.classes) gan.checkClass('latentWalk', c);
  const zs = latentPath(gan.config.latent, points, mode, seed);
  const out = tidy(() => noGrad(() => {
    const cond = gan.classes ? gan.classRows(points, c) : null;
    const x = gan.sampler.forward(gan.withCondition(tensor(zs, [points, gan.config.latent]), cond));
    return gan.binning ? softmax(x, -1) : x;
  }));
  try {
    const values = await out.data();
    return gan.binning ? decodeSoft(gan.binning, values) : Float64Array.from(values);
  } finally {
    out.dispose();
  }
}
