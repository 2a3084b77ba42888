// The graph view's pure parts (demo/graph/display.ts and layout.ts), on the captured graph of a
// small GAN generator step: parameters fold into their layer, G's and D's nodes are grouped,
// the loss belongs to neither, and the layout sends every edge left to right without two boxes
// in one place.

import { describe, expect, it } from 'vitest';
import { bceWithLogits, captureGraph, createRng, MLP, randn, tidy, type Tensor } from '../engine/index';
import { displayNodes } from '../demo/graph/display';
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
