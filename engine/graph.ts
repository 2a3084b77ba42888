// The computation graph of a loss, as data a page can draw: one node per tensor (an op with its
// output shape, or a leaf: a parameter, an input, a constant), edges from inputs to users.
//
//   captureGraph(loss)       the structure, by walking GradNode inputs back from the loss;
//   captureStep(fn, names)   runs fn (a training step that calls backward) and returns the graph
//                            of every backward pass it made, with, for each node, a summary of its
//                            value, the norm of the gradient ∂L/∂node that flowed back into it,
//                            and the kernel dispatches its forward and its backward rule became.
//
// captureStep watches the reverse pass through a small observer in autograd.ts (nobody watches
// normally), so the training step runs exactly as it does without it.

import { keep } from './memory';
import { observeReversePasses } from './autograd';
import type { Storage } from './backend';
import type { Tensor } from './tensor';
import { onDispatch, type DispatchRecord } from './trace';

/** Mean, spread and range of a tensor's values. */
export interface ValueSummary {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** The first few values. */
  head: number[];
}

export type GraphNodeKind = 'op' | 'parameter' | 'input';

export interface GraphNode {
  /** The tensor's id (unique within a page session). */
  id: number;
  kind: GraphNodeKind;
  /** The op that made it ('linear', 'sigmoid', ...), 'parameter' or 'input' for leaves. */
  op: string;
  shape: number[];
  /** Ids of the input nodes, in the op's argument order. */
  inputs: number[];
  /** The derivative rule in words (GradNode.rule), null for leaves. */
  rule: string | null;
  requiresGrad: boolean;
  /** The parameter's name (e.g. 'G.layers.0.weight') when one was given. */
  name?: string;
  /** After captureStep: the value, and ‖∂L/∂node‖₂ (null where no gradient flowed). */
  value?: ValueSummary;
  gradNorm?: number | null;
  /** After captureStep: the first few elements of ∂L/∂node (flat order), where a gradient flowed. */
  gradHead?: number[];
  /** After captureStep: the dispatches of its forward op and of its backward rule. */
  forward: DispatchRecord[];
  backward: DispatchRecord[];
  /**
   * After captureStep, for an input (a leaf computed by kernels, like a GAN's fake rows made
   * without gradient): every dispatch of the run that ended by writing it, whichever op made
   * each (forward keeps only the last op's).
   */
  madeBy?: DispatchRecord[];
  /** Position in the reverse pass (0 = the loss), -1 where the pass did not visit it. */
  backwardOrder: number;
}

export interface CapturedGraph {
  /** The loss node's id. */
  root: number;
  /** Inputs before users (a topological order). */
  nodes: GraphNode[];
}

/** The graph of `loss`: every tensor reachable through GradNode inputs, inputs first. */
export function captureGraph(loss: Tensor, names: ReadonlyMap<Tensor, string> = new Map()): CapturedGraph {
  const tensors = reachable(loss);
  const nodes = tensors.map((t): GraphNode => {
    const name = names.get(t);
    return {
      id: t.id,
      kind: t.node ? 'op' : t.requiresGrad || name ? 'parameter' : 'input',
      op: t.node?.op ?? (t.requiresGrad || name ? 'parameter' : 'input'),
      shape: [...t.shape],
      inputs: (t.node?.inputs ?? []).map((i) => i.id),
      rule: t.node?.rule ?? null,
      requiresGrad: t.requiresGrad,
      ...(name ? { name } : {}),
      forward: [],
      backward: [],
      backwardOrder: -1,
    };
  });
  return { root: loss.id, nodes };
}

/** Tensors reachable from root through node inputs, inputs before users (iterative DFS). */
function reachable(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.t.node?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (!seen.has(child)) {
        seen.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

/** The buffer a dispatch writes (its output), where it has one. */
function outputOf(r: DispatchRecord): Storage | null {
  const c = r.call as unknown as Record<string, unknown>;
  return (c.out ?? c.dst ?? null) as Storage | null;
}

/** One backward pass being captured: its graph, and aliases of values and gradients to read. */
interface PassCapture {
  graph: CapturedGraph;
  byId: Map<number, GraphNode>;
  values: Map<number, Tensor>;
  grads: Map<number, Tensor>;
  visited: number;
  current: GraphNode | null;
}

/**
 * Run fn (a training step) and capture the graph of each backward pass it makes: the node
 * values, the gradient norms and the dispatches. Parameters named in `names` are labelled.
 * The values are read back after fn returns (asynchronous on WebGPU).
 */
export async function captureStep(fn: () => void, names: ReadonlyMap<Tensor, string> = new Map()): Promise<CapturedGraph[]> {
  const passes: PassCapture[] = [];
  let pending: DispatchRecord[] = []; // dispatches not yet given to a node
  let pass: PassCapture | null = null;

  const stopDispatches = onDispatch((r) => {
    if (pass?.current) pass.current.backward.push(r);
    else pending.push(r);
  });
  observeReversePasses({
    begin(root) {
      const tensors = reachable(root);
      const graph = captureGraph(root, names);
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      const values = new Map<number, Tensor>();
      const byStorage = new Map<Storage, GraphNode>();
      for (const t of tensors) {
        if (t.isDisposed) continue;
        values.set(t.id, keep(t.detach()));
        // A reshape shares its input's buffer: the first (the producer) keeps the entry.
        const storage = t.storage('captureStep');
        if (!byStorage.has(storage)) byStorage.set(storage, byId.get(t.id) as GraphNode);
      }
      // The forward dispatches since the last pass: each run of them ends with the one that
      // writes a node's tensor; that one, and those of the run made by the same op, go to the
      // node (work for constants, metrics and the optimizer is left out).
      let group: DispatchRecord[] = [];
      for (const r of pending) {
        group.push(r);
        const out = outputOf(r);
        const node = out ? byStorage.get(out) : undefined;
        if (node) {
          node.forward.push(...group.filter((d) => d === r || d.op === r.op));
          if (node.kind === 'input') node.madeBy = [...(node.madeBy ?? []), ...group];
          group = [];
        }
        // A narrow layer whose output went straight into a loss has no forward kernel of its own:
        // the loss's reduction computed it (and stored it) while reading it. That dispatch is
        // listed under the layer too.
        const layer = r.call.kernel === 'reduce' && r.call.linear ? byStorage.get(r.call.linear.z) : undefined;
        if (layer && layer !== node) layer.forward.push(r);
      }
      pending = [];
      pass = { graph, byId, values, grads: new Map(), visited: 0, current: null };
      passes.push(pass);
    },
    gradient(t, g) {
      if (!pass) return;
      const node = pass.byId.get(t.id) ?? null;
      pass.current = node;
      if (node) {
        node.backwardOrder = pass.visited++;
        pass.grads.set(t.id, keep(g.detach()));
      }
    },
    end() {
      pass = null;
      pending = [];
    },
  });
  try {
    try {
      fn();
    } finally {
      observeReversePasses(null);
      stopDispatches();
    }
    for (const p of passes) {
      for (const node of p.graph.nodes) {
        const v = p.values.get(node.id);
        if (v) node.value = summarise(await v.data());
        const g = p.grads.get(node.id);
        const gd = g ? await g.data() : null;
        node.gradNorm = gd ? norm(gd) : null;
        if (gd) node.gradHead = Array.from({ length: Math.min(gd.length, 4) }, (_, i) => gd[i]);
      }
    }
  } finally {
    // The aliases kept for reading are freed even when the step failed.
    for (const p of passes) for (const t of [...p.values.values(), ...p.grads.values()]) t.dispose();
  }
  return passes.map((p) => p.graph);
}

export function summarise(values: ArrayLike<number>): ValueSummary {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const head: number[] = [];
  for (let i = 0; i < Math.min(n, 4); i++) head.push(values[i]);
  return { mean, std: n > 0 ? Math.sqrt(ss / n) : NaN, min, max, head };
}

function norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}
