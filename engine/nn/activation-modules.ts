// Activations as modules, for Sequential: ReLU, LeakyReLU, Tanh, Sigmoid, GELU (and SiLU, Softplus).
// No parameters; each forward is the op of the same name. Defaults follow PyTorch's modules
// (LeakyReLU's slope is 0.01 there, where gradlab's leakyRelu op defaults to 0.2).

import { gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from '../ops';
import type { Tensor } from '../tensor';
import { Module } from './module';
import type { StateEntry } from './state-dict';

/** A module without parameters or buffers. */
abstract class Stateless extends Module {
  namedParameters(): [string, Tensor][] {
    return [];
  }

  stateEntries(): StateEntry[] {
    return [];
  }
}

export class ReLU extends Stateless {
  forward(x: Tensor): Tensor { return relu(x); }
}

/** y = x for x > 0, else negativeSlope·x (PyTorch's default slope, 0.01). */
export class LeakyReLU extends Stateless {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) throw new Error(`LeakyReLU: negativeSlope must be a finite number, got ${String(negativeSlope)}`);
  }

  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
}

export class Tanh extends Stateless {
  forward(x: Tensor): Tensor { return tanh(x); }
}

export class Sigmoid extends Stateless {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

/** x·Φ(x), Φ the standard normal CDF: the exact (erf) form, PyTorch's default (Hendrycks and Gimpel 2016). */
export class GELU extends Stateless {
  forward(x: Tensor): Tensor { return gelu(x); }
}

export class SiLU extends Stateless {
  forward(x: Tensor): Tensor { return silu(x); }
}

export class Softplus extends Stateless {
  forward(x: Tensor): Tensor { return softplus(x); }
}
