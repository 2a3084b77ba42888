// The matmul ladder, linear and transpose through the real engine: setBackend('webgpu'), then
// the public ops (matmul with each variant via setMatmulVariant, linear, transpose), compared
// with the CPU twins (kernels/cpu/matmul.ts) in float64 on the same float32 inputs.
// Criterion, for every element: |gpu - ref| <= 1e-4 · max(1, |ref|).
// (tests/webgpu/matmul.test.ts runs the same kernels through the plan harness, without the engine.)

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FusedActivation, MatmulVariant } from '../../engine/backend';
import { getBackend, linear, matmul, setBackend, setMatmulVariant, tensor, transpose } from '../../engine/index';
import { linear as cpuLinear, matmul as cpuMatmul, transpose as cpuTranspose } from '../../kernels/cpu/matmul';
import { expectClose as expectCloseShared, randomArray, TEST_SEED } from './compare';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

function expectClose(gpu: ArrayLike<number>, ref: Float64Array, what: string): void {
  expectCloseShared(gpu, ref, `${what} (seed ${TEST_SEED})`);
}

beforeAll(async () => {
  expect(await setBackend('webgpu')).toBe('webgpu');
});
afterAll(async () => {
  setMatmulVariant('auto');
  await setBackend('cpu');
});

const VARIANTS: MatmulVariant[] = ['naive', 'tiled', 'register', 'small', 'auto'];

/** [batch?, rows, cols] shapes as the engine stores them (a transposed operand is stored transposed). */
interface EngineCase { name: string; aShape: number[]; bShape: number[] }
const CASES: EngineCase[] = [
  { name: '1x1x1', aShape: [1, 1], bShape: [1, 1] },
  { name: '3x5x7', aShape: [3, 5], bShape: [5, 7] },
  { name: '127x129x131', aShape: [127, 129], bShape: [129, 131] },
  { name: 'toy [128,10]·[10,16]', aShape: [128, 10], bShape: [10, 16] },
  { name: 'toy [128,32]·[32,1]', aShape: [128, 32], bShape: [32, 1] },
  { name: 'batched [4,17,33]·[4,33,70]', aShape: [4, 17, 33], bShape: [4, 33, 70] },
  { name: 'broadcast [3,67,20]·[20,65]', aShape: [3, 67, 20], bShape: [20, 65] },
  { name: 'broadcast [9,130]·[3,130,11]', aShape: [9, 130], bShape: [3, 130, 11] },
];

describe.each(VARIANTS)('engine matmul, variant %s, webgpu vs the CPU twin', (variant) => {
  it.each(CASES)('$name', async ({ aShape, bShape }) => {
    expect(getBackend()).toBe('webgpu');
    setMatmulVariant(variant);
    const a = randomArray(aShape.reduce((p, d) => p * d, 1));
    const b = randomArray(bShape.reduce((p, d) => p * d, 1));
    const [m, k] = aShape.slice(-2);
    const n = bShape[bShape.length - 1];
    const batch = Math.max(aShape.length === 3 ? aShape[0] : 1, bShape.length === 3 ? bShape[0] : 1);
    const ref = new Float64Array(batch * m * n);
    cpuMatmul(Float64Array.from(a), Float64Array.from(b), ref, batch, m, k, n, false, false,
      aShape.length === 3 ? m * k : 0, bShape.length === 3 ? k * n : 0);
    const out = matmul(tensor(a, aShape), tensor(b, bShape));
    expectClose(await out.data(), ref, `matmul ${variant} ${aShape} · ${bShape}`);
  });
});

describe('engine linear, webgpu vs the CPU twin', () => {
  const activations: FusedActivation[] = ['none', 'relu', 'leakyRelu', 'sigmoid', 'tanh'];
  const shapes = [[128, 10, 16], [128, 1, 32], [127, 129, 131]];
  for (const activation of activations) {
    for (const withBias of [true, false]) {
      it.each(shapes)(`${activation}, ${withBias ? 'with' : 'without'} bias, %i x %i x %i`, async (m, k, n) => {
        const x = randomArray(m * k).map((v) => v * 4);
        const w = randomArray(k * n);
        const bias = withBias ? randomArray(n) : null;
        const ref = new Float64Array(m * n);
        cpuLinear(Float64Array.from(x), Float64Array.from(w), bias ? Float64Array.from(bias) : null, ref, m, k, n, activation, 0.2);
        const out = linear(tensor(x, [m, k]), tensor(w, [k, n]), bias ? tensor(bias, [n]) : null, activation, 0.2);
        expectClose(await out.data(), ref, `linear ${activation} ${m}x${k}x${n}`);
      });
    }
  }
});

describe('engine transpose, webgpu vs the CPU twin', () => {
  it.each([[1, 1], [3, 5], [64, 64], [127, 129]])('%i x %i', async (rows, cols) => {
    const x = randomArray(rows * cols);
    const ref = new Float64Array(rows * cols);
    cpuTranspose(Float64Array.from(x), ref, rows, cols);
    const out = transpose(tensor(x, [rows, cols]));
    expect(out.shape).toEqual([cols, rows]);
    expectClose(await out.data(), ref, `transpose ${rows}x${cols}`);
  });
});
