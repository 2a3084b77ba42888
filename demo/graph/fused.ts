// Where a fused backward went. Fusions (engine/fusion.ts) run several kernels of the plain
// backward pass as one, so a box can have no backward dispatch of its own: a loss mean(f(y)) of
// a layer's output y has its gradient computed inside that layer's linearGrad kernel
// (lossInLayerBackward), and a Linear layer's act′, dx, dW and db run as that one kernel
// (layerBackward); a wide layer's db is summed by the product that computes its dW
// (biasGradInProduct). These say so, naming the box that took the work.

import type { CapturedGraph, GraphNode } from '../../engine/index';

/** The linearGrad call of a node's backward, if one ran it. */
function linearGrad(node: GraphNode): { loss: boolean } | null {
  for (const d of node.backward) if (d.call.kernel === 'linearGrad') return { loss: d.call.loss !== undefined };
  return null;
}

/**
 * The box whose backward kernel computed this node's gradient step, for a node with a rule but
 * no backward dispatch of its own: the layer it reads whose linearGrad took the loss in. Else null.
 */
export function fusedInto(node: GraphNode, graph: CapturedGraph): GraphNode | null {
  if (node.kind !== 'op' || node.rule === null || node.backward.length > 0) return null;
  for (const id of node.inputs) {
    const input = graph.nodes.find((n) => n.id === id);
    if (input && linearGrad(input)?.loss) return input;
  }
  return null;
}

/** A sentence on the fusion that took this node's backward, or null where none did. */
export function fusionNote(node: GraphNode, graph: CapturedGraph, nameOf: (n: GraphNode) => string): string | null {
  const into = fusedInto(node, graph);
  if (into) {
    return `Fused backward: this loss has no backward kernel of its own. Its gradient ∂L/∂y of ${nameOf(into)}'s output is computed `
      + `inside ${nameOf(into)}'s linearGrad kernel (the fusion lossInLayerBackward, engine/fusion.ts), which goes on to that layer's dz, dx, dW and db `
      + `in the same dispatch${node.id === graph.root ? '; the seed ∂L/∂L = 1 is read there as a number, never written to a buffer (seedAsNumber)' : ''}. `
      + `Open ${nameOf(into)} to see it.`;
  }
  const own = linearGrad(node);
  if (own) {
    return `Fused backward: act′, dx = dz·Wᵀ, dW = xᵀ·dz and db = Σ_rows dz run as one linearGrad kernel (the fusion layerBackward, engine/fusion.ts), dz never stored`
      + (own.loss ? `; the gradient of the loss that reads this layer is computed inside it too (lossInLayerBackward), so the loss's box has no backward kernel.` : '.');
  }
  if (node.backward.some((d) => d.call.kernel === 'matmul' && d.call.columnSums)) {
    return 'Fused backward: dW = xᵀ·dz and db = Σ_rows dz run as one matmul kernel, which adds up the rows of dz it reads for the product '
      + 'into db as well (the fusion biasGradInProduct, engine/fusion.ts): no column-sum kernel of its own.';
  }
  return null;
}
