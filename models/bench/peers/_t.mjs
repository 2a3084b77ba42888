import { createJaxGan } from './jax-gan.mjs';
const spec = { batch: 128, dataset: 2048, latent: 10, gHidden: [16], dHidden: [32], dataMean: 4, dataStd: 0.5, adam: { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 } };
const gan = await createJaxGan(spec, 0);
for (let i = 0; i < 200; i++) gan.step();
for (let r = 0; r < 8; r++) { let t0 = performance.now(); for (let i = 0; i < 100; i++) gan.step(); await gan.sync(); const t1 = performance.now(); console.log(r, ((t1 - t0) / 100).toFixed(2), process.memoryUsage().rss >> 20, process.cpuUsage().user/1000|0); }
