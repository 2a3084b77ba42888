// Products with one output column in WebAssembly SIMD (kernels/cpu/gemv.wat): four rows of C
// to a vector. Bit for bit the JavaScript loops of matmul.ts (the same float32 rounding, the
// same order of p) for both layouts of A, row and depth counts that are not multiples of 4, a
// bias or none, operands inside the kernels' memory or copied in, and NaN, ±0, ±∞, subnormals.
import { describe, expect, it } from 'vitest';
import { cpuFloat32Array, inKernelMemory } from '../../kernels/cpu/gemm-wasm';
import { wasmGemv } from '../../kernels/cpu/gemv-wasm';
import { gemmJs, linear, matmul } from '../../kernels/cpu/matmul';
import { createRng } from '../../engine/rng';

const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1];

function values(seed: number, n: number, inMemory: boolean, special = false): Float32Array {
  const out = inMemory ? cpuFloat32Array(n) : new Float32Array(n);
  createRng(seed).fillNormal(out, 0, 3);
  if (special) out.set(SPECIAL.slice(0, Math.min(SPECIAL.length, n)), 0);
  return out;
}

const bits = (a: Float32Array): number[] => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));

/** The loops' answer: A [m, k] (or [k, m] when transA) times b [k, 1], plus bias. */
function loops(a: Float32Array, b: Float32Array, m: number, k: number, transA: boolean, bias: Float32Array | null): Float32Array {
  const out = new Float32Array(m);
  gemmJs(a, 0, transA ? 1 : k, transA ? m : 1, b, 0, 1, 1, out, 0, m, k, 1, bias);
  return out;
}

describe('one output column in WebAssembly (gemv.wat)', () => {
  const shapes = [[1, 1], [3, 5], [4, 4], [5, 7], [17, 64], [512, 64], [1001, 3], [64, 512], [10, 130]];
  for (const [m, k] of shapes) {
    for (const transA of [false, true]) {
      it(`[${m}, ${k}]${transA ? 'ᵀ' : ''}·[${k}, 1]: the loops' bits, in the kernels' memory and copied in, with and without a bias`, () => {
        for (const inMemory of [true, false]) {
          const a = values(m * 7 + k, m * k, inMemory, true), b = values(k + 1, k, inMemory, k > 20);
          for (const bias of [null, Float32Array.of(-0.75)]) {
            const want = loops(a, b, m, k, transA, bias);
            const out = (inMemory ? cpuFloat32Array(m) : new Float32Array(m)).fill(NaN); // every element must be written
            expect(wasmGemv(a, 0, transA ? 1 : k, transA ? m : 1, b, 0, out, 0, m, k, bias)).toBe(true);
            expect(bits(out), `in memory ${inMemory}, bias ${bias !== null}`).toEqual(bits(want));
          }
        }
      });
    }
  }

  it('at an offset inside larger arrays, and through matmul() and linear() (a logit layer, the weight gradient of one)', () => {
    const m = 513, k = 64;
    const x = values(3, m * k, true), w = values(4, k, true), bias = Float32Array.of(0.25);
    expect(inKernelMemory(x)).toBe(true);
    // linear: out = x·w + b
    const z = cpuFloat32Array(m).fill(NaN);
    linear(x, w, bias, z, m, k, 1, 'none', 0);
    expect(bits(z)).toEqual(bits(loops(x, w, m, k, false, bias)));
    // matmul with A transposed: dW = xᵀ·dz, [k, m]·[m, 1]
    const dz = values(5, m, true), dw = new Float32Array(k).fill(NaN);
    matmul(x, dz, dw, 1, k, m, 1, true, false, 0, 0);
    expect(bits(dw)).toEqual(bits(loops(x, dz, k, m, true, null)));
    // an offset into A and out
    const wide = values(6, 3 + m * k, true), outWide = cpuFloat32Array(m + 5).fill(NaN);
    expect(wasmGemv(wide, 3, k, 1, w, 0, outWide, 2, m, k, null)).toBe(true);
    expect(bits(outWide.subarray(2, 2 + m))).toEqual(bits(loops(wide.subarray(3), w, m, k, false, null)));
    expect(Number.isNaN(outWide[0]) && Number.isNaN(outWide[1]) && Number.isNaN(outWide[m + 2])).toBe(true);
  });
});
