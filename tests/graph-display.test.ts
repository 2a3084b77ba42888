// The graph view's pure parts (demo/graph/display.ts and layout.ts), on the captured graph of a
// small GAN generator step: parameters fold into their layer, G's and D's nodes are grouped,
// the loss belongs to neither, and the layout sends every edge left to right without two boxes
// in one place.

import { describe, expect, it } from 'vitest';
import { bceWithLogits, captureGraph, captureStep, createRng, gather, keep, MLP, noGrad, randint, randn, tidy, type CapturedGraph, type GraphNode, type Tensor } from '../engine/index';
import { activationOf, describeBoxes, displayNodes, inputLabel, readableNames, type InputLabel } from '../demo/graph/display';
import { elementChain } from '../demo/graph/element-chain';
import { fusedInto, fusionNote } from '../demo/graph/fused';
import { fitScale, FONT_UNITS, MIN_SCALE } from '../demo/graph/render';
import { layeredLayout } from '../demo/graph/layout';

function ganGraph(): ReturnType<typeof captureGraph> {
  return tidy(() => {
    const rng = createRng(4);
    const G = new MLP({ inputs: 3, hidden: [8, 8, 8], outputs: 1, activation: 'leakyRelu', slope: 0.2, init: 'glorotNormal', rng });
    const D = new MLP({ inputs: 1, hidden: [8, 8, 8], outputs: 1, activation: 'leakyRelu', slope: 0.2, init: 'glorotNormal', rng });
    const names = new Map<Tensor, string>([
      ...G.namedParameters().map(([n, t]): [Tensor, string] => [t, `G.${n}`]),
      ...D.namedParameters().map(([n, t]): [Tensor, string] => [t, `D.${n}`]),
    ]);
    const loss = bceWithLogits(D.forward(G.forward(randn([5, 3], rng))), 1);
    const graph = captureGraph(loss, names);
    return graph;
  });
}

describe('graph display', () => {
  it('folds each Linear\'s parameters into one box, and groups G and D', () => {
    const graph = ganGraph();
    const boxes = displayNodes(graph, new Set());
    const linear = boxes.filter((b) => b.node.op === 'linear');
    expect(linear.length).toBe(8);
    expect(linear.every((b) => b.folded.length === 2 && b.expandable)).toBe(true);
    expect(linear.map((b) => b.group)).toEqual(['G', 'G', 'G', 'G', 'D', 'D', 'D', 'D']);
    expect(linear[0].title).toBe('G.layers.0 · linear');
    expect(boxes.some((b) => b.node.kind === 'parameter')).toBe(false);
    // The loss reads no parameter and feeds no network.
    const loss = boxes.find((b) => b.id === graph.root);
    expect(loss?.group).toBeNull();
    // Unfolding one layer shows its weight and bias.
    const unfolded = displayNodes(graph, new Set([linear[0].id]));
    expect(unfolded.length).toBe(boxes.length + 2);
    expect(unfolded.filter((b) => b.node.kind === 'parameter').map((b) => b.title).sort()).toEqual(['G.layers.0.bias', 'G.layers.0.weight']);
  });

  it('folds a network applied twice (D on real and on fake rows) into both of its uses', () => {
    const graph = tidy(() => {
      const rng = createRng(6);
      const D = new MLP({ inputs: 1, hidden: [8, 8], outputs: 1, activation: 'leakyRelu', slope: 0.2, init: 'glorotNormal', rng });
      const names = new Map(D.namedParameters().map(([n, t]): [Tensor, string] => [t, `D.${n}`]));
      const loss = bceWithLogits(D.forward(randn([5, 1], rng)), 1).add(bceWithLogits(D.forward(randn([5, 1], rng)), 0));
      return captureGraph(loss, names);
    });
    const boxes = displayNodes(graph, new Set());
    expect(boxes.some((b) => b.node.kind === 'parameter')).toBe(false);
    const linear = boxes.filter((b) => b.node.op === 'linear');
    expect(linear.length).toBe(6);
    expect(linear.every((b) => b.folded.length === 2 && b.group === 'D')).toBe(true);
    // Unfolding the first layer of one use shows the shared weight and bias, read by both uses.
    const unfolded = displayNodes(graph, new Set([linear[0].id]));
    const shared = unfolded.filter((b) => b.node.kind === 'parameter');
    expect(shared.length).toBe(2);
    expect(unfolded.filter((b) => shared.some((p) => b.inputs.includes(p.id))).length).toBe(2);
  });

  it('lays edges left to right with one box per place', () => {
    const graph = ganGraph();
    for (const expanded of [new Set<number>(), new Set(graph.nodes.map((n) => n.id))]) {
      const boxes = displayNodes(graph, expanded);
      const { placed } = layeredLayout(boxes);
      const cells = new Set<string>();
      for (const b of boxes) {
        const p = placed.get(b.id);
        expect(p).toBeDefined();
        cells.add(`${p?.column},${p?.row}`);
        for (const i of b.inputs) expect((placed.get(i)?.column ?? Infinity)).toBeLessThan(p?.column ?? -1);
      }
      expect(cells.size).toBe(boxes.length);
    }
  });
});

// ---------- what the panel shows a reader: names, input roles, activations, fusions, one element ----------

describe('graph naming and the detail box\'s numbers', () => {
  /** A GAN discriminator step, captured: D on a real minibatch and on G(z) made without gradient. */
  async function dStep(noisyFake = false): Promise<{ graph: CapturedGraph; parameterOf: (b: unknown) => string | null }> {
    const rng = createRng(11);
    const G = new MLP({ inputs: 3, hidden: [8], outputs: 1, activation: 'leakyRelu', slope: 0.2, init: 'glorotNormal', rng });
    const D = new MLP({ inputs: 1, hidden: [8], outputs: 1, activation: 'tanh', init: 'glorotNormal', rng });
    const data = keep(randn([50, 1], rng).mul(0.7).add(2));
    const named: [string, Tensor][] = [
      ...G.namedParameters().map(([n, t]): [string, Tensor] => [`G.${n}`, t]),
      ...D.namedParameters().map(([n, t]): [string, Tensor] => [`D.${n}`, t]),
    ];
    const graphs = await captureStep(() => tidy(() => {
      const real = gather(data, randint([6], 50, rng));
      // noisyFake: G's output with noise added, so the kernel that writes the fake rows is an addition, not G's.
      const fake = noGrad(() => (noisyFake ? G.forward(randn([6, 3], rng)).add(randn([6, 1], rng).mul(0.1)) : G.forward(randn([6, 3], rng))));
      bceWithLogits(D.forward(real), 1).add(bceWithLogits(D.forward(fake), 0)).backward();
    }), new Map(named.map(([n, t]) => [t, n])));
    const buffers = new Map<unknown, string>(named.map(([n, t]) => [t.storage('test'), n]));
    return { graph: graphs[0], parameterOf: (b) => buffers.get(b) ?? null };
  }

  it('labels the real, the fake (detached) inputs, and names every node without a tensor id', async () => {
    const { graph, parameterOf } = await dStep();
    const labels = new Map<number, InputLabel>();
    for (const n of graph.nodes) {
      const l = inputLabel(n, graph, parameterOf);
      if (l) labels.set(n.id, l);
    }
    expect([...labels.values()].map((l) => l.role).sort()).toEqual(['fake', 'real']);
    expect([...labels.values()].find((l) => l.role === 'fake')?.short).toMatch(/detached/);
    const names = readableNames(graph, labels);
    const all = [...names.values()];
    expect(all.some((n) => /\bt\d+\b/.test(n))).toBe(false);
    expect(new Set(all).size).toBe(all.length);
    expect(names.get(graph.root)).toBe('loss');
    // D applied twice: its layers are told apart by the input they read.
    expect(all).toEqual(expect.arrayContaining(['real', 'fake', 'D.layers.0(real)', 'D.layers.0(fake)', 'D.layers.1(real)', 'D.layers.1(fake)']));
    // The boxes: the activation on the second line, the input's role on an input's.
    const boxes = describeBoxes(displayNodes(graph, new Set()), names, labels);
    const first = boxes.find((b) => b.title === 'D.layers.0(real)');
    expect(first?.subtitle).toBe('linear → tanh');
    expect(boxes.find((b) => b.title === 'D.layers.1(fake)')?.subtitle).toBe('linear, no activation');
    expect(boxes.find((b) => b.title === 'fake')?.role).toBe('fake');
  });

  it('finds G behind fake rows whose last kernel is not G\'s', async () => {
    const { graph, parameterOf } = await dStep(true);
    const roles = graph.nodes.map((n) => inputLabel(n, graph, parameterOf)?.role).filter((r) => r !== undefined);
    expect(roles.sort()).toEqual(['fake', 'real']);
  });

  it('says which layer took a fused loss backward, and shows one element\'s dy·f′(x) with the right numbers', async () => {
    const { graph } = await dStep();
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const losses = graph.nodes.filter((n) => n.op === 'bceWithLogits');
    expect(losses.length).toBe(2);
    for (const loss of losses) {
      const into = fusedInto(loss, graph);
      expect(into?.op).toBe('linear');
      expect(loss.inputs).toContain(into?.id);
      expect(fusionNote(loss, graph, (n) => n.op)).toMatch(/lossInLayerBackward/);
    }
    // The hidden tanh layer of D: dz = dy·tanh′(z) with tanh′ = 1 − y², read from y.
    const hidden = graph.nodes.find((n) => n.op === 'linear' && activationOf(n) === 'tanh') as GraphNode;
    const chain = elementChain(hidden, byId);
    expect(chain).not.toBeNull();
    const c = chain as NonNullable<typeof chain>;
    const y = (hidden.value as NonNullable<GraphNode['value']>).head[c.index];
    const dy = (hidden.gradHead as number[])[c.index];
    expect(dy).not.toBe(0);
    expect(c.dy).toBe(dy);
    expect(c.fPrime).toBeCloseTo(1 - y * y, 12);
    expect(c.product).toBeCloseTo(dy * (1 - y * y), 12);
    expect(c.text).toMatch(/dy·f′ = .* × .* = /);
    expect(c.text).toMatch(/‖∂L\/∂y‖₂/);
  });

  it('says a wide layer\'s db was summed by its dW\'s product, and a narrow layer\'s backward ran as one linearGrad', async () => {
    const graphs = await captureStep(() => tidy(() => {
      const rng = createRng(6);
      const D = new MLP({ inputs: 64, hidden: [64], outputs: 1, activation: 'relu', init: 'glorotNormal', rng });
      bceWithLogits(D.forward(randn([80, 64], rng)), 1).backward();
    }));
    const graph = graphs[0];
    const [wide, narrow] = graph.nodes.filter((n) => n.op === 'linear');
    expect(fusionNote(wide, graph, (n) => n.op)).toMatch(/dW = xᵀ·dz and db = Σ_rows dz run as one matmul kernel.*biasGradInProduct/);
    expect(fusionNote(narrow, graph, (n) => n.op)).toMatch(/one linearGrad kernel \(the fusion layerBackward/);
  });

  it('fits to the width down to an 11 px font, no further', () => {
    expect(fitScale(2000, 1000)).toBe(1);
    expect(fitScale(900, 1000)).toBeCloseTo(0.9, 12);
    expect(fitScale(300, 1000)).toBe(MIN_SCALE);
    expect(MIN_SCALE * FONT_UNITS).toBeCloseTo(11, 12);
  });
});
