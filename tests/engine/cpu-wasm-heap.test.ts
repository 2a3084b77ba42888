// The CPU backend's float32 arrays inside the GEMM kernel's memory (kernels/cpu/wasm-heap.ts):
// products whose operands live there are computed in place, without copies, and must give the
// same bits as the same products on ordinary arrays (copied in and out), on one thread and
// split between threads, for every transpose and for shapes with padded rows or columns (those
// still take the copy path for the operand concerned). Growing the memory keeps old arrays valid.

import { afterEach, describe, expect, it } from 'vitest';
import { createRng } from '../../engine/rng';
import { CpuBackend, CpuStorage } from '../../kernels/cpu/backend';
import { cpuFloat32Array, cpuThreadSplits, inKernelMemory, resetWasmGemm, setCpuThreads, setCpuThreadsMinWork, whenCpuThreadsReady } from '../../kernels/cpu/gemm-wasm';
import { gemmJs, linear, matmul, setCpuGemmPath } from '../../kernels/cpu/matmul';
import { HEAP_MIN_FLOATS } from '../../kernels/cpu/wasm-heap';
import { mlpLosses } from './helpers';

const rng = createRng(77);

/** Random normals in an ordinary array, or in the kernel's memory. */
function random(n: number, inHeap: boolean): Float32Array {
  const x = inHeap ? cpuFloat32Array(n) : new Float32Array(n);
  rng.fillNormal(x);
  return x;
}

function copyInto(x: Float32Array, inHeap: boolean): Float32Array {
  const y = inHeap ? cpuFloat32Array(x.length) : new Float32Array(x.length);
  y.set(x);
  return y;
}

afterEach(() => {
  setCpuThreads(Infinity);
  setCpuThreadsMinWork(undefined);
  setCpuGemmPath('auto');
});

describe('float32 arrays in the GEMM kernel\'s memory', () => {
  it('the CPU backend makes its float32 arrays of HEAP_MIN_FLOATS or more there, and smaller ones and other dtypes as ordinary arrays', () => {
    const backend = new CpuBackend();
    const data = (size: number, dtype: 'float32' | 'float64' | 'int32') => (backend.alloc(size, dtype) as CpuStorage).data;
    expect(inKernelMemory(data(HEAP_MIN_FLOATS, 'float32') as Float32Array)).toBe(true);
    expect(inKernelMemory(data(HEAP_MIN_FLOATS - 1, 'float32') as Float32Array)).toBe(false);
    expect(data(HEAP_MIN_FLOATS, 'float64')).toBeInstanceOf(Float64Array);
    expect(data(HEAP_MIN_FLOATS, 'int32')).toBeInstanceOf(Int32Array);
    expect(inKernelMemory(new Float32Array(HEAP_MIN_FLOATS))).toBe(false);
  });

  // The wide GAN's products ([512, 64]·[64, 64], dz·Wᵀ, xᵀ·dz), and shapes whose rows are not a
  // multiple of 4 or columns not a multiple of 8 (their C, and a padded B, go through scratch).
  const cases: [number, number, number][] = [[512, 64, 64], [64, 512, 64], [257, 130, 67], [128, 33, 40], [61, 70, 16]];
  for (const threads of [1, Infinity]) {
    for (const [m, k, n] of cases) {
      it(`same bits in place as copied and as the JavaScript loops, ${threads === 1 ? 'one thread' : 'split between threads'}: [${m}, ${k}]·[${k}, ${n}], every transpose`, async () => {
        setCpuGemmPath('wasm');
        setCpuThreads(threads);
        if (threads > 1) {
          setCpuThreadsMinWork(0);
          expect(await whenCpuThreadsReady()).toBeGreaterThan(1);
        }
        const splits = cpuThreadSplits();
        for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          const a = random(m * k, false), b = random(k * n, false);
          const run = (inHeap: boolean) => {
            const out = inHeap ? cpuFloat32Array(m * n) : new Float32Array(m * n);
            out.fill(NaN); // every element must be written
            matmul(copyInto(a, inHeap), copyInto(b, inHeap), out, 1, m, k, n, transA, transB, 0, 0);
            return out;
          };
          const js = new Float32Array(m * n);
          gemmJs(a, 0, transA ? 1 : k, transA ? m : 1, b, 0, transB ? 1 : n, transB ? k : 1, js, 0, m, k, n, null);
          const label = `[${m}, ${k}]${transA ? 'ᵀ' : ''}·[${k}, ${n}]${transB ? 'ᵀ' : ''}`;
          expect(run(true), label).toEqual(js);
          expect(run(false), label).toEqual(js);
        }
        expect(cpuThreadSplits() - splits).toBe(threads === 1 ? 0 : 8);
      });
    }
  }

  it('the fused layer in place: bias and LeakyReLU in the store, the same bits as on ordinary arrays', () => {
    setCpuGemmPath('wasm');
    const [m, k, n] = [512, 64, 64];
    const x = random(m * k, false), w = random(k * n, false), bias = random(n, false);
    const layer = (inHeap: boolean) => {
      const out = inHeap ? cpuFloat32Array(m * n) : new Float32Array(m * n);
      linear(copyInto(x, inHeap), copyInto(w, inHeap), bias, out, m, k, n, 'leakyRelu', 0.2);
      return out;
    };
    expect(layer(true)).toEqual(layer(false));
  });

  it('growing the memory keeps the arrays made before it valid, and their products in place', () => {
    setCpuGemmPath('wasm');
    const [m, k, n] = [64, 48, 32];
    const a = random(m * k, true), b = random(k * n, true);
    const want = new Float32Array(m * n);
    matmul(a, b, want, 1, m, k, n, false, false, 0, 0);
    const before = a.slice();
    const big = cpuFloat32Array(4 << 20); // 16 MiB: the memory grows
    big.fill(1);
    expect(inKernelMemory(big)).toBe(true);
    expect(a).toEqual(before);
    const out = cpuFloat32Array(m * n);
    matmul(a, b, out, 1, m, k, n, false, false, 0, 0);
    expect(out).toEqual(want);
  });

  it('arrays of a memory from before the kernel was set up again are copied like any other', () => {
    setCpuGemmPath('wasm');
    const [m, k, n] = [64, 48, 32];
    const a = random(m * k, true), b = random(k * n, true);
    const want = new Float32Array(m * n);
    matmul(a, b, want, 1, m, k, n, false, false, 0, 0);
    resetWasmGemm();
    expect(inKernelMemory(a)).toBe(false);
    const out = new Float32Array(m * n);
    matmul(a, b, out, 1, m, k, n, false, false, 0, 0);
    expect(out).toEqual(want);
  });

  it('through the engine: a wide MLP with its arrays in the memory trains to the same bits as on the JavaScript loops', () => {
    const losses = () => mlpLosses({ seed: 9, inputs: 3, hidden: [64, 64], outputs: 2, rows: 512, lr: 1e-3, steps: 4 });
    const inMemory = losses();
    setCpuGemmPath('js'); // the JavaScript loops never read the memory's addresses
    expect(losses()).toEqual(inMemory);
  });
});
