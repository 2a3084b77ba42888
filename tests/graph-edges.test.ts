// Every edge of a graph drawing is visible: no forward or backward line passes through a box it
// does not connect (demo/graph/layout.ts reserves a slot in each column a long edge skips,
// demo/graph/route.ts draws through them). Checked on points sampled along each drawn curve, for
// the lesson's examples, typed functions, and a GAN's step folded and unfolded; and the check
// itself catches the old drawing (a straight curve from x to the product in sin(x)·x, behind sin).

import { describe, expect, it } from 'vitest';
import { bceWithLogits, captureGraph, createRng, MLP, randn, tidy, type CapturedGraph, type Tensor } from '../engine/index';
import { displayNodes, type DisplayNode } from '../demo/graph/display';
import { layeredLayout } from '../demo/graph/layout';
import { routePoints, sampleRoute, type Point, type Rect } from '../demo/graph/route';
import { LESSON_FUNCTIONS } from '../demo/graph/lesson';
import { buildLesson } from '../demo/graph/lesson-model';

/** The page's geometry (demo/graph/render.ts), and a tighter one. */
const GEOMETRIES = [{ boxW: 204, boxH: 64, gapX: 40, gapY: 16 }, { boxW: 120, boxH: 40, gapX: 12, gapY: 4 }];

/** Box rectangles and, per edge, the sampled forward (−4 px) and backward (+5 px) lines. */
function draw(boxes: readonly DisplayNode[], g: (typeof GEOMETRIES)[number], routed = true): { rects: Map<number, Rect>; edges: { from: number; to: number; points: Point[] }[] } {
  const { placed, routes } = layeredLayout(boxes);
  const rect = (s: { column: number; row: number }): Rect => ({ x: s.column * (g.boxW + g.gapX), y: s.row * (g.boxH + g.gapY), width: g.boxW, height: g.boxH });
  const rects = new Map(boxes.map((b) => [b.id, rect(placed.get(b.id) as { column: number; row: number })]));
  const edges = routes.map((r) => {
    const corners = routePoints(rects.get(r.from) as Rect, rects.get(r.to) as Rect, routed ? r.via.map(rect) : []);
    return { from: r.from, to: r.to, points: [...sampleRoute(corners, -4), ...sampleRoute([...corners].reverse(), 5)] };
  });
  return { rects, edges };
}

/** Edges that pass through the inside of a box other than their own two. */
function crossings(boxes: readonly DisplayNode[], g: (typeof GEOMETRIES)[number], routed = true): string[] {
  const { rects, edges } = draw(boxes, g, routed);
  const found: string[] = [];
  for (const e of edges) {
    for (const [id, r] of rects) {
      if (id === e.from || id === e.to) continue;
      const inside = e.points.some((p) => p.x > r.x + 0.5 && p.x < r.x + r.width - 0.5 && p.y > r.y + 0.5 && p.y < r.y + r.height - 0.5);
      if (inside) found.push(`${e.from}→${e.to} through ${id}`);
    }
  }
  return found;
}

function lessonBoxes(source: string, values: Record<string, number | number[]>): DisplayNode[] {
  const graph = buildLesson(source, values).lesson.graph;
  return displayNodes(graph, new Set(graph.nodes.map((n) => n.id)));
}

function ganGraph(): CapturedGraph {
  return tidy(() => {
    const rng = createRng(4);
    const G = new MLP({ inputs: 3, hidden: [8, 8], outputs: 1, activation: 'relu', init: 'glorotNormal', rng });
    const D = new MLP({ inputs: 1, hidden: [8, 8], outputs: 1, activation: 'relu', init: 'glorotNormal', rng });
    const names = new Map<Tensor, string>([
      ...G.namedParameters().map(([n, t]): [Tensor, string] => [t, `G.${n}`]),
      ...D.namedParameters().map(([n, t]): [Tensor, string] => [t, `D.${n}`]),
    ]);
    // D on real rows and on G's rows: the real rows' input skips G's columns.
    const loss = bceWithLogits(D.forward(randn([5, 1], rng)), 1).add(bceWithLogits(D.forward(G.forward(randn([5, 3], rng))), 0));
    return captureGraph(loss, names);
  });
}

const TYPED: [string, Record<string, number | number[]>][] = [
  ['exp(−x^2)·log(x) + sqrt(abs(x))/cos(x) − x/tanh(x)', { x: 0.9 }],
  ['x·sin(x·cos(x·tanh(x)))', { x: 0.4 }],
  ['sigmoid(w·relu(x·w + b) + b)·x', { x: 0.8, w: -1.3, b: 0.4 }],
  ['sum(w·x) + mean((x − t)^2)', { w: 0.5, x: [1, -2, 3], t: [0.5, 0.25, -1] }],
];

describe('no edge passes behind a box', () => {
  for (const g of GEOMETRIES) {
    for (const f of LESSON_FUNCTIONS) {
      it(`${f.label} (boxes ${g.boxW}×${g.boxH})`, () => expect(crossings(lessonBoxes(f.source, f.values), g)).toEqual([]));
    }
    for (const [source, values] of TYPED) {
      it(`typed: ${source} (boxes ${g.boxW}×${g.boxH})`, () => expect(crossings(lessonBoxes(source, values), g)).toEqual([]));
    }
    it(`a GAN step, folded and unfolded (boxes ${g.boxW}×${g.boxH})`, () => {
      const graph = ganGraph();
      for (const expanded of [new Set<number>(), new Set(graph.nodes.map((n) => n.id))]) {
        expect(crossings(displayNodes(graph, expanded), g)).toEqual([]);
      }
    });
  }

  it('catches the drawing without slots: x → product behind sin in sin(x)·x', () => {
    const boxes = lessonBoxes('sin(x)·x', { x: 1.2 });
    expect(crossings(boxes, GEOMETRIES[0], false).length).toBeGreaterThan(0);
    // With slots: the x → product edge has one, in sin's column, on a row of its own.
    const { placed, routes } = layeredLayout(boxes);
    const [x, sin, product] = boxes.map((b) => placed.get(b.id) as { column: number; row: number });
    const long = routes.find((r) => r.via.length > 0);
    expect(long?.via).toHaveLength(1);
    expect(long?.via[0].column).toBe(sin.column);
    expect(long?.via[0].row).not.toBe(sin.row);
    expect(x.column).toBeLessThan(sin.column);
    expect(product.column).toBeGreaterThan(sin.column);
  });

  it('gives every slot a place no box or other slot has', () => {
    const graph = ganGraph();
    const boxes = displayNodes(graph, new Set(graph.nodes.map((n) => n.id)));
    const { placed, routes } = layeredLayout(boxes);
    const cells = [...placed.values()].map((p) => `${p.column},${p.row}`);
    for (const r of routes) for (const v of r.via) cells.push(`${v.column},${v.row}`);
    expect(new Set(cells).size).toBe(cells.length);
    expect(routes.some((r) => r.via.length > 0)).toBe(true);
  });
});
