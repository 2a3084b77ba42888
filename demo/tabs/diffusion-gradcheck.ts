// "Check gradients" for the live diffusion model: the noise-prediction loss of Diffusion.step,
//   x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε,   loss = mean ‖ε − ε_θ([x_t, emb(t)])‖²,
// on a small fixed batch x₀, as a function of single weights of ε_θ (see model-gradcheck.ts).
// The steps t and the noise ε are drawn once and held fixed, so x_t and the time embedding are
// constants and the loss is a deterministic function of the weights.

import { createRng, mean, pow, sub } from '../../engine/index';
import { noiseSchedule, timeEmbedding, type Diffusion } from '../../models/diffusion/diffusion';
import type { GradcheckRow } from '../app';
import { checkParameters, constant, endWeights, mlpForward, PASS_NOTE, readParameters, type LossBuilder } from './model-gradcheck';

const BATCH = 16;

export async function diffusionGradcheck(model: Diffusion): Promise<{ rows: GradcheckRow[]; what: string }> {
  const { steps: T, embedding: E, seed } = model.config;
  const V = model.width;
  const params = await readParameters(model.namedParameters());
  const rows = await model.firstRows(BATCH);
  // Binned rows are one-hot, diffused as ±1 (as Diffusion.cleanBatch).
  const x0 = model.binning ? rows.map((v) => 2 * v - 1) : rows;
  const n = x0.length / V;
  const rng = createRng(seed + 1);
  const t = Array.from({ length: n }, () => rng.int(T));
  const noise = new Float64Array(n * V);
  rng.fillNormal(noise);
  const { alphaBar } = noiseSchedule(model.config);
  const emb = timeEmbedding(T, E);
  // The network's input rows [x_t, emb(t)].
  const input = new Float64Array(n * (V + E));
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < V; d++) {
      input[i * (V + E) + d] = Math.sqrt(alphaBar[t[i]]) * x0[i * V + d] + Math.sqrt(1 - alphaBar[t[i]]) * noise[i * V + d];
    }
    input.set(emb.subarray(t[i] * E, (t[i] + 1) * E), i * (V + E) + V);
  }

  const loss: LossBuilder = (param) => {
    const predicted = mlpForward(constant(input, [n, V + E]), model.net, 'net.', param);
    return mean(pow(sub(predicted, constant(noise, [n, V])), 2));
  };
  return {
    rows: checkParameters(params, loss, endWeights(model.net, 'net.').map((name) => ({ name, count: 3 }))),
    what: `The noise-prediction loss on ${n} training rows with fixed steps t and noise ε, ` +
      `as a function of single weights of ε_θ's first and last layers at their current values. ${PASS_NOTE}`,
  };
}
