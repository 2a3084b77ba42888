// Filing the dispatches of one training step for the kernel table: forward, backward,
// optimizer, and the epoch's running sums (the losses and D's outputs added up on the device
// for the epoch's means: bookkeeping, not part of the loss or its gradient).
//
// A dispatch made while a reverse pass ran (backward(): the rules, and the additions of
// gradients where a tensor is read twice) is backward; an Adam, SGD or clipping dispatch is the
// optimizer's; what follows an optimizer update is the running sums until the next forward pass
// starts with a random draw or a minibatch; everything else is forward.

import type { DispatchRecord } from '../engine/index';

export type Phase = 'forward' | 'backward' | 'optimizer' | 'sums';

export const PHASE_NAMES: Record<Phase, string> = {
  forward: 'forward pass: compute the loss',
  backward: 'backward pass: gradients by the chain rule, in reverse order',
  optimizer: 'optimizer: one Adam update per parameter tensor',
  sums: 'the epoch\'s running sums, not part of the loss: the step\'s losses (and a GAN\'s D outputs) added up on the device for the epoch\'s means',
};

const isOptimizer = (r: DispatchRecord): boolean => r.op === 'adam' || r.op === 'adamw' || r.op === 'sgd' || r.op === 'clip';

/** Without a record of the reverse passes: what names itself a backward dispatch. */
const looksBackward = (r: DispatchRecord): boolean => r.rule !== undefined || /backward|\.grad|Grad$/.test(r.op) || r.kernel.startsWith('unaryGrad');

/** A forward pass starts by drawing noise or a minibatch. */
const startsForward = (r: DispatchRecord): boolean => r.kernel.startsWith('random') || r.kernel.startsWith('gather') || r.op === 'gather';

/**
 * The phase of every dispatch, in order. `inReverse` says whether a dispatch was made during a
 * reverse pass (hood.ts watches them); without it, a dispatch that names a rule is backward and
 * the untagged ones after it stay backward until the optimizer.
 */
export function filePhases(dispatches: readonly DispatchRecord[], inReverse?: (r: DispatchRecord) => boolean): Phase[] {
  const out: Phase[] = [];
  let state: Phase = 'forward';
  for (const r of dispatches) {
    if (isOptimizer(r)) state = 'optimizer';
    else if (inReverse ? inReverse(r) : looksBackward(r) || (state === 'backward')) state = 'backward';
    else if (state === 'optimizer' || state === 'sums') state = startsForward(r) ? 'forward' : 'sums';
    else state = 'forward';
    out.push(state);
  }
  return out;
}
