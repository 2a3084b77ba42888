// What every peer's GAN step shares: the workload's sizes (handed over by the bench, from
// models/bench/workloads.ts, as JSON), the initial weights' distribution and the dataset.
//
//   weights: glorotNormal, a normal with std √(2 / (in + out)); biases zero (as gradlab's MLP)
//   data:    `dataset` samples of N(dataMean, dataStd), minibatches drawn by uniform index
// Each peer draws these from its own seeded generator: the same distributions, not the same bits.

/** Parses the workload handed over as argv[2]: { batch, dataset, latent, gHidden, dHidden, dataMean, dataStd, adam }. */
export function readSpec(json) {
  const spec = JSON.parse(json);
  for (const k of ['batch', 'dataset', 'latent', 'dataMean', 'dataStd']) {
    if (typeof spec[k] !== 'number') throw new Error(`peer: workload field '${k}' must be a number, got ${JSON.stringify(spec[k])}`);
  }
  return spec;
}

/** Layer widths from input to output: G latent → hidden → 1, D 1 → hidden → 1. */
export function layerSizes(spec, net) {
  return net === 'g' ? [spec.latent, ...spec.gHidden, 1] : [1, ...spec.dHidden, 1];
}

/** A small seeded generator of standard normals (mulberry32 uniforms, Box–Muller). */
export function normals(n, seed, mean = 0, std = 1) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - uniform();
    out[i] = mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}

/** [fanIn, fanOut] weights, row-major, glorotNormal. */
export const glorotNormal = (fanIn, fanOut, seed) => normals(fanIn * fanOut, seed, 0, Math.sqrt(2 / (fanIn + fanOut)));

/** The fixed dataset: `dataset` draws of N(dataMean, dataStd). */
export const normalData = (spec, seed) => normals(spec.dataset, 1000 + seed, spec.dataMean, spec.dataStd);
