// The fixed training set: N samples drawn once (or the user's CSV rows), kept on the model's
// backend; minibatches of B rows are picked by indices drawn on the device (randint + gather),
// so no data crosses to the GPU during training.

import { gather, keep, randint, tensor, type Rng, type Tensor } from '../../engine/index';

export interface Dataset {
  /** The samples as numbers (interleaved pairs in 2D); what checkpoints store. */
  readonly raw: Float64Array;
  readonly n: number;
  /** Columns per row: the data dimension, or K in binned (one-hot) mode. */
  readonly width: number;
  /** [n, width] float32 tensor, kept (not freed by tidy). */
  readonly tensor: Tensor;
  /** B rows drawn uniformly with replacement. */
  minibatch(batch: number, rng: Rng): Tensor;
  dispose(): void;
}

/**
 * Wrap rows already in model space. `rows` holds n·width numbers (one-hot rows in binned mode);
 * `raw` is what is saved in checkpoints (by default the rows themselves).
 */
export function createDataset(rows: Float64Array, width: number, raw: Float64Array = rows): Dataset {
  if (rows.length === 0 || rows.length % width !== 0) throw new Error(`dataset: ${rows.length} values do not form rows of width ${width}`);
  const n = rows.length / width;
  const t = keep(tensor(rows, [n, width]));
  return {
    raw, n, width, tensor: t,
    minibatch(batch: number, rng: Rng): Tensor {
      return gather(t, randint([batch], n, rng));
    },
    dispose() {
      t.dispose();
    },
  };
}
