// Empty tensors follow one rule, PyTorch 1.13's (each case below was run there): the sum of no
// values is 0 and their mean NaN, over the whole tensor or over an empty axis (a NaN-filled
// result, not an error); max, min and argmax of no values are refused; reducing a non-empty axis
// of a tensor with another empty dimension gives an empty result. Gradients are empty (dx has
// x's zero elements; no Infinity anywhere). The same on WebGPU as on its CPU twin.

import { describe, expect, it } from 'vitest';
import { argmax, argmin, max, mean, min, sum, tensor, zeros, type Tensor } from '../../engine/index';
import { cpuBackend, gpuBackend, on } from '../webgpu/setup';

type Reduce = (x: Tensor) => Tensor;

/** [name, input shape, reduction, PyTorch's result shape, its values (NaN as NaN)] */
const CASES: [string, number[], Reduce, number[], number[]][] = [
  ['sum of [0]', [0], (x) => sum(x), [], [0]],
  ['mean of [0]', [0], (x) => mean(x), [], [Number.NaN]],
  ['mean of [0, 3] (no axis)', [0, 3], (x) => mean(x), [], [Number.NaN]],
  ['sum over axis 0 of [0, 3]', [0, 3], (x) => sum(x, 0), [3], [0, 0, 0]],
  ['mean over axis 0 of [0, 3]', [0, 3], (x) => mean(x, 0), [3], [Number.NaN, Number.NaN, Number.NaN]],
  ['mean over axis 1 of [2, 0], keepDims', [2, 0], (x) => mean(x, 1, true), [2, 1], [Number.NaN, Number.NaN]],
  ['sum over axis 1 of [2, 0]', [2, 0], (x) => sum(x, 1), [2], [0, 0]],
  ['mean over axis 1 of [0, 3] (a non-empty axis)', [0, 3], (x) => mean(x, 1), [0], []],
  ['max over axis 1 of [0, 3] (a non-empty axis)', [0, 3], (x) => max(x, 1), [0], []],
  ['mean over axes [0, 2] of [2, 0, 3]', [2, 0, 3], (x) => mean(x, [0, 2]), [0], []],
  ['sum over axes [1, 2] of [2, 0, 3]', [2, 0, 3], (x) => sum(x, [1, 2]), [2], [0, 0]],
  ['mean over axes [0, 1] of [2, 0, 3]', [2, 0, 3], (x) => mean(x, [0, 1]), [3], [Number.NaN, Number.NaN, Number.NaN]],
];

const REFUSED: [string, () => unknown, RegExp][] = [
  ['max of [0]', () => max(zeros([0])), /max: the max of no values is undefined: an empty tensor of shape \[0\] \(PyTorch refuses it too; sum gives 0 and mean NaN\)/],
  ['min of [0]', () => min(zeros([0])), /min: the min of no values is undefined: an empty tensor of shape \[0\]/],
  ['max over axis 1 of [2, 0]', () => max(zeros([2, 0]), 1), /max: the max of no values is undefined: the empty axis 1 of shape \[2, 0\]/],
  ['min over axis 0 of [0, 3]', () => min(zeros([0, 3]), 0), /min: the min of no values is undefined: the empty axis 0 of shape \[0, 3\]/],
  ['max over axes [0, 1] of [2, 0, 3]', () => max(zeros([2, 0, 3]), [0, 1]), /max: the max of no values is undefined: the empty axes \[0, 1\] of shape \[2, 0, 3\]/],
  ['argmax of [0]', () => argmax(zeros([0])), /argmax: cannot take the argmax of an empty tensor \(shape \[0\]\)/],
  ['argmin over axis 1 of [2, 0]', () => argmin(zeros([2, 0]), 1), /argmin: cannot take the argmin of an empty axis 1 \(shape \[2, 0\]\)/],
];

function expectValues(got: ArrayLike<number>, want: number[], what: string): void {
  expect(Array.from(got).map(String), what).toEqual(want.map(String));
}

describe('empty tensors: PyTorch’s rule (CPU)', () => {
  for (const [name, shape, reduce, outShape, values] of CASES) {
    it(`${name} → shape [${outShape.join(', ')}], ${JSON.stringify(values.map(String))}; an empty gradient`, () => {
      const x = zeros(shape, { requiresGrad: true });
      const y = reduce(x);
      expect(y.shape).toEqual(outShape);
      expectValues(y.dataSync(), values, name);
      sum(y).backward();
      expect(x.grad?.shape).toEqual(shape);
      expect(x.grad?.dataSync().length).toBe(0);
    });
  }
  for (const [name, fn, message] of REFUSED) {
    it(`${name} is refused, naming the op and the shape`, () => {
      expect(fn).toThrow(message);
    });
  }
  it('a non-empty reduction still works and keeps its gradient (ones / n)', () => {
    const x = tensor([[1, 2, 3], [4, 5, 7]], [2, 3], { requiresGrad: true });
    const y = mean(x, 1);
    expectValues(y.dataSync(), [2, 16 / 3].map(Math.fround), 'mean');
    sum(y).backward();
    expectValues(x.grad!.dataSync(), Array(6).fill(Math.fround(1 / 3)), 'grad');
  });
});

describe('empty tensors on WebGPU agree with the CPU twin', () => {
  it('every case: the same shape and values (NaN where the CPU has NaN), the same refusals', async () => {
    const gpu = await gpuBackend();
    for (const [name, shape, reduce] of CASES) {
      const want = on(cpuBackend(), () => {
        const y = reduce(zeros(shape));
        return { shape: y.shape, values: Array.from(y.dataSync()) };
      });
      const y = on(gpu, () => reduce(zeros(shape)));
      expect(y.shape, name).toEqual(want.shape);
      expectValues(await y.data(), want.values, name);
    }
    for (const [name, fn, message] of REFUSED) expect(() => on(gpu, fn), name).toThrow(message);
  }, 120_000);
});
