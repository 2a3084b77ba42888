// cast: the same values in another dtype (float32, float64, int32), as PyTorch's x.to(dtype).

import type { DType } from '../backend';
import { record } from '../autograd';
import { formatShape } from '../shape';
import { runKernel, Tensor } from '../tensor';
import { reshape } from './layout';
import { checkLive } from './util';
import { describeValue } from '../options';

const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

/**
 * x converted to `dtype`. Float to int32 rounds toward zero (2.7 → 2, −2.7 → −2), as PyTorch
 * does; int32 to float32 rounds to nearest above 2²⁴. The same dtype gives a view of x (no copy).
 * Between float dtypes the gradient is dy cast back; to or from int32 no gradient flows (the
 * result is a constant, as integer tensors cannot require gradients in PyTorch).
 * One kernel of its own ('cast'). float64 exists on the CPU backend only.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkLive('cast', x);
  if (!DTYPES.includes(dtype)) throw new Error(`cast: unknown dtype ${describeValue(dtype)} for a tensor of shape ${formatShape(x.shape)} (use 'float32', 'float64' or 'int32')`);
  if (dtype === x.dtype) return reshape(x, x.shape);
  const out = Tensor.empty(x.shape, dtype, x.backend, 'cast');
  runKernel(x.backend, { kernel: 'cast', x: x.storage('cast'), out: out.storage('cast') }, 'cast', [x.shape]);
  if (dtype === 'int32' || x.dtype === 'int32') return out;
  return record(out, 'cast', [x], (dy) => [cast(dy, x.dtype)], 'dx = dy cast back to x\'s dtype');
}
