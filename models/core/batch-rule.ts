// One rule for the minibatch size on the user's data, in `train`, in `compare` and on the page:
// a default batch larger than the dataset is clipped to the dataset's size, with a notice.
// (A batch the user asked for explicitly is checked, not changed.)

import { DIFFUSION_DEFAULTS } from '../diffusion/diffusion';
import { GAN_DEFAULTS } from '../gan/config';
import type { ModelKind } from './model';
import { RBM_DEFAULTS } from '../rbm/rbm';
import { VAE_DEFAULTS } from '../vae/vae';

/** Each model's default minibatch size. */
export function defaultBatch(kind: ModelKind): number {
  return { gan: GAN_DEFAULTS.batch, vae: VAE_DEFAULTS.batch, rbm: RBM_DEFAULTS.batch, diffusion: DIFFUSION_DEFAULTS.batch }[kind];
}

/** The default batch of `kind` for a dataset of `rows` rows, and a notice when it was clipped. */
export function batchForRows(kind: ModelKind, rows: number): { batch: number; notice: string | null } {
  const batch = defaultBatch(kind);
  if (batch <= rows) return { batch, notice: null };
  return { batch: rows, notice: `the ${kind} model's default batch ${batch} is larger than the data's ${rows} rows; using batch ${rows}` };
}
