// Bad input gets a clear error naming the op and the shapes or the value at fault.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';

describe('errors', () => {
  it('backward of a non-scalar without a seed', () => {
    const x = g.tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/backward: called on a non-scalar tensor of shape \[2\] without a seed/);
  });

  it('backward with a seed of the wrong shape', () => {
    const x = g.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(() => x.mul(2).backward(g.ones([4]))).toThrow(/backward: seed gradient has shape \[4\] but the tensor has shape \[2, 2\]/);
  });

  it('backward of a tensor that does not require gradients', () => {
    expect(() => g.tensor([1]).sum().backward()).toThrow(/backward: tensor of shape \[\] does not require gradients/);
  });

  it('broadcasting mismatch in add', () => {
    expect(() => g.add(g.zeros([2, 3]), g.zeros([4]))).toThrow(/add: shapes \[2, 3\] and \[4\] cannot be broadcast together \(axis 1: 3 vs 4\)/);
    expect(() => g.mul(g.zeros([3, 2]), g.zeros([2, 3]))).toThrow(/mul: shapes \[3, 2\] and \[2, 3\] cannot be broadcast/);
  });

  it('matmul of incompatible shapes', () => {
    expect(() => g.matmul(g.zeros([2, 3]), g.zeros([4, 5]))).toThrow(/matmul: inner dimensions do not match: \[2, 3\] · \[4, 5\] \(3 vs 4\)/);
    expect(() => g.matmul(g.zeros([2, 3, 4]), g.zeros([3, 4, 5]))).toThrow(/matmul: the batch axes \[2\] of \[2, 3, 4\] and \[3\] of \[3, 4, 5\] cannot be broadcast together; each pair of batch sizes must be equal or 1/);
    expect(() => g.matmul(g.zeros([3]), g.zeros([2, 1]))).toThrow(/matmul: inner dimensions do not match: \[3\] · \[2, 1\] \(3 vs 2\)/);
    expect(() => g.matmul(g.zeros([]), g.zeros([3, 1]))).toThrow(/matmul: both operands need at least one axis, got shapes \[\] and \[3, 1\]; to scale by a number use mul/);
    expect(() => g.linear(g.zeros([2, 3]), g.zeros([4, 5]))).toThrow(/linear: x \[2, 3\] does not match W \[4, 5\]/);
    expect(() => g.linear(g.zeros([2, 3]), g.zeros([3, 5]), g.zeros([4]))).toThrow(/linear: bias must have shape \[5\], got \[4\]/);
  });

  it('a non-finite value fed to tensor() names the value and its index', () => {
    expect(() => g.tensor([1, NaN, 3])).toThrow(/tensor: value at flat index 1 is NaN/);
    expect(() => g.tensor([[1, 2], [3, Infinity]])).toThrow(/tensor: value at flat index 3 is Infinity/);
    expect(() => g.tensor(new Float32Array([0, -Infinity]), [2])).toThrow(/tensor: value at flat index 1 is -Infinity/);
    expect(() => g.full([2], NaN)).toThrow(/full: value must be finite, got NaN/);
  });

  it('a ragged nested array', () => {
    expect(() => g.tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array at \[1\]: expected 2 elements, got 1/);
    expect(() => g.tensor([[1, 2], 3] as unknown as number[][])).toThrow(/tensor: ragged nested array at \[1\]: expected 2 elements, got a number/);
    expect(() => g.tensor([1, [2]] as unknown as number[])).toThrow(/tensor: ragged nested array: element \[1\] is an array/);
    expect(() => g.tensor([1, 2, 3], [2, 2])).toThrow(/tensor: 3 values do not fill shape \[2, 2\] \(4 elements\)/);
  });

  it('using a disposed tensor names the op', () => {
    const x = g.tensor([1, 2]);
    x.dispose();
    expect(() => x.add(1)).toThrow(/add: tensor #\d+ of shape \[2\] was already disposed/);
    expect(() => g.mul(g.ones([2]), x)).toThrow(/mul: tensor #\d+ of shape \[2\] was already disposed/);
    expect(() => x.reshape([2, 1])).toThrow(/reshape: tensor #\d+ of shape \[2\] was already disposed/);
    expect(() => x.dataSync()).toThrow(/dataSync: tensor #\d+ of shape \[2\] was already disposed/);
    expect(() => x.sum()).toThrow(/sum: tensor #\d+ .* already disposed/);
    expect(() => x.slice(0, 1)).toThrow(/slice: tensor #\d+ .* already disposed/);
    expect(() => g.concat([x, x])).toThrow(/concat: tensor #\d+ .* already disposed/);
    expect(x.isDisposed).toBe(true);
  });

  it('dataSync works on the CPU backend', () => {
    expect(g.getBackend()).toBe('cpu');
    expect(Array.from(g.tensor([1, 2]).dataSync())).toEqual([1, 2]);
  });

  it('gather index out of range', () => {
    const x = g.zeros([3, 2]);
    expect(() => x.gather([0, 3])).toThrow(/gather: index 3 at position 1 is out of range for 3 rows/);
    expect(() => x.gather([-4])).toThrow(/gather: index -4 is out of range for an axis of size 3 \(indices from -3 to 2\)/);
    expect(() => x.gather(g.tensor([-4], { dtype: 'int32' }))).toThrow(/gather: index -4 at position 0 is out of range for 3 rows/);
    expect(() => x.gather(g.tensor([0, 5], { dtype: 'int32' }))).toThrow(/gather: index 5 at position 1 is out of range for 3 rows/);
    expect(() => x.gather(g.tensor([0, 1]))).toThrow(/gather: indices must be an int32 tensor, got float32/);
  });

  it('slice out of range', () => {
    const x = g.zeros([4, 2]);
    expect(() => x.slice(1, 5)).toThrow(/slice: range \[1, 5\) is out of bounds for axis 0 of size 4 \(shape \[4, 2\]\)/);
    expect(() => x.slice(3, 1)).toThrow(/slice: range \[3, 1\) is out of bounds/);
    expect(() => x.slice(-5)).toThrow(/slice: range \[-5, 4\) is out of bounds/);
    expect(() => g.sliceAxis(x, 2, 0)).toThrow(/slice: axis 2 is out of range for a tensor of rank 2/);
  });

  it('reshape to a wrong size', () => {
    expect(() => g.zeros([2, 3]).reshape([4, 2])).toThrow(/reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\]/);
    expect(() => g.zeros([2, 3]).reshape([-1, 4])).toThrow(/reshape: cannot infer -1 in \[-1, 4\] for 6 elements/);
  });

  it('axis out of range', () => {
    expect(() => g.zeros([2, 3]).sum(2)).toThrow(/sum: axis 2 is out of range for a tensor of rank 2/);
    expect(() => g.zeros([2, 3]).softmax(-3)).toThrow(/softmax: axis -3 is out of range for a tensor of rank 2/);
    expect(() => g.concat([g.zeros([2, 3]), g.zeros([3, 3])], 1)).toThrow(/concat: shapes \[2, 3\], \[3, 3\] do not match outside axis 1/);
  });

  it('bad optimizer hyperparameters', () => {
    const p = g.zeros([2], { requiresGrad: true });
    expect(() => new g.Adam([p], { lr: -1 })).toThrow(/Adam: lr must be in \[0, Infinity\), got -1/);
    expect(() => new g.Adam([p], { lr: NaN })).toThrow(/Adam: lr must be in .* got NaN/);
    expect(() => new g.Adam([p], { beta1: 1 })).toThrow(/Adam: beta1 must be in \[0, 1\), got 1/);
    expect(() => new g.Adam([p], { beta2: 1.5 })).toThrow(/Adam: beta2 must be in \[0, 1\), got 1.5/);
    expect(() => new g.Adam([p], { eps: -1e-8 })).toThrow(/Adam: eps must be in \[0, Infinity\), got -1e-8/);
    expect(() => new g.SGD([p], { momentum: 1 })).toThrow(/SGD: momentum must be in \[0, 1\), got 1/);
    expect(() => new g.SGD([p], { lr: Infinity })).toThrow(/SGD: lr must be in .* got Infinity/);
    expect(() => new g.Adam([])).toThrow(/Adam: needs a non-empty array of parameters/);
    expect(() => new g.SGD([g.zeros([2])])).toThrow(/SGD: parameter 0 \(shape \[2\]\) does not require gradients/);
    // A learning rate set between steps is checked when the step runs.
    const adam = new g.Adam([p]);
    adam.lr = NaN;
    expect(() => adam.step()).toThrow(/Adam: lr must be in .* got NaN/);
    const sgd = new g.SGD([p]);
    sgd.lr = -0.1;
    expect(() => sgd.step()).toThrow(/SGD: lr must be in \[0, Infinity\), got -0.1/);
  });

  it('Linear without rng, or with bad sizes', () => {
    expect(() => new g.Linear(2, 3, undefined as unknown as { rng: g.Rng })).toThrow(/Linear: options.rng is required/);
    expect(() => new g.Linear(2, 3, {} as { rng: g.Rng })).toThrow(/Linear: options.rng is required/);
    expect(() => new g.Linear(0, 3, { rng: g.createRng(1) })).toThrow(/Linear: in features must be a positive integer, got 0/);
  });

  it('clamp with min > max', () => {
    expect(() => g.zeros([2]).clamp(1, -1)).toThrow(/clamp: min 1 is greater than max -1/);
    expect(() => g.zeros([2]).clamp(NaN, 1)).toThrow(/clamp: min must be a finite number, got NaN/);
  });

  it('division by the number 0', () => {
    expect(() => g.zeros([2, 3]).div(0)).toThrow(/div: division of a tensor of shape \[2, 3\] by the number 0/);
    expect(() => g.zeros([2]).div(NaN)).toThrow(/div: divisor must be a finite number, got NaN/);
    expect(() => g.zeros([2]).mul(Infinity)).toThrow(/mul: operand must be a finite number, got Infinity/);
    expect(() => g.zeros([2]).pow(NaN)).toThrow(/pow: exponent must be a finite number, got NaN/);
  });

  it('an int32 tensor into a float op', () => {
    const idx = g.tensor([1, 2], { dtype: 'int32' });
    expect(() => idx.add(1)).toThrow(/add: expects float tensors, got an int32 tensor of shape \[2\]/);
    expect(() => g.mul(g.ones([2]), idx)).toThrow(/mul: expects float tensors, got an int32 tensor of shape \[2\]/);
    expect(() => idx.exp()).toThrow(/exp: expects float tensors, got an int32 tensor/);
    expect(() => idx.sum()).toThrow(/sum: expects float tensors, got an int32 tensor/);
    expect(() => g.matmul(g.tensor([[1, 2]], { dtype: 'int32' }), g.ones([2, 1]))).toThrow(/matmul: expects float tensors, got an int32 tensor of shape \[1, 2\]/);
    expect(() => g.tensor([1.5], { dtype: 'int32' })).toThrow(/tensor: value at flat index 0 is 1.5, not an integer, in an int32 tensor/);
    expect(() => g.tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(/tensor: an int32 tensor cannot require gradients/);
  });

  it('losses with mismatched targets', () => {
    expect(() => g.mse(g.zeros([3]), g.zeros([4]))).toThrow(/mse: prediction \[3\] and target \[4\] differ in size/);
    expect(() => g.bceWithLogits(g.zeros([4, 1]), g.zeros([4]))).toThrow(/bceWithLogits: target of shape \[4\] would broadcast the input \[4, 1\] to \[4, 4\]/);
    expect(() => g.bce(g.zeros([2]), g.zeros([2]), { labelSmoothing: 1 })).toThrow(/bce: labelSmoothing must be in \[0, 1\), got 1/);
    expect(() => g.bce(g.zeros([2]), g.zeros([2], { requiresGrad: true }))).toThrow(/bce: the target must not require gradients/);
    expect(() => g.gaussianKl(g.zeros([2, 3]), g.zeros([2, 2]))).toThrow(/gaussianKl: mu and logVar must both be \[batch, latent\], got \[2, 3\] and \[2, 2\]/);
  });

  it('tidy refuses an async function', () => {
    expect(() => g.tidy(async () => 1)).toThrow(/tidy: fn returned a Promise/);
  });

  it('rng seeds and state', () => {
    expect(() => g.createRng(-1)).toThrow(/createRng: seed must be a non-negative safe integer, got -1/);
    expect(() => g.createRng(1.5)).toThrow(/createRng: seed must be a non-negative safe integer, got 1.5/);
    expect(() => g.createRng(1).setState({ seed: 2, counter: 0 })).toThrow(/rng.setState: state is for seed 2, this generator has seed 1/);
    expect(() => g.randn([2], undefined as unknown as g.Rng)).toThrow(/randn: needs a generator from createRng\(seed\)/);
    expect(() => g.randint([2], 0, g.createRng(1))).toThrow(/randint: high must be a positive integer, got 0/);
  });
});
