// Forward values of every op against hand-computed expectations on small inputs (CPU backend).
// The hand computation is written beside each expectation.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { expectClose } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const vals = (t: g.Tensor): number[] => Array.from(t.dataSync());
const LN2 = Math.log(2);
const LN3 = Math.log(3);

describe('arithmetic and NumPy broadcasting', () => {
  it('add [2,3] + [3] broadcasts the row', () => {
    // [[1,2,3],[4,5,6]] + [10,20,30] = [[11,22,33],[14,25,36]]
    const y = g.add(g.tensor([[1, 2, 3], [4, 5, 6]]), g.tensor([10, 20, 30]));
    expect(y.shape).toEqual([2, 3]);
    expect(vals(y)).toEqual([11, 22, 33, 14, 25, 36]);
  });

  it('add [3,1] + [1,4] is an outer sum', () => {
    // out[i][j] = a[i] + b[j], a = [0,10,20], b = [1,2,3,4]
    const y = g.tensor([[0], [10], [20]]).add(g.tensor([[1, 2, 3, 4]]));
    expect(y.shape).toEqual([3, 4]);
    expect(vals(y)).toEqual([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);
  });

  it('[2,1,3] + [4,1] gives [2,4,3] (NumPy rules)', () => {
    // out[i][j][k] = a[i][0][k] + b[j][0]
    const a = g.tensor([[[1, 2, 3]], [[4, 5, 6]]]);
    const b = g.tensor([[0], [10], [20], [30]]);
    const y = a.add(b);
    expect(y.shape).toEqual([2, 4, 3]);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) expected.push(3 * i + k + 1 + 10 * j);
    expect(vals(y)).toEqual(expected);
  });

  it('[4] op [2,3,4] broadcasts the left operand', () => {
    // out = b - a[k] along the last axis
    const a = g.tensor([1, 2, 3, 4]);
    const b = g.tensor(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    expect(vals(g.sub(b, a))).toEqual(Array.from({ length: 24 }, (_, i) => i - ((i % 4) + 1)));
    expect(vals(g.sub(a, b))).toEqual(Array.from({ length: 24 }, (_, i) => (i % 4) + 1 - i));
  });

  it('sub, mul, div with numbers on either side', () => {
    const x = g.tensor([1, 2, 4]);
    expect(vals(x.add(1.5))).toEqual([2.5, 3.5, 5.5]);
    expect(vals(g.add(1.5, x))).toEqual([2.5, 3.5, 5.5]);
    expect(vals(x.sub(1))).toEqual([0, 1, 3]);
    expect(vals(g.sub(5, x))).toEqual([4, 3, 1]); // 5 - x
    expect(vals(x.mul(3))).toEqual([3, 6, 12]);
    expect(vals(g.mul(-1, x))).toEqual([-1, -2, -4]);
    expect(vals(x.div(2))).toEqual([0.5, 1, 2]);
    expect(vals(g.div(1, x))).toEqual([1, 0.5, 0.25]); // 1 / x
    expect(vals(x.neg())).toEqual([-1, -2, -4]);
  });

  it('mul [3,1]*[1,4] and div [2,2]/[2]', () => {
    // outer product of [1,2,3] and [1,10,100,1000]
    expect(vals(g.tensor([[1], [2], [3]]).mul(g.tensor([[1, 10, 100, 1000]])))).toEqual([1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000]);
    // [[1,2],[3,4]] / [2,4] = [[0.5,0.5],[1.5,1]]
    expect(vals(g.tensor([[1, 2], [3, 4]]).div(g.tensor([2, 4])))).toEqual([0.5, 0.5, 1.5, 1]);
  });

  it('gradients are summed back over broadcast axes', () => {
    // d Σ(a + b) / db for a [2,3], b [3]: each b[j] is used twice -> [2,2,2]
    const a = g.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = g.tensor([1, 1, 1], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(vals(b.grad!)).toEqual([2, 2, 2]);
    expect(vals(a.grad!)).toEqual([1, 1, 1, 1, 1, 1]);
    // d Σ(a * c) / dc for c [3,1]: row sums of a... here a is [3,4] of ones times row index
    const c = g.tensor([[1], [2], [3]], { requiresGrad: true });
    const m = g.tensor([[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]);
    c.mul(m).sum().backward();
    expect(vals(c.grad!)).toEqual([4, 8, 12]);
  });
});

describe('functions of one input', () => {
  it('pow with integer and fractional exponents', () => {
    expect(vals(g.tensor([-2, 3]).pow(2))).toEqual([4, 9]); // (-2)² = 4, 3² = 9
    expect(vals(g.tensor([-2, 3]).pow(3))).toEqual([-8, 27]); // the sign of an odd power is kept
    expect(vals(g.tensor([4, 9]).pow(0.5))).toEqual([2, 3]);
    expect(vals(g.tensor([4, 0.5]).pow(-1))).toEqual([0.25, 2]);
    expectClose(vals(g.tensor([4], f64).pow(1.5)), [8]); // 4^1.5 = 8
  });

  it('exp, log, sqrt, abs', () => {
    expectClose(vals(g.tensor([0, 1, -1], f64).exp()), [1, Math.E, 1 / Math.E], 1e-15);
    expectClose(vals(g.tensor([1, Math.E, 0.5], f64).log()), [0, 1, -LN2], 1e-15);
    expect(vals(g.tensor([9, 0.25, 0]).sqrt())).toEqual([3, 0.5, 0]);
    expect(vals(g.tensor([-2, 0, 3]).abs())).toEqual([2, 0, 3]);
  });

  it('log(0) is clamped to ln(float32 min normal), not -Infinity', () => {
    // ln(1.1754943508222875e-38) = -87.336...
    expectClose(vals(g.tensor([0], f64).log()), [Math.log(1.1754943508222875e-38)], 1e-12);
  });

  it('clamp, relu, leakyRelu', () => {
    expect(vals(g.tensor([-2, 0.5, 5]).clamp(-1, 1))).toEqual([-1, 0.5, 1]);
    expect(vals(g.tensor([-1, 0, 2]).relu())).toEqual([0, 0, 2]);
    expectClose(vals(g.tensor([-1, 2], f64).leakyRelu()), [-0.2, 2]); // default slope 0.2
    expectClose(vals(g.tensor([-1, 2], f64).leakyRelu(0.01)), [-0.01, 2]);
  });

  it('sigmoid, tanh, softplus, silu', () => {
    // sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; sigmoid(0) = 1/2
    expectClose(vals(g.tensor([0, LN3, -LN3], f64).sigmoid()), [0.5, 0.75, 0.25], 1e-15);
    // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6
    expectClose(vals(g.tensor([LN2, 0], f64).tanh()), [0.6, 0], 1e-15);
    // softplus(x) = ln(1 + e^x): softplus(0) = ln 2, softplus(ln 3) = ln 4
    expectClose(vals(g.tensor([0, LN3], f64).softplus()), [LN2, Math.log(4)], 1e-15);
    // silu(x) = x sigmoid(x): silu(ln 3) = 0.75 ln 3
    expectClose(vals(g.tensor([LN3, 0], f64).silu()), [0.75 * LN3, 0], 1e-15);
  });

  it('saturating functions stay finite for large inputs', () => {
    expect(vals(g.tensor([100, -100]).softplus())).toEqual([100, Math.fround(Math.log1p(Math.exp(-100)))]);
    const s = vals(g.tensor([-100, 100], f64).sigmoid());
    expectClose(s, [Math.exp(-100) / (1 + Math.exp(-100)), 1], 1e-15);
    expect(s.every(Number.isFinite)).toBe(true);
  });
});

describe('softmax', () => {
  it('along the last axis', () => {
    // exp([0, ln 2, ln 5]) = [1, 2, 5] -> / 8
    const x = g.tensor([0, LN2, Math.log(5)], f64);
    expectClose(vals(x.softmax()), [1 / 8, 2 / 8, 5 / 8], 1e-15);
    expectClose(vals(x.logSoftmax()), [Math.log(1 / 8), Math.log(2 / 8), Math.log(5 / 8)], 1e-14);
  });

  it('along axis 0 of a matrix', () => {
    // columns: [0, 0] -> [1/2, 1/2];  [ln 3, 0] -> [3/4, 1/4]
    const y = g.tensor([[0, LN3], [0, 0]], f64).softmax(0);
    expectClose(vals(y), [0.5, 0.75, 0.5, 0.25], 1e-15);
  });

  it('along the middle axis of a 3-D tensor', () => {
    // x[i][j][k] = j · ln 2 for every i, k: weights 1, 2, 4 over j -> [1/7, 2/7, 4/7]
    const x = g.tensor(Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.floor(i / 2) % 3 * LN2), [2, 3, 2], f64);
    expectClose(vals(x.softmax(1)), [1, 1, 2, 2, 4, 4, 1, 1, 2, 2, 4, 4].map((v) => v / 7), 1e-15);
  });

  it('does not overflow for large inputs', () => {
    expect(vals(g.tensor([1000, 1000]).softmax())).toEqual([0.5, 0.5]);
    expectClose(vals(g.tensor([1000, 1000], f64).logSoftmax()), [-LN2, -LN2], 1e-12);
  });
});

describe('reductions', () => {
  const x = () => g.tensor([[1, 2, 3], [4, 5, 6]]);

  it('sum, mean, max over everything', () => {
    expect(vals(x().sum())).toEqual([21]);
    expect(x().sum().shape).toEqual([]);
    expect(vals(x().mean())).toEqual([3.5]);
    expect(vals(x().max())).toEqual([6]);
  });

  it('over each axis', () => {
    expect(vals(x().sum(0))).toEqual([5, 7, 9]); // column sums
    expect(vals(x().sum(1))).toEqual([6, 15]); // row sums
    expect(vals(x().sum(-1))).toEqual([6, 15]);
    expect(vals(x().mean(0))).toEqual([2.5, 3.5, 4.5]);
    expect(vals(x().mean(1))).toEqual([2, 5]);
    expect(vals(x().max(0))).toEqual([4, 5, 6]);
    expect(vals(x().max(1))).toEqual([3, 6]);
    expect(vals(g.tensor([[-5, -2], [-3, -4]]).max(1))).toEqual([-2, -3]);
  });

  it('keepDims shapes', () => {
    expect(x().sum(0).shape).toEqual([3]);
    expect(x().sum(0, true).shape).toEqual([1, 3]);
    expect(x().mean(1, true).shape).toEqual([2, 1]);
    expect(x().max(undefined, true).shape).toEqual([1, 1]);
    expect(x().sum(undefined, true).shape).toEqual([1, 1]);
  });

  it('over the middle axis of a 3-D tensor', () => {
    // t[i][j][k] = 100 i + 10 j + k, shape [2, 3, 2]; sum over j: 3·(100 i + k) + 30
    const t = g.tensor(Array.from({ length: 12 }, (_, n) => 100 * Math.floor(n / 6) + 10 * (Math.floor(n / 2) % 3) + (n % 2)), [2, 3, 2]);
    expect(t.sum(1).shape).toEqual([2, 2]);
    expect(vals(t.sum(1))).toEqual([30, 33, 330, 333]);
    expect(vals(t.max(1))).toEqual([20, 21, 120, 121]);
    expect(t.mean(1, true).shape).toEqual([2, 1, 2]);
    expect(vals(t.mean(1, true))).toEqual([10, 11, 110, 111]);
  });

  it('max shares its gradient equally among tied maxima', () => {
    // max([1, 3, 3]) = 3, reached twice -> gradient [0, 1/2, 1/2]
    const v = g.tensor([1, 3, 3], { requiresGrad: true });
    v.max().backward();
    expect(vals(v.grad!)).toEqual([0, 0.5, 0.5]);
  });
});

describe('matrix products', () => {
  it('2-D matmul', () => {
    // [[1,2],[3,4]]·[[5,6],[7,8]] = [[1·5+2·7, 1·6+2·8], [3·5+4·7, 3·6+4·8]] = [[19,22],[43,50]]
    expect(vals(g.tensor([[1, 2], [3, 4]]).matmul(g.tensor([[5, 6], [7, 8]])))).toEqual([19, 22, 43, 50]);
    // [1,3]·[3,1]: 1·4 + 2·5 + 3·6 = 32
    expect(vals(g.tensor([[1, 2, 3]]).matmul(g.tensor([[4], [5], [6]])))).toEqual([32]);
  });

  it('batched 3-D and 3-D·2-D', () => {
    const a = g.tensor([[[1, 2], [3, 4]], [[1, 0], [0, 1]]]); // batch 0 as above, batch 1 identity
    const b = g.tensor([[[5, 6], [7, 8]], [[2, 3], [4, 5]]]);
    const y = a.matmul(b);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(vals(y)).toEqual([19, 22, 43, 50, 2, 3, 4, 5]);
    const w = g.tensor([[1], [1]]); // sums each row
    const z = a.matmul(w);
    expect(z.shape).toEqual([2, 2, 1]);
    expect(vals(z)).toEqual([3, 7, 1, 1]);
  });

  it('transpose', () => {
    const t = g.tensor([[1, 2, 3], [4, 5, 6]]).transpose();
    expect(t.shape).toEqual([3, 2]);
    expect(vals(t)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('linear with each fused activation', () => {
    // x = [[1,2],[-1,0]], W = [[1,-1],[0.5,2]], b = [0.5,-1]
    // row 0: [1 + 1 + 0.5, -1 + 4 - 1] = [2.5, 2];  row 1: [-1 + 0.5, 1 - 1] = [-0.5, 0]
    const x = g.tensor([[1, 2], [-1, 0]], f64);
    const w = g.tensor([[1, -1], [0.5, 2]], f64);
    const b = g.tensor([0.5, -1], f64);
    const z = [2.5, 2, -0.5, 0];
    expectClose(vals(g.linear(x, w, b)), z, 1e-15);
    expectClose(vals(g.linear(x, w, b, 'relu')), [2.5, 2, 0, 0], 1e-15);
    expectClose(vals(g.linear(x, w, b, 'leakyRelu', 0.1)), [2.5, 2, -0.05, 0], 1e-15);
    expectClose(vals(g.linear(x, w, b, 'sigmoid')), z.map((v) => 1 / (1 + Math.exp(-v))), 1e-15);
    expectClose(vals(g.linear(x, w, b, 'tanh')), z.map(Math.tanh), 1e-15);
    // without bias: [1 + 1, -1 + 4], [-1, 1]
    expectClose(vals(g.linear(x, w)), [2, 3, -1, 1], 1e-15);
  });
});

describe('layout', () => {
  it('reshape, with -1 inferred', () => {
    const t = g.tensor([1, 2, 3, 4, 5, 6]);
    expect(t.reshape([2, 3]).shape).toEqual([2, 3]);
    expect(t.reshape([-1, 2]).shape).toEqual([3, 2]);
    expect(vals(t.reshape([3, -1]))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('concat along axis 0 and 1, two and three parts', () => {
    const a = g.tensor([[1, 2]]);
    const b = g.tensor([[3, 4], [5, 6]]);
    const y0 = g.concat([a, b], 0);
    expect(y0.shape).toEqual([3, 2]);
    expect(vals(y0)).toEqual([1, 2, 3, 4, 5, 6]);
    const c = g.tensor([[7], [8]]);
    const y1 = g.concat([b, c, c], 1);
    expect(y1.shape).toEqual([2, 4]);
    expect(vals(y1)).toEqual([3, 4, 7, 7, 5, 6, 8, 8]);
  });

  it('slice with negative indices, and sliceAxis', () => {
    const t = g.tensor([[0, 1], [2, 3], [4, 5], [6, 7]]);
    expect(vals(t.slice(1, 3))).toEqual([2, 3, 4, 5]);
    expect(vals(t.slice(-2))).toEqual([4, 5, 6, 7]); // the last two rows
    expect(vals(t.slice(-3, -1))).toEqual([2, 3, 4, 5]);
    expect(t.slice(2, 2).shape).toEqual([0, 2]);
    expect(vals(g.sliceAxis(t, 1, 1))).toEqual([1, 3, 5, 7]); // the second column
  });

  it('gather with repeated indices, and its gradient adds up', () => {
    const t = g.tensor([[0, 1], [2, 3], [4, 5]], { requiresGrad: true });
    const y = t.gather([2, 0, 2]);
    expect(y.shape).toEqual([3, 2]);
    expect(vals(y)).toEqual([4, 5, 0, 1, 4, 5]);
    y.sum().backward();
    expect(vals(t.grad!)).toEqual([1, 1, 0, 0, 2, 2]); // row 2 picked twice
    const idx = g.tensor([1, 1], { dtype: 'int32' });
    expect(vals(g.gather(g.tensor([10, 20, 30]), idx))).toEqual([20, 20]);
  });
});

describe('losses', () => {
  it('bce and label smoothing', () => {
    // mean(-ln 0.8, -ln(1 - 0.4)) for p = [0.8, 0.4], t = [1, 0]
    const p = g.tensor([0.8, 0.4], f64);
    const t = g.tensor([1, 0], f64);
    expectClose(vals(g.bce(p, t)), [(-Math.log(0.8) - Math.log(0.6)) / 2], 1e-15);
    // smoothing 0.1: t -> [0.95, 0.05]
    const smooth = (-(0.95 * Math.log(0.8) + 0.05 * Math.log(0.2)) - (0.05 * Math.log(0.4) + 0.95 * Math.log(0.6))) / 2;
    expectClose(vals(g.bce(p, t, { labelSmoothing: 0.1 })), [smooth], 1e-15);
    // p = 0 is clamped to 1e-7: -ln(1e-7) = 16.118...
    expectClose(vals(g.bce(g.tensor([0], f64), 1)), [-Math.log(1e-7)], 1e-12);
  });

  it('bceWithLogits, stable for large logits', () => {
    // z = 0, t = 1: ln 2;  z = 2, t = 0: ln(1 + e²)
    expectClose(vals(g.bceWithLogits(g.tensor([0, 2], f64), g.tensor([1, 0], f64))), [(LN2 + Math.log(1 + Math.exp(2))) / 2], 1e-15);
    // z = 100, t = 0 and z = -100, t = 1 both cost ≈ 100, without overflow
    expectClose(vals(g.bceWithLogits(g.tensor([100, -100], f64), g.tensor([0, 1], f64))), [100], 1e-12);
  });

  it('mse, including a [N,1] prediction against a [N] target', () => {
    // ((1-1)² + (2-0)² + (3-0)²) / 3 = 13/3
    expectClose(vals(g.mse(g.tensor([1, 2, 3], f64), g.tensor([1, 0, 0], f64))), [13 / 3], 1e-15);
    expectClose(vals(g.mse(g.tensor([[1], [2], [3]], f64), g.tensor([1, 0, 0], f64))), [13 / 3], 1e-15);
  });

  it('gaussianKl', () => {
    // μ = [1, 0], log σ² = [0, ln 2]: terms 1 + 0 - 1 - 1 = -1 and 1 + ln 2 - 0 - 2 = ln 2 - 1
    // KL = -½ (-1 + ln 2 - 1) = 1 - ln 2 / 2; a second identical row leaves the batch mean unchanged
    const mu = g.tensor([[1, 0], [1, 0]], f64);
    const logVar = g.tensor([[0, LN2], [0, LN2]], f64);
    expectClose(vals(g.gaussianKl(mu, logVar)), [1 - LN2 / 2], 1e-15);
    // N(0, 1) against itself: 0
    expectClose(vals(g.gaussianKl(g.zeros([1, 3]), g.zeros([1, 3]))), [0], 0);
  });
});

describe('tensors', () => {
  it('shape inference, toArray, item, dtype', async () => {
    const t = g.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(await t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(await g.tensor(7).item()).toBe(7);
    expect(g.tensor([1, 2], [2, 1]).shape).toEqual([2, 1]);
    expect(g.tensor([1.5], f64).dtype).toBe('float64');
    expect(g.zeros([2, 2]).dataSync()).toEqual(new Float32Array(4));
    expect(vals(g.ones([3]))).toEqual([1, 1, 1]);
    expect(vals(g.full([2], 2.5))).toEqual([2.5, 2.5]);
  });

  it('float64 results when a float64 tensor meets a float32 one', () => {
    expect(g.tensor([1], f64).add(g.tensor([2])).dtype).toBe('float64');
  });
});
