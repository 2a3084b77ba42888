// The graph capture helpers: the structure of a loss's graph, the values, gradient norms and
// dispatches of a captured step (checked against grad() of the intermediate tensors), and the
// step-by-step backward of the derivative lesson (checked against backward() and gradcheck).

import { describe, expect, it } from 'vitest';
import {
  add, bceWithLogits, captureGraph, captureStep, createRng, explainBackward, grad, linear, liveTensors, mean, mul, randn, sigmoid, sin, tanh, tensor, tidy, type Tensor,
} from '../../engine/index';
import { expectClose } from './helpers';

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

describe('captureGraph', () => {
  it('lists ops with shapes, inputs and rules, inputs before users', () => {
    tidy(() => {
      const rng = createRng(3);
      const x = randn([5, 3], rng);
      const w = randn([3, 4], rng);
      w.requiresGrad = true;
      const b = randn([4], rng);
      b.requiresGrad = true;
      const loss = mean(sigmoid(linear(x, w, b, 'tanh')));
      const g = captureGraph(loss, new Map([[w, 'W'], [b, 'b']]));
      expect(g.root).toBe(loss.id);
      expect(g.nodes.map((n) => n.op)).toEqual(['input', 'parameter', 'parameter', 'linear', 'sigmoid', 'mean']);
      const lin = g.nodes[3];
      expect(lin.shape).toEqual([5, 4]);
      expect(lin.inputs).toEqual([x.id, w.id, b.id]);
      expect(lin.rule).toMatch(/dW = xᵀ·dz/);
      expect(g.nodes[4].rule).toMatch(/y·\(1 − y\)/);
      expect(g.nodes[1]).toMatchObject({ kind: 'parameter', name: 'W', requiresGrad: true });
      expect(g.nodes[0]).toMatchObject({ kind: 'input', requiresGrad: false });
      // inputs come before their users
      const pos = new Map(g.nodes.map((n, i) => [n.id, i]));
      for (const n of g.nodes) for (const i of n.inputs) expect(pos.get(i) as number).toBeLessThan(pos.get(n.id) as number);
    });
  });
});

describe('captureStep', () => {
  it('records values, the gradient norm at every node and each node\'s dispatches', async () => {
    const rng = createRng(11);
    const x = randn([7, 3], rng);
    const w = randn([3, 5], rng);
    w.requiresGrad = true;
    const v = randn([5, 1], rng);
    v.requiresGrad = true;
    let expected: { id: number; value: number[]; gradNorm: number }[] = [];
    const graphs = await captureStep(() => tidy(() => {
      const h = linear(x, w, null, 'relu');
      const s = sin(h);
      const y = tanh(linear(s, v));
      const loss = mean(mul(y, y));
      // The reference: grad() of the loss with respect to every intermediate.
      const inter: Tensor[] = [h, s, y, w, v];
      const gs = grad(loss, inter);
      expected = inter.map((t, i) => ({ id: t.id, value: Array.from(t.dataSync()), gradNorm: norm((gs[i] as Tensor).dataSync()) }));
      loss.backward();
    }));
    // grad() above is a reverse pass too: two passes over the same graph.
    expect(graphs.length).toBe(2);
    const g = graphs[1];
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    for (const e of expected) {
      const n = byId.get(e.id);
      expect(n, `node ${e.id}`).toBeDefined();
      expect(n?.gradNorm).toBeCloseTo(e.gradNorm, 10);
      const mu = e.value.reduce((a, b) => a + b, 0) / e.value.length;
      expect(n?.value?.mean).toBeCloseTo(mu, 10);
      expect(n?.value?.min).toBe(Math.min(...e.value));
      expect(n?.value?.max).toBe(Math.max(...e.value));
    }
    const root = byId.get(g.root);
    expect(root?.gradNorm).toBe(1);
    expect(root?.backwardOrder).toBe(0);
    // The constant input gets no gradient.
    expect(g.nodes[0].gradNorm).toBeNull();
    // Dispatches: the sin node ran the unary kernel forward and its fused gradient backward.
    const sinNode = g.nodes.find((n) => n.op === 'sin');
    expect(graphs[0].nodes.find((n) => n.op === 'sin')?.forward.map((d) => d.kernel)).toEqual(['unary:sin']);
    expect(sinNode?.backward.map((d) => d.kernel)).toEqual(['unaryGrad:sin']);
    expect(sinNode?.backward[0].rule).toMatch(/^sin: /);
    const lin = g.nodes.filter((n) => n.op === 'linear');
    expect(graphs[0].nodes.filter((n) => n.op === 'linear').every((n) => n.forward.some((d) => d.kernel === 'linear'))).toBe(true);
    // A small layer's backward is one fused kernel (dx, dW, db and the activation's gradient).
    expect(lin.every((n) => n.backward.some((d) => d.kernel === 'linearGrad'))).toBe(true);
    // The forward ran before the first pass: the second pass has no forward dispatches.
    expect(sinNode?.forward.length).toBe(0);
    w.grad?.dispose(); v.grad?.dispose(); x.dispose(); w.dispose(); v.dispose();
  });

  it('a narrow layer whose output feeds a loss lists the loss reduction, which computed it, as its forward dispatch', async () => {
    const rng = createRng(4);
    const w = randn([5, 1], rng);
    w.requiresGrad = true;
    const graphs = await captureStep(() => tidy(() => bceWithLogits(linear(randn([9, 5], rng), w), 1).backward()));
    const layer = graphs[0].nodes.find((n) => n.op === 'linear');
    const loss = graphs[0].nodes.find((n) => n.id === graphs[0].root);
    expect(layer?.forward.map((d) => d.kernel)).toEqual(['reduce:sum']); // no 'linear' kernel: fused into the loss
    expect(loss?.forward.map((d) => d.kernel)).toEqual(['reduce:sum']);
    expect(layer?.forward[0]).toBe(loss?.forward[0]);
    w.grad?.dispose();
    w.dispose();
  });

  it('frees what it kept, also when the step throws', async () => {
    const before = liveTensors();
    const w = randn([3, 3], createRng(2));
    w.requiresGrad = true;
    await captureStep(() => tidy(() => mean(sigmoid(w)).backward()));
    w.grad?.dispose();
    w.grad = null;
    await expect(captureStep(() => {
      tidy(() => mean(sigmoid(w)).backward());
      throw new Error('the step failed');
    })).rejects.toThrow('the step failed');
    (w.grad as Tensor | null)?.dispose();
    w.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('leaves the step unchanged: the same gradients with and without capture', async () => {
    const run = (): number[] => tidy(() => {
      const rng = createRng(5);
      const w = randn([4, 2], rng);
      w.requiresGrad = true;
      mean(sigmoid(linear(randn([6, 4], rng), w))).backward();
      return Array.from((w.grad as Tensor).dataSync());
    });
    const plain = run();
    let captured: number[] = [];
    await captureStep(() => { captured = run(); });
    expect(captured).toEqual(plain);
  });
});

describe('explainBackward', () => {
  const lessons: [string, (...t: Tensor[]) => Tensor, { name: string; value: number }[]][] = [
    ['sigmoid(x·w + b)', (x, w, b) => sigmoid(add(mul(x, w), b)), [{ name: 'x', value: 0.8 }, { name: 'w', value: -1.3 }, { name: 'b', value: 0.4 }]],
    ['tanh(x)²', (x) => mul(tanh(x), tanh(x)), [{ name: 'x', value: 0.7 }]],
    ['sin(x)·x', (x) => mul(sin(x), x), [{ name: 'x', value: 1.2 }]],
  ];
  for (const [label, fn, inputs] of lessons) {
    it(`steps through ${label} and ends at gradcheck's numbers`, () => {
      const lesson = explainBackward(fn, inputs);
      // The same numbers as backward()
      const ref = tidy(() => {
        const xs = inputs.map((i) => tensor([i.value], [1], { dtype: 'float64', requiresGrad: true }));
        fn(...xs).backward();
        return xs.map((x) => (x.grad as Tensor).dataSync()[0]);
      });
      expectClose(lesson.analytic.flat(), ref, 1e-14);
      expectClose(lesson.analytic.flat(), lesson.numeric.flat(), 1e-7);
      expect(lesson.gradcheck.ok).toBe(true);
      // Every link is dy · local = contribution, and the steps start at the loss with dy = 1.
      expect(lesson.steps[0].dy).toEqual([1]);
      for (const s of lesson.steps) for (const l of s.links) expectClose([s.dy[0] * l.local[0]], l.contribution, 1e-12);
      // An input used twice gets two links whose contributions add up.
      const x = lesson.inputIds[0];
      const intoX = lesson.steps.flatMap((s) => s.links.filter((l) => l.input === x).map((l) => l.contribution[0]));
      expectClose([intoX.reduce((a, b) => a + b, 0)], lesson.analytic[0], 1e-14);
      if (label === 'sin(x)·x') expect(intoX.length).toBe(2);
    });
  }

  it('steps through a function of vectors, mean((x·w − t)²) with w one number, element by element', () => {
    const fn = (x: Tensor, w: Tensor, t: Tensor): Tensor => mean(mul(mul(x, w).sub(t), mul(x, w).sub(t)));
    const inputs = [{ name: 'x', value: [0.5, -1.2, 2] }, { name: 'w', value: 1.5 }, { name: 't', value: [1, 0.25, -0.5] }];
    const lesson = explainBackward(fn, inputs);
    const ref = tidy(() => {
      const xs = inputs.map((i) => { const v = ([] as number[]).concat(i.value); return tensor(v, [v.length], { dtype: 'float64', requiresGrad: true }); });
      fn(xs[0], xs[1], xs[2]).backward();
      return xs.map((x) => Array.from((x.grad as Tensor).dataSync()));
    });
    expect(lesson.analytic.map((a) => a.length)).toEqual([3, 1, 3]);
    lesson.analytic.forEach((a, k) => expectClose(a, ref[k], 1e-14));
    lesson.analytic.forEach((a, k) => expectClose(a, lesson.numeric[k], 1e-7));
    expect(lesson.gradcheck.ok).toBe(true);
    // w is broadcast over x's 3 elements: its one number is the sum of the elements' shares.
    const w = lesson.inputIds[1];
    const intoW = lesson.steps.flatMap((s) => s.links.filter((l) => l.input === w));
    expect(intoW.every((l) => l.contribution.length === 1)).toBe(true);
  });
});
