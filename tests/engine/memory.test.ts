// Tensor memory: tidy, keep, dispose, shared buffers, and no leaks across training steps.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';

describe('tidy', () => {
  it('disposes intermediates and keeps the returned tensor', () => {
    const before = g.liveTensors();
    let a: g.Tensor | null = null;
    const out = g.tidy(() => {
      a = g.ones([3]);
      const b = a.mul(2);
      return b.add(1);
    });
    expect(a!.isDisposed).toBe(true);
    expect(out.isDisposed).toBe(false);
    expect(Array.from(out.dataSync())).toEqual([3, 3, 3]);
    expect(g.liveTensors()).toBe(before + 1);
    out.dispose();
    expect(g.liveTensors()).toBe(before);
  });

  it('keeps tensors inside returned arrays and objects, and those marked with keep()', () => {
    const before = g.liveTensors();
    let kept: g.Tensor | null = null;
    const result = g.tidy(() => {
      kept = g.keep(g.zeros([1]));
      g.ones([2]).mul(3); // garbage
      return { a: g.ones([1]), list: [g.zeros([2]), g.full([1], 5)], n: 4 };
    });
    expect(result.a.isDisposed).toBe(false);
    expect(result.list.every((t) => !t.isDisposed)).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(g.liveTensors()).toBe(before + 4);
    for (const t of [result.a, ...result.list, kept!]) t.dispose();
    expect(g.liveTensors()).toBe(before);
  });

  it('keeps parameter gradients computed inside it', () => {
    const p = g.tensor([1, 2], { requiresGrad: true });
    const before = g.liveTensors();
    g.tidy(() => {
      p.mul(p).sum().backward();
    });
    expect(p.grad).not.toBeNull();
    expect(p.grad!.isDisposed).toBe(false);
    expect(Array.from(p.grad!.dataSync())).toEqual([2, 4]); // d Σ p² = 2p
    expect(g.liveTensors()).toBe(before + 1); // only the gradient survives
  });

  it('nests: an inner result moves to the outer scope and is freed there', () => {
    const before = g.liveTensors();
    let inner: g.Tensor | null = null;
    const outer = g.tidy(() => {
      inner = g.tidy(() => g.ones([2]).mul(2));
      expect(inner.isDisposed).toBe(false);
      return inner.add(1);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(Array.from(outer.dataSync())).toEqual([3, 3]);
    expect(g.liveTensors()).toBe(before + 1);
    outer.dispose();
  });

  it('a tensor made outside, returned through a nested tidy, is not freed by the outer one', () => {
    const data = g.ones([2]);
    g.tidy(() => {
      const same = g.tidy(() => data); // e.g. an identity layer (dropout in eval mode)
      return same.sum();
    }).dispose();
    expect(data.isDisposed).toBe(false);
    expect(Array.from(data.dataSync())).toEqual([1, 1]);
  });

  it('a tensor disposed by hand inside tidy is not disposed twice', () => {
    const before = g.liveTensors();
    g.tidy(() => {
      const t = g.ones([2]);
      t.dispose();
      t.dispose();
    });
    expect(g.liveTensors()).toBe(before);
  });
});

describe('dispose', () => {
  it('is idempotent', () => {
    const before = g.liveTensors();
    const buffers = g.backendStats().liveBuffers;
    const t = g.ones([4]);
    expect(g.liveTensors()).toBe(before + 1);
    t.dispose();
    t.dispose();
    expect(g.liveTensors()).toBe(before);
    expect(g.backendStats().liveBuffers).toBe(buffers);
  });

  it('a reshape shares its buffer, released only when both are disposed', () => {
    const buffers = g.backendStats().liveBuffers;
    const x = g.tensor([1, 2, 3, 4, 5, 6]);
    expect(g.backendStats().liveBuffers).toBe(buffers + 1);
    const y = x.reshape([2, 3]);
    expect(g.backendStats().liveBuffers).toBe(buffers + 1); // no new buffer
    x.dispose();
    expect(g.backendStats().liveBuffers).toBe(buffers + 1); // y still uses it
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(g.backendStats().liveBuffers).toBe(buffers);
  });

  it('detach shares the buffer the same way', () => {
    const buffers = g.backendStats().liveBuffers;
    const x = g.ones([3], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(g.backendStats().liveBuffers).toBe(buffers + 1);
    d.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
    expect(g.backendStats().liveBuffers).toBe(buffers);
  });
});

describe('no leaks in training', () => {
  it('liveTensors and live buffers return to their level after every step (100 steps)', () => {
    const rng = g.createRng(7);
    const mlp = new g.MLP({ inputs: 2, hidden: [8, 8], outputs: 1, activation: 'tanh', rng });
    const opt = new g.Adam(mlp.parameters(), { lr: 0.01 });
    const x = g.randn([16, 2], rng);
    const y = g.rand([16, 1], rng);
    const step = (): number => {
      const loss = g.tidy(() => {
        opt.zeroGrad();
        const l = g.bceWithLogits(mlp.forward(x), y);
        l.backward();
        opt.step();
        return l;
      });
      const v = loss.dataSync()[0];
      loss.dispose();
      return v;
    };
    step(); // the first step creates the gradients, which persist (kept) until zeroGrad
    const tensors = g.liveTensors();
    const buffers = g.backendStats().liveBuffers;
    const creations = g.backendStats().bufferCreations;
    for (let i = 0; i < 100; i++) {
      expect(Number.isFinite(step())).toBe(true);
      expect(g.liveTensors()).toBe(tensors);
    }
    expect(g.backendStats().liveBuffers).toBe(buffers);
    // The CPU pool serves every later step: no new arrays after the first steps.
    expect(g.backendStats().bufferCreations - creations).toBeLessThanOrEqual(5);
    opt.zeroGrad();
    expect(g.liveTensors()).toBe(tensors - mlp.parameters().length);
  });

  it('backward leaves only the leaf gradients behind', () => {
    const x = g.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const w = g.tensor([[0.5], [-1]], { requiresGrad: true });
    const loss = x.matmul(w).tanh().mul(x.sum(1, true)).mean(); // x used twice
    const before = g.liveTensors();
    loss.backward();
    expect(g.liveTensors()).toBe(before + 2); // x.grad and w.grad; every intermediate gradient was freed
    loss.backward(); // a second backward accumulates into the same two
    expect(g.liveTensors()).toBe(before + 2);
  });

  it('gradients summed over size-1 axes (a batch of one, [1,4] + [4]) leak nothing', () => {
    const x = g.tensor([[1, -2, 3]]);
    const w = g.tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], { requiresGrad: true });
    const b = g.tensor([0.1, -0.1], { requiresGrad: true });
    const c = g.tensor([1, 2], { requiresGrad: true });
    const buffers = g.backendStats().liveBuffers;
    const before = g.liveTensors();
    g.tidy(() => g.linear(x, w, b, 'tanh').add(c).sum().backward());
    expect(b.grad!.shape).toEqual([2]);
    expect(c.grad!.shape).toEqual([2]);
    expect(Array.from(c.grad!.dataSync())).toEqual([1, 1]);
    expect(g.liveTensors()).toBe(before + 3);
    expect(g.backendStats().liveBuffers).toBe(buffers + 3);
  });

  it('the index tensor gather makes from an array is freed with its result, outside tidy too', () => {
    const x = g.tensor([[1.5], [-0.5], [2.5]], { requiresGrad: true });
    const before = g.liveTensors();
    const picked = g.gather(x, [2, 0, 2]);
    picked.backward(g.tensor([[1], [10], [100]]));
    // row 0 was picked once (gradient 10), row 2 twice (1 + 100)
    expect(Array.from(x.grad!.dataSync())).toEqual([10, 0, 101]);
    picked.dispose();
    x.grad!.dispose();
    x.grad = null;
    expect(g.liveTensors()).toBe(before + 1); // only the seed tensor we made above is left
  });
});
