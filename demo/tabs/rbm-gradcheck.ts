// "Check gradients" for the live RBM: the contrastive-divergence loss of Rbm.step,
//   L = mean F(v₀) − mean F(v_k),
// on a small fixed batch v₀, as a function of single entries of W, b and c (see
// model-gradcheck.ts). v_k, k Gibbs sweeps from v₀ with the current weights, is drawn once and
// held fixed: training treats it as a constant too (it is sampled outside the graph).

import { createRng, mean, sub, tensor } from '../../engine/index';
import type { Rbm } from '../../models/rbm/rbm';
import type { GradcheckRow } from '../app';
import { checkParameters, constant, PASS_NOTE, readParameters, type LossBuilder } from './model-gradcheck';

const BATCH = 16;

/** v_k: k Gibbs sweeps from the rows v₀ on the model's backend, read back. */
async function negativeSample(rbm: Rbm, v0: Float64Array, n: number): Promise<Float64Array> {
  const start = tensor(v0, [n, rbm.width]);
  const vk = rbm.gibbsFrom(start, rbm.config.k, createRng(rbm.config.seed + 1));
  const values = Float64Array.from(await vk.data());
  start.dispose();
  vk.dispose();
  return values;
}

export async function rbmGradcheck(rbm: Rbm): Promise<{ rows: GradcheckRow[]; what: string }> {
  const params = await readParameters(rbm.namedParameters());
  const v0 = await rbm.firstRows(BATCH);
  const n = v0.length / rbm.width;
  const vk = await negativeSample(rbm, v0, n);

  const loss: LossBuilder = (param) => {
    const p = { weight: param('W'), visibleBias: param('visibleBias'), hiddenBias: param('hiddenBias') };
    return sub(mean(rbm.freeEnergy(constant(v0, [n, rbm.width]), p)), mean(rbm.freeEnergy(constant(vk, [n, rbm.width]), p)));
  };
  return {
    rows: checkParameters(params, loss, [{ name: 'W', count: 4 }, { name: 'visibleBias', count: 2 }, { name: 'hiddenBias', count: 2 }]),
    what: `The CD-${rbm.config.k} loss mean F(v₀) − mean F(v_k) on ${n} training rows v₀ and a fixed Gibbs sample v_k, ` +
      `as a function of single entries of W, b and c at their current values. ${PASS_NOTE}`,
  };
}
