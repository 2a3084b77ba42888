// Reverse-mode automatic differentiation.
//
// Every op that reads a tensor requiring gradients records a GradNode on its output: the
// inputs, and a rule that maps the gradient of the loss with respect to the output (dy) to the
// gradients with respect to each input (the chain rule, one op at a time). backward() visits
// the graph in reverse topological order, so a node runs only once all the gradient that flows
// into it has been summed; a tensor used twice receives both contributions.
//
// The rules are written in ordinary tensor ops. Normally backward runs them without recording
// (noGrad), and elementwise rules take their fused one-kernel form. With createGraph: true the
// rules are recorded like any forward pass, so the gradients are tensors with a graph of their
// own, and can be differentiated again: Hessian-vector products, gradient penalties (WGAN-GP).
//
// Memory: without createGraph, each rule runs inside a scope that frees its temporaries, and
// each gradient is freed once it has been passed on. With createGraph, the backward graph's
// tensors are needed later, so they are left to the enclosing tidy() like forward tensors.

import { keep, tidy } from './memory';
import { checkOptions } from './options';
import { formatShape, sameShape } from './shape';
import type { Tensor } from './tensor';
import { dispatchesWatched, withRule } from './trace';
import { seedOfOne } from './fusion';
import { runAtBackwardEnd } from './lazy';

export interface GradNode {
  /** The op's name, for error messages and the "under the hood" view. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /**
   * Gradients of the loss with respect to each input (null: no gradient for that input).
   * For a node made with `accumulates`, a backward pass without createGraph also passes `into`:
   * into[k] is the gradient already summed for input k in this pass (from its other uses), or
   * null. The rule may add its gradient into that tensor in place, in the same kernel, and return
   * it: that saves the separate addition.
   */
  readonly backward: (dy: Tensor, into?: readonly (Tensor | null)[]) => readonly (Tensor | null)[];
  /** The rule accepts `into` (see backward). */
  readonly accumulates?: boolean;
  /** The derivative in words, e.g. 'dx = dy·y·(1 − y)': shown next to the dispatches it makes. */
  readonly rule?: string;
  /** Set when a backward pass with retainGraph: false has gone through this node. */
  released?: boolean;
}

export interface BackwardOptions {
  /**
   * Record the backward pass, so that the gradients require gradients themselves and can be
   * differentiated again (default false).
   */
  createGraph?: boolean;
  /**
   * Keep the graph for another backward pass through it (default true: gradlab frees memory
   * through tidy() and dispose(), not through backward). false marks the graph as used, so a
   * second pass through it is an error rather than a silent double count.
   */
  retainGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** The gradient of the final result with respect to `output` (default: 1 for a scalar output). */
  seed?: Tensor;
  /** Return null for an input that `output` does not depend on, instead of throwing. */
  allowUnused?: boolean;
}

let gradEnabled = true;

/**
 * @internal Watches reverse passes: engine/graph.ts uses it to capture the graph of a training
 * step with the gradient that reached every tensor. Nobody watches normally: one null check per node.
 */
export interface ReverseObserver {
  /** A pass from root starts. */
  begin(root: Tensor): void;
  /**
   * The summed gradient g of tensor t is known; t's rule runs next (a leaf: g goes to .grad).
   * An observer with this method sees every tensor's own gradient: the fusions that would hand a
   * rule a gradient carried a step further, or run a kernel late, stay off while it watches
   * (reversePassObserved). One without it (the page's dispatch table) watches the plain step.
   */
  gradient?(t: Tensor, g: Tensor): void;
  /** The pass is over. */
  end(): void;
}

let observer: ReverseObserver | null = null;

/** @internal Install (or remove, with null) the reverse-pass observer. */
export function observeReversePasses(o: ReverseObserver | null): void {
  observer = o;
}

/**
 * @internal Whether a reverse pass is watched tensor by tensor (captureStep shows the gradient that
 * reaches each tensor and lists each node's dispatches under it: nothing may run late or arrive
 * already multiplied by the next rule's factor).
 */
export function reversePassObserved(): boolean {
  return observer?.gradient !== undefined;
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run fn with graph recording on or off, restoring the previous state after. */
function withGradEnabled<T>(on: boolean, fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = on;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/** Run fn without recording the graph: results do not require gradients. */
export function noGrad<T>(fn: () => T): T {
  return withGradEnabled(false, fn);
}

/** Attach a node to `out` if any input requires gradients (and recording is on). */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: GradNode['backward'], rule?: string, accumulates = false): Tensor {
  if (!gradEnabled) return out;
  for (const t of inputs) {
    if (t.requiresGrad) {
      out.requiresGrad = true;
      // Every node has the same fields, so the code that reads them sees one object shape.
      out.node = { op, inputs, backward, rule, accumulates, released: false };
      return out;
    }
  }
  return out;
}

const describe = (t: Tensor): string => `tensor #${t.id} of shape ${formatShape(t.shape)}`;

/** The error for a graph whose intermediate was freed before backward reached it. */
function freedError(user: Tensor, input: Tensor): Error {
  return new Error(
    `backward: cannot differentiate through '${user.node?.op}' (which made ${describe(user)}): its input, ${describe(input)}, ` +
    'was already freed (by dispose() or at the end of a tidy()). Run backward() inside the same tidy() as the forward pass, or keep() the tensors the graph needs.',
  );
}

const NO_INPUTS: readonly Tensor[] = [];

/** Tensors reachable from root through inputs that require gradients, inputs before users. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  // Iterative depth-first search (deep graphs would overflow a recursive one): the path from the
  // root to the tensor being visited, and for each tensor on it the next input to look at.
  const path: Tensor[] = [root];
  const nextInput: number[] = [0];
  while (path.length > 0) {
    const top = path.length - 1;
    const t = path[top];
    const node = t.node;
    if (node?.released) {
      throw new Error(`backward: the graph through '${node.op}' (which made ${describe(t)}) was already used by a backward pass with retainGraph: false; pass retainGraph: true to the first pass to go through it again`);
    }
    const inputs = node?.inputs ?? NO_INPUTS;
    if (nextInput[top] < inputs.length) {
      const child = inputs[nextInput[top]++];
      if (child.requiresGrad && !seen.has(child)) {
        if (child.isDisposed) throw freedError(t, child);
        seen.add(child);
        path.push(child);
        nextInput.push(0);
      }
    } else {
      order.push(t);
      path.pop();
      nextInput.pop();
    }
  }
  return order;
}

/** The gradient to start from: the seed, or 1 for a scalar. */
function startingGradient(root: Tensor, seed: Tensor | undefined, caller: string): Tensor {
  if (root.isDisposed) throw new Error(`${caller}: ${describe(root)} was already freed (by dispose() or at the end of a tidy())`);
  if (!root.requiresGrad) {
    throw new Error(`${caller}: tensor of shape ${formatShape(root.shape)} does not require gradients (no input of it had requiresGrad: true, or it was computed under noGrad)`);
  }
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new Error(`${caller}: called on a non-scalar tensor of shape ${formatShape(root.shape)} without a seed gradient; reduce it first (e.g. .mean()) or pass a seed of the same shape`);
    }
    // A tensor of ones, filled only if a kernel reads it: a fused loss gradient takes the 1 as a number (engine/fusion.ts).
    return seedOfOne(root);
  }
  if (!sameShape(seed.shape, root.shape)) {
    throw new Error(`${caller}: seed gradient has shape ${formatShape(seed.shape)} but the tensor has shape ${formatShape(root.shape)}`);
  }
  return seed.detach(); // an alias we may dispose without touching the caller's tensor
}

let overwritable: Tensor | null = null;

/** The running reverse pass, for soleGradient: its tensors (inputs before users) and grad()'s targets. */
interface PassState {
  order: readonly Tensor[];
  targets: Set<Tensor> | null;
  createGraph: boolean;
}
let pass: PassState | null = null;

/**
 * @internal Whether the gradient that the running rule returns for its input x is all that x
 * receives in this pass, read by x's own rule alone: no other op of the graph uses x, grad()
 * does not return x's gradient, no graph is recorded, and nobody watches the pass (the graph view
 * shows each tensor's gradient). A fusion may then hand x's rule a gradient it has carried a step
 * further (engine/fusion.ts, 7).
 */
export function soleGradient(x: Tensor): boolean {
  if (pass === null || pass.createGraph || reversePassObserved() || pass.targets?.has(x)) return false;
  let uses = 0;
  for (const t of pass.order) {
    const inputs = t.node?.inputs;
    if (inputs) for (const input of inputs) if (input === x && ++uses > 1) return false;
  }
  return uses === 1;
}

/** @internal Whether the running rule may overwrite g, its dy: nothing reads g after it (grad() does not return it, no alias). */
export function mayOverwriteGradient(g: Tensor): boolean {
  return g === overwritable && g.ownsBuffer;
}

/** Run one node's rule, naming the op if it fails (a freed saved tensor, say). */
function runRule(t: Tensor, g: Tensor, createGraph: boolean, into?: readonly (Tensor | null)[]): readonly (Tensor | null)[] {
  const node = t.node as GradNode;
  // Without a graph to keep, the rule's temporaries are freed as soon as it returns.
  const run = (): readonly (Tensor | null)[] => (createGraph ? node.backward(g) : tidy(() => node.backward(g, into)));
  try {
    // The rule's label tags its dispatches for whoever watches them (nobody, in a training loop).
    return dispatchesWatched() ? withRule(node.rule ? `${node.op}: ${node.rule}` : `${node.op}.backward`, run) : run();
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith('backward')) throw e;
    throw new Error(`backward through '${node.op}' (which made ${describe(t)}) failed: ${message}`);
  }
}

/**
 * The reverse pass from `root`. Gradients reaching a tensor in `targets` are returned; with
 * targets null, gradients reaching leaves are added to their .grad instead (backward()).
 */
function reversePass(root: Tensor, g0: Tensor, targets: Set<Tensor> | null, options: BackwardOptions): Map<Tensor, Tensor> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? true;
  const order = topologicalOrder(root);
  observer?.begin(root);
  // With targets, only tensors on a path to one of them need a gradient.
  let needed: Set<Tensor> | null = null;
  if (targets !== null) {
    needed = new Set();
    for (const t of order) if (targets.has(t) || t.node?.inputs.some((i) => needed?.has(i))) needed.add(t);
  }
  const results = new Map<Tensor, Tensor>();
  const grads = new Map<Tensor, Tensor>([[root, g0]]);
  const outerPass = pass;
  pass = { order, targets, createGraph };
  // A gradient no longer needed is freed, unless a recorded backward graph refers to it.
  const release = (x: Tensor): void => {
    if (!createGraph) x.dispose();
  };

  try {
    withGradEnabled(createGraph, () => {
      for (let i = order.length - 1; i >= 0; i--) {
        const t = order[i];
        const g = grads.get(t);
        if (g === undefined) continue;
        grads.delete(t);
        observer?.gradient?.(t, g);
        if (targets !== null && targets.has(t)) results.set(t, g);
        const node = t.node;
        if (node === null) {
          // A leaf: backward() adds into .grad (gradients add up across calls until zeroGrad).
          if (targets !== null) {
            if (!results.has(t)) release(g);
            continue;
          }
          if (t.grad === null) t.grad = keep(g);
          else {
            const sum = keep(t.grad.add(g));
            release(t.grad);
            release(g);
            t.grad = sum;
          }
          continue;
        }
        if (needed !== null && !node.inputs.some((x) => needed?.has(x))) {
          if (!results.has(t)) release(g);
          continue;
        }
        // The sums so far of the inputs' gradients, for a rule that adds into them in place (a
        // layer used twice, as a GAN's D on real and on fake data). Only a sum no other tensor
        // shares may be written.
        const into = node.accumulates && !createGraph
          ? node.inputs.map((input) => {
            const prev = grads.get(input);
            return prev !== undefined && prev.ownsBuffer ? prev : null;
          })
          : undefined;
        const before = overwritable;
        overwritable = !createGraph && !results.has(t) ? g : null;
        let inputGrads: readonly (Tensor | null)[];
        try {
          inputGrads = runRule(t, g, createGraph, into);
        } finally {
          overwritable = before;
        }
        for (let k = 0; k < node.inputs.length; k++) {
          const input = node.inputs[k];
          let gi = inputGrads[k];
          if (into?.[k] && gi === into[k]) continue; // added into the sum in place: it stays in `grads`
          const wanted = input.requiresGrad && (needed === null || needed.has(input));
          if (!wanted || gi === null || gi === undefined) {
            if (gi && gi !== g) release(gi);
            continue;
          }
          if (!sameShape(gi.shape, input.shape)) {
            throw new Error(`backward: internal error in '${node.op}': gradient of shape ${formatShape(gi.shape)} for an input of shape ${formatShape(input.shape)}`);
          }
          if (gi === g && !createGraph) gi = g.detach(); // a pass-through gradient gets its own handle
          const prev = grads.get(input);
          if (prev === undefined) grads.set(input, gi);
          else {
            grads.set(input, prev.add(gi));
            release(prev);
            release(gi);
          }
        }
        if (!results.has(t)) release(g);
        if (!retainGraph) node.released = true;
      }
    });
  } finally {
    pass = outerPass;
  }
  runAtBackwardEnd(); // before any optimizer step changes the weights
  observer?.end();
  return results;
}

/**
 * Reverse-mode differentiation from `root`: adds the gradient of root to .grad of every leaf
 * that requires gradients. A scalar needs no seed; a non-scalar needs the gradient of the
 * final loss with respect to it.
 */
export function backward(root: Tensor, seed?: Tensor, options: BackwardOptions = {}): void {
  checkOptions('backward', options, { createGraph: 'boolean', retainGraph: 'boolean' });
  const g0 = startingGradient(root, seed, 'backward');
  reversePass(root, g0, null, options);
}

/**
 * The gradients of `output` with respect to `inputs` (leaves or intermediate tensors), returned
 * as tensors; .grad is not touched. As torch.autograd.grad. With createGraph: true the
 * gradients can be differentiated again:
 *   const [g] = grad(loss, [x], { createGraph: true });   // g = ∂loss/∂x, with a graph
 *   const hv = grad(sum(mul(g, v)), [x]);                  // Hessian-vector product H·v
 */
export function grad(output: Tensor, inputs: readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  checkOptions('grad', options, { createGraph: 'boolean', retainGraph: 'boolean', seed: 'tensor', allowUnused: 'boolean' });
  if (!Array.isArray(inputs) || inputs.length === 0) throw new Error('grad: inputs must be a non-empty array of tensors');
  inputs.forEach((x, i) => {
    if (x.isDisposed) throw new Error(`grad: input ${i} (${describe(x)}) was already freed`);
    if (!x.requiresGrad) throw new Error(`grad: input ${i} (${describe(x)}) does not require gradients`);
  });
  const g0 = startingGradient(output, options.seed, 'grad');
  const results = reversePass(output, g0, new Set(inputs), options);
  return inputs.map((x, i) => {
    const g = results.get(x);
    if (g !== undefined) return g;
    if (options.allowUnused) return null;
    throw new Error(`grad: the output does not depend on input ${i} (${describe(x)}); pass allowUnused: true to get null for it`);
  });
}
