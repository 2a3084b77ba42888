// ReLU's and LeakyReLU's choice by sign, and the column sums of a middle axis, in WebAssembly SIMD
// on arrays in the GEMM kernel's memory (kernels/cpu/select-sum.wat): bit for bit the op table's
// rows (NaN, ±0, ±Infinity, subnormals included) and the JavaScript loops of reduce.ts.
import { describe, expect, it } from 'vitest';
import { cpuFloat32Array, inKernelMemory } from '../../kernels/cpu/gemm-wasm';
import { wasmColumnSums, wasmSelectBySign } from '../../kernels/cpu/select-sum-wasm';
import { reduce } from '../../kernels/cpu/reduce';
import { unary, unaryGrad } from '../../kernels/cpu/unary';
import { unaryDef } from '../../engine/ops/unary-table';
import type { UnaryOp } from '../../engine/backend';
import { createRng } from '../../engine/rng';

const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1];

function values(seed: number, n: number, inMemory: boolean): Float32Array {
  const out = inMemory ? cpuFloat32Array(n) : new Float32Array(n);
  createRng(seed).fillNormal(out, 0, 3);
  out.set(SPECIAL, 5);
  return out;
}

const bits = (a: Float32Array): number[] => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));

describe('select and column sums in WebAssembly on the kernels\' memory', () => {
  for (const [op, alpha] of [['relu', 0], ['leakyRelu', 0.2], ['leakyRelu', -0.01]] as [UnaryOp, number][]) {
    it(`${op}${alpha ? ` α ${alpha}` : ''}: forward and gradient in place equal the op table's row bit for bit`, () => {
      const def = unaryDef(op);
      const n = 4099; // a tail of 3 after the vectors
      const x = values(1, n, true), dy = values(2, n, true);
      expect(inKernelMemory(x) && inKernelMemory(dy)).toBe(true);
      const y = cpuFloat32Array(n);
      unary(op, x, y, alpha, 0);
      expect(bits(y)).toEqual(bits(Float32Array.from(x, (v) => def.cpu(v, alpha, 0))));
      const dx = cpuFloat32Array(n);
      unaryGrad(op, x, y, dy, dx, alpha, 0);
      expect(bits(dx)).toEqual(bits(Float32Array.from(dy, (g, i) => def.cpuGrad(x[i], y[i], g, alpha, 0))));
      const inPlace = cpuFloat32Array(n);
      inPlace.set(x);
      unary(op, inPlace, inPlace, alpha, 0);
      expect(bits(inPlace)).toEqual(bits(y));
    });
  }

  it('select refuses arrays outside the memory (the JavaScript loop runs instead)', () => {
    const inside = values(3, 2048, true), outside = values(3, 2048, false);
    expect(wasmSelectBySign(inside, inside, null, outside)).toBe(false);
    expect(wasmSelectBySign(outside, inside, null, inside)).toBe(false);
    expect(wasmSelectBySign(inside, inside, null, cpuFloat32Array(2048))).toBe(true);
  });

  // [outer, rows, cols]: a bias gradient [512, 64], column counts around the 16-wide blocks, batches.
  const shapes: [number, number, number][] = [[1, 512, 64], [1, 1037, 5], [1, 300, 37], [3, 129, 48], [2, 700, 16]];
  for (const [outer, rows, cols] of shapes) {
    for (const scale of [1, 1 / 3]) {
      it(`column sums of [${outer}, ${rows}, ${cols}]${scale === 1 ? '' : ' times 1/3'}: the JavaScript loop's bits`, () => {
        const x = values(4, outer * rows * cols, true);
        expect(inKernelMemory(x)).toBe(true);
        const want = new Float32Array(outer * cols);
        reduce('sum', Float32Array.from(x), want, outer, rows, cols, scale); // an ordinary array: the loops
        const got = new Float32Array(outer * cols).fill(NaN);
        reduce('sum', x, got, outer, rows, cols, scale);
        expect(bits(got)).toEqual(bits(want));
        expect(wasmColumnSums(x, 0, got, 0, rows, cols)).toBe(true);
      });
    }
  }
});
