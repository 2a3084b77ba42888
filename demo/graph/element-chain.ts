// One element of the chain rule with its numbers, for the detail of a box that applies an
// elementwise function f: the gradient flowing back, dy = ∂L/∂y, times the local derivative,
// f′(x), is what the box passes on, dx = dy·f′(x). The norm ‖∂L/∂y‖₂ sums all elements; this is
// one of them, the first whose dy is not 0 among the first few captureStep keeps.

import type { GraphNode } from '../../engine/index';
import { unaryOps, type UnaryOp } from '../../engine/ops/unary-table';
import { activationOf } from './display';
import { fmt } from './render';

export interface ElementChain {
  /** Flat index of the element, and its coordinates in the node's shape. */
  index: number;
  at: number[];
  dy: number;
  fPrime: number;
  product: number;
  text: string;
}

/** Coordinates of a flat (row-major) index in `shape`. */
function unravel(index: number, shape: readonly number[]): number[] {
  const at: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return at;
}

/** The function a node applies elementwise, its input values and its α, β, or null. */
function elementwise(node: GraphNode, byId: ReadonlyMap<number, GraphNode>): { op: UnaryOp | 'none'; x: number[] | null; alpha: number; beta: number; fused: boolean } | null {
  const act = activationOf(node);
  if (act !== null) {
    const d = node.forward.find((r) => r.call.kernel === 'linear' || (r.call.kernel === 'reduce' && r.call.linear));
    const alpha = d?.call.kernel === 'linear' ? d.call.alpha : d?.call.kernel === 'reduce' ? d.call.linear?.alpha ?? 0 : 0;
    // The fused layer keeps y, not z = x·W + b: f′ is read from y (the op table's rows marked fromY).
    return { op: act as UnaryOp | 'none', x: null, alpha, beta: 0, fused: true };
  }
  const call = node.forward.find((r) => r.call.kernel === 'unary')?.call;
  if (call?.kernel !== 'unary') return null;
  const input = byId.get(node.inputs[0]);
  return { op: call.op, x: input?.value?.head ?? null, alpha: call.alpha, beta: call.beta, fused: false };
}

export function elementChain(node: GraphNode, byId: ReadonlyMap<number, GraphNode>): ElementChain | null {
  const dys = node.gradHead;
  const ys = node.value?.head;
  if (!dys || dys.length === 0 || !ys || node.gradNorm == null) return null;
  const f = elementwise(node, byId);
  if (!f) return null;
  let index = dys.findIndex((v) => v !== 0);
  if (index < 0) index = 0;
  const dy = dys[index];
  const y = ys[index];
  const at = unravel(index, node.shape);
  const where = `[${at.join(', ')}]`;
  const norm = `beside the norm ‖∂L/∂y‖₂ = ${fmt(node.gradNorm)} over all ${node.shape.reduce((a, b) => a * b, 1)} elements`;
  if (f.op === 'none') {
    return { index, at, dy, fPrime: 1, product: dy, text: `One element, y${where}: no activation, so dz = dy·1 = ${fmt(dy)}, ${norm}.` };
  }
  const row = unaryOps[f.op];
  const x = f.fused ? y : f.x?.[index];
  if (x === undefined) return null;
  const fPrime = row.cpuGrad(x, y, 1, f.alpha, f.beta);
  const product = dy * fPrime;
  const local = f.fused ? `${f.op}′(z) = ${fmt(fPrime)} (read from y = ${fmt(y)}, as the fused kernel does)` : `${f.op}′(x) = ${fmt(fPrime)} at x = ${fmt(x)} (y = ${fmt(y)})`;
  const out = f.fused ? 'dz' : 'dx';
  return { index, at, dy, fPrime, product, text: `One element, y${where}: dy = ∂L/∂y = ${fmt(dy)}; ${local}; ${out} = dy·f′ = ${fmt(dy)} × ${fmt(fPrime)} = ${fmt(product)}, ${norm}.` };
}
