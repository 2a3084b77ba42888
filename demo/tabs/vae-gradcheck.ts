// "Check gradients" for the live VAE: its loss on a small fixed batch, as a function of single
// encoder and decoder weights (see model-gradcheck.ts). As in Vae.step:
//   h = encoder(x),  μ, log σ² = the two halves of h,  z = μ + exp(½ log σ²) ⊙ ε,  x̂ = decoder(z)
//   loss = ‖x − x̂‖² (or −Σ_k x_k log softmax(x̂)_k when binned) + β·KL(N(μ, σ²) ‖ N(0, I))
// with ε drawn once and held fixed, so that the loss is a deterministic function of the weights.

import { add, createRng, exp, gaussianKl, logSoftmax, mean, mul, pow, sliceAxis, sub, sum } from '../../engine/index';
import type { Vae } from '../../models/vae/vae';
import type { GradcheckRow } from '../app';
import { checkParameters, constant, endWeights, mlpForward, PASS_NOTE, readParameters, type LossBuilder } from './model-gradcheck';

const BATCH = 16;

export async function vaeGradcheck(vae: Vae): Promise<{ rows: GradcheckRow[]; what: string }> {
  const { latent, beta, seed } = vae.config;
  const params = await readParameters(vae.namedParameters());
  const x = await vae.firstRows(BATCH);
  const n = x.length / vae.width;
  const eps = new Float64Array(n * latent);
  createRng(seed + 1).fillNormal(eps);

  const loss: LossBuilder = (param) => {
    const xT = constant(x, [n, vae.width]);
    const h = mlpForward(xT, vae.encoder, 'encoder.', param);
    const mu = sliceAxis(h, 1, 0, latent);
    const logVar = sliceAxis(h, 1, latent, 2 * latent);
    const z = add(mu, mul(exp(mul(logVar, 0.5)), constant(eps, [n, latent])));
    const out = mlpForward(z, vae.decoder, 'decoder.', param);
    const recon = vae.binning
      ? mul(mean(sum(mul(xT, logSoftmax(out, -1)), 1)), -1)
      : mean(sum(pow(sub(out, xT), 2), 1));
    return add(recon, mul(gaussianKl(mu, logVar), beta));
  };
  const names = [...endWeights(vae.encoder, 'encoder.'), ...endWeights(vae.decoder, 'decoder.')];
  return {
    rows: checkParameters(params, loss, names.map((name) => ({ name, count: 2 }))),
    what: `The VAE's loss (${vae.binning ? 'cross-entropy' : 'squared reconstruction error'} + ${beta}·KL) on ${n} training rows with a fixed ε, ` +
      `as a function of single weights of the encoder's and decoder's first and last layers at their current values. ${PASS_NOTE}`,
  };
}
