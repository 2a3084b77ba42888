// State dicts, x.to(backend), AdamW / weight decay / schedules and clipGradNorm on WebGPU, against
// the same code on the CPU (float32; criterion 1e-5 relative).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { expectClose } from '../engine/helpers.js';

beforeAll(async () => {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  expect(await g.setBackend('webgpu')).toBe('webgpu');
  await g.setBackend('cpu');
});
afterAll(async () => {
  await g.setBackend('cpu');
});

const X = [[0.5, -1.2, 2.0], [-0.3, 0.8, 0.1], [1.1, 0.4, -0.7]];

function network(seed: number): g.Sequential {
  const rng = g.createRng(seed);
  return new g.Sequential(new g.Linear(3, 5, { rng }), new g.Tanh(), new g.Linear(5, 2, { rng }));
}

describe('modules across backends', () => {
  it('a CPU state dict moved with to(\'webgpu\') loads into a WebGPU network: same outputs', async () => {
    const cpuNet = network(1);
    const cpuOut = cpuNet.forward(g.tensor(X)).dataSync();
    const cpuDict = cpuNet.stateDict();
    const gpuDict: g.StateDict = {};
    for (const [k, t] of Object.entries(cpuDict)) gpuDict[k] = await t.to('webgpu');
    expect(gpuDict['0.weight'].backend.name).toBe('webgpu');
    await g.setBackend('webgpu');
    try {
      const gpuNet = network(2);
      gpuNet.loadStateDict(gpuDict);
      const out = gpuNet.forward(g.tensor(X));
      expectClose(await out.data(), cpuOut, 1e-5);
      // back to the CPU: the GPU network's state dict, moved, equals the CPU one
      const back = gpuNet.stateDict();
      for (const [k, t] of Object.entries(back)) {
        const onCpu = await t.to('cpu');
        expect(Array.from(onCpu.dataSync())).toEqual(Array.from(cpuDict[k].dataSync()));
      }
      // toSafetensors needs CPU tensors and says how to get them
      expect(() => g.toSafetensors(back)).toThrow(/is on webgpu; move it first with await t.to\('cpu'\)/);
      // a CPU tensor loads into a GPU parameter directly (its values are read at once)
      gpuNet.loadStateDict(cpuDict);
      expectClose(await gpuNet.forward(g.tensor(X)).data(), cpuOut, 1e-5);
    } finally {
      await g.setBackend('cpu');
    }
  });
});

/** Three steps of `makeOpt` with clipping on a small network; the parameters after each, read back. */
async function train(makeOpt: (p: g.Tensor[]) => g.Optimizer): Promise<number[][]> {
  const net = network(3);
  const opt = makeOpt(net.parameters());
  const x = g.tensor(X);
  const target = g.tensor([[1, -1], [0.5, 0.2], [-0.3, 0.9]]);
  const out: number[][] = [];
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    g.tidy(() => net.forward(x).sub(target).pow(2).mean().backward());
    const norm = g.clipGradNorm(net.parameters(), 0.05);
    out.push([await norm.item()]);
    norm.dispose();
    opt.step();
    for (const p of net.parameters()) out.push(Array.from(await p.data()));
  }
  return out;
}

describe('optimizers on WebGPU', () => {
  const cases: [string, (p: g.Tensor[]) => g.Optimizer][] = [
    ['AdamW with cosineLR', (p) => new g.AdamW(p, { lr: 0.05, weightDecay: 0.1, schedule: g.cosineLR({ totalSteps: 3, warmupSteps: 1 }) })],
    ['Adam with weightDecay', (p) => new g.Adam(p, { lr: 0.05, weightDecay: 0.1 })],
    ['SGD with momentum, weightDecay and stepLR', (p) => new g.SGD(p, { lr: 0.5, momentum: 0.9, weightDecay: 0.1, schedule: g.stepLR({ stepSize: 1, gamma: 0.5 }) })],
  ];
  for (const [name, make] of cases) {
    it(`${name}, after clipGradNorm, matches the CPU`, async () => {
      const cpu = await train(make);
      await g.setBackend('webgpu');
      try {
        const gpu = await train(make);
        expect(gpu.length).toBe(cpu.length);
        gpu.forEach((row, i) => expectClose(row, cpu[i], 1e-5));
        expect(cpu[0][0]).toBeGreaterThan(0.05); // the clipping clipped
      } finally {
        await g.setBackend('cpu');
      }
    });
  }
});
