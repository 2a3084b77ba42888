// Seeded generators for the fuzz test: command lines, CSV files and corrupted checkpoints.
// Everything is drawn from one Philox stream, so a failing case can be regenerated from its index.

import type { Rng } from '../../engine/index';

export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length) % xs.length];
export const int = (rng: Rng, lo: number, hi: number): number => lo + (Math.floor(rng.uniform() * (hi - lo + 1)) % (hi - lo + 1));

/** Values that have broken parsers before: edges of every numeric type, odd spellings, control bytes. */
const NASTY_VALUES = [
  '', ' ', '0', '-0', '1', '-1', '2.5', '1e12', '1e308', '1e999', '-1e999', 'NaN', 'Infinity', '-Infinity', '0x10', '0b11', '1_000',
  '9007199254740993', '9007199254716691', '4294967296', '4294967295', '2147483648', '3e9', '1=5', '=', '--', '-', 'true', 'no',
  '\u0000', '\u001b[31m', 'é', '😀', '../../etc/passwd', '/dev/null', '/', '.', '%s%n', "'; rm -rf /", 'a'.repeat(300),
  // Terminal escapes (title, CSI as one C1 byte), an option where a value belongs, Object.prototype's names.
  '\u001b]0;pwned\u0007', '\u009b31m', '-h', '-v', 'constructor', '__proto__', 'toString', 'a'.repeat(255), `${'é'.repeat(128)}.json`,
];

/** Flags of train and compare, some real, some near misses. */
const FLAG_NAMES = [
  'model', 'target', 'data', 'budget', 'epochs', 'steps', 'seed', 'backend', 'save', 'resume', 'json', 'batch', 'dataset', 'lr', 'latent',
  'g-layers', 'g-width', 'd-layers', 'd-width', 'activation', 'beta1', 'beta2', 'k-d', 'loss', 'label-smoothing', 'moment', 'bins',
  'temperature', 'hidden', 'beta', 'sigma', 'cd-k', 'gibbs-steps', 'timesteps', 'embedding', 'delimiter', 'out', 'models', 'eval-samples',
  'Model', 'epoch', '', '-', 'help=no', 'json=maybe',
  'constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'movie', 'd-dropout', 'g-batchnorm',
];

const GOOD_VALUES: Record<string, readonly string[]> = {
  model: ['gan', 'vae', 'rbm', 'diffusion', 'flow'],
  target: ['normal', 'bimodal', '1d-trimodal', '2d-mix-gauss', '1D_TRIMODAL', 'nowhere'],
  epochs: ['0', '1'],
  steps: ['1', '3'],
  dataset: ['16', '64', '100'],
  batch: ['1', '16', '64'],
  backend: ['cpu', 'tpu'],
  activation: ['relu', 'leaky', 'gelu'],
  loss: ['nonsaturating', 'minimax', 'wgan', 'hinge'],
  bins: ['0', '5', '20'],
  delimiter: [',', ';', 'tab', 'space', '|'],
  models: ['gan', 'vae,rbm', 'gan,,flow', ''],
  'gibbs-steps': ['1', '5'],
  hidden: ['2', '8'],
  'eval-samples': ['16', '32'],
};

/**
 * One command line. Most are wrong in one or more ways; valid ones are kept small (at most one
 * epoch on at most 100 rows, cheap models) so thousands run in seconds. `files` supplies paths
 * for --data, --resume, --save and --out.
 */
export function cliCase(rng: Rng, files: { csv: string; checkpoint: string; save: string; out: string }): string[] {
  const command = pick(rng, ['train', 'train', 'train', 'train', 'compare', 'targets', 'bench', 'help', 'gradlab', '', '--help']);
  const args: string[] = command === '' ? [] : [command];
  if (command === 'bench') {
    args.push('--steps', pick(rng, ['5', '9', '1e12', '-1', 'abc', '', '2.5']));
    return args;
  }
  const n = int(rng, 0, 6);
  for (let i = 0; i < n; i++) {
    const name = pick(rng, FLAG_NAMES);
    const r = rng.uniform();
    const value = name === 'data' ? pick(rng, [files.csv, files.csv, '/nonexistent.csv', '/', ''])
      : name === 'resume' ? pick(rng, [files.checkpoint, files.checkpoint, files.csv, '/nonexistent.json'])
      : name === 'save' ? pick(rng, [files.save, '', '/', '/proc/forbidden/x.json', `${files.save}/sub.json`])
      : name === 'out' ? pick(rng, [files.out, '/etc/passwd', ''])
      : r < 0.5 && Object.hasOwn(GOOD_VALUES, name) ? pick(rng, GOOD_VALUES[name]) : pick(rng, NASTY_VALUES);
    if (rng.uniform() < 0.2) args.push(`--${name}=${value}`);
    else if (rng.uniform() < 0.1) args.push(`--${name}`);
    else args.push(`--${name}`, value);
  }
  if (rng.uniform() < 0.15) args.push(pick(rng, NASTY_VALUES));
  // Keep any run that is valid short: train or compare at most one epoch of a small dataset.
  if (command === 'train' && !args.includes('--epochs') && !args.includes('--steps')) args.push('--epochs', pick(rng, ['0', '1']));
  if (command === 'train' && !args.includes('--dataset') && !args.includes('--resume') && !args.includes('--data')) args.push('--dataset', '64');
  if (command === 'compare') args.push('--epochs', '1', '--budget', '40', '--eval-samples', '16', '--models', pick(rng, ['gan', 'vae', 'diffusion']), '--out', files.out);
  if (command === 'train' && !args.includes('--model') && rng.uniform() < 0.5) args.push('--model', pick(rng, ['gan', 'vae', 'diffusion']));
  if (args.includes('rbm') || args.includes('--model=rbm')) args.push('--gibbs-steps', '5');
  return args;
}

const encoder = new TextEncoder();

/** A CSV file's bytes: a valid file mutated in one of many ways (bytes, numbers, encodings, sizes). */
export function csvCase(rng: Rng): Uint8Array {
  const rows = pick(rng, [0, 1, 15, 16, 17, 40, 200]);
  const cols = pick(rng, [1, 1, 1, 2, 2, 3]);
  const sep = pick(rng, [',', ',', ';', '\t', ' ', ', ']);
  const lines: string[] = [];
  if (rng.uniform() < 0.5) lines.push(cols === 1 ? 'x' : ['x', 'y', 'z'].slice(0, cols).join(sep));
  const scale = pick(rng, [1, 1, 1, 1, 1, 1e3, 1e7, 1e30, 1e-30]);
  const digits = int(rng, 1, 17);
  for (let i = 0; i < rows; i++) {
    const cells = Array.from({ length: cols }, () => (4 + rng.normal() * scale).toPrecision(digits));
    lines.push(cells.join(sep));
  }
  let text = lines.join(pick(rng, ['\n', '\r\n', '\r']));
  const mutation = int(rng, 0, 17); // 0 and 15-17: left as generated
  if (mutation === 1 && text.length) text = text.slice(0, int(rng, 0, text.length)); // truncated
  if (mutation === 2) text = text.replace(/\d/, pick(rng, NASTY_VALUES)); // one bad cell
  if (mutation === 3) text = `\uFEFF${text}`; // BOM
  if (mutation === 4) text = text.replace(/\./g, ','); // decimal commas
  if (mutation === 5) text += `\n${pick(rng, ['nan', 'inf', '-Infinity', '1e39', '1,2,3', '"1"', '\u0000'])}`;
  if (mutation === 6) text = text.split('\n').map((l, i) => (i % 7 === 3 ? `${l}${sep}9` : l)).join('\n'); // ragged
  let bytes: Uint8Array = encoder.encode(text);
  if (mutation === 7 && bytes.length) bytes = flipBits(rng, bytes, int(rng, 1, 8));
  if (mutation === 8) bytes = utf16(text); // another encoding
  if (mutation === 9) bytes = Uint8Array.from(Array.from({ length: int(rng, 0, 400) }, () => int(rng, 0, 255))); // noise
  if (mutation === 10) bytes = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff); // latin1
  // Commas that could mean two things, and line shapes the row pre-count must see.
  if (mutation === 11) bytes = encoder.encode(lines.map((_, i) => `${int(rng, 10, 30)},${int(rng, 0, 9)}`).join('\n')); // '20,0': a decimal comma?
  if (mutation === 12) bytes = encoder.encode(lines.map(() => `${int(rng, 1, 9)},${String(int(rng, 0, 999)).padStart(3, '0')}.${int(rng, 0, 9)}`).join('\n')); // '1,013.5': a thousands separator?
  if (mutation === 13) bytes = encoder.encode(text.split(/\r\n|\r|\n/).map((l) => `${' '.repeat(int(rng, 1, 3))}${l}`).join('\n')); // leading spaces
  if (mutation === 14) bytes = encoder.encode(`${lines.join('\r')}\r`); // CR-only line ends
  return bytes;
}

function utf16(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    out[2 + 2 * i] = text.charCodeAt(i) & 0xff;
    out[3 + 2 * i] = text.charCodeAt(i) >> 8;
  }
  return out;
}

export function flipBits(rng: Rng, bytes: Uint8Array, flips: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < flips; i++) out[int(rng, 0, out.length - 1)] ^= 1 << int(rng, 0, 7);
  return out;
}

/** Replace one value somewhere in a JSON tree with a value of another type or range. */
function corruptValue(rng: Rng, node: unknown, depth = 0): unknown {
  const replacements: unknown[] = [null, 'x', -1, 1e39, 1.5, [], {}, true, 2 ** 53, '1', [1, 2], -0, 1e300, 1e30, 1e-30, 2 ** 32, '\u001b]0;pwned\u0007'];
  if (depth > 0 && rng.uniform() < 0.3) return pick(rng, replacements);
  if (Array.isArray(node) && node.length) {
    const i = int(rng, 0, node.length - 1);
    if (rng.uniform() < 0.1) return node.slice(0, i); // shortened array
    node[i] = corruptValue(rng, node[i], depth + 1);
    return node;
  }
  if (node && typeof node === 'object') {
    const keys = Object.keys(node);
    const key = pick(rng, keys);
    if (rng.uniform() < 0.15) {
      delete (node as Record<string, unknown>)[key];
      return node;
    }
    (node as Record<string, unknown>)[key] = corruptValue(rng, (node as Record<string, unknown>)[key], depth + 1);
    return node;
  }
  return pick(rng, replacements);
}

/** A corrupted copy of a checkpoint's text: truncated, bit-flipped, or one value of the wrong type or range. */
export function checkpointCase(rng: Rng, text: string): Uint8Array {
  const kind = int(rng, 0, 2);
  if (kind === 0) return encoder.encode(text.slice(0, int(rng, 0, text.length - 1)));
  if (kind === 1) return flipBits(rng, encoder.encode(text), int(rng, 1, 4));
  return encoder.encode(JSON.stringify(corruptValue(rng, JSON.parse(text))));
}

/** What an output path may hold in the output-path fuzz: made in a temp folder by the test. */
export type PathKind = 'fifo' | 'folder' | 'socket' | 'link-to-fifo' | 'dangling-link' | 'link-to-file' | 'file-0600' | 'long-name' | 'too-long-name' | 'control-bytes' | 'missing-folder';

export const PATH_KINDS: readonly PathKind[] = ['fifo', 'folder', 'socket', 'link-to-fifo', 'dangling-link', 'link-to-file', 'file-0600', 'long-name', 'too-long-name', 'control-bytes', 'missing-folder'];

/** One output case: which flag, which kind of path, and the training run around it. */
export function outputCase(rng: Rng): { flag: '--save' | '--movie'; kind: PathKind; model: string; epochs: string } {
  return { flag: pick(rng, ['--save', '--save', '--movie'] as const), kind: pick(rng, PATH_KINDS), model: pick(rng, ['gan', 'vae', 'diffusion']), epochs: pick(rng, ['0', '1']) };
}
