// The reference GAN of the playground post, written with the engine (hidden widths can be set:
// `bench --workload gan-wide` uses 3×64): the step the benchmark
// times against the hand-written floor (floor-gan.ts), and that the WebGPU tests run for
// submit counts, leaks and CPU/GPU agreement.
//   data N(4, 0.5), 2048 samples; batch 128; latent 10
//   G: 10-16-1 ReLU;  D: 1-32-1 ReLU, logit out (D(x) = sigmoid(logit));  Adam 3e-3 for both
//   one D step on real + detached fake, one G step with the non-saturating loss on fresh z

import { Adam, bceWithLogits, createRng, gather, keep, MLP, noGrad, randint, randn, tidy, trainingStep, type Tensor } from '../../engine/index';

export interface EngineGanStep {
  dLoss: Tensor;
  gLoss: Tensor;
}

export interface EngineGan {
  G: MLP;
  D: MLP;
  /** One D update then one G update. The losses are returned as tensors (dispose them). */
  step(): EngineGanStep;
  dispose(): void;
}

export interface EngineGanOptions {
  batch?: number;
  dataset?: number;
  latent?: number;
  /** Hidden widths of G and D (default [16] and [32]: the playground's). */
  gHidden?: number[];
  dHidden?: number[];
}

export function createEngineGan(seed = 0, options: EngineGanOptions = {}): EngineGan {
  const batch = options.batch ?? 128;
  const n = options.dataset ?? 2048;
  const latent = options.latent ?? 10;
  const rng = createRng(seed);
  const data = keep(randn([n, 1], rng, { mean: 4, std: 0.5 }));
  const G = new MLP({ inputs: latent, hidden: options.gHidden ?? [16], outputs: 1, activation: 'relu', rng });
  const D = new MLP({ inputs: 1, hidden: options.dHidden ?? [32], outputs: 1, activation: 'relu', rng });
  const optG = new Adam(G.parameters(), { lr: 3e-3 });
  const optD = new Adam(D.parameters(), { lr: 3e-3 });
  const dParams = D.parameters();

  // trainingStep: on WebGPU the whole D + G step is recorded and submitted once.
  const step = (): EngineGanStep => trainingStep(() => tidy(() => {
    // Discriminator: push D(real) to 1 and D(fake) to 0; the fake is a constant here.
    const real = gather(data, randint([batch], n, rng));
    const fake = noGrad(() => G.forward(randn([batch, latent], rng)));
    optD.zeroGrad();
    const dLoss = bceWithLogits(D.forward(real), 1).add(bceWithLogits(D.forward(fake), 0));
    dLoss.backward();
    optD.step();

    // Generator: push D(G(z)) to 1 (non-saturating). D is frozen so its gradients are not computed.
    for (const p of dParams) p.requiresGrad = false;
    optG.zeroGrad();
    const gLoss = bceWithLogits(D.forward(G.forward(randn([batch, latent], rng))), 1);
    gLoss.backward();
    optG.step();
    for (const p of dParams) p.requiresGrad = true;
    return { dLoss: dLoss.detach(), gLoss: gLoss.detach() };
  }));

  return {
    G, D, step,
    dispose() {
      for (const t of [data, ...G.parameters(), ...D.parameters()]) { t.grad?.dispose(); t.dispose(); }
      optG.dispose();
      optD.dispose();
    },
  };
}
