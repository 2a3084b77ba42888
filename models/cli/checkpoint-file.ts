// Reading a checkpoint file for --resume: capped as it is read (a device or an endless pipe is
// refused after MAX_CHECKPOINT_BYTES), a byte-order mark named as the problem, and a file too long
// for one JavaScript string parsed from its bytes. Node-only.

import { parseCheckpoint, validateCheckpoint } from '../core/checkpoint';
import { parseJsonBytes } from '../core/checkpoint-bytes';
import type { Checkpoint, ModelKind } from '../core/model';
import { readFileBounded } from '../data/csv-file';
import { errnoText } from './atomic-write';
import { quote } from './safe-text';

/** The largest checkpoint read: 2 GiB (a 10-million-row 2D dataset with a large model fits). */
export const MAX_CHECKPOINT_BYTES = 2 * 2 ** 30;

/** Up to this size the text is parsed by JSON.parse as one string; beyond it, from the bytes. */
const ONE_STRING_BYTES = 256 * 2 ** 20;

export function readCheckpointFile(path: string, requested?: ModelKind): Checkpoint {
  let bytes: Buffer;
  try {
    bytes = readFileBounded(path, MAX_CHECKPOINT_BYTES, `the largest checkpoint read is ${MAX_CHECKPOINT_BYTES / 2 ** 20} MiB`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot read checkpoint ${quote(path)}: ${code === 'ENOENT' ? 'no such file' : code === 'E2BIG' ? (e as Error).message : errnoText(e)}`);
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new Error(`${path}: not a valid gradlab checkpoint: it starts with a byte-order mark (BOM, the bytes EF BB BF), which JSON does not allow; an editor added it: save the file as UTF-8 without a BOM`);
  }
  if (bytes.length <= ONE_STRING_BYTES) return parseCheckpoint(bytes.toString('utf8'), path, requested);
  let value: unknown;
  try {
    value = parseJsonBytes(bytes);
  } catch (e) {
    throw new Error(`${path}: not a valid gradlab checkpoint: the JSON does not parse (${(e as Error).message})`);
  }
  return validateCheckpoint(value, path, requested);
}
