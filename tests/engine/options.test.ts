// Every public function that takes an options object refuses a key it does not know (naming the
// known ones) and a value of the wrong type (naming the option); calls written in PyTorch's or
// TensorFlow.js's style get an error that says what to write instead. Also: tensors print.

import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as g from '../../models/index';
import { runTraining } from '../../models/core/train-loop';
import { checkOptions, closestKey } from '../../engine/options';
import { ruleTuning } from '../../kernels/webgpu/matmul-tune';

const rng = () => g.createRng(7);
const param = () => g.tensor([0.3, -1.2], { requiresGrad: true });
const normal = g.getTarget('normal');
const trimodal = g.getTarget('1d-trimodal');
const sample = Float64Array.from([0.1, -0.5, 1.3, 2.2, -1.7, 0.4]);

/** [function, a call with one unknown key, the key]: one row per public function with options. */
const unknownKeyCalls: [string, () => unknown, string][] = [
  ['tensor', () => g.tensor([1, 2], { requires_grad: true } as never), 'requires_grad'],
  ['tensor (shape, options)', () => g.tensor([1, 2], [2], { shape: [2] } as never), 'shape'],
  ['full', () => g.full([2], 1, { foo: 1 } as never), 'foo'],
  ['zeros', () => g.zeros([2, 3], { foo: 1 } as never), 'foo'],
  ['ones', () => g.ones([2, 3], { foo: 1 } as never), 'foo'],
  ['randn', () => g.randn([2], rng(), { sigma: 2 } as never), 'sigma'],
  ['rand', () => g.rand([2], rng(), { low: 0 } as never), 'low'],
  ['bce', () => g.bce(g.tensor([0.5]), g.tensor([1]), { labelSmooting: 0.1 } as never), 'labelSmooting'],
  ['bceWithLogits', () => g.bceWithLogits(g.tensor([0.5]), 1, { smoothing: 0.1 } as never), 'smoothing'],
  ['gradcheck', () => g.gradcheck((a) => g.mean(a), [[1, 2]], { epsilon: 1 } as never), 'epsilon'],
  ['gradgradcheck', () => g.gradgradcheck((a) => g.mean(a), [[1, 2]], { tolerance: 1 } as never), 'tolerance'],
  ['grad', () => g.grad(param().mul(2).sum(), [param()], { create_graph: true } as never), 'create_graph'],
  ['backward', () => param().mul(2).sum().backward({ createGraf: true } as never), 'createGraf'],
  ['compile', () => g.compile(() => null, { keys: () => 1 } as never), 'keys'],
  ['BatchNorm1d', () => new g.BatchNorm1d(2, { momentom: 0.1 } as never), 'momentom'],
  ['Adam', () => new g.Adam([param()], { learningRate: 0.5 } as never), 'learningRate'],
  ['SGD', () => new g.SGD([param()], { momentun: 0.9 } as never), 'momentun'],
  ['Linear', () => new g.Linear(2, 3, { rng: rng(), initialiser: 'he' } as never), 'initialiser'],
  ['MLP', () => new g.MLP({ inputs: 1, hidden: [2], outputs: 1, activaton: 'tanh', rng: rng() } as never), 'activaton'],
  ['metrics.kld', () => g.metrics.kld(sample, sample, { nbins: 10 } as never), 'nbins'],
  ['metrics.kld2d', () => g.metrics.kld2d(sample, sample, { bin: 10 } as never), 'bin'],
  ['metrics.slicedW1', () => g.metrics.slicedW1(sample, sample, { directions: 8 } as never), 'directions'],
  ['createGan', () => g.createGan(normal, { widht: 3 } as never), 'widht'],
  ['createVae', () => g.createVae(trimodal, { nonsense: 1 } as never), 'nonsense'],
  ['createRbm', () => g.createRbm(trimodal, { hiden: 8 } as never), 'hiden'],
  ['createDiffusion', () => g.createDiffusion(trimodal, { timesteps: 8 } as never), 'timesteps'],
  ['createModel', () => g.createModel('vae', trimodal, { lrate: 1 }), 'lrate'],
  ['describeMatmulTuning', () => g.describeMatmulTuning(ruleTuning('an adapter'), { confirm: true } as never), 'confirm'],
];

describe('unknown option keys are refused, with the known ones listed', () => {
  it.each(unknownKeyCalls)('%s', (name, call, key) => {
    const source = name.split(' ')[0].replace('metrics.', '').replace('createModel', 'vae').replace(/^create(\w)(\w*)$/, (_, a: string, b: string) => a.toLowerCase() + b);
    let message = '';
    try {
      call();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^${source}: unknown (option|setting) '${key}' \\(known: [a-zA-Z0-9, ]+\\)`));
  });

  it('runCompare', async () => {
    await expect(g.runCompare({ target: normal, modles: ['gan'] } as never)).rejects.toThrow(
      /^compare: unknown option 'modles' \(known: target, data, budget, bins, epochs, seed, models, backend, evalSamples, snapshotSamples\); did you mean 'models'\?/,
    );
    await expect(g.runCompare({ target: normal, models: ['gam'] } as never)).rejects.toThrow(/compare: unknown model 'gam' in models \(known: gan, vae, rbm, diffusion\)/);
  });

  it('runTraining', async () => {
    const vae = g.createVae(trimodal, { dataset: 64, batch: 32 });
    await expect(runTraining(vae, { epoch: 1 } as never)).rejects.toThrow(/^runTraining: unknown option 'epoch' \(known: epochs, steps, onEpoch, onProgress, afterEpoch, scoreShare, shouldStop\); did you mean 'epochs'\?/);
    vae.dispose();
  });

  it('a near miss is suggested; a known mistake gets its own advice', () => {
    expect(() => new g.SGD([param()], { momentun: 0.9 } as never)).toThrow(/did you mean 'momentum'\?/);
    expect(() => g.tensor([1, 2], { requires_grad: true } as never)).toThrow(/did you mean 'requiresGrad'\?/);
    expect(() => new g.Adam([param()], { learningRate: 0.5 } as never)).toThrow(/the learning rate is 'lr'/);
    expect(() => g.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] } as never)).toThrow(/pass the shape as the second argument: tensor\(values, \[2, 3\]\)/);
    expect(closestKey('beta_1', ['lr', 'beta1', 'beta2'])).toBe('beta1');
    expect(closestKey('zzz', ['lr', 'momentum'])).toBeUndefined();
  });

  it('an option set to undefined is the same as leaving it out', () => {
    expect(g.zeros([2], { unknownButUndefined: undefined } as never).shape).toEqual([2]);
    expect(new g.Adam([param()], { lr: undefined }).lr).toBe(1e-3);
  });
});

describe('wrong types name the option', () => {
  it.each([
    ['tensor dtype', () => g.tensor([1, 2], { dtype: 'bogus' } as never), /tensor: option 'dtype' must be one of 'float32', 'float64', 'int32', got the string 'bogus'/],
    ['tensor requiresGrad', () => g.tensor([1, 2], { requiresGrad: 'yes' } as never), /tensor: option 'requiresGrad' must be a boolean, got the string 'yes'/],
    ['Adam lr', () => new g.Adam([param()], { lr: '0.1' } as never), /Adam: option 'lr' must be a number, got the string '0.1'/],
    ['Adam positional lr', () => new g.Adam([param()], 0.5 as never), /Adam: expected an options object \{ lr, beta1, beta2, eps, weightDecay, schedule \}, got 0.5; write new Adam\(params, \{ lr: 0.5 \}\)/],
    ['SGD positional lr', () => new g.SGD([param()], 0.1 as never), /SGD: expected an options object .*; write new SGD\(params, \{ lr: 0.1 \}\)/],
    ['MLP activation', () => new g.MLP({ inputs: 1, hidden: [2], outputs: 1, activation: 'gelu', rng: rng() } as never), /MLP: option 'activation' must be one of 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'silu', 'softplus', 'none', got the string 'gelu'/],
    ['MLP hidden', () => new g.MLP({ inputs: 1, hidden: 4, outputs: 1, rng: rng() } as never), /MLP: option 'hidden' must be an array, got 4/],
    ['Linear init', () => new g.Linear(2, 2, { rng: rng(), init: 'xavier' } as never), /Linear: option 'init' must be one of 'glorotNormal', 'glorotUniform', 'he'/],
    ['bce labelSmoothing', () => g.bce(g.tensor([0.5]), 1, { labelSmoothing: '0.1' } as never), /bce: option 'labelSmoothing' must be a number/],
    ['gradcheck eps', () => g.gradcheck((a) => g.mean(a), [[1, 2]], { eps: null } as never), /gradcheck: option 'eps' must be a number, got null/],
    ['createGan', () => g.createGan(normal, { loss: 3 } as never), /gan: setting 'loss' must be a string, got 3/],
    ['describeMatmulTuning confirmation', () => g.describeMatmulTuning(ruleTuning('an adapter'), { confirmation: 'yes' } as never), /describeMatmulTuning: option 'confirmation' must be a boolean, got the string 'yes'/],
  ] as [string, () => unknown, RegExp][])('%s', (_, call, message) => {
    expect(call).toThrow(message);
  });

  it('an unknown activation is refused when the layer is built, not at backward()', () => {
    expect(() => new g.MLP({ inputs: 1, hidden: [2], outputs: 1, outputActivation: 'gelu', rng: rng() } as never)).toThrow(/MLP: option 'outputActivation' must be one of/);
    const layer = new g.Linear(2, 2, { rng: rng() });
    expect(() => layer.forward(g.tensor([[1, 2]]), 'gelu' as never)).toThrow(/Linear.forward: unknown activation 'gelu' \(known: relu, leakyRelu, sigmoid, tanh, silu, softplus, none\)/);
  });

  it('checkOptions refuses a non-object', () => {
    expect(() => checkOptions('f', [1], { a: 'number' })).toThrow(/f: expected an options object \{ a \}, got an array \[1\]/);
    expect(() => checkOptions('f', null, { a: 'number' })).toThrow(/f: expected an options object \{ a \}, got null/);
    expect(() => checkOptions('f', undefined, { a: 'number' })).not.toThrow();
  });
});

describe("calls in PyTorch's or TensorFlow.js's style say what to write", () => {
  const x = g.tensor([[1, 2, 3], [4, 5, 6]]);
  it.each([
    ['zeros(2, 3)', () => (g.zeros as (...a: unknown[]) => unknown)(2, 3), /zeros: the shape must be one array of dimensions: write zeros\(\[2, 3\]\)/],
    ['ones(4)', () => (g.ones as (...a: unknown[]) => unknown)(4), /ones: the shape must be one array of dimensions: write ones\(\[4, \.\.\.\]\)/],
    ['full(2, 1)', () => (g.full as (...a: unknown[]) => unknown)(2, 1), /full: the shape must be one array of dimensions, e.g. full\(\[2, 3\]\), got 2/],
    ['randn(2, rng)', () => (g.randn as (...a: unknown[]) => unknown)(2, rng()), /randn: the shape must be one array of dimensions/],
    ['x.reshape(3, -1)', () => (x.reshape as (...a: unknown[]) => unknown).call(x, 3, -1), /reshape: the shape must be one array of dimensions, e.g. x.reshape\(\[3, -1\]\), got 3/],
    ["x.add('1')", () => x.add('1' as never), /add: expected a Tensor \(or a number where the op takes one\), got the string '1'; pass the number 1, not a string/],
    ["x.mul('a')", () => x.mul('a' as never), /mul: expected a Tensor \(or a number where the op takes one\), got the string 'a'/],
    ['matmul(x, [[1]])', () => g.matmul(x, [[1], [2], [3]] as never), /matmul: expected a Tensor .*got an array \[\[\.\.\.\], \[\.\.\.\], \[\.\.\.\]\]; make it a tensor first: tensor\(values\)/],
    ['sum(x, {axis: 1})', () => g.sum(x, { axis: 1 } as never), /sum: axis must be a number, got an object \(\{"axis":1\}\); give the axis as a number: sum\(x, 1\) or x.sum\(1\)/],
    ['x.softmax([0, 1])', () => x.softmax([0, 1] as never), /softmax: axis must be a number, got the array \[0, 1\]; softmax takes one axis: give one number \(sum, mean, max, min, variance and std take a list of axes\)/],
    ['x.softmax("1")', () => x.softmax('1' as never), /softmax: axis must be a number, got string 1/],
    ["tensor(values, [2, 2], 'int32')", () => g.tensor([1, 2, 3, 4], [2, 2], 'int32' as never), /tensor: the dtype goes in the options object: tensor\(values, \[2, 2\], \{ dtype: 'int32' \}\)/],
    ["tensor(values, 'int32')", () => g.tensor([1, 2], 'int32' as never), /tensor: the dtype goes in the options object/],
    ['tensor(values, 4)', () => g.tensor([1, 2, 3, 4], 4 as never), /tensor: the shape must be an array, e.g. tensor\(values, \[4\]\), got the number 4/],
  ] as [string, () => unknown, RegExp][])('%s', (_, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('readable tensors', () => {
  afterEach(() => vi.restoreAllMocks());

  it('toString and util.inspect show shape, dtype, backend and the values', () => {
    const t = g.tensor([[1.5, -2.25, 3], [4, 5, 6.125]], { requiresGrad: true });
    const expected = 'Tensor([2, 3], float32, cpu, requiresGrad)\n[[ 1.5000, -2.2500,  3.0000],\n [ 4.0000,  5.0000,  6.1250]]';
    expect(t.toString()).toBe(expected);
    expect(inspect(t)).toBe(expected);
    expect(String(g.tensor([3, 1, 2], { dtype: 'int32' }))).toBe('Tensor([3], int32, cpu)\n[3, 1, 2]');
    expect(String(g.tensor([[1, 2], [3, 4]]))).toBe('Tensor([2, 2], float32, cpu)\n[[1., 2.],\n [3., 4.]]');
    expect(String(g.tensor(0.25))).toBe('Tensor([], float32, cpu)\n0.2500');
    expect(String(g.tensor([1e-6, 2]))).toBe('Tensor([2], float32, cpu)\n[1.0000e-6,    2.0000]');
  });

  it('a 3-D tensor separates its blocks by a blank line', () => {
    const t = g.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(t.toString()).toBe('Tensor([2, 2, 2], float32, cpu)\n[[[1., 2.],\n  [3., 4.]],\n\n [[5., 6.],\n  [7., 8.]]]');
  });

  it('a big tensor prints a NumPy-style summary (first and last 3 of each axis)', () => {
    const values = Array.from({ length: 40 * 50 }, (_, i) => i);
    const text = g.tensor(values, [40, 50]).toString();
    const lines = text.split('\n');
    expect(lines[0]).toBe('Tensor([40, 50], float32, cpu)');
    expect(lines[1]).toBe('[[   0.,    1.,    2., ...,   47.,   48.,   49.],');
    expect(lines[4]).toBe(' ...,');
    expect(lines[7]).toBe(' [1950., 1951., 1952., ..., 1997., 1998., 1999.]]');
    expect(lines).toHaveLength(8);
  });

  it('a disposed tensor says so; print() logs the same text', async () => {
    const t = g.tensor([1, 2]);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await t.print();
    expect(log).toHaveBeenCalledWith('Tensor([2], float32, cpu)\n[1., 2.]');
    t.dispose();
    expect(t.toString()).toBe('Tensor([2], float32, disposed)');
  });
});
