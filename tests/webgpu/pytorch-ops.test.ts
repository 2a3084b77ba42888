// PyTorch's ops (docs/ops.md) on WebGPU (float32) against the CPU (float64), forward and
// backward, on fresh random inputs: sizes that are not multiples of the 256-thread workgroup,
// broadcasting in both directions, ranks up to 5. The small shapes of the shared gradcheck
// table run in tests/webgpu/ops.test.ts; int32 results (argmax, cast) are compared exactly.
// Criterion: |gpu - cpu| <= 1e-4 · max(1, |cpu|) (tests/webgpu/compare.ts).

import { beforeAll, describe, expect, test } from 'vitest';
import {
  argmax, argmin, cast, expand, gather, gelu, erf, matmul, max, maximum, mean, min, minimum, permute, squeeze, stack, std, sum,
  tensor, transpose, unsqueeze, variance, where, type Tensor,
} from '../../engine/index';
import type { Backend } from '../../engine/backend';
import { compareCase, randomArray, sizeOfShape, TEST_SEED, values, type CompareCase } from './compare';
import { cpuBackend, gpuBackend, on } from './setup';

let gpu: Backend;
let cpu: Backend;
beforeAll(async () => {
  gpu = await gpuBackend();
  cpu = cpuBackend();
});

let seed = TEST_SEED;
type Gen = (u: number, i: number) => number;
const normalish: Gen = (u) => 4 * u - 2;
/** Distinct values (no ties for max, min, maximum). */
const distinct: Gen = (u, i) => ((i * 7919) % 10007) * 1e-3 + 1e-4 * u - 5;
/** Distinct from `distinct` by at least 4e-4 (maximum's kink where a = b). */
const shifted: Gen = (u, i) => ((i * 104729) % 10007) * 1e-3 + 5e-4 + 1e-4 * u - 5;
const mask: Gen = (u) => (u < 0.5 ? 0 : 1);

function make(name: string, shapes: number[][], gens: Gen[], fn: (...xs: Tensor[]) => Tensor, grad?: boolean[]): CompareCase {
  return { name, shapes, values: shapes.map((s, i) => values(sizeOfShape(s), seed++, gens[i] ?? gens[gens.length - 1])), fn, grad };
}

const s = (...d: number[]): number[] => d;

const cases: CompareCase[] = [
  make('gelu [4099]', [s(4099)], [(u) => 12 * u - 6], (x) => gelu(x)),
  make('erf [1000]', [s(1000)], [(u) => 8 * u - 4], (x) => erf(x)),
  make('maximum [65,33] with [33]', [s(65, 33), s(33)], [distinct, shifted], (a, b) => maximum(a, b)),
  make('minimum [33] with [65,1,33] (strided)', [s(33), s(65, 1, 33)], [distinct, shifted], (a, b) => minimum(a, b)),
  make('where [65,1] ? [65,33] : [33]', [s(65, 1), s(65, 33), s(33)], [mask, normalish, normalish], (c, a, b) => where(c, a, b), [false, true, true]),
  make('where [4099] ? [4099] : number', [s(4099), s(4099)], [mask, normalish], (c, a) => where(c, a, -0.5), [false, true]),
  make('permute [3,5,7,11] -> [3,1,0,2]', [s(3, 5, 7, 11)], [normalish], (x) => permute(x, [3, 1, 0, 2])),
  make('permute [2,3,4,5,6] -> [4,0,3,1,2]', [s(2, 3, 4, 5, 6)], [normalish], (x) => permute(x, [4, 0, 3, 1, 2])),
  make('transpose [5,65,33] axes 0,2', [s(5, 65, 33)], [normalish], (x) => transpose(x, 0, 2)),
  make('transpose [65,33] axes 1,0', [s(65, 33)], [normalish], (x) => transpose(x, 1, 0)),
  make('squeeze, unsqueeze [65,1,33]', [s(65, 1, 33)], [normalish], (x) => unsqueeze(squeeze(x, 1), 0)),
  make('expand [65,1] -> [3,65,33]', [s(65, 1)], [normalish], (x) => expand(x, [3, 65, 33])),
  make('stack 3 × [65,33] axis 1', [s(65, 33), s(65, 33), s(65, 33)], [normalish], (a, b, c) => stack([a, b, c], 1)),
  make('sum [17,65,33] axes [0,2]', [s(17, 65, 33)], [normalish], (x) => sum(x, [0, 2])),
  make('mean [17,65,33] axes [1,2] keepDims', [s(17, 65, 33)], [normalish], (x) => mean(x, [1, 2], true)),
  make('max [17,65,33] axes [2,0]', [s(17, 65, 33)], [distinct], (x) => max(x, [2, 0])),
  make('min [65,33] axis 0', [s(65, 33)], [distinct], (x) => min(x, 0)),
  make('variance [65,33] axis 0', [s(65, 33)], [normalish], (x) => variance(x, 0)),
  make('std [17,65,3] axes [0,1] biased', [s(17, 65, 3)], [normalish], (x) => std(x, [0, 1], { unbiased: false })),
  make('gather [65,33] axis 1, 70 indices, negative ones', [s(65, 33)], [normalish], (x) => gather(x, Array.from({ length: 70 }, (_, i) => ((i * 13) % 66) - 33), 1)),
  make('gather [5,65,3] axis -2 by an int32 tensor with negative entries', [s(5, 65, 3)], [normalish],
    (x) => gather(x, cast(tensor(Array.from({ length: 100 }, (_, i) => ((i * 7) % 130) - 65)), 'int32'), -2)),
  make('matmul [65]·[65,33]', [s(65), s(65, 33)], [normalish], (a, b) => matmul(a, b)),
  make('matmul [3,1,17,65]·[5,65,9] (batch broadcast)', [s(3, 1, 17, 65), s(5, 65, 9)], [normalish], (a, b) => matmul(a, b)),
  make('matmul [2,3,17,65]·[65] and ·[65,9]', [s(2, 3, 17, 65), s(65), s(65, 9)], [normalish], (a, v, b) => matmul(a, v).sum().add(matmul(a, b).sum())),
];

describe('PyTorch ops on webgpu vs cpu', () => {
  for (const c of cases) test(c.name, async () => expect(await compareCase(cpu, gpu, c)).toBeLessThanOrEqual(1e-4));

  test('argmax, argmin and cast to int32 give the same integers on both backends', async () => {
    const n = 65 * 33;
    const v = randomArray(n).map((x, i) => (i % 7 === 0 ? 0.5 : x * 3)); // ties at 0.5
    const run = async (backend: Backend): Promise<number[][]> => {
      const outs = on(backend, () => {
        const x = tensor(v, [65, 33]);
        const r = [argmax(x, 1), argmin(x, 0), argmax(x), cast(x, 'int32')];
        x.dispose();
        return r;
      });
      const read = await Promise.all(outs.map(async (t) => Array.from(await t.data())));
      for (const t of outs) t.dispose();
      return read;
    };
    expect(await run(gpu)).toEqual(await run(cpu));
  });
});
