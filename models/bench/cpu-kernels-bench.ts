// `gradlab bench --cpu`, two CPU kernels against the plain JavaScript they replace, timed in one
// run with the two alternating:
//   - Philox 4x32-10 words: the WebAssembly kernel (kernels/cpu/philox-wasm.ts) against
//     engine/rng.ts's philox4x32 in JavaScript (the fallback), in ns a word;
//   - the ReLU gradient on float32, y > 0 ? dy : 0: the branch-free bit-mask loop of
//     kernels/cpu/unary.ts against that ternary written as a plain loop, in ns an element, on
//     activations of random sign (where the branch is mispredicted about half the time).

import { philoxBlocks, PHILOX_CHUNK, resetPhiloxWasm } from '../../kernels/cpu/philox-wasm';
import { unaryGrad } from '../../kernels/cpu/unary';
import { createRng, philoxWords } from '../../engine/rng';
import { timeIt } from './time-it';

export interface KernelBenchRow {
  kernel: string;
  /** ns per word or per element, best round of the median call. */
  plainNs: number;
  /** null where WebAssembly is not available (the Philox row). */
  fastNs: number | null;
  plainName: string;
  fastName: string;
}

function alternate(rounds: number, plain: () => void, fast: (() => void) | null, per: number): [number, number | null] {
  let best = [Infinity, Infinity];
  for (let r = 0; r < rounds; r++) {
    const t = [plain, fast].map((fn) => (fn ? timeIt(fn, { warmup: r === 0 ? 20 : 2, iterations: 20 }).median : Infinity));
    best = best.map((b, i) => Math.min(b, t[i]));
  }
  return [(best[0] * 1e6) / per, fast ? (best[1] * 1e6) / per : null];
}

export function benchCpuKernels(rounds = 5): KernelBenchRow[] {
  const words = 4 * PHILOX_CHUNK;
  const wasm = philoxBlocks(1, 2, 0, 1) !== null;
  let block = 0;
  const draw = (): void => { philoxWords(7, 9, (block += PHILOX_CHUNK), PHILOX_CHUNK); };
  const jsDraw = (): void => { resetPhiloxWasm(true); draw(); resetPhiloxWasm(); };
  const [jsNs, wasmNs] = alternate(rounds, jsDraw, wasm ? draw : null, words);

  const n = 512 * 64; // one ReLU layer of the wide GAN
  const y = new Float32Array(n), dy = new Float32Array(n), out = new Float32Array(n);
  const rng = createRng(3);
  rng.fillNormal(y);
  rng.fillNormal(dy);
  const ternary = (): void => { for (let i = 0; i < n; i++) out[i] = y[i] > 0 ? dy[i] : 0; };
  const masked = (): void => unaryGrad('relu', y, y, dy, out, 0, 0);
  const [branchNs, maskNs] = alternate(rounds, ternary, masked, n);
  return [
    { kernel: 'Philox 4x32-10, ns a word', plainName: 'JavaScript', plainNs: jsNs, fastName: 'WebAssembly', fastNs: wasmNs },
    { kernel: 'ReLU gradient [512, 64] float32, ns an element', plainName: 'y > 0 ? dy : 0', plainNs: branchNs, fastName: 'bit mask', fastNs: maskNs },
  ];
}

export function formatCpuKernelsBench(rows: KernelBenchRow[]): string {
  const lines = ['CPU kernels against the plain JavaScript they replace (same run, alternating)'];
  for (const r of rows) {
    const fast = r.fastNs === null ? 'not available here' : `${r.fastNs.toFixed(2)} (${(r.plainNs / r.fastNs).toFixed(1)}x faster)`;
    lines.push(`  ${r.kernel.padEnd(48)} ${r.plainName} ${r.plainNs.toFixed(2)}   ${r.fastName} ${fast}`);
  }
  return lines.join('\n');
}
