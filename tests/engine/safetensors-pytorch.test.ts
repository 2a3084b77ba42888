// Weights between gradlab and PyTorch 1.13 through safetensors files: a gradlab
// Sequential(Linear(3, 8), Tanh(), Linear(8, 2)) written by toSafetensors loads into PyTorch's
// identical nn.Sequential with load_state_dict(strict=True) and gives the same outputs, and a
// file PyTorch writes loads into gradlab with the same outputs. The Python side parses and
// writes the files itself (tests/engine/pytorch/safetensors_roundtrip.py).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { expectClose } from './helpers.js';
import { runPython } from './pytorch/run-python.js';

const folder = mkdtempSync(join(tmpdir(), 'gradlab-safetensors-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const INPUTS = [[0.5, -1.2, 2.0], [-0.3, 0.8, 0.1], [1.7, 0.2, -0.9], [0, 0, 0]];

function network(seed: number): g.Sequential {
  const rng = g.createRng(seed);
  const net = new g.Sequential(new g.Linear(3, 8, { rng }), new g.Tanh(), new g.Linear(8, 2, { rng }));
  // biases start at zero in gradlab: give them values, so that a bias loaded wrong shows
  const dict = net.stateDict();
  dict['0.bias'].dispose();
  dict['2.bias'].dispose();
  dict['0.bias'] = g.randn([8], rng, { std: 0.5 });
  dict['2.bias'] = g.randn([2], rng, { std: 0.5 });
  net.loadStateDict(dict);
  for (const t of Object.values(dict)) t.dispose();
  return net;
}

interface PyResult { outputs: number[][]; keys: string[] }

interface Job { mode: 'load' | 'save'; path: string; dtype: 'float32' | 'float64'; inputs: number[][]; seed?: number }

// gradlab's files first, then one Python process loads them and writes PyTorch's.
const DTYPES = ['float32', 'float64'] as const;
const written = network(11);
const writtenDict = written.stateDict();
const jobs: Job[] = DTYPES.map((dtype) => {
  const path = join(folder, `gradlab-${dtype}.safetensors`);
  const cast = Object.fromEntries(Object.entries(writtenDict).map(([k, t]) => [k, g.tensor(t.dataSync(), [...t.shape], { dtype })]));
  writeFileSync(path, g.toSafetensors(cast, { source: 'gradlab' }));
  return { mode: 'load', path, dtype, inputs: INPUTS };
});
jobs.push({ mode: 'save', path: join(folder, 'torch.safetensors'), dtype: 'float64', seed: 5, inputs: INPUTS });
const results = runPython<PyResult[]>('safetensors_roundtrip.py', jobs);

describe('safetensors with PyTorch 1.13', () => {
  DTYPES.forEach((dtype, k) => {
    it(`gradlab writes ${dtype}, PyTorch loads with strict=True and computes the same outputs`, () => {
      const py = results[k];
      expect(py.keys).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
      expect(Object.keys(writtenDict)).toEqual(py.keys);
      expect(writtenDict['0.weight'].shape).toEqual([8, 3]); // PyTorch's [out, in]
      const ours = written.forward(g.tensor(INPUTS)).dataSync();
      expectClose(ours, py.outputs.flat(), 2e-6);
      expect(new Set(py.outputs.flat().map((v) => v.toFixed(6))).size).toBeGreaterThan(4); // not a constant output
    });
  });

  it('PyTorch writes, gradlab loads (strict) and computes the same outputs, in float64', () => {
    const py = results[2];
    const bytes = new Uint8Array(readFileSync(jobs[2].path));
    const dict = g.fromSafetensors(bytes);
    expect(Object.keys(dict)).toEqual(py.keys);
    expect(dict['2.weight'].shape).toEqual([2, 8]);
    expect(dict['0.weight'].dtype).toBe('float64');
    const net = new g.Sequential(new g.Linear(3, 8, { rng: g.createRng(1) }), new g.Tanh(), new g.Linear(8, 2, { rng: g.createRng(2) }));
    net.loadStateDict(dict);
    // float32 parameters: the float64 file is rounded on load
    expectClose(net.forward(g.tensor(INPUTS)).dataSync(), py.outputs.flat(), 2e-6);
    // and into float64 parameters, to float64 precision: a float64 network built from the same dict
    const w1 = dict['0.weight'].transpose();
    const w2 = dict['2.weight'].transpose();
    const y = g.tensor(INPUTS, { dtype: 'float64' }).matmul(w1).add(dict['0.bias']).tanh().matmul(w2).add(dict['2.bias']);
    expectClose(y.dataSync(), py.outputs.flat(), 1e-14);
  });

  it('a gradlab file read back by gradlab gives the same tensors and metadata', () => {
    const net = network(3);
    const bytes = g.toSafetensors(net.stateDict(), { model: 'mlp', epochs: '3' });
    expect(g.safetensorsMetadata(bytes)).toEqual({ model: 'mlp', epochs: '3' });
    const back = g.fromSafetensors(bytes);
    const other = network(4);
    expect(Array.from(other.stateDict()['0.weight'].dataSync())).not.toEqual(Array.from(back['0.weight'].dataSync()));
    other.loadStateDict(back);
    const x = g.tensor(INPUTS);
    expect(Array.from(other.forward(x).dataSync())).toEqual(Array.from(net.forward(x).dataSync()));
    // the header is 8-byte aligned, so the data starts aligned
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + n) % 8).toBe(0);
  });
});
