// State dicts: a module's parameters and buffers by name, in PyTorch's names and layouts, so
// that weights move between gradlab and PyTorch (see engine/safetensors.ts) and into a model
// of one's own. A module lists its entries (stateEntries); saving and loading are written once,
// here, for every module.

import { noGrad } from '../autograd';
import { reshape, transpose } from '../ops';
import { checkOptions } from '../options';
import { formatShape, type Shape } from '../shape';
import { Tensor } from '../tensor';
import { assign, clone } from './assign';

/** Tensors by name, in order: what stateDict() returns and loadStateDict() takes (PyTorch's state_dict). */
export type StateDict = Record<string, Tensor>;

/**
 * One tensor a module saves: `tensor` is the module's own, `shape` the shape it has in the
 * saved dict (PyTorch's), and `transposed` says that the saved matrix is the transpose of the
 * module's (a Linear keeps W as [in, out], PyTorch as [out, in]).
 */
export interface StateEntry {
  name: string;
  tensor: Tensor;
  shape: Shape;
  transposed?: boolean;
}

/** Anything that can list its state: every gradlab module. */
export interface HasState {
  stateEntries(): StateEntry[];
}

/** Keys a PyTorch module saves that gradlab has no use for: BatchNorm's step counter. */
const IGNORED_SUFFIX = 'num_batches_tracked';

/** The entries of child modules, their names prefixed by the child's name ('0.weight', 'layers.1.bias'). */
export function prefixed(prefix: string, entries: StateEntry[]): StateEntry[] {
  return entries.map((e) => ({ ...e, name: `${prefix}.${e.name}` }));
}

/**
 * A module's state as fresh tensors (copies, cut from the graph, on the module's backend) in
 * PyTorch's names and layouts. The caller owns them: dispose them, or call this inside tidy().
 */
export function stateDictOf(module: HasState): StateDict {
  const dict: StateDict = {};
  noGrad(() => {
    for (const e of module.stateEntries()) {
      if (e.transposed) {
        const t = transpose(e.tensor);
        dict[e.name] = clone(t, e.shape);
        t.dispose();
      } else dict[e.name] = clone(e.tensor, e.shape);
    }
  });
  return dict;
}

export interface LoadStateDictOptions {
  /** Refuse a dict with missing or unexpected keys (default true, as PyTorch). */
  strict?: boolean;
}

/** What loadStateDict did not match (both empty when strict). */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function quoted(keys: string[]): string {
  return keys.map((k) => `'${k}'`).join(', ');
}

/**
 * Copy a state dict's tensors into a module's own, in place (PyTorch's load_state_dict). Every
 * entry is checked before anything is written: a mis-shaped entry is always refused; missing and
 * unexpected keys are refused when strict (the default), else skipped and returned.
 */
export function loadStateDictInto(module: HasState, dict: StateDict, options: LoadStateDictOptions = {}): LoadResult {
  checkOptions('loadStateDict', options, { strict: 'boolean' });
  const strict = options.strict ?? true;
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict) || dict instanceof Tensor) {
    throw new Error('loadStateDict: expects an object of tensors by name, such as module.stateDict() or fromSafetensors(bytes) returns');
  }
  for (const key of Object.keys(dict)) {
    if (!(dict[key] instanceof Tensor)) throw new Error(`loadStateDict: entry '${key}' is not a Tensor`);
    if (dict[key].isDisposed) throw new Error(`loadStateDict: entry '${key}' was already disposed`);
  }
  const entries = module.stateEntries();
  const expected = new Set(entries.map((e) => e.name));
  const missingKeys = entries.filter((e) => !Object.hasOwn(dict, e.name)).map((e) => e.name);
  const unexpectedKeys = Object.keys(dict).filter((k) => {
    if (expected.has(k)) return false;
    // A PyTorch BatchNorm's counter, beside a running mean this module has: nothing to load.
    const cut = k.length - IGNORED_SUFFIX.length;
    return !(k.endsWith(IGNORED_SUFFIX) && expected.has(`${k.slice(0, cut)}running_mean`));
  });
  const misShaped = entries
    .filter((e) => Object.hasOwn(dict, e.name) && !sameShape(dict[e.name].shape, e.shape))
    .map((e) => `'${e.name}' has shape ${formatShape(dict[e.name].shape)}, the module expects ${formatShape(e.shape)}`);
  const problems: string[] = [];
  if (misShaped.length > 0) problems.push(`mis-shaped: ${misShaped.join('; ')}`);
  if (strict && missingKeys.length > 0) problems.push(`missing key${missingKeys.length > 1 ? 's' : ''} ${quoted(missingKeys)}`);
  if (strict && unexpectedKeys.length > 0) problems.push(`unexpected key${unexpectedKeys.length > 1 ? 's' : ''} ${quoted(unexpectedKeys)}`);
  if (problems.length > 0) {
    const hint = strict && (missingKeys.length > 0 || unexpectedKeys.length > 0) ? ` (the module's keys: ${quoted([...expected])}; pass { strict: false } to load the keys that match)` : '';
    throw new Error(`loadStateDict: ${problems.join('; ')}${hint}; nothing was loaded`);
  }
  noGrad(() => {
    for (const e of entries) {
      if (!Object.hasOwn(dict, e.name)) continue;
      const source = dict[e.name];
      const name = `loadStateDict '${e.name}'`;
      if (e.transposed) {
        const t = transpose(source);
        assign(e.tensor, t, name);
        t.dispose();
      } else if (sameShape(source.shape, e.tensor.shape)) assign(e.tensor, source, name);
      else {
        const view = reshape(source, e.tensor.shape); // a view (under noGrad, nothing is recorded)
        assign(e.tensor, view, name);
        view.dispose();
      }
    }
  });
  return { missingKeys, unexpectedKeys };
}
