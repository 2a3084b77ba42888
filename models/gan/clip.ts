// WGAN weight clipping: after each critic step every critic parameter is clamped into [−c, c]
// (Arjovsky et al. 2017), a crude way to keep the critic Lipschitz.
//
// The clamp is computed into a fresh buffer and copied back into the parameter (one copyAxis
// kernel), so the parameter never has to cross to the host, and no kernel reads and writes one
// buffer at once (WebGPU forbids binding a buffer as both).

import { clamp, noGrad, tidy, type Tensor } from '../../engine/index';
import { runKernel } from '../../engine/tensor';

export function clipInPlace(params: readonly Tensor[], c: number): void {
  tidy(() => noGrad(() => {
    for (const p of params) {
      const clipped = clamp(p, -c, c);
      runKernel(p.backend, {
        kernel: 'copyAxis', src: clipped.storage('clip'), dst: p.storage('clip'),
        outer: 1, inner: p.size, srcAxis: 1, dstAxis: 1, srcStart: 0, dstStart: 0, count: 1,
      }, 'clip', [p.shape]);
    }
  }));
}
