// Measurements of the live GAN for its reading (gan-reading.ts) and for "under the hood":
// which of D's ReLU units are dead (off for every input: they pass no gradient and never come
// back by themselves), and how large ∂D/∂x is at generated samples.

import type { Gan } from '../models/gan/model';
import type { GanProbe } from './gan-reading';

/** One dense layer as plain numbers: y = x·W + b, W of shape [inputs, outputs] (row-major). */
export interface DenseLayer {
  weight: ArrayLike<number>;
  bias: ArrayLike<number> | null;
  inputs: number;
  outputs: number;
}

/** Per hidden layer: how many of its units are dead, out of how many. */
export interface LayerUnits {
  layer: number;
  dead: number;
  units: number;
}

/**
 * Run `rows` (n rows of layers[0].inputs values) through the hidden layers of a ReLU MLP (all
 * but the last layer) and count, per layer, the units whose pre-activation is ≤ 0 for every row:
 * ReLU(h) = 0 and ReLU′(h) = 0 there, so the unit gives nothing forward and no gradient back.
 */
export function deadUnits(layers: readonly DenseLayer[], rows: ArrayLike<number>, n: number): LayerUnits[] {
  if (n <= 0) throw new Error('deadUnits: needs at least one input row');
  if (rows.length !== n * layers[0].inputs) throw new Error(`deadUnits: ${rows.length} values are not ${n} rows of ${layers[0].inputs}`);
  let h = Float64Array.from(rows);
  const out: LayerUnits[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const { weight: w, bias: b, inputs, outputs } = layers[l];
    const next = new Float64Array(n * outputs);
    const alive = new Uint8Array(outputs);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < outputs; j++) {
        let s = b ? b[j] : 0;
        for (let k = 0; k < inputs; k++) s += h[i * inputs + k] * w[k * outputs + j];
        if (s > 0) { alive[j] = 1; next[i * outputs + j] = s; }
      }
    }
    out.push({ layer: l + 1, dead: outputs - alive.reduce((a, v) => a + v, 0), units: outputs });
    h = next;
  }
  return out;
}

/** D's layers as plain numbers (read back from the backend). */
async function denseLayers(model: Gan): Promise<DenseLayer[]> {
  return Promise.all(model.D.layers.map(async (layer) => ({
    weight: await layer.weight.data(),
    bias: layer.bias ? await layer.bias.data() : null,
    inputs: layer.inFeatures,
    outputs: layer.outFeatures,
  })));
}

/** The rows D reads: up to `count` dataset rows (with their one-hot class in conditional mode), then generated ones. */
function inputRows(model: Gan, generated: Float64Array, count: number): { rows: Float64Array; n: number } {
  const dim = model.dim;
  const classes = model.classes;
  const width = dim + (classes ? classes.k : 0);
  const real = Math.min(count, model.dataset.raw.length / dim);
  const fake = classes ? 0 : Math.min(count, generated.length / dim);
  const rows = new Float64Array((real + fake) * width);
  for (let i = 0; i < real; i++) {
    for (let j = 0; j < dim; j++) rows[i * width + j] = model.dataset.raw[i * dim + j];
    if (classes) rows[i * width + dim + classes.labels[i]] = 1;
  }
  for (let i = 0; i < fake; i++) for (let j = 0; j < dim; j++) rows[(real + i) * width + j] = generated[i * dim + j];
  return { rows, n: real + fake };
}

/** Dead ReLU units per hidden layer of D, over dataset rows and generated samples; [] when D has no ReLU or reads bins. */
export async function discriminatorUnits(model: Gan, generated: Float64Array, count = 512): Promise<LayerUnits[]> {
  if (model.binning || model.D.activation !== 'relu' || model.D.layers.length < 2) return [];
  const { rows, n } = inputRows(model, generated, count);
  if (model.D.layers[0].inFeatures !== rows.length / n) return [];
  return deadUnits(await denseLayers(model), rows, n);
}

/** The probe the live reading needs: dead shares, the largest |∂D/∂x|, and generated samples. */
export async function probeGan(model: Gan, samples: Float64Array, grads: Float64Array | null): Promise<GanProbe & { units: LayerUnits[] }> {
  const units = await discriminatorUnits(model, samples);
  let gradMax = grads ? 0 : NaN;
  if (grads) for (const g of grads) gradMax = Math.max(gradMax, Math.abs(g));
  return { deadShare: units.map((u) => u.dead / u.units), gradMax, samples, units };
}
