// A small layered layout (after Sugiyama et al. 1981, without the crossing minimisation rounds):
// each box goes in the column after its latest input, sources sit just before their first user,
// and boxes in a column are sorted by network (boxes of no network last, so a network's area
// stays clear of them), then by the mean row of their inputs.

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

export function layeredLayout(nodes: readonly LayoutInput[]): { placed: Map<number, Placed>; columns: number; rows: number } {
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
  const groups = [...new Set(nodes.map((n) => n.group).filter((g) => g !== null)), null];
  const columns = Math.max(0, ...column.values()) + 1;
  const placed = new Map<number, Placed>();
  let rows = 0;
  for (let c = 0; c < columns; c++) {
    const here = nodes.filter((n) => column.get(n.id) === c);
    const meanRow = (n: LayoutInput): number => {
      const rs = n.inputs.map((i) => placed.get(i)?.row).filter((r): r is number => r !== undefined);
      return rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : Infinity;
    };
    here.sort((a, b) => groups.indexOf(a.group) - groups.indexOf(b.group) || meanRow(a) - meanRow(b));
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
  return { placed, columns, rows };
}
