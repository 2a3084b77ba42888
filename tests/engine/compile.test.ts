// compile(step): a recorded training step replays the same kernel calls, with fresh random
// numbers and optimizer counters, and gives exactly the results of the uncompiled step (CPU).

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { backendStats, compile, liveTensors } from '../../engine/index.js';
import { currentBackend } from '../../engine/backend.js';
import { createEngineGan } from '../../models/bench/engine-gan.js';

const values = (t: g.Tensor): number[] => Array.from(t.dataSync());

describe('compile', () => {
  it('the reference GAN step compiled gives bit-for-bit the losses and weights of the plain step', () => {
    const plain = createEngineGan(5);
    const compiled = createEngineGan(5);
    const step = compile(() => compiled.step());
    for (let i = 0; i < 30; i++) {
      const a = plain.step();
      const b = step();
      expect(values(b.dLoss)).toEqual(values(a.dLoss));
      expect(values(b.gLoss)).toEqual(values(a.gLoss));
      for (const t of [a.dLoss, a.gLoss, b.dLoss, b.gLoss]) t.dispose();
    }
    const pa = [...plain.G.parameters(), ...plain.D.parameters()].map(values);
    const pb = [...compiled.G.parameters(), ...compiled.D.parameters()].map(values);
    expect(pb).toEqual(pa);
    expect(step.recordings).toBe(1);
    step.dispose();
    plain.dispose();
    compiled.dispose();
  });

  it('replays the same kernel calls, and leaks no tensor and no buffer over 200 replays', () => {
    const gan = createEngineGan(1);
    const step = compile(() => gan.step());
    const first = step();
    for (const t of Object.values(first)) t.dispose();
    expect(step.calls.length).toBe(24); // the reference GAN step's dispatches, now replayed as a list (plus one copy per returned loss)
    const tensors = liveTensors();
    const buffers = backendStats().liveBuffers;
    const created = backendStats().bufferCreations;
    for (let i = 0; i < 200; i++) for (const t of Object.values(step())) t.dispose();
    expect(liveTensors()).toBe(tensors);
    expect(backendStats().liveBuffers).toBe(buffers);
    expect(backendStats().bufferCreations).toBe(created);
    step.dispose();
    gan.dispose();
  });

  it('advances the optimizer and follows a changed learning rate', () => {
    const rng = g.createRng(2);
    const w = g.randn([3], rng, { requiresGrad: true });
    const opt = new g.SGD([w], { lr: 0.1 });
    const target = g.tensor([1, 2, 3]);
    const step = compile(() => g.tidy(() => {
      opt.zeroGrad();
      const loss = w.sub(target).pow(2).sum();
      loss.backward();
      opt.step();
      return loss.detach();
    }));
    const w0 = values(w);
    step().dispose();
    const w1 = values(w);
    opt.lr = 0; // a replay reads the current learning rate
    step().dispose();
    expect(values(w)).toEqual(w1);
    opt.lr = 0.1;
    step().dispose();
    // Each SGD step moves w by 0.1 · 2 (w − t): the replay computed a fresh gradient.
    const expected = w1.map((v, i) => v - 0.2 * (v - [1, 2, 3][i]));
    values(w).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(w1).not.toEqual(w0);
    const adam = new g.Adam([w], { lr: 0.01 });
    const adamStep = compile(() => g.tidy(() => {
      adam.zeroGrad();
      w.sub(target).pow(2).sum().backward();
      adam.step();
    }));
    for (let i = 0; i < 5; i++) adamStep();
    expect(adam.stepCount).toBe(5); // t counts replays too (Adam's bias correction needs it)
    step.dispose();
    adamStep.dispose();
  });

  it('draws fresh random numbers at every replay', () => {
    const rng = g.createRng(9);
    const step = compile(() => g.randn([4], rng));
    const a = step();
    const b = step();
    expect(values(a)).not.toEqual(values(b));
    // The same numbers as drawing twice without compile.
    const again = g.createRng(9);
    expect(values(a)).toEqual(values(g.randn([4], again)));
    expect(values(b)).toEqual(values(g.randn([4], again)));
    step.dispose();
  });

  it('a minibatch drawn inside the gather gets the same fresh draws as the plain step, whatever runs between', () => {
    // randint, then randn, then the gather that draws randint's indices; gather's backward reads
    // the indices again (randint's own kernel): all from the draw reserved where randint was called.
    const make = () => {
      const rng = g.createRng(21);
      const x = g.keep(g.randn([40, 2], rng, { requiresGrad: true }));
      return {
        x,
        step: () => g.tidy(() => {
          const idx = g.randint([16], 40, rng);
          const noise = g.randn([16, 2], rng);
          const loss = g.sum(g.gather(x, idx).mul(noise));
          x.grad?.dispose();
          x.grad = null;
          loss.backward();
          return loss;
        }),
      };
    };
    const plain = make();
    const compiled = make();
    const step = compile(compiled.step);
    for (let i = 0; i < 5; i++) {
      const [a, b] = [plain.step(), step()];
      expect(values(b), `step ${i}`).toEqual(values(a));
      expect(values(compiled.x.grad as g.Tensor), `step ${i}`).toEqual(values(plain.x.grad as g.Tensor));
      a.dispose();
      b.dispose();
    }
    expect(step.calls.map((c) => c.kernel)).toContain('gatherRandom');
    step.dispose();
  });

  it('records again when the key changes', () => {
    let batch = 4;
    const rng = g.createRng(3);
    const step = compile(() => g.randn([batch], rng).mul(2), { key: () => batch });
    expect(step().shape).toEqual([4]);
    expect(step().shape).toEqual([4]);
    batch = 6;
    expect(step().shape).toEqual([6]);
    expect(step.recordings).toBe(2);
    step.dispose();
  });

  it('refuses a step that reads values, with a message that says why', () => {
    const x = g.tensor([1, 2]);
    const step = compile(() => x.mul(2).dataSync());
    expect(() => step()).toThrow(/compile: the step reads a tensor's values \(data\(\), dataSync\(\), item\(\)\); a replay would repeat the first step's values/);
    // The backend is restored: reads work again outside.
    expect(values(x)).toEqual([1, 2]);
  });

  it('leaves the backend object as it found it: no method of its own added by the recording', () => {
    // (A plain step optimized for the backend's hidden class before a recording stays optimized after it.)
    const backend = currentBackend();
    const gan = createEngineGan(2);
    const step = compile(() => gan.step());
    for (const t of Object.values(step())) t.dispose();
    const methods = ['alloc', 'write', 'run', 'release', 'read', 'readSync', 'endStep'];
    expect(methods.filter((m) => Object.hasOwn(backend, m))).toEqual([]);
    step.dispose();
    gan.dispose();
  });

  it('a gradient freed between replays keeps its buffer reserved until the plan is disposed', () => {
    const w = g.tensor([0.5, -0.5], { requiresGrad: true });
    const opt = new g.SGD([w], { lr: 0.1 });
    const step = compile(() => g.tidy(() => {
      w.mul(w).sum().backward();
      opt.step();
    }));
    step();
    const buffers = backendStats().liveBuffers;
    opt.zeroGrad(); // frees w.grad, whose buffer the plan writes into
    expect(backendStats().liveBuffers).toBe(buffers); // not handed back while the plan needs it
    step();
    step.dispose();
    expect(backendStats().liveBuffers).toBeLessThan(buffers);
  });

  it('describes its plan: the kernel calls in order, the random and Adam calls refreshed at each replay, the optimizers\' effects', () => {
    const gan = createEngineGan(2);
    const step = compile(() => gan.step());
    for (const t of Object.values(step())) t.dispose();
    const plan = step.plan;
    const runs = plan.flatMap((e) => (e.kind === 'run' ? [e] : []));
    expect(runs.map((e) => e.call)).toEqual(step.calls);
    const kernelsRefreshed = runs.filter((e) => e.refreshed).map((e) => e.call.kernel);
    // The minibatch's random rows (randint drawn inside the gather), two randn draws, and each
    // optimizer's Adam: nothing else changes between replays.
    expect(kernelsRefreshed.filter((k) => k === 'gatherRandom').length).toBe(1);
    expect(kernelsRefreshed.filter((k) => k === 'random').length).toBe(2);
    expect(kernelsRefreshed.filter((k) => k.startsWith('adam')).length).toBe(2);
    expect(kernelsRefreshed.length).toBe(5);
    // The three losses (D on real rows, D on fakes, G's) each computed inside the forward of D's
    // last layer: one reduction that also writes the layer's logits.
    expect(runs.filter((e) => e.call.kernel === 'reduce' && e.call.linear !== undefined).length).toBe(3);
    expect(runs.filter((e) => e.call.kernel === 'linear').length).toBe(7);
    expect(plan.filter((e) => e.kind === 'effect').length).toBe(5); // 3 random draws reserve their blocks, 2 optimizers count t += 1
    expect(plan.filter((e) => e.kind === 'submit').length).toBe(0); // the CPU backend has no queue
    step.dispose();
    expect(step.plan).toEqual([]);
    gan.dispose();
  });
});
