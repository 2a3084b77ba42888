// The line of an edge of the graph drawing: out of its input's box on the right, straight across
// each column it skips (at the slot the layout reserved there, so never behind a box), and into
// its user's box on the left. Between columns it is a cubic Bézier whose control points share
// the gap's middle x, so it stays inside the gap, where no box is.

export interface Point { x: number; y: number }
export interface Rect { x: number; y: number; width: number; height: number }

/** The corners of the route: the start, an entry and an exit per skipped slot, the end. */
export function routePoints(from: Rect, to: Rect, via: readonly Rect[]): Point[] {
  const mid = (r: Rect): number => r.y + r.height / 2;
  const points: Point[] = [{ x: from.x + from.width, y: mid(from) }];
  for (const slot of via) points.push({ x: slot.x, y: mid(slot) }, { x: slot.x + slot.width, y: mid(slot) });
  points.push({ x: to.x, y: mid(to) });
  return points;
}

/** One piece of a route: a curve across a gap or a straight line through a slot. */
type Piece = { kind: 'curve'; from: Point; c1: Point; c2: Point; to: Point } | { kind: 'line'; from: Point; to: Point };

/** The pieces along `points` (from routePoints, possibly reversed), shifted down by `dy`. */
function pieces(points: readonly Point[], dy: number): Piece[] {
  const p = points.map((q) => ({ x: q.x, y: q.y + dy }));
  const out: Piece[] = [];
  for (let j = 0; j + 1 < p.length; j++) {
    const [a, b] = [p[j], p[j + 1]];
    const mx = (a.x + b.x) / 2;
    out.push(j % 2 === 0 ? { kind: 'curve', from: a, c1: { x: mx, y: a.y }, c2: { x: mx, y: b.y }, to: b } : { kind: 'line', from: a, to: b });
  }
  return out;
}

/** The SVG path data of the route. */
export function routePath(points: readonly Point[], dy: number): string {
  const ps = pieces(points, dy);
  const start = ps[0].from;
  return `M ${start.x} ${start.y} ` + ps.map((q) => (q.kind === 'line'
    ? `L ${q.to.x} ${q.to.y}`
    : `C ${q.c1.x} ${q.c1.y}, ${q.c2.x} ${q.c2.y}, ${q.to.x} ${q.to.y}`)).join(' ');
}

/** Points along the drawn route, `n` per piece (for tests that check what it passes through). */
export function sampleRoute(points: readonly Point[], dy: number, n = 32): Point[] {
  const out: Point[] = [];
  for (const q of pieces(points, dy)) {
    for (let i = 0; i <= n; i++) {
      const t = i / n;
      if (q.kind === 'line') { out.push({ x: q.from.x + t * (q.to.x - q.from.x), y: q.from.y + t * (q.to.y - q.from.y) }); continue; }
      const u = 1 - t;
      const at = (k: 'x' | 'y'): number => u * u * u * q.from[k] + 3 * u * u * t * q.c1[k] + 3 * u * t * t * q.c2[k] + t * t * t * q.to[k];
      out.push({ x: at('x'), y: at('y') });
    }
  }
  return out;
}
