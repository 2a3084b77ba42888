// A small layered layout (after Sugiyama et al. 1981, without the crossing minimisation rounds):
// each box goes in the column after its latest input, sources sit just before their first user,
// and boxes in a column are sorted by network (boxes of no network last, so a network's area
// stays clear of them), then by the mean row of their inputs.
//
// An edge that skips columns (x read by sin and, two columns on, by the product in sin(x)·x)
// gets a slot of its own in each column it crosses, as Sugiyama's dummy vertices do: no box is
// placed there, so the edge, drawn straight through its slots (`via`), never passes behind a box.

export interface LayoutInput {
  id: number;
  inputs: number[];
  group: string | null;
}

export interface Placed {
  id: number;
  column: number;
  row: number;
}

/** An edge from box `from` to box `to`, through one reserved slot per column in between. */
export interface Route {
  from: number;
  to: number;
  via: { column: number; row: number }[];
}

export interface Layout {
  placed: Map<number, Placed>;
  /** One per distinct (input, user) pair, in the order of the users' inputs. */
  routes: Route[];
  columns: number;
  rows: number;
}

export function layeredLayout(nodes: readonly LayoutInput[]): Layout {
  const column = new Map<number, number>();
  // Nodes come inputs first, so one pass gives the longest path from a source.
  for (const n of nodes) {
    const c = n.inputs.reduce((m, i) => Math.max(m, (column.get(i) ?? -1) + 1), 0);
    column.set(n.id, c);
  }
  // Pull each source right, to the column before its first user.
  for (const n of nodes) {
    if (n.inputs.length > 0) continue;
    const firstUser = Math.min(...nodes.filter((u) => u.inputs.includes(n.id)).map((u) => column.get(u.id) as number));
    if (Number.isFinite(firstUser)) column.set(n.id, firstUser - 1);
  }
  // A slot (negative id) in each column an edge skips, each reading the one before it.
  const groupOf = new Map(nodes.map((n) => [n.id, n.group]));
  const slots: LayoutInput[] = [];
  const slotIds: { from: number; to: number; ids: number[] }[] = [];
  for (const n of nodes) {
    for (const i of new Set(n.inputs)) {
      const ids: number[] = [];
      const group = groupOf.get(i) === n.group ? n.group : null;
      for (let c = (column.get(i) ?? 0) + 1; c < (column.get(n.id) as number); c++) {
        const id = -(slots.length + 1);
        slots.push({ id, inputs: [ids.length > 0 ? ids[ids.length - 1] : i], group });
        column.set(id, c);
        ids.push(id);
      }
      slotIds.push({ from: i, to: n.id, ids });
    }
  }
  const everything = [...nodes, ...slots];
  const groups = [...new Set(nodes.map((n) => n.group).filter((g) => g !== null)), null];
  const columns = Math.max(0, ...column.values()) + 1;
  const placed = new Map<number, Placed>();
  let rows = 0;
  for (let c = 0; c < columns; c++) {
    const here = everything.filter((n) => column.get(n.id) === c);
    const meanRow = (n: LayoutInput): number => {
      const rs = n.inputs.map((i) => placed.get(i)?.row).filter((r): r is number => r !== undefined);
      return rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : Infinity;
    };
    // Boxes before slots at the same mean row: the boxes keep the main line, the long edge bends.
    here.sort((a, b) => groups.indexOf(a.group) - groups.indexOf(b.group) || meanRow(a) - meanRow(b) || Number(a.id < 0) - Number(b.id < 0));
    // Keep each box near its inputs' rows where there is room.
    let next = 0;
    for (const n of here) {
      const want = meanRow(n);
      const row = Number.isFinite(want) ? Math.max(next, Math.round(want)) : next;
      placed.set(n.id, { id: n.id, column: c, row });
      next = row + 1;
    }
    rows = Math.max(rows, next);
  }
  const routes = slotIds.map(({ from, to, ids }) => ({
    from, to, via: ids.map((id) => ({ column: (placed.get(id) as Placed).column, row: (placed.get(id) as Placed).row })),
  }));
  for (const s of slots) placed.delete(s.id);
  return { placed, routes, columns, rows };
}
