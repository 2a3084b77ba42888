// Draw display boxes (display.ts) placed by layout.ts as SVG: forward edges in blue, left to
// right; after a step, the gradient flowing back along each edge in orange, right to left,
// thicker for a larger norm; a tinted box behind each network (G, D, ...).

import type { GraphNode } from '../../engine/index';
import type { DisplayNode } from './display';
import { layeredLayout } from './layout';
import { routePath, routePoints } from './route';

const SVG = 'http://www.w3.org/2000/svg';
// Every text of a box is 13 units tall (.graph-svg in style.css), so a drawing scaled by s shows
// 13·s px text: fitting to the width stops at s = 11/13, an 11 px font, and the reader pans and
// zooms from there instead.
export const FONT_UNITS = 13;
export const MIN_FONT_PX = 11;
export const MIN_SCALE = MIN_FONT_PX / FONT_UNITS;
const CHAR_W = 7.9; // a 13 px monospace character
const LINE_H = 16;
const BOX_W = 236;
const COL_W = BOX_W + 40;
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
  /** Scale the drawing down to the width of host (an overview of a large graph), never below MIN_SCALE. */
  fit?: boolean;
  /** Draw at this scale (1: full size), clamped to MIN_SCALE; overrides fit. */
  scale?: number;
}

/** The scale that fits a drawing `width` wide into `hostWidth`: at most 1, at least MIN_SCALE (11 px text). */
export function fitScale(hostWidth: number, width: number): number {
  if (!(hostWidth > 0) || hostWidth >= width) return 1;
  return Math.max(MIN_SCALE, hostWidth / width);
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

/** Cut a line to `room` characters, keeping its end (a title: a layer's name ends with its number) or its start. */
function clip(text: string, room: number, keep: 'end' | 'start' = 'start'): string {
  if (text.length <= room) return text;
  return keep === 'end' ? `…${text.slice(-(room - 1))}` : `${text.slice(0, room - 1)}…`;
}

/** Draw the boxes into host; returns the drawing's full size and the scale it is shown at. */
export function renderGraph(host: HTMLElement, boxes: readonly DisplayNode[], options: RenderOptions): { width: number; height: number; scale: number } {
  const { placed, routes, columns, rows } = layeredLayout(boxes);
  // Lines of a box: title, [subtitle], value, gradient, [folded parameters].
  const lines = 4 + (boxes.some((b) => b.subtitle !== undefined) ? 1 : 0);
  const BOX_H = 8 + lines * LINE_H;
  const ROW_H = BOX_H + 16;
  const width = PAD * 2 + columns * COL_W - (COL_W - BOX_W);
  const height = PAD * 2 + rows * ROW_H - (ROW_H - BOX_H) + 16;
  const scale = options.scale !== undefined ? Math.max(MIN_SCALE, options.scale) : options.fit ? fitScale(host.clientWidth, width) : 1;
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
    const cls = ['gnode', n.kind, b.role ? `role-${b.role}` : '', options.selected === b.id ? 'selected' : '', options.current?.has(b.id) ? 'current' : ''].filter(Boolean).join(' ');
    const g = svg('g', { class: cls, 'data-id': b.id, 'data-op': n.op, transform: `translate(${x}, ${y})`, tabindex: 0 });
    if (b.role) g.setAttribute('data-role', b.role);
    g.append(svg('rect', { width: BOX_W, height: BOX_H, rx: 6 }));
    const room = Math.floor((BOX_W - 16) / CHAR_W);
    const line = (k: number): number => 4 + LINE_H * (k + 1) - 4;
    let k = 0;
    g.append(svg('text', { x: 8, y: line(k++), class: 'gtitle' }, clip(b.title, b.expandable && options.onToggle ? room - 3 : room, 'end')));
    if (b.subtitle !== undefined) g.append(svg('text', { x: 8, y: line(k++), class: 'gsub' }, clip(b.subtitle, room)));
    g.append(svg('text', { x: 8, y: line(k++), class: 'gvalue' }, clip((options.valueText ?? valueText)(n), room)));
    const grad = options.gradText(n);
    if (grad !== null) g.append(svg('text', { x: 8, y: line(k), class: 'ggrad' }, clip(grad, room)));
    k++;
    if (b.folded.length > 0) g.append(svg('text', { x: 8, y: line(k), class: 'gparams' }, clip(`+ ${b.folded.map((p) => (p.name ?? 'param').split('.').pop()).join(', ')}`, room)));
    g.addEventListener('click', () => options.onSelect(b.id));
    // From the keyboard: Tab reaches each box, Enter or Space opens it (and its expander).
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', `${b.title}${b.subtitle ? `, ${b.subtitle}` : ''}, ${shapeText(n.shape)}`);
    g.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      if (b.expandable && options.onToggle && e.key === ' ') options.onToggle(b.id);
      else options.onSelect(b.id);
    });
    if (b.expandable && options.onToggle) {
      const t = svg('g', { class: 'gtoggle', 'data-action': 'toggle-layer', transform: `translate(${BOX_W - 20}, 4)` });
      t.append(svg('rect', { width: 16, height: 16, rx: 3 }), svg('text', { x: 8, y: 13, 'text-anchor': 'middle' }, b.folded.length > 0 ? '+' : '−'));
      t.addEventListener('click', (e) => { e.stopPropagation(); options.onToggle?.(b.id); });
      g.append(t);
    }
    root.append(g);
  }
  host.replaceChildren(root);
  return { width, height, scale };
}
