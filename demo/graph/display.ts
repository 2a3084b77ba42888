// From a captured graph (engine/graph.ts) to the boxes the page draws. Parameters are folded
// into the ops that read them, so a Linear layer is one box ("G.layers.0 · linear") unless the
// reader expands it; nodes are grouped by the network they belong to (G and D, encoder and
// decoder): a node belongs to a network when it reads that network's parameters, or lies on a
// path between two nodes that do.

import type { CapturedGraph, GraphNode } from '../../engine/index';

export interface DisplayNode {
  /** The op node's id (a folded parameter has no box of its own). */
  id: number;
  node: GraphNode;
  /** Parameters folded into this box (empty when expanded or none). */
  folded: GraphNode[];
  /** Whether this op reads parameters (which + shows as boxes of their own). */
  expandable: boolean;
  /** The box's title: the layer's name and op, or the op. */
  title: string;
  /** Ids of the boxes it reads. */
  inputs: number[];
  /** The network ('G', 'D', 'encoder', ...), or null for the loss and the inputs. */
  group: string | null;
}

/** 'G.layers.0.weight' -> network 'G', layer 'G.layers.0'; 'W' -> no network. */
export function networkOf(name: string): { network: string | null; layer: string } {
  const parts = name.split('.');
  return { network: parts.length > 1 ? parts[0] : null, layer: parts.slice(0, -1).join('.') || name };
}

/** The boxes of `graph`, with the ops in `expanded` showing their parameters as boxes. */
export function displayNodes(graph: CapturedGraph, expanded: ReadonlySet<number>): DisplayNode[] {
  const users = new Map<number, number[]>();
  for (const n of graph.nodes) for (const i of n.inputs) users.set(i, [...(users.get(i) ?? []), n.id]);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const isParam = (n: GraphNode): boolean => n.kind === 'parameter';
  // A parameter is folded into the ops that read it (a network applied twice, like D on real
  // and on fake rows, shows it in both), unless one of them is expanded.
  const foldedInto = new Set<number>();
  for (const n of graph.nodes) {
    const u = users.get(n.id) ?? [];
    if (isParam(n) && u.length > 0 && !u.some((id) => expanded.has(id))) foldedInto.add(n.id);
  }
  const groups = assignNetworks(graph, users);
  const out: DisplayNode[] = [];
  for (const n of graph.nodes) {
    if (foldedInto.has(n.id)) continue;
    const params = n.inputs.map((i) => byId.get(i) as GraphNode).filter(isParam);
    const named = params.find((p) => p.name);
    const title = n.kind === 'op'
      ? named?.name ? `${networkOf(named.name).layer} · ${n.op}` : n.op
      : n.name ?? (n.kind === 'parameter' ? 'parameter' : 'input');
    out.push({
      id: n.id,
      node: n,
      folded: params.filter((p) => foldedInto.has(p.id)),
      expandable: params.length > 0,
      title,
      inputs: n.inputs.filter((i) => !foldedInto.has(i)),
      group: groups.get(n.id) ?? null,
    });
  }
  return out;
}

/** Each node's network: from the parameters it reads, or shared by an ancestor and a descendant. */
function assignNetworks(graph: CapturedGraph, users: Map<number, number[]>): Map<number, string> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const own = new Map<number, string>();
  for (const n of graph.nodes) {
    if (n.kind === 'parameter' && n.name) {
      const net = networkOf(n.name).network;
      if (net) own.set(n.id, net);
    }
    for (const i of n.inputs) {
      const p = byId.get(i);
      const net = p?.kind === 'parameter' && p.name ? networkOf(p.name).network : null;
      if (net) own.set(n.id, net);
    }
  }
  // Networks upstream (nodes are inputs first) and downstream (the reverse) of every node.
  const up = new Map<number, Set<string>>();
  for (const n of graph.nodes) {
    const s = new Set<string>();
    for (const i of n.inputs) for (const g of up.get(i) ?? []) s.add(g);
    const o = own.get(n.id);
    if (o) s.add(o);
    up.set(n.id, s);
  }
  const down = new Map<number, Set<string>>();
  for (const n of [...graph.nodes].reverse()) {
    const s = new Set<string>();
    for (const u of users.get(n.id) ?? []) for (const g of down.get(u) ?? []) s.add(g);
    const o = own.get(n.id);
    if (o) s.add(o);
    down.set(n.id, s);
  }
  const result = new Map<number, string>();
  for (const n of graph.nodes) {
    const o = own.get(n.id);
    if (o) { result.set(n.id, o); continue; }
    const both = [...(up.get(n.id) ?? [])].filter((g) => down.get(n.id)?.has(g));
    if (both.length === 1) result.set(n.id, both[0]);
  }
  return result;
}
