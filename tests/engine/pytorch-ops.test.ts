// PyTorch's ops (docs/ops.md) on the CPU: values against hand computations and PyTorch 1.13's
// documented results, ties, int32, empty inputs, and errors that name the op, the shapes and
// the fix. Their gradients are in the shared gradcheck and gradgradcheck suites.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { expectClose } from './helpers.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };
const vals = (t: g.Tensor | null): number[] => Array.from(t?.dataSync() ?? []);

describe('gelu and erf', () => {
  it('gelu is the exact, erf-based GELU: x·Φ(x), with derivative Φ(x) + x·φ(x)', () => {
    // Φ(1) = 0.8413447460685429, φ(1) = e^(−1/2)/√(2π) = 0.24197072451914337
    const x = g.tensor([1, -1, 0, 3], f64);
    const y = g.gelu(x);
    expectClose(vals(y), [0.8413447460685429, -0.15865525393145707, 0, 3 * 0.9986501019683699], 1e-14);
    y.sum().backward();
    expectClose(vals(x.grad), [0.8413447460685429 + 0.24197072451914337, 0.15865525393145707 - 0.24197072451914337, 0.5, 0.9986501019683699 + 3 * 0.0044318484119380075], 1e-13);
  });

  it('erf matches known values to 1e-14 and is odd', () => {
    expectClose(vals(g.erf(g.tensor([0.5, -0.5, 2, 6.5, 0], { dtype: 'float64' }))), [0.5204998778130465, -0.5204998778130465, 0.9953222650189527, 1, 0], 1e-14);
  });
});

describe('where, maximum, minimum', () => {
  it('where picks a where cond ≠ 0 (any dtype, broadcast), and routes dy the same way', () => {
    const a = g.tensor([[1, 2, 3], [4, 5, 6]], f64);
    const b = g.tensor([10, 20, 30], f64);
    const cond = g.cast(g.tensor([1, 0, -2]), 'int32'); // int32, non-zero = true
    const y = g.where(cond, a, b);
    expect(vals(y)).toEqual([1, 20, 3, 4, 20, 6]);
    y.sum().backward();
    expect(vals(a.grad)).toEqual([1, 0, 1, 1, 0, 1]);
    expect(vals(b.grad)).toEqual([0, 2, 0]);
  });

  it('where keeps the branch not chosen out of the result, even when it is infinite or NaN', () => {
    const e = g.tensor([100, Math.LN2]).exp(); // [∞, 2] in float32
    const a = e.sub(e).add(1); // [NaN, 1]
    expect(vals(a)[0]).toBeNaN();
    const y = g.where(g.tensor([0, 1]), a, e.add(-1)); // b's ∞ where a is NaN, a's 1 where b is 1
    expect(vals(y)).toEqual([Infinity, 1]);
    expect(vals(g.where(g.tensor([1, 0]), g.tensor([5, 6]), e))).toEqual([5, 2]);
    expect(vals(g.tensor([3, -1]).where(g.tensor([0, 1]), 7))).toEqual([7, -1]);
  });

  it('maximum and minimum split dy evenly at a tie, as PyTorch 1.13', () => {
    const a = g.tensor([1, 2, 5], f64);
    const b = g.tensor([1, 3, 4], f64);
    const y = g.maximum(a, b);
    expect(vals(y)).toEqual([1, 3, 5]);
    y.sum().backward();
    expect(vals(a.grad)).toEqual([0.5, 0, 1]);
    expect(vals(b.grad)).toEqual([0.5, 1, 0]);
    expect(vals(g.minimum(g.tensor([[1, 5]]), 2))).toEqual([1, 2]);
    expect(vals(g.tensor([1, 5]).maximum(g.tensor([[2], [6]])))).toEqual([2, 5, 6, 6]);
  });

  it('errors name the op and the shapes', () => {
    expect(() => g.maximum(g.tensor([1, 2, 3]), g.tensor([1, 2]))).toThrow(/maximum: shapes \[3\] and \[2\] cannot be broadcast/);
    expect(() => g.where(g.tensor([1, 0]), 1, 2)).toThrow(/where: a and b are both numbers/);
  });
});

describe('min, argmax, argmin', () => {
  it('min is −max(−x); ties share the gradient evenly (as PyTorch\'s amin and min())', () => {
    const x = g.tensor([[3, 1, 1], [0, 2, 5]], f64);
    expect(vals(g.min(x))).toEqual([0]);
    const m = x.min(1);
    expect(vals(m)).toEqual([1, 0]);
    m.sum().backward();
    expect(vals(x.grad)).toEqual([0, 0.5, 0.5, 1, 0, 0]);
  });

  it('argmax and argmin return int32 indices, the first one at a tie, as PyTorch', () => {
    const x = g.tensor([[1, 3, 3, 2], [7, 7, 0, 0]]);
    const am = g.argmax(x, 1);
    expect(am.dtype).toBe('int32');
    expect(vals(am)).toEqual([1, 0]);
    expect(vals(g.argmin(x, 1))).toEqual([0, 2]);
    expect(vals(x.argmax(0))).toEqual([1, 1, 0, 0]);
    expect(vals(g.argmax(x))).toEqual([4]); // the flattened index of the first 7
    expect(g.argmax(x, 1, true).shape).toEqual([2, 1]);
    expect(vals(g.argmax(g.cast(g.tensor([4, -9, 4]), 'int32')))).toEqual([0]);
  });

  it('an empty axis is an error, as in PyTorch', () => {
    expect(() => g.argmax(g.zeros([2, 0]), 1)).toThrow(/argmax: cannot take the argmax of an empty axis 1 \(shape \[2, 0\]\)/);
  });
});

describe('variance and std', () => {
  it('are unbiased by default (÷ n − 1), as PyTorch; { unbiased: false } divides by n', () => {
    const x = g.tensor([[1, 2, 3, 4], [2, 2, 2, 6]], { dtype: 'float64' });
    expectClose(vals(g.variance(x.slice(0, 1))), [5 / 3], 1e-15); // Σ(x − 2.5)² = 5, ÷ 3
    expectClose(vals(x.var(1)), [5 / 3, 4], 1e-15); // second row: mean 3, Σ = 1+1+1+9 = 12, ÷ 3
    expectClose(vals(g.variance(x, 1, { unbiased: false })), [1.25, 3], 1e-15);
    expectClose(vals(g.std(x, 1)), [Math.sqrt(5 / 3), 2], 1e-15);
    expectClose(vals(x.std([0, 1], { keepDims: true })), [Math.sqrt(vals(x.var())[0])], 1e-15);
    expect(x.std([0, 1], { keepDims: true }).shape).toEqual([1, 1]);
  });

  it('one element with the unbiased estimate is an error that says how to get 0 (PyTorch returns NaN)', () => {
    expect(() => g.variance(g.tensor([[1, 2]]), 0)).toThrow(/variance: 1 element of shape \[1, 2\] to reduce, and the unbiased estimate divides by 0 \(PyTorch returns NaN\); pass \{ unbiased: false \}/);
    expect(vals(g.variance(g.tensor([[1, 2]]), 0, { unbiased: false }))).toEqual([0, 0]);
    expect(() => g.std(g.tensor([1]), undefined, { ddof: 1 } as never)).toThrow(/std: unknown option/);
  });
});

describe('reductions over a list of axes', () => {
  const x = g.tensor(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
  it('sum, mean and max over [0, 2] equal one axis after the other', () => {
    expect(vals(g.sum(x, [0, 2]))).toEqual(vals(x.sum(2).sum(0)));
    expect(vals(x.mean([2, 0], true))).toEqual(vals(x.mean(2, true).mean(0, true)));
    expect(x.mean([2, 0], true).shape).toEqual([1, 3, 1]);
    expect(vals(g.max(x, [1, 2]))).toEqual([11, 23]);
    expect(vals(g.min(x, [-1, 0]))).toEqual([0, 4, 8]);
    expect(vals(g.sum(x, []))).toEqual([276]); // PyTorch 1.13: an empty list means every axis
  });

  it('max over several axes shares the gradient among the ties of the whole set (as torch.amax)', () => {
    const t = g.tensor([[1, 1], [1, 0]], f64);
    g.max(t, [0, 1]).backward();
    expectClose(vals(t.grad), [1 / 3, 1 / 3, 1 / 3, 0], 1e-15);
  });

  it('a repeated axis is an error that names it', () => {
    expect(() => g.sum(x, [1, -2])).toThrow(/sum: axis -2 is repeated in \[1, -2\] \(rank 3\)/);
  });
});

describe('axes: permute, transpose, squeeze, unsqueeze, expand, stack', () => {
  const x = g.tensor(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
  it('permute moves axes: out[i][j][k] = x[j][k][i] for [2, 0, 1]', () => {
    const y = x.permute([2, 0, 1]);
    expect(y.shape).toEqual([4, 2, 3]);
    const v = vals(y);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 3; k++) expect(v[i * 6 + j * 3 + k]).toBe(12 * j + 4 * k + i);
  });

  it('transpose swaps two axes of any rank; transpose(x) is still the 2-D transpose', () => {
    expect(vals(x.transpose(0, 2))).toEqual(vals(x.permute([2, 1, 0])));
    expect(vals(g.tensor([[1, 2, 3], [4, 5, 6]]).transpose())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(() => x.transpose()).toThrow(/transpose: x has shape \[2, 3, 4\]; without axes transpose needs a 2-D tensor: give the two axes to swap, e.g. transpose\(x, 0, 1\)/);
    expect(() => g.permute(x, [0, 1])).toThrow(/permute: needs one entry per axis of x \[2, 3, 4\] \(rank 3\), got \[0, 1\]/);
  });

  it('squeeze drops size-1 axes (a given axis of another size stays, as PyTorch); unsqueeze adds one', () => {
    const t = g.zeros([3, 1, 4, 1]);
    expect(t.squeeze().shape).toEqual([3, 4]);
    expect(t.squeeze(1).shape).toEqual([3, 4, 1]);
    expect(t.squeeze(0).shape).toEqual([3, 1, 4, 1]);
    expect(t.squeeze([1, 3]).shape).toEqual([3, 4]);
    expect(g.unsqueeze(g.zeros([3, 4]), -1).shape).toEqual([3, 4, 1]);
    expect(g.unsqueeze(g.zeros([3, 4]), 0).shape).toEqual([1, 3, 4]);
    expect(() => g.unsqueeze(g.zeros([3, 4]), 3)).toThrow(/unsqueeze: axis 3 is out of range/);
  });

  it('expand grows size-1 axes and adds leading ones; −1 keeps a size', () => {
    const t = g.tensor([[1], [2]]);
    expect(vals(t.expand([2, 2, -1]).reshape([-1]))).toEqual([1, 2, 1, 2]);
    expect(t.expand([3, 2, 4]).shape).toEqual([3, 2, 4]);
    expect(() => t.expand([3, 4])).toThrow(/expand: cannot expand \[2, 1\] to \[3, 4\] \(axis 0: 2 to 3\); use a shape of rank >= 2/);
  });

  it('stack joins along a new axis', () => {
    const a = g.tensor([1, 2]);
    const b = g.tensor([3, 4]);
    expect(vals(g.stack([a, b]))).toEqual([1, 2, 3, 4]);
    expect(vals(g.stack([a, b], 1))).toEqual([1, 3, 2, 4]);
    expect(g.stack([a, b], -1).shape).toEqual([2, 2]);
    expect(() => g.stack([a, g.tensor([1])])).toThrow(/stack: every tensor must have the same shape, got \[2\], \[1\]/);
  });
});

describe('cast', () => {
  it('float to int32 rounds toward zero, as PyTorch; int32 to float is exact', () => {
    const i = g.cast(g.tensor([2.7, -2.7, 0.5, -0.5, 7]), 'int32');
    expect(i.dtype).toBe('int32');
    expect(vals(i)).toEqual([2, -2, 0, 0, 7]);
    const f = i.cast('float64');
    expect(f.dtype).toBe('float64');
    expect(vals(f)).toEqual([2, -2, 0, 0, 7]);
  });

  it('between float dtypes the gradient flows back in the input\'s dtype; to int32 none flows', () => {
    const x = g.tensor([1.5, -2], f64);
    const y = g.cast(x, 'float32');
    expect(y.requiresGrad).toBe(true);
    y.mul(y).sum().backward();
    expect(x.grad?.dtype).toBe('float64');
    expect(vals(x.grad)).toEqual([3, -4]);
    expect(g.cast(x, 'int32').requiresGrad).toBe(false);
    expect(() => g.cast(x, 'int64' as never)).toThrow(/cast: unknown dtype .*int64.* for a tensor of shape \[2\] \(use 'float32', 'float64' or 'int32'\)/);
  });
});

describe('gather along any axis', () => {
  const x = g.tensor([[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]);
  it('picks along the axis given, negative indices from the end (PyTorch index_select with Python indices)', () => {
    expect(vals(x.gather([2, -1], 1))).toEqual([2, 3, 12, 13, 22, 23]);
    expect(x.gather([2, -1], 1).shape).toEqual([3, 2]);
    expect(vals(g.gather(x, [-1, 0]))).toEqual([20, 21, 22, 23, 0, 1, 2, 3]);
    expect(vals(g.gather(x, g.cast(g.tensor([-3, 1]), 'int32'), -1))).toEqual([1, 1, 11, 11, 21, 21]);
  });

  it('an index out of range names itself and the valid range', () => {
    expect(() => x.gather([0, -5], 1)).toThrow(/gather: index -5 is out of range for an axis of size 4 \(indices from -4 to 3\)/);
    expect(() => x.gather([4], 1)).toThrow(/gather: index 4 at position 0 is out of range for 4 rows/);
  });
});

describe('matmul with PyTorch\'s rules', () => {
  const v = g.tensor([1, 2, 3]);
  const m = g.tensor([[1, 0], [0, 1], [1, 1]]); // [3, 2]
  it('1-D operands: a dot product, a row times a matrix, a matrix times a column', () => {
    const dot = g.matmul(v, v);
    expect(dot.shape).toEqual([]);
    expect(vals(dot)).toEqual([14]);
    expect(vals(g.matmul(v, m))).toEqual([4, 5]); // [1,2,3]·m = [1+3, 2+3]
    expect(vals(g.matmul(g.transpose(m), v))).toEqual([4, 5]);
    expect(g.matmul(g.zeros([5, 2, 3]), v).shape).toEqual([5, 2]);
    expect(g.matmul(v, g.zeros([5, 3, 4])).shape).toEqual([5, 4]);
  });

  it('batch axes broadcast at any rank; each batch entry is its own product', () => {
    const a = g.tensor(Array.from({ length: 2 * 1 * 2 * 3 }, (_, i) => i), [2, 1, 2, 3]);
    const b = g.tensor(Array.from({ length: 4 * 3 * 2 }, (_, i) => (i % 5) - 2), [4, 3, 2]);
    const y = g.matmul(a, b);
    expect(y.shape).toEqual([2, 4, 2, 2]);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 4; j++) {
        const want = vals(g.matmul(a.slice(i, i + 1).reshape([2, 3]), b.slice(j, j + 1).reshape([3, 2])));
        expect(vals(y).slice((i * 4 + j) * 4, (i * 4 + j) * 4 + 4)).toEqual(want);
      }
    }
    expect(g.matmul(g.zeros([2, 3, 5, 4]), g.zeros([4, 6])).shape).toEqual([2, 3, 5, 6]);
  });
});
