// The GAN step of gradlab's `bench --workload gan|gan-wide`, written with TensorFlow.js 4.22 on
// its WebAssembly backend (SIMD; Node has no Web Workers, so one thread), as the TensorFlow.js
// GAN playground trains: tf.variables, optimizer.minimize() per network, tf.tidy around the step.
//
//   G(z) = MLP(z), D(x) = MLP(x) (ReLU hidden layers, logit out), W of shape [in, out], b zeros
//   bce(ℓ, 1) = softplus(−ℓ), bce(ℓ, 0) = softplus(ℓ)             (from logits, means over the batch)
//   D step: mean bce(D(real), 1) + mean bce(D(G(z₁)), 0), G(z₁) outside the gradient; Adam on D
//   G step: mean bce(D(G(z₂)), 1) on fresh z₂ (non-saturating), with the updated D; Adam on G

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs'; // the union package: its Node bundle registers the gradients
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { glorotNormal, layerSizes, normalData } from './gan-spec.mjs';

/** Logits of an MLP: ReLU between the layers, none after the last. */
function forward(layers, x) {
  layers.forEach(([W, b], i) => {
    x = tf.add(tf.matMul(x, W), b);
    if (i + 1 < layers.length) x = tf.relu(x);
  });
  return x;
}

const bceOnes = (logits) => tf.mean(tf.softplus(tf.neg(logits)));
const bceZeros = (logits) => tf.mean(tf.softplus(logits));

export async function createTfjsGan(spec, seed = 0) {
  // The .wasm files sit next to the backend's bundle; in Node they are read from disk.
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js: the wasm backend did not start');
  const { batch, latent, dataset } = spec;
  const makeLayers = (sizes, base) => sizes.slice(1).map((n, i) => [
    tf.variable(tf.tensor2d(glorotNormal(sizes[i], n, base + i), [sizes[i], n])),
    tf.variable(tf.zeros([n])),
  ]);
  const g = makeLayers(layerSizes(spec, 'g'), 100 * seed);
  const d = makeLayers(layerSizes(spec, 'd'), 100 * seed + 50);
  const data = tf.tensor2d(normalData(spec, seed), [dataset, 1]);
  const { lr, beta1, beta2, eps } = spec.adam;
  const optG = tf.train.adam(lr, beta1, beta2, eps);
  const optD = tf.train.adam(lr, beta1, beta2, eps);
  const gVars = g.flat();
  const dVars = d.flat();

  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return {
    name: `TF.js ${tf.version_core} wasm${simd ? ' (SIMD)' : ''}`,
    /** One step; with `read`, returns its losses [D, G], else null. */
    step(read = false) {
      const [dLoss, gLoss] = tf.tidy(() => {
        const real = tf.gather(data, tf.randomUniform([batch], 0, dataset, 'int32'));
        const fake = forward(g, tf.randomNormal([batch, latent]));
        const dLoss = optD.minimize(() => tf.add(bceOnes(forward(d, real)), bceZeros(forward(d, fake))), true, dVars);
        const z2 = tf.randomNormal([batch, latent]);
        const gLoss = optG.minimize(() => bceOnes(forward(d, forward(g, z2))), true, gVars);
        return [dLoss, gLoss];
      });
      const losses = read ? [dLoss.dataSync()[0], gLoss.dataSync()[0]] : null;
      dLoss.dispose();
      gLoss.dispose();
      return losses;
    },
    /** The wasm backend runs each op as it is called: nothing is queued. */
    async sync() {},
  };
}
