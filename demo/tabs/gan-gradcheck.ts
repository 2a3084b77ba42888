// "Check gradients" for the live GAN: gradcheck (engine/gradcheck.ts) on a few entries of D's
// and G's weights at their current values, on a small fixed batch. For each entry w we check
// the scalar function w ↦ loss(θ with that entry set to w): its analytic derivative from
// backward() against the central difference, in float64 on the CPU. A conditional GAN's
// networks read [z | onehot(c)] and [x | onehot(c)], with the classes of the real batch.

import { add, concat, gradcheck, linear, mul, tensor, tidy, type Tensor } from '../../engine/index';
import type { Gan } from '../../models/gan';
import { onCpu } from '../../engine/gradcheck';
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

/**
 * Run an MLP with the given values; layer `li`'s weight entry `entry` is w (a [1] tensor), or,
 * with entry null, its whole weight is w (a tensor of the weight's shape).
 */
function forward(x: Tensor, layers: LayerValues[], act: 'relu' | 'leakyRelu', replace: { li: number; entry: number | null; w: Tensor } | null): Tensor {
  let h = x;
  layers.forEach((l, i) => {
    let W = tensor(l.w, [l.inF, l.outF], { dtype: 'float64' });
    if (replace && replace.li === i && replace.entry === null) W = replace.w;
    else if (replace && replace.li === i && replace.entry !== null) {
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

  const lossOf = (net: 'D' | 'G', li: number, entry: number | null) => (w: Tensor): Tensor => {
    if (net === 'D') {
      const realT = withClasses(real, gan.dim);
      const fakeT = withClasses(fake, gan.dim);
      return discriminatorLoss(c.loss, forward(realT, dLayers, act, { li, entry, w }), forward(fakeT, dLayers, act, { li, entry, w }), c.labelSmoothing);
    }
    const x = forward(withClasses(z, c.latent), gLayers, act, { li, entry, w });
    return generatorLoss(c.loss, forward(classTensor ? concat([x, classTensor], 1) : x, dLayers, act, null));
  };
  // `count` entries of a layer's weight, spread over those whose gradient is not 0 on this batch
  // (a dead unit's weights compare 0 with 0 and prove nothing); zeros only if every entry is 0.
  const liveEntries = (net: 'D' | 'G', li: number, count: number): number[] => {
    const l = (net === 'D' ? dLayers : gLayers)[li];
    // In float64 on the CPU, as gradcheck itself runs (the page may be on WebGPU).
    const g = onCpu(() => tidy(() => {
      const w = tensor(l.w, [l.inF, l.outF], { dtype: 'float64', requiresGrad: true });
      lossOf(net, li, null)(w).backward();
      const values = w.grad ? Float64Array.from(w.grad.dataSync()) : new Float64Array(l.w.length);
      w.grad?.dispose();
      return values;
    }));
    const live = Array.from(g.keys()).filter((i) => g[i] !== 0);
    const pool = live.length > 0 ? live : Array.from(g.keys());
    const n = Math.min(count, pool.length);
    return Array.from({ length: n }, (_, k) => pool[n > 1 ? Math.round((k * (pool.length - 1)) / (n - 1)) : 0]);
  };
  const check = (net: 'D' | 'G', li: number, entry: number): void => {
    const value = (net === 'D' ? dLayers : gLayers)[li].w[entry];
    const r = gradcheck(lossOf(net, li, entry), [[value]]);
    rows.push({
      parameter: `${net}.layers.${li}.weight`, index: entry, value,
      analytic: r.worst?.analytic ?? NaN, numeric: r.worst?.numeric ?? NaN, relError: r.maxRelError,
    });
  };
  const lastD = dLayers.length - 1;
  const lastG = gLayers.length - 1;
  for (const e of liveEntries('D', 0, 3)) check('D', 0, e);
  for (const e of liveEntries('D', lastD, 1)) check('D', lastD, e);
  for (const e of liveEntries('G', 0, 2)) check('G', 0, e);
  for (const e of liveEntries('G', lastG, 1)) check('G', lastG, e);
  return {
    rows,
    what: `D's loss (${c.loss}) on ${BATCH} real and ${BATCH} generated samples, and G's loss on ${BATCH} fixed noise vectors, as functions of single weights at their current values` +
      (c.momentLambda > 0 ? ' (the moment-matching term is left out)' : '') + '. Relative error below 1e-5 passes.',
  };
}
