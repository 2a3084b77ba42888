// From a captured graph (engine/graph.ts) to the boxes the page draws. Parameters are folded
// into the ops that read them, so a Linear layer is one box ("G.layers.0 · linear") unless the
// reader expands it; nodes are grouped by the network they belong to (G and D, encoder and
// decoder): a node belongs to a network when it reads that network's parameters, or lies on a
// path between two nodes that do.

import type { CapturedGraph, DispatchRecord, GraphNode } from '../../engine/index';

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
  /** A second line under the title: the op and its activation, or what an input holds. */
  subtitle?: string;
  /** For an input: what it holds (real data, noise, a detached fake, ...). */
  role?: InputRole;
}

/** 'G.layers.0.weight' -> network 'G', layer 'G.layers.0'; 'W' -> no network. */
export function networkOf(name: string): { network: string | null; layer: string } {
  const parts = name.split('.');
  return { network: parts.length > 1 ? parts[0] : null, layer: parts.slice(0, -1).join('.') || name };
}

/** The name of an op reading a parameter: its layer ('G.layers.0'), or for a bare parameter ('W') the parameter and the op ('W.linear'). */
function layerName(parameter: string, op: string): string {
  return parameter.includes('.') ? networkOf(parameter).layer : `${parameter}.${op}`;
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

// ---------- names a reader understands ----------

/** What an input of the graph (a leaf that needs no gradient) holds. */
export type InputRole = 'real' | 'noise' | 'fake' | 'detached' | 'derived' | 'lookup' | 'constant';

export interface InputLabel {
  role: InputRole;
  /** A short name for code lines and titles ('real', 'z', 'fake'). */
  name: string;
  /** The box's second line. */
  short: string;
  /** A sentence for the detail box. */
  text: string;
}

const isPresent = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/**
 * What an input leaf holds, from the dispatches that wrote it (captureStep lists them under the
 * node): computed from a network's parameters without gradient (a GAN's fake batch, detached),
 * a random draw (noise), rows picked from the largest table gathered in this graph (the training
 * set: real data), rows of a smaller table (a lookup, e.g. a noise schedule), other ops on
 * inputs (no parameter, so no gradient is needed), or numbers written from JavaScript.
 * `parameterOf` names the parameter whose buffer a kernel argument is, or null.
 */
export function inputLabel(node: GraphNode, graph: CapturedGraph, parameterOf: (buffer: unknown) => string | null): InputLabel | null {
  if (node.kind !== 'input') return null;
  const made = node.madeBy ?? node.forward;
  const params = made.flatMap((d) => Object.values(d.call as unknown as Record<string, unknown>).map(parameterOf).filter(isPresent));
  if (params.length > 0) {
    const net = networkOf(params[0]).network;
    if (net === 'G') {
      return { role: 'fake', name: 'fake', short: 'fake G(z), detached', text: 'fake rows: G(z), made without recording a graph (detached). D learns from them; no gradient flows back into G in this pass.' };
    }
    const who = net ?? params[0];
    return { role: 'detached', name: `${who}_out`, short: `detached, from ${who}`, text: `detached: computed by ${who} without recording a graph, so the chain rule stops here and ${who} gets no gradient from this pass.` };
  }
  const last = node.forward[node.forward.length - 1];
  if (!last) return { role: 'constant', name: 'const', short: 'constant', text: 'a constant: numbers written from JavaScript (labels, targets), no kernel made it.' };
  if (last.kernel.startsWith('random')) {
    const normal = last.op === 'randn';
    return { role: 'noise', name: normal ? 'z' : 'u', short: `noise ${normal ? 'z ~ N(0, 1)' : 'u ~ U(0, 1)'}`, text: `noise: ${normal ? 'z ~ N(0, 1)' : 'u ~ U(0, 1)'}, drawn fresh at each step by a random kernel.` };
  }
  if (last.op === 'gather') {
    const rows = (d: DispatchRecord): number => d.shapes[0]?.[0] ?? 0;
    const largest = Math.max(0, ...graph.nodes.flatMap((n) => (n.madeBy ?? n.forward).filter((d) => d.op === 'gather').map(rows)));
    if (rows(last) === largest) {
      return { role: 'real', name: 'real', short: 'real data (a minibatch)', text: `real data: a random minibatch of ${last.shapes[1]?.[0] ?? '?'} rows of the training set (${rows(last)} rows).` };
    }
    return { role: 'lookup', name: 'lookup', short: `rows of a ${rows(last)}-row table`, text: `a lookup: rows picked from a table of ${rows(last)} (e.g. a noise schedule), no gradient needed.` };
  }
  const ops = [...new Set(made.map((d) => d.op))].join(', ');
  return { role: 'derived', name: 'input', short: `input, from ${last.op}`, text: `an input computed by ${ops} from tensors that need no gradient (data, noise, constants): it reads no parameter, so no gradient is kept for it.` };
}

/** The activation a Linear box applies after x·W + b ('leakyRelu', 'none'), or null for another op. */
export function activationOf(node: GraphNode): string | null {
  if (node.op !== 'linear') return null;
  for (const d of node.forward) {
    if (d.call.kernel === 'linear') return d.call.activation;
    if (d.call.kernel === 'reduce' && d.call.linear) return d.call.linear.activation;
  }
  // No dispatch recorded: the derivative rule names it, 'linear: dz = dy·tanh'(z) …'.
  const m = /dz = dy·(\w+)'/.exec(node.rule ?? '');
  return m ? m[1] : node.rule ? 'none' : null;
}

/**
 * A readable name for every node, never a tensor id: the loss; a parameter's name; an input's
 * role ('real', 'z', 'fake'); an op reading a named parameter is its layer ('G.layers.0'), any
 * other op its op name. A name used twice (D applied to real and to fake rows) gets the input it
 * traces back to, '(real)' or '(fake)', and then a number.
 */
export function readableNames(graph: CapturedGraph, labels: ReadonlyMap<number, InputLabel>): Map<number, string> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const base = new Map<number, string>();
  for (const n of graph.nodes) {
    const named = n.inputs.map((i) => byId.get(i)).find((p) => p?.kind === 'parameter' && p.name);
    base.set(n.id, n.id === graph.root && n.kind === 'op' ? 'loss'
      : n.kind === 'parameter' ? n.name ?? 'parameter'
        : n.kind === 'input' ? labels.get(n.id)?.name ?? 'input'
          : named?.name ? layerName(named.name, n.op) : n.op);
  }
  // The roles of the inputs upstream of each node (nodes come inputs first).
  const roles = new Map<number, Set<string>>();
  for (const n of graph.nodes) {
    const s = new Set<string>();
    const own = labels.get(n.id);
    if (own && (own.role === 'real' || own.role === 'fake')) s.add(own.role);
    for (const i of n.inputs) for (const r of roles.get(i) ?? []) s.add(r);
    roles.set(n.id, s);
  }
  const count = new Map<string, number>();
  for (const b of base.values()) count.set(b, (count.get(b) ?? 0) + 1);
  const names = new Map<number, string>();
  const used = new Map<string, number>();
  for (const n of graph.nodes) {
    let name = base.get(n.id) as string;
    const r = [...(roles.get(n.id) ?? [])];
    if ((count.get(name) ?? 0) > 1 && n.kind === 'op' && r.length === 1) name = `${name}(${r[0]})`;
    const k = (used.get(name) ?? 0) + 1;
    used.set(name, k);
    names.set(n.id, k > 1 ? `${name}#${k}` : name);
  }
  return names;
}

/** The panel's boxes: readable titles, the activation or the input's role on a second line. */
export function describeBoxes(boxes: readonly DisplayNode[], names: ReadonlyMap<number, string>, labels: ReadonlyMap<number, InputLabel>): DisplayNode[] {
  return boxes.map((b) => {
    const n = b.node;
    const label = labels.get(n.id);
    const act = activationOf(n);
    const subtitle = label ? label.short
      : act !== null ? (act === 'none' ? 'linear, no activation' : `linear → ${act}`)
        : n.kind === 'parameter' ? 'parameter' : n.op;
    return { ...b, title: names.get(n.id) ?? b.title, subtitle, ...(label ? { role: label.role } : {}) };
  });
}
