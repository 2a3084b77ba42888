// Backward, one node at a time, with the numbers: the derivative lesson of the demo page.
// For a small function of a few inputs it runs the same reverse pass as backward() (reverse
// topological order, each node's recorded rule, contributions to a tensor used twice added up),
// but keeps every intermediate so a reader can follow the chain rule:
//   ∂L/∂input = ∂L/∂output · ∂output/∂input
// and it ends with the central differences (f(x + h) − f(x − h)) / 2h that gradcheck uses.
// Everything runs in float64 on the CPU backend, like gradcheck.

import { noGrad } from './autograd';
import { gradcheck, onCpu, type GradcheckResult } from './gradcheck';
import { captureGraph, type CapturedGraph } from './graph';
import { tidy } from './memory';
import { tensor } from './ops';
import type { Tensor } from './tensor';

export interface NamedInput {
  name: string;
  /** One number, or a vector's elements. */
  value: number | readonly number[];
}

/** One input's share of the gradient a node passes back. */
export interface ChainLink {
  /** The input node's id. */
  input: number;
  /** ∂output/∂input at these values (the local derivative), elementwise. */
  local: number[];
  /** ∂L/∂output · ∂output/∂input: what this node adds to the input's gradient. */
  contribution: number[];
}

export interface BackwardStep {
  /** The node whose rule runs (an op node). */
  node: number;
  /** ∂L/∂node: the gradient that reached it, summed over its users. */
  dy: number[];
  links: ChainLink[];
}

export interface BackwardLesson {
  graph: CapturedGraph;
  /** Each node's value, by id. */
  values: Map<number, number[]>;
  /** The input nodes' ids, in the order given. */
  inputIds: number[];
  steps: BackwardStep[];
  /** ∂L/∂input from the steps, per input, per element. */
  analytic: number[][];
  /** Central differences per input, per element, with gradcheck's step h = 1e-6·max(1, |x|). */
  numeric: number[][];
  gradcheck: GradcheckResult;
}


const read = (t: Tensor): number[] => Array.from(t.dataSync());

/** Step through backward of fn (a function to one number of numbers or vectors), keeping every number. */
export function explainBackward(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly NamedInput[]): BackwardLesson {
  const at = inputs.map((i) => (typeof i.value === 'number' ? [i.value] : [...i.value]));
  at.forEach((v, k) => {
    if (v.length === 0) throw new Error(`explainBackward: input ${inputs[k].name} has no values`);
  });
  return onCpu(() => tidy(() => {
    const xs = at.map((v) => tensor(v, [v.length], { dtype: 'float64', requiresGrad: true }));
    const loss = fn(...xs);
    if (loss.size !== 1) throw new Error(`explainBackward: the function must return one number, got ${loss.size}`);
    const names = new Map(xs.map((x, i) => [x, inputs[i].name]));
    const graph = captureGraph(loss, names);
    const tensors = new Map<number, Tensor>();
    const collect = (t: Tensor): void => {
      if (tensors.has(t.id)) return;
      tensors.set(t.id, t);
      for (const i of t.node?.inputs ?? []) collect(i);
    };
    collect(loss);
    const values = new Map([...tensors].map(([id, t]) => [id, read(t)]));

    // The reverse pass: the loss's gradient is 1; each node's rule maps dy to its inputs.
    const grads = new Map<number, number[]>([[loss.id, [1]]]);
    const steps: BackwardStep[] = [];
    for (const node of [...graph.nodes].reverse()) {
      const t = tensors.get(node.id) as Tensor;
      const dy = grads.get(node.id);
      if (!t.node || dy === undefined) continue;
      const rule = t.node;
      // The rule maps any dy to the inputs' gradients, and is linear in dy: given dy it gives the
      // contributions, given dy = 1 the local derivatives ∂output/∂input (for an input element
      // that feeds several outputs, their sum). Dividing a contribution by dy would give 0/0 where dy = 0.
      const applyRule = (g: number[]): (number[] | null)[] =>
        noGrad(() => tidy(() => rule.backward(tensor(g, [...t.shape], { dtype: 'float64' })).map((r) => (r ? read(r) : null))));
      const contributions = applyRule(dy);
      const locals = applyRule(dy.map(() => 1));
      const links: ChainLink[] = [];
      rule.inputs.forEach((input, k) => {
        const c = contributions[k];
        const local = locals[k];
        if (!input.requiresGrad || c === null || local === null) return;
        links.push({ input: input.id, contribution: c, local });
        const prev = grads.get(input.id);
        grads.set(input.id, prev ? prev.map((v, j) => v + c[j]) : c);
      });
      steps.push({ node: node.id, dy, links });
    }

    const analytic = xs.map((x, k) => grads.get(x.id) ?? at[k].map(() => 0));
    const f = (vs: number[][]): number => noGrad(() => tidy(() => read(fn(...vs.map((v) => tensor(v, [v.length], { dtype: 'float64' }))))[0]));
    // (f(x + h·eⱼ) − f(x − h·eⱼ)) / 2h for element j of input k.
    const numeric = at.map((v, k) => v.map((x0, j) => {
      const h = 1e-6 * Math.max(1, Math.abs(x0));
      const moved = (d: number): number[][] => at.map((w, m) => (m === k ? w.map((a, i) => (i === j ? a + d : a)) : w));
      return (f(moved(h)) - f(moved(-h))) / (2 * h);
    }));
    const check = gradcheck(fn, at);
    return { graph, values, inputIds: xs.map((x) => x.id), steps, analytic, numeric, gradcheck: check };
  }));
}
