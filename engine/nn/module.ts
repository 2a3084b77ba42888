// The base of every layer: parameters by name, train/eval mode, and state dicts in PyTorch's
// names and layouts (engine/nn/state-dict.ts).

import type { Tensor } from '../tensor';
import { loadStateDictInto, stateDictOf, type HasState, type LoadResult, type LoadStateDictOptions, type StateDict, type StateEntry } from './state-dict';

export abstract class Module implements HasState {
  /** Training mode (dropout drops, batch norm uses the batch's statistics); eval() turns it off. */
  training = true;

  abstract forward(x: Tensor): Tensor;

  /** Parameters with stable names (gradlab's checkpoints), in a fixed order. */
  abstract namedParameters(): [string, Tensor][];

  /** What stateDict() saves: parameters and buffers, in PyTorch's names and layouts. */
  abstract stateEntries(): StateEntry[];

  /** The modules inside this one (their train() and eval() follow this one's). */
  protected children(): Module[] {
    return [];
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /**
   * Parameters and buffers as fresh tensors by PyTorch's names ('0.weight', 'layers.1.bias'),
   * a Linear's weight as [out, in]: what PyTorch's load_state_dict takes. The caller owns the
   * copies (dispose them, or call this inside tidy()).
   */
  stateDict(): StateDict {
    return stateDictOf(this);
  }

  /**
   * Copy a state dict (from stateDict() or fromSafetensors) into this module's tensors, in place.
   * strict (default true): a missing or unexpected key is an error naming it; a mis-shaped
   * entry always is. Nothing is written unless every entry fits.
   */
  loadStateDict(dict: StateDict, options: LoadStateDictOptions = {}): LoadResult {
    return loadStateDictInto(this, dict, options);
  }

  train(): void {
    this.training = true;
    for (const c of this.children()) c.train();
  }

  eval(): void {
    this.training = false;
    for (const c of this.children()) c.eval();
  }
}
