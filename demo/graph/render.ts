// Draw display boxes (display.ts) placed by layout.ts as SVG: forward edges in blue, left to
// right; after a step, the gradient flowing back along each edge in orange, right to left,
// thicker for a larger norm; a tinted box behind each network (G, D, ...).

import type { GraphNode } from '../../engine/index';
import type { DisplayNode } from './display';
import { layeredLayout } from './layout';
import { routePath, routePoints } from './route';

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 204;
const BOX_H = 64;
const COL_W = BOX_W + 40;
const ROW_H = BOX_H + 16;
const PAD = 24;
const GROUP_COLORS = ['#dbeafe', '#fde68a', '#d1fae5', '#fce7f3', '#ede9fe'];

export interface RenderOptions {
  selected: number | null;
  /** Called with a box's id when it is clicked. */
  onSelect(id: number): void;
  /** Called when a box's +/− (fold or unfold its parameters) is clicked. */
  onToggle?(id: number): void;
  /** The value line of a box (default: valueText, the shape and the value or its mean and spread). */
  valueText?(node: GraphNode): string;
  /** The backward line of a box ('‖∇‖ 0.034'), or null for none yet. */
  gradText(node: GraphNode): string | null;
  /** Line width of the backward edge into node (0: none). */
  gradWidth(node: GraphNode): number;
  /** Boxes to mark as "current" (the lesson's step). */
  current?: ReadonlySet<number>;
  /** Scale the drawing down to the width of host (an overview of a large graph). */
  fit?: boolean;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A number in a few characters: 0.0342, −1.27, 3.1e-5. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toPrecision(3);
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The value line of a box: the number for a scalar, else mean ± std. */
export function valueText(node: GraphNode): string {
  const v = node.value;
  if (!v) return shapeText(node.shape);
  const n = node.shape.reduce((a, b) => a * b, 1);
  return n === 1 ? `${shapeText(node.shape)} = ${fmt(v.mean)}` : `${shapeText(node.shape)} μ ${fmt(v.mean)} σ ${fmt(v.std)}`;
}

export function renderGraph(host: HTMLElement, boxes: readonly DisplayNode[], options: RenderOptions): void {
  const { placed, routes, columns, rows } = layeredLayout(boxes);
  const width = PAD * 2 + columns * COL_W - (COL_W - BOX_W);
  const height = PAD * 2 + rows * ROW_H - (ROW_H - BOX_H) + 16;
  const fitted = options.fit && host.clientWidth > 0 && host.clientWidth < width;
  const scale = fitted ? host.clientWidth / width : 1;
  const root = svg('svg', { width: width * scale, height: height * scale, viewBox: `0 0 ${width} ${height}`, class: 'graph-svg', role: 'group', 'aria-label': `computation graph: ${boxes.length} boxes, read left to right (forward) and back (backward)` });
  const defs = svg('defs', {});
  for (const [id, color] of [['arrow-fwd', '#2563eb'], ['arrow-bwd', '#ea580c']]) {
    const m = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
    m.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: color }));
    defs.append(m);
  }
  root.append(defs);
  const slot = (s: { column: number; row: number }): { x: number; y: number } => ({ x: PAD + s.column * COL_W, y: PAD + 16 + s.row * ROW_H });
  const pos = (id: number): { x: number; y: number } => slot(placed.get(id) ?? { column: 0, row: 0 });

  // Network boxes behind the nodes.
  const groups = [...new Set(boxes.map((b) => b.group).filter((g): g is string => g !== null))];
  groups.forEach((g, gi) => {
    const members = boxes.filter((b) => b.group === g).map((b) => pos(b.id));
    const x0 = Math.min(...members.map((p) => p.x)) - 10;
    const y0 = Math.min(...members.map((p) => p.y)) - 22;
    const x1 = Math.max(...members.map((p) => p.x)) + BOX_W + 10;
    const y1 = Math.max(...members.map((p) => p.y)) + BOX_H + 10;
    const group = svg('g', { class: 'ggroup', 'data-group': g });
    group.append(
      svg('rect', { x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 10, fill: GROUP_COLORS[gi % GROUP_COLORS.length], 'fill-opacity': 0.45 }),
      svg('text', { x: x0 + 8, y: y0 + 15, class: 'ggroup-label' }, `${g}`),
    );
    root.append(group);
  });

  // Edges: forward (input -> user) and, where a gradient flowed, backward (user -> input),
  // through the slots the layout reserved in the columns an edge skips.
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const rect = (p: { x: number; y: number }): { x: number; y: number; width: number; height: number } => ({ ...p, width: BOX_W, height: BOX_H });
  for (const r of routes) {
    const points = routePoints(rect(pos(r.from)), rect(pos(r.to)), r.via.map((s) => rect(slot(s))));
    root.append(svg('path', { d: routePath(points, -4), class: 'gedge fwd', 'marker-end': 'url(#arrow-fwd)', 'data-from': r.from, 'data-to': r.to }));
    const input = byId.get(r.from);
    const w = input ? options.gradWidth(input.node) : 0;
    if (w > 0) {
      root.append(svg('path', {
        d: routePath([...points].reverse(), 5), class: 'gedge bwd', 'stroke-width': w, 'marker-end': 'url(#arrow-bwd)', 'data-from': r.to, 'data-to': r.from,
      }));
    }
  }

  for (const b of boxes) {
    const { x, y } = pos(b.id);
    const n = b.node;
    const cls = ['gnode', n.kind, options.selected === b.id ? 'selected' : '', options.current?.has(b.id) ? 'current' : ''].filter(Boolean).join(' ');
    const g = svg('g', { class: cls, 'data-id': b.id, 'data-op': n.op, transform: `translate(${x}, ${y})`, tabindex: 0 });
    g.append(svg('rect', { width: BOX_W, height: BOX_H, rx: 6 }));
    const room = b.expandable && options.onToggle ? 26 : 29;
    const title = b.title.length > room ? `…${b.title.slice(-(room - 1))}` : b.title;
    g.append(svg('text', { x: 8, y: 16, class: 'gtitle' }, title));
    g.append(svg('text', { x: 8, y: 33, class: 'gvalue' }, (options.valueText ?? valueText)(n)));
    const grad = options.gradText(n);
    if (grad !== null) g.append(svg('text', { x: 8, y: 50, class: 'ggrad' }, grad));
    if (b.folded.length > 0) g.append(svg('text', { x: 8, y: 61, class: 'gparams' }, `+ ${b.folded.map((p) => (p.name ?? 'param').split('.').pop()).join(', ')}`));
    g.addEventListener('click', () => options.onSelect(b.id));
    // From the keyboard: Tab reaches each box, Enter or Space opens it (and its expander).
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', `${n.op} ${shapeText(n.shape)}`);
    g.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      if (b.expandable && options.onToggle && e.key === ' ') options.onToggle(b.id);
      else options.onSelect(b.id);
    });
    if (b.expandable && options.onToggle) {
      const t = svg('g', { class: 'gtoggle', 'data-action': 'toggle-layer', transform: `translate(${BOX_W - 18}, 4)` });
      t.append(svg('rect', { width: 14, height: 14, rx: 3 }), svg('text', { x: 7, y: 11, 'text-anchor': 'middle' }, b.folded.length > 0 ? '+' : '−'));
      t.addEventListener('click', (e) => { e.stopPropagation(); options.onToggle?.(b.id); });
      g.append(t);
    }
    root.append(g);
  }
  host.replaceChildren(root);
}
