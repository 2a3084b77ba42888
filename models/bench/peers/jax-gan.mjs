// The GAN step of gradlab's `bench --workload gan|gan-wide`, written with jax-js on its
// WebAssembly device: the whole step (minibatch draw, D step, G step, both Adam updates) is one
// jit()-compiled function, as a JAX user would write it.
//
//   G(z) = MLP(z), D(x) = MLP(x) (ReLU hidden layers, logit out), W of shape [in, out], b zeros
//   bce(ℓ, 1) = softplus(−ℓ), bce(ℓ, 0) = softplus(ℓ)             (from logits, means over the batch)
//   D step: mean bce(D(real), 1) + mean bce(D(stop_gradient(G(z₁))), 0); Adam on D
//   G step: mean bce(D(G(z₂)), 1) on fresh z₂ (non-saturating), with the updated D; Adam on G
//   Adam:   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  p ← p − lr·(m/c₁)/(√(v/c₂) + ε),  cᵢ = 1 − βᵢᵗ
//
// jax-js counts references: every function takes ownership of its array arguments, so an array
// used twice is passed once as `x.ref` (jax-js README, "Reference counting").

import { readFileSync } from 'node:fs';
import { defaultDevice, init, jit, lax, nn, numpy as np, random, tree, valueAndGrad } from '@jax-js/jax';
import { glorotNormal, layerSizes, normalData } from './gan-spec.mjs';

/** Logits of an MLP: ReLU between the layers, none after the last. Consumes `layers` and `x`. */
function forward(layers, x) {
  layers.forEach(([W, b], i) => {
    x = np.matmul(x, W).add(b);
    if (i + 1 < layers.length) x = nn.relu(x);
  });
  return x;
}

const bceOnes = (logits) => nn.softplus(logits.neg()).mean();
const bceZeros = (logits) => nn.softplus(logits).mean();

const dLossOf = (d, real, fake) => bceOnes(forward(tree.ref(d), real)).add(bceZeros(forward(d, fake)));
const gLossOf = (g, d, z) => bceOnes(forward(d, forward(g, z)));

/** One Adam update of every array in `p`; returns [p, m, v]. */
function adam(p, grad, m, v, c1, c2, { lr, beta1, beta2, eps }) {
  const m2 = tree.map((mi, gi) => mi.mul(beta1).add(gi.mul(1 - beta1)), m, tree.ref(grad));
  const v2 = tree.map((vi, gi) => vi.mul(beta2).add(gi.ref.mul(gi).mul(1 - beta2)), v, grad);
  const p2 = tree.map(
    (pi, mi, vi) => pi.sub(mi.div(c1.ref).mul(lr).div(np.sqrt(vi.div(c2.ref)).add(eps))),
    p, tree.ref(m2), tree.ref(v2),
  );
  c1.dispose();
  c2.dispose();
  return [p2, m2, v2];
}

// The package's exports leave out its package.json: read it from the folder.
const VERSION = JSON.parse(readFileSync(new URL('./node_modules/@jax-js/jax/package.json', import.meta.url), 'utf8')).version;

/** Zeros shaped like every array of a tree (Adam's moments). */
const zerosLike = (t) => tree.map((x) => np.zerosLike(x.ref), t);

export async function createJaxGan(spec, seed = 0) {
  await init('wasm');
  defaultDevice('wasm');
  const { batch, latent } = spec;
  const makeLayers = (sizes, base) => sizes.slice(1).map((n, i) => [np.array(glorotNormal(sizes[i], n, base + i)).reshape([sizes[i], n]), np.zeros([n])]);
  let params = { g: makeLayers(layerSizes(spec, 'g'), 100 * seed), d: makeLayers(layerSizes(spec, 'd'), 100 * seed + 50) };
  let opt = { mg: zerosLike(params.g), vg: zerosLike(params.g), md: zerosLike(params.d), vd: zerosLike(params.d) };
  const data = np.array(normalData(spec, seed)).reshape([spec.dataset, 1]);
  let key = random.key(seed);

  const step = jit((params, opt, key, data, c1, c2) => {
    const [kIdx, kZ1, kZ2, kNext] = random.split(key, 4);
    const real = np.take(data, random.randint(kIdx, { minval: 0, maxval: spec.dataset, shape: [batch] }), 0);
    const fake = lax.stopGradient(forward(tree.ref(params.g), random.normal(kZ1, [batch, latent])));
    const [dLoss, dGrad] = valueAndGrad(dLossOf)(tree.ref(params.d), real, fake);
    const [d, md, vd] = adam(params.d, dGrad, opt.md, opt.vd, c1.ref, c2.ref, spec.adam);
    const z2 = random.normal(kZ2, [batch, latent]);
    const [gLoss, gGrad] = valueAndGrad(gLossOf)(tree.ref(params.g), tree.ref(d), z2);
    const [g, mg, vg] = adam(params.g, gGrad, opt.mg, opt.vg, c1, c2, spec.adam);
    return { params: { g, d }, opt: { mg, vg, md, vd }, key: kNext, dLoss, gLoss };
  });

  let t = 0;
  return {
    name: `jax-js ${VERSION} wasm (jitted)`,
    /** One step, run to the end; with `read`, returns its losses [D, G], else null. */
    step(read = false) {
      t++;
      const out = step(params, opt, key, data.ref, np.array(1 - spec.adam.beta1 ** t), np.array(1 - spec.adam.beta2 ** t));
      ({ params, opt, key } = out);
      // Reading a loss runs the step: jax-js queues work until a value is read, and every
      // queued step would keep the previous ones' pending work alive.
      const losses = [out.dLoss.item(), out.gLoss.item()];
      return read ? losses : null;
    },
    /** Waits until every queued step has run. */
    async sync() {
      await params.g[0][0].blockUntilReady();
    },
  };
}
