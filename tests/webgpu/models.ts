// Small models on the GPU for the backend tests and the measurements.

import { Adam, MLP, bceWithLogits, createRng, gather, mse, randint, randn, tidy } from '../../engine/index';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import { on } from './setup';

/** A small regression MLP, its optimizer, and data, all on the GPU. */
export function makeMlp(gpu: WebGpuBackend, seed: number) {
  return on(gpu, () => {
    const rng = createRng(seed);
    const net = new MLP({ inputs: 2, hidden: [16, 16], outputs: 1, activation: 'relu', rng });
    const opt = new Adam(net.parameters(), { lr: 1e-2 });
    const x = randn([64, 2], rng);
    const y = randn([64, 1], rng);
    const step = (): void => {
      on(gpu, () => tidy(() => {
        const loss = mse(net.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }));
    };
    return { net, opt, x, y, step };
  });
}

/** Generator 2 -> 16 -> 16 -> 2, discriminator 2 -> 16 -> 16 -> 1, non-saturating GAN loss. */
export function makeGan(gpu: WebGpuBackend, seed: number) {
  return on(gpu, () => {
    const rng = createRng(seed);
    const g = new MLP({ inputs: 2, hidden: [16, 16], outputs: 2, activation: 'leakyRelu', rng });
    const d = new MLP({ inputs: 2, hidden: [16, 16], outputs: 1, activation: 'leakyRelu', rng });
    const optG = new Adam(g.parameters(), { lr: 1e-3, beta1: 0.5 });
    const optD = new Adam(d.parameters(), { lr: 1e-3, beta1: 0.5 });
    const data = randn([1000, 2], rng);
    const batch = 64;
    const step = (): void => {
      on(gpu, () => tidy(() => {
        const real = gather(data, randint([batch], 1000, rng));
        const fake = g.forward(randn([batch, 2], rng));
        const lossD = bceWithLogits(d.forward(real), 1).add(bceWithLogits(d.forward(fake.detach()), 0));
        optD.zeroGrad();
        lossD.backward();
        optD.step();
        const lossG = bceWithLogits(d.forward(fake), 1);
        optG.zeroGrad();
        lossG.backward();
        optG.step();
      }));
    };
    return { step, stats: () => gpu.stats() };
  });
}

