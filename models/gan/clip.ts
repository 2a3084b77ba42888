// WGAN weight clipping: after each critic step every critic parameter is clamped into [−c, c]
// (Arjovsky et al. 2017), a crude way to keep the critic Lipschitz.
//
// The clamp is computed into a fresh buffer and assigned back into the parameter (one copy
// kernel), so the parameter never has to cross to the host, and no kernel reads and writes one
// buffer at once (WebGPU forbids binding a buffer as both).

import { assign, clamp, noGrad, tidy, type Tensor } from '../../engine/index';

export function clipInPlace(params: readonly Tensor[], c: number): void {
  tidy(() => noGrad(() => {
    for (const p of params) assign(p, clamp(p, -c, c), 'clip');
  }));
}
