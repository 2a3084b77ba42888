// Gradient clipping by the global norm (Pascanu et al. 2013), as PyTorch's
// torch.nn.utils.clip_grad_norm_: with N = √(Σ over parameters of Σ g²), every gradient is
// scaled by min(1, maxNorm / (N + 1e-6)). Returns N, before clipping, as a scalar tensor (read
// it with await n.item()); computed on the device, so clipping does not wait for a GPU read.

import { noGrad } from '../autograd';
import { keep, tidy } from '../memory';
import { add, clamp, div, mul, sqrt, sum } from '../ops';
import { formatShape } from '../shape';
import { Tensor } from '../tensor';

export function clipGradNorm(params: readonly Tensor[], maxNorm: number): Tensor {
  if (!Array.isArray(params) || params.some((p) => !(p instanceof Tensor))) throw new Error('clipGradNorm: needs an array of parameter tensors (model.parameters())');
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new Error(`clipGradNorm: maxNorm must be a positive finite number, got ${String(maxNorm)}`);
  const withGrad = params.filter((p) => p.grad !== null);
  if (withGrad.length === 0) throw new Error(`clipGradNorm: none of the ${params.length} parameters has a gradient; call backward() first`);
  const first = withGrad[0].grad as Tensor;
  for (const p of withGrad) {
    const g = p.grad as Tensor;
    if (g.backend !== first.backend || g.dtype !== first.dtype) {
      throw new Error(`clipGradNorm: a gradient of shape ${formatShape(g.shape)} is ${g.dtype} on ${g.backend.name}, another ${first.dtype} on ${first.backend.name}; clip each group separately`);
    }
  }
  return tidy(() => noGrad(() => {
    let squares: Tensor | null = null;
    for (const p of withGrad) {
      const g = p.grad as Tensor;
      const s = sum(mul(g, g));
      squares = squares === null ? s : add(squares, s);
    }
    const norm = sqrt(squares as Tensor);
    const scale = clamp(div(maxNorm, add(norm, 1e-6)), 0, 1);
    for (const p of withGrad) {
      // A new gradient tensor: the old one may share its buffer with another's (gradient aliases).
      const old = p.grad as Tensor;
      p.grad = keep(mul(old, scale));
      old.dispose();
    }
    return norm; // the intermediates are freed by the tidy, the new gradients are kept
  }));
}
