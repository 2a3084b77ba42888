// Sequential, the activation modules, state dicts (PyTorch's names and layouts, strict loading
// with errors naming the entry), assign and x.to(backend).

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { expectClose } from './helpers.js';

const X = [[0.5, -1.2, 2.0], [-0.3, 0.8, 0.1]];

describe('Sequential and activation modules', () => {
  it('applies its modules in order, as the ops would', () => {
    const rng = g.createRng(7);
    const l1 = new g.Linear(3, 4, { rng });
    const l2 = new g.Linear(4, 2, { rng });
    const net = new g.Sequential(l1, new g.LeakyReLU(0.1), l2, new g.Sigmoid());
    const x = g.tensor(X);
    const want = g.sigmoid(g.leakyRelu(x.matmul(l1.weight).add(l1.bias as g.Tensor), 0.1).matmul(l2.weight).add(l2.bias as g.Tensor));
    expectClose(net.forward(x).dataSync(), want.dataSync(), 1e-6);
    expect(net.length).toBe(4);
    expect(net.at(-1)).toBeInstanceOf(g.Sigmoid);
    expect(net.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(net.parameters()).toEqual([l1.weight, l1.bias, l2.weight, l2.bias]);
  });

  it('ReLU, Tanh, SiLU and Softplus are their ops; LeakyReLU defaults to PyTorch\'s slope 0.01', () => {
    const x = g.tensor([-2, -0.5, 0.3, 1.7]);
    expectClose(new g.ReLU().forward(x).dataSync(), [0, 0, 0.3, 1.7]);
    expectClose(new g.LeakyReLU().forward(x).dataSync(), [-0.02, -0.005, 0.3, 1.7]);
    expectClose(new g.Tanh().forward(x).dataSync(), [-2, -0.5, 0.3, 1.7].map(Math.tanh));
    expectClose(new g.SiLU().forward(x).dataSync(), [-2, -0.5, 0.3, 1.7].map((v) => v / (1 + Math.exp(-v))));
    expectClose(new g.Softplus().forward(x).dataSync(), [-2, -0.5, 0.3, 1.7].map((v) => Math.log1p(Math.exp(v))));
  });

  it('train() and eval() reach nested modules', () => {
    const drop = new g.Dropout(0.5);
    const net = new g.Sequential(new g.Sequential(drop), new g.ReLU());
    net.eval();
    expect(drop.training).toBe(false);
    net.train();
    expect(drop.training).toBe(true);
  });

  it('refuses an argument that is not a module', () => {
    expect(() => new g.Sequential(new g.ReLU(), ((x: g.Tensor) => x) as never)).toThrow(/Sequential: argument 1 is not a module/);
  });
});

describe('stateDict and loadStateDict', () => {
  const make = (seed: number): g.Sequential => {
    const rng = g.createRng(seed);
    return new g.Sequential(new g.Linear(3, 5, { rng }), new g.Tanh(), new g.Sequential(new g.Linear(5, 2, { rng }), new g.BatchNorm1d(2)));
  };

  it('names entries as PyTorch does (nested modules too), with a Linear weight as [out, in]', () => {
    const net = make(1);
    const dict = net.stateDict();
    expect(Object.keys(dict)).toEqual(['0.weight', '0.bias', '2.0.weight', '2.0.bias', '2.1.weight', '2.1.bias', '2.1.running_mean', '2.1.running_var']);
    expect(dict['0.weight'].shape).toEqual([5, 3]);
    expect(dict['2.1.running_mean'].shape).toEqual([2]);
    const w = (net.at(0) as g.Linear).weight;
    expect(Array.from(dict['0.weight'].dataSync())).toEqual(Array.from(w.transpose().dataSync()));
    // copies: changing the dict leaves the module alone
    g.assign(dict['0.bias'], [1, 2, 3, 4, 5]);
    expect(Array.from((net.at(0) as g.Linear).bias!.dataSync())).toEqual([0, 0, 0, 0, 0]);
  });

  it('loads another module\'s state: same outputs, parameters keep their identity', () => {
    const a = make(1);
    const b = make(2);
    const x = g.tensor(X);
    a.eval();
    b.eval();
    const before = b.parameters();
    expect(Array.from(b.forward(x).dataSync())).not.toEqual(Array.from(a.forward(x).dataSync()));
    const result = b.loadStateDict(a.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(b.forward(x).dataSync())).toEqual(Array.from(a.forward(x).dataSync()));
    expect(b.parameters()).toEqual(before);
  });

  it('names a missing, an unexpected and a mis-shaped entry, and writes nothing', () => {
    const net = make(1);
    const snapshot = Array.from((net.at(0) as g.Linear).weight.dataSync());
    const good = make(2).stateDict();
    const missing = { ...good };
    delete missing['2.0.bias'];
    expect(() => net.loadStateDict(missing)).toThrow(/loadStateDict: missing key '2.0.bias'.*nothing was loaded/);
    expect(() => net.loadStateDict({ ...good, 'extra.weight': g.tensor([1]) })).toThrow(/unexpected key 'extra.weight'/);
    expect(() => net.loadStateDict({ ...good, '0.weight': g.zeros([3, 5]) })).toThrow(/'0.weight' has shape \[3, 5\], the module expects \[5, 3\]/);
    expect(Array.from((net.at(0) as g.Linear).weight.dataSync())).toEqual(snapshot);
    // non-strict: loads what matches, reports the rest; a mis-shaped entry is still an error
    const r = net.loadStateDict({ ...missing, 'extra.weight': g.tensor([1]) }, { strict: false });
    expect(r).toEqual({ missingKeys: ['2.0.bias'], unexpectedKeys: ['extra.weight'] });
    expect(Array.from((net.at(0) as g.Linear).weight.dataSync())).not.toEqual(snapshot);
    expect(() => net.loadStateDict({ '0.weight': g.zeros([1]) }, { strict: false })).toThrow(/mis-shaped/);
    expect(() => net.loadStateDict(good, { strict: 1 } as never)).toThrow(/option 'strict' must be a boolean/);
    expect(() => net.loadStateDict({ '0.weight': [1, 2] } as never)).toThrow(/entry '0.weight' is not a Tensor/);
  });

  it('ignores PyTorch BatchNorm\'s num_batches_tracked', () => {
    const net = make(1);
    const dict = { ...net.stateDict(), '2.1.num_batches_tracked': g.tensor([3], { dtype: 'int32' }) };
    expect(net.loadStateDict(dict)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it('MLP names its layers as a PyTorch module with ModuleLists layers and norms would', () => {
    const mlp = new g.MLP({ inputs: 2, hidden: [4], outputs: 1, rng: g.createRng(0), batchNorm: true });
    expect(Object.keys(mlp.stateDict())).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'norms.0.weight', 'norms.0.bias', 'norms.0.running_mean', 'norms.0.running_var']);
  });

  it('stateDict leaves no tensor behind inside tidy', () => {
    const net = make(1);
    const before = g.liveTensors();
    g.tidy(() => { net.stateDict(); });
    expect(g.liveTensors()).toBe(before);
  });
});

describe('assign and to', () => {
  it('assign writes in place from a tensor or numbers, converting dtypes, and checks shapes', () => {
    const p = g.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    g.assign(p, g.tensor([[5, 6], [7, 8]], { dtype: 'float64' }));
    expect(Array.from(p.dataSync())).toEqual([5, 6, 7, 8]);
    g.assign(p, [0.5, 1.5, 2.5, 3.5]);
    expect(Array.from(p.dataSync())).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(p.requiresGrad).toBe(true);
    expect(() => g.assign(p, g.tensor([1, 2, 3, 4]))).toThrow(/assign: the source has shape \[4\], the target \[2, 2\]/);
    expect(() => g.assign(p, [1, 2])).toThrow(/the target has 4 values \(shape \[2, 2\]\), the source gives 2/);
    expect(() => g.assign(g.tensor([1], { dtype: 'int32' }), [1.5])).toThrow(/not an integer, for an int32 target/);
    expect(() => g.assign(g.tensor([1, 2]), g.tensor([1, 1e300], { dtype: 'float64' }))).toThrow(/assign: value at flat index 1 is 1e\+300 is beyond float32's range/);
  });

  it('x.to(\'cpu\') returns a copy with the shape, dtype and requiresGrad', async () => {
    const x = g.tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    const y = await x.to('cpu');
    expect(y).not.toBe(x);
    expect([y.shape, y.dtype, y.requiresGrad, Array.from(y.dataSync())]).toEqual([[1, 3], 'float64', true, [1, 2, 3]]);
    g.assign(y, [4, 5, 6]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3]);
    await expect(x.to('tpu' as never)).rejects.toThrow(/to: unknown backend 'tpu' \(available: cpu, webgpu\)/);
  });
});
