// Sequential: modules applied one after the other, named '0', '1', ... as in PyTorch, so that
// Sequential(Linear(3, 8), Tanh(), Linear(8, 2)) saves '0.weight', '0.bias', '2.weight', '2.bias'.

import type { Tensor } from '../tensor';
import { Module } from './module';
import { prefixed, type StateEntry } from './state-dict';

export class Sequential extends Module {
  readonly modules: readonly Module[];

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) {
        throw new Error(`Sequential: argument ${i} is not a module (Linear, ReLU, Tanh, Dropout, BatchNorm1d, MLP or Sequential), got ${m === null ? 'null' : typeof m}`);
      }
    });
    this.modules = [...modules];
  }

  get length(): number {
    return this.modules.length;
  }

  /** The i-th module (negative counts from the end), as PyTorch's seq[i]. */
  at(i: number): Module {
    const m = this.modules.at(i);
    if (m === undefined || !Number.isInteger(i)) throw new Error(`Sequential.at: index ${i} is out of range for ${this.modules.length} modules`);
    return m;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.modules) h = m.forward(h);
    return h;
  }

  namedParameters(): [string, Tensor][] {
    return this.modules.flatMap((m, i) => m.namedParameters().map(([n, t]): [string, Tensor] => [`${i}.${n}`, t]));
  }

  stateEntries(): StateEntry[] {
    return this.modules.flatMap((m, i) => prefixed(String(i), m.stateEntries()));
  }

  protected override children(): Module[] {
    return [...this.modules];
  }
}
