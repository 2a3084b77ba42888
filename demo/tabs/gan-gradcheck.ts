// "Check gradients" for the live GAN: gradcheck (engine/gradcheck.ts) on a few entries of D's
// and G's weights at their current values, on a small fixed batch. For each entry w we check
// the scalar function w ↦ loss(θ with that entry set to w): its analytic derivative from
// backward() against the central difference, in float64 on the CPU. A conditional GAN's
// networks read [z | onehot(c)] and [x | onehot(c)], with the classes of the real batch.

import { add, concat, gradcheck, linear, mul, tensor, type Tensor } from '../../engine/index';
import type { Gan } from '../../models/gan';
import { joinColumns, oneHotRows } from '../../models/gan/conditional';
import { discriminatorLoss, generatorLoss } from '../../models/gan/losses';
import type { GradcheckRow } from '../app';

const BATCH = 16;

interface LayerValues {
  w: Float64Array;
  b: Float64Array;
  inF: number;
  outF: number;
}

async function readLayers(net: Gan['G']): Promise<LayerValues[]> {
  return Promise.all(net.layers.map(async (layer) => ({
    w: Float64Array.from(await layer.weight.data()),
    b: layer.bias ? Float64Array.from(await layer.bias.data()) : new Float64Array(layer.outFeatures),
    inF: layer.inFeatures,
    outF: layer.outFeatures,
  })));
}

/** Run an MLP with the given values; layer `li`'s weight entry `entry` is w (a [1] tensor). */
function forward(x: Tensor, layers: LayerValues[], act: 'relu' | 'leakyRelu', replace: { li: number; entry: number; w: Tensor } | null): Tensor {
  let h = x;
  layers.forEach((l, i) => {
    let W = tensor(l.w, [l.inF, l.outF], { dtype: 'float64' });
    if (replace && replace.li === i) {
      // W with one entry swapped for w:  W − W_e·1_e + w·1_e, differentiable in w.
      const base = Float64Array.from(l.w);
      base[replace.entry] = 0;
      const onehot = new Float64Array(l.w.length);
      onehot[replace.entry] = 1;
      W = add(tensor(base, [l.inF, l.outF], { dtype: 'float64' }), mul(tensor(onehot, [l.inF, l.outF], { dtype: 'float64' }), replace.w));
    }
    const b = tensor(l.b, [l.outF], { dtype: 'float64' });
    h = linear(h, W, b, i === layers.length - 1 ? 'none' : act, 0.2);
  });
  return h;
}

export async function ganGradcheck(gan: Gan): Promise<{ rows: GradcheckRow[]; what: string }> {
  const c = gan.config;
  const act = c.activation === 'leaky' ? 'leakyRelu' : 'relu';
  const [gLayers, dLayers] = await Promise.all([readLayers(gan.G), readLayers(gan.D)]);
  const real = gan.dataset.raw.slice(0, BATCH * gan.dim);
  const fake = await gan.sample(BATCH);
  const z = new Float64Array(BATCH * c.latent);
  gan.viewRng.fork().fillNormal(z);
  const rows: GradcheckRow[] = [];
  // Conditional: the one-hot classes of the real batch, appended to every network input.
  const k = gan.classes?.k ?? 0;
  const classes = gan.classes ? oneHotRows(gan.classes.labels.subarray(0, BATCH), k) : null;
  const withClasses = (x: Float64Array, width: number): Tensor => tensor(classes ? joinColumns(x, width, classes, k) : x, [BATCH, width + k], { dtype: 'float64' });
  const classTensor = classes ? tensor(classes, [BATCH, k], { dtype: 'float64' }) : null;

  const check = (net: 'D' | 'G', li: number, entry: number): void => {
    const layers = net === 'D' ? dLayers : gLayers;
    const value = layers[li].w[entry];
    const loss = (w: Tensor): Tensor => {
      const dims = gan.dim;
      if (net === 'D') {
        const realT = withClasses(real, dims);
        const fakeT = withClasses(fake, dims);
        return discriminatorLoss(c.loss, forward(realT, dLayers, act, { li, entry, w }), forward(fakeT, dLayers, act, { li, entry, w }), c.labelSmoothing);
      }
      const x = forward(withClasses(z, c.latent), gLayers, act, { li, entry, w });
      return generatorLoss(c.loss, forward(classTensor ? concat([x, classTensor], 1) : x, dLayers, act, null));
    };
    const r = gradcheck(loss, [[value]]);
    rows.push({
      parameter: `${net}.layers.${li}.weight`, index: entry, value,
      analytic: r.worst?.analytic ?? NaN, numeric: r.worst?.numeric ?? NaN, relError: r.maxRelError,
    });
  };
  const lastD = dLayers.length - 1;
  const lastG = gLayers.length - 1;
  for (const e of [0, 1, 2]) check('D', 0, e % dLayers[0].w.length);
  check('D', lastD, 0);
  for (const e of [0, 1]) check('G', 0, e % gLayers[0].w.length);
  check('G', lastG, 0);
  return {
    rows,
    what: `D's loss (${c.loss}) on ${BATCH} real and ${BATCH} generated samples, and G's loss on ${BATCH} fixed noise vectors, as functions of single weights at their current values` +
      (c.momentLambda > 0 ? ' (the moment-matching term is left out)' : '') + '. Relative error below 1e-5 passes.',
  };
}
