// Reverse-mode automatic differentiation.
//
// Every op that reads a tensor requiring gradients records a GradNode on its output: the
// inputs, and a function that maps the gradient of the loss with respect to the output (dy)
// to the gradients with respect to each input (the chain rule, one op at a time). backward()
// visits the graph in reverse topological order, so a node runs only once all the gradient
// that flows into it has been summed; a tensor used twice receives both contributions.
// Gradients are themselves computed with tensor ops, on the same backend as the forward pass.

import { keep } from './memory';
import { formatShape, sameShape } from './shape';
import type { Tensor } from './tensor';

export interface GradNode {
  /** The op's name, for error messages and the "under the hood" view. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradients of the loss with respect to each input (null: no gradient for that input). */
  readonly backward: (dy: Tensor) => readonly (Tensor | null)[];
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run fn without recording the graph: results do not require gradients. */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/** Attach a node to `out` if any input requires gradients (and recording is on). */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: GradNode['backward']): Tensor {
  if (!gradEnabled) return out;
  for (const t of inputs) {
    if (t.requiresGrad) {
      out.requiresGrad = true;
      out.node = { op, inputs, backward };
      return out;
    }
  }
  return out;
}

/** Tensors reachable from root through inputs that require gradients, inputs before users. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  // Iterative depth-first search (deep graphs would overflow a recursive one).
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.t.node?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (child.requiresGrad && !seen.has(child)) {
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

export function backward(root: Tensor, seed?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor of shape ${formatShape(root.shape)} does not require gradients (no input of it had requiresGrad: true, or it was computed under noGrad)`);
  }
  let g0: Tensor;
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new Error(`backward: called on a non-scalar tensor of shape ${formatShape(root.shape)} without a seed gradient; reduce it first (e.g. .mean()) or pass backward(seed) of the same shape`);
    }
    g0 = noGrad(() => root.onesLike());
  } else {
    if (!sameShape(seed.shape, root.shape)) {
      throw new Error(`backward: seed gradient has shape ${formatShape(seed.shape)} but the tensor has shape ${formatShape(root.shape)}`);
    }
    g0 = seed.detach(); // an alias we may dispose without touching the caller's tensor
  }

  const grads = new Map<Tensor, Tensor>([[root, g0]]);
  const order = topologicalOrder(root);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.node;
      if (node === null) {
        // A leaf: accumulate into .grad (gradients add up across backward calls until zeroGrad).
        if (t.grad === null) t.grad = keep(g);
        else {
          const sum = keep(t.grad.add(g));
          t.grad.dispose();
          g.dispose();
          t.grad = sum;
        }
        continue;
      }
      const inputGrads = node.backward(g);
      for (let k = 0; k < node.inputs.length; k++) {
        const input = node.inputs[k];
        let gi = inputGrads[k];
        if (!input.requiresGrad || gi === null || gi === undefined) {
          if (gi && gi !== g) gi.dispose();
          continue;
        }
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(`backward: internal error in '${node.op}': gradient of shape ${formatShape(gi.shape)} for an input of shape ${formatShape(input.shape)}`);
        }
        if (gi === g) gi = g.detach(); // a pass-through gradient gets its own handle
        const prev = grads.get(input);
        if (prev === undefined) grads.set(input, gi);
        else {
          grads.set(input, prev.add(gi));
          prev.dispose();
          gi.dispose();
        }
      }
      g.dispose();
    }
  });
}
