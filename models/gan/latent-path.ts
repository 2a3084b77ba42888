// Points along a path between two latent vectors z0, z1 (drawn from `seed`), for G to decode:
//   lerp:  z(t) = (1 − t) z0 + t z1
//   slerp: z(t) = sin((1 − t)θ)/sin θ · z0 + sin(tθ)/sin θ · z1,  cos θ = z0·z1 / (|z0| |z1|)
// Slerp keeps |z| near the typical norm √latent, where G was trained; lerp cuts through the
// low-density middle of the Gaussian (the TensorFlow.js GAN playground post).

import { createRng } from '../../engine/index';

/** `points` latent vectors of `latent` numbers each, row after row. */
export function latentPath(latent: number, points: number, mode: 'lerp' | 'slerp', seed: number): Float64Array {
  if (mode !== 'lerp' && mode !== 'slerp') throw new Error(`latentWalk: mode must be 'lerp' or 'slerp', got ${String(mode)}`);
  const ends = new Float64Array(2 * latent);
  createRng(seed).fillNormal(ends);
  const z0 = ends.subarray(0, latent);
  const z1 = ends.subarray(latent);
  const norm = (z: Float64Array): number => Math.sqrt(z.reduce((s, v) => s + v * v, 0));
  const dot = z0.reduce((s, v, i) => s + v * z1[i], 0);
  const theta = Math.acos(Math.min(1, Math.max(-1, dot / (norm(z0) * norm(z1)))));
  const zs = new Float64Array(points * latent);
  for (let i = 0; i < points; i++) {
    const t = points === 1 ? 0 : i / (points - 1);
    let a = 1 - t;
    let b = t;
    // (Nearly) parallel end points: slerp tends to lerp.
    if (mode === 'slerp' && Math.sin(theta) > 1e-6) {
      a = Math.sin((1 - t) * theta) / Math.sin(theta);
      b = Math.sin(t * theta) / Math.sin(theta);
    }
    for (let j = 0; j < latent; j++) zs[i * latent + j] = a * z0[j] + b * z1[j];
  }
  return zs;
}
