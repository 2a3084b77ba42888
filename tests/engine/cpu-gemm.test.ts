// The CPU GEMM (kernels/cpu/matmul.ts, gemm-wasm.ts): both paths, the JavaScript loops and the
// WebAssembly SIMD kernel, against a float64 reference within float32's error bound, against
// each other bit for bit, and against a scalar loop that rounds like float32 hardware; for every
// transpose variant, batched and shared operands, and sizes that are not multiples of the blocks
// (4 × 4 in JavaScript, 4 × 8 in WebAssembly). And the fallback when WebAssembly SIMD is missing.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRng } from '../../engine/rng';
import { mlpLosses } from './helpers';
import { cpuFloat32Array, gemmModuleBytes, inKernelMemory, resetWasmGemm, wasmGemmAvailable, wasmTransposeAvailable } from '../../kernels/cpu/gemm-wasm';
import { HEAP_MIN_FLOATS } from '../../kernels/cpu/wasm-heap';
import transposeBytes from '../../kernels/cpu/transpose.wat';
import { cpuGemmPathFor, linear, matmul, setCpuGemmPath } from '../../kernels/cpu/matmul';

const rng = createRng(2024);
const f = Math.fround;

function random(n: number): Float32Array {
  const x = new Float32Array(n);
  rng.fillNormal(x);
  return x;
}

interface Case { batch: number; m: number; k: number; n: number; transA: boolean; transB: boolean; strideA: number; strideB: number }

/** A[i, p] and B[p, j] of batch bi, read as the kernel must (stored transposed when flagged). */
function at(c: Case, a: Float32Array, b: Float32Array, bi: number) {
  return {
    a: (i: number, p: number) => a[bi * c.strideA + (c.transA ? p * c.m + i : i * c.k + p)],
    b: (p: number, j: number) => b[bi * c.strideB + (c.transB ? j * c.k + p : p * c.n + j)],
  };
}

/** The float64 sum and Σ|a·b| (the scale of float32's error bound) of every output. */
function reference(c: Case, a: Float32Array, b: Float32Array, bias: Float32Array | null) {
  const exact = new Float64Array(c.batch * c.m * c.n);
  const scale = new Float64Array(exact.length);
  for (let bi = 0; bi < c.batch; bi++) {
    const { a: A, b: B } = at(c, a, b, bi);
    for (let i = 0; i < c.m; i++) for (let j = 0; j < c.n; j++) {
      let s = bias ? bias[j] : 0, t = Math.abs(s);
      for (let p = 0; p < c.k; p++) { s += A(i, p) * B(p, j); t += Math.abs(A(i, p) * B(p, j)); }
      exact[(bi * c.m + i) * c.n + j] = s;
      scale[(bi * c.m + i) * c.n + j] = t;
    }
  }
  return { exact, scale };
}

/** The rounding the header of matmul.ts promises: out = fl(out + fl(a·b)), p = 0, 1, ... */
function float32Loop(c: Case, a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(c.batch * c.m * c.n);
  for (let bi = 0; bi < c.batch; bi++) {
    const { a: A, b: B } = at(c, a, b, bi);
    for (let i = 0; i < c.m; i++) for (let j = 0; j < c.n; j++) {
      let s = 0;
      for (let p = 0; p < c.k; p++) s = f(s + f(A(i, p) * B(p, j)));
      out[(bi * c.m + i) * c.n + j] = s;
    }
  }
  return out;
}

function run(path: 'js' | 'wasm' | 'auto', c: Case, a: Float32Array, b: Float32Array): Float32Array {
  setCpuGemmPath(path);
  const out = new Float32Array(c.batch * c.m * c.n).fill(NaN); // every element must be written
  matmul(a, b, out, c.batch, c.m, c.k, c.n, c.transA, c.transB, c.strideA, c.strideB);
  return out;
}

/** |got - exact| ≤ 2k·u·Σ|a·b| (u = 2^-24: float32's unit roundoff; Higham, "Accuracy and Stability of Numerical Algorithms", §3.1). */
function expectWithinFloat32Bound(got: Float32Array, exact: Float64Array, scale: Float64Array, k: number, what: string): void {
  const u = 2 ** -24;
  for (let i = 0; i < got.length; i++) {
    const bound = 2 * (k + 1) * u * scale[i] + 1e-30;
    if (!(Math.abs(got[i] - exact[i]) <= bound)) throw new Error(`${what}: element ${i} is ${got[i]}, float64 gives ${exact[i]} (bound ${bound})`);
  }
}

const describeCase = (c: Case) => `${c.batch > 1 ? `${c.batch}× ` : ''}[${c.m}, ${c.k}]${c.transA ? 'ᵀ' : ''}·[${c.k}, ${c.n}]${c.transB ? 'ᵀ' : ''}`;

afterEach(() => {
  setCpuGemmPath('auto');
  vi.unstubAllGlobals();
  resetWasmGemm();
});

describe('CPU GEMM', () => {
  it('gemm.wat assembles to a module that WebAssembly validates, and SIMD is available in this Node', () => {
    const bytes = gemmModuleBytes();
    expect(Array.from(bytes.slice(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(wasmGemmAvailable()).toBe(true);
  });

  const sizes = [1, 3, 17, 63, 65, 130];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches float64 within float32's bound, and both paths agree bit for bit: op(A) ${transA ? 'Aᵀ' : 'A'}, op(B) ${transB ? 'Bᵀ' : 'B'}`, () => {
        let checked = 0;
        for (const m of sizes) for (const k of sizes) for (const n of sizes) {
          if (m * k * n > 130 * 65 * 63) continue; // keep the float64 reference quick
          const c: Case = { batch: 1, m, k, n, transA, transB, strideA: 0, strideB: 0 };
          const a = random(m * k), b = random(k * n);
          const { exact, scale } = reference(c, a, b, null);
          const js = run('js', c, a, b);
          const wasm = run('wasm', c, a, b);
          expectWithinFloat32Bound(js, exact, scale, k, `js ${describeCase(c)}`);
          expectWithinFloat32Bound(wasm, exact, scale, k, `wasm ${describeCase(c)}`);
          expect(wasm, describeCase(c)).toEqual(js);
          checked++;
        }
        expect(checked).toBeGreaterThan(150);
      });
    }
  }

  it('rounds like float32 hardware: each product, then each sum, in order over p (both paths)', () => {
    for (const [m, k, n] of [[5, 300, 9], [64, 512, 64], [130, 17, 65]]) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const c: Case = { batch: 1, m, k, n, transA, transB, strideA: 0, strideB: 0 };
        const a = random(m * k), b = random(k * n);
        const want = float32Loop(c, a, b);
        expect(run('js', c, a, b), `js ${describeCase(c)}`).toEqual(want);
        expect(run('wasm', c, a, b), `wasm ${describeCase(c)}`).toEqual(want);
      }
    }
  });

  it('batched products, each operand batched or shared, every transpose', () => {
    for (const [m, k, n] of [[3, 17, 9], [65, 3, 17]]) {
      for (const [sharedA, sharedB] of [[false, false], [true, false], [false, true]]) {
        for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
          const batch = 3;
          const c: Case = { batch, m, k, n, transA, transB, strideA: sharedA ? 0 : m * k, strideB: sharedB ? 0 : k * n };
          const a = random(sharedA ? m * k : batch * m * k), b = random(sharedB ? k * n : batch * k * n);
          const { exact, scale } = reference(c, a, b, null);
          const js = run('js', c, a, b);
          expectWithinFloat32Bound(js, exact, scale, k, `js ${describeCase(c)}`);
          expect(run('wasm', c, a, b), describeCase(c)).toEqual(js);
        }
      }
    }
  });

  it('transpose.wat: dst[c, r] = src[r, c], 4 × 4 at a time, with row strides wider than the block', () => {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const transpose = new WebAssembly.Instance(new WebAssembly.Module(transposeBytes), { env: { memory } }).exports.transpose as
      (src: number, lds: number, dst: number, ldd: number, rows: number, cols: number) => void;
    const floats = new Float32Array(memory.buffer);
    for (const [rows, cols, srcPad, dstPad] of [[4, 4, 0, 0], [8, 12, 4, 0], [64, 64, 0, 8], [12, 68, 3, 5], [68, 4, 1, 0]]) {
      const lds = cols + srcPad, ldd = rows + dstPad, src = 16, dst = src + rows * lds + 16; // in floats
      floats.fill(NaN);
      floats.set(random(rows * lds), src);
      transpose(4 * src, 4 * lds, 4 * dst, 4 * ldd, rows, cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(floats[dst + c * ldd + r]).toBe(floats[src + r * lds + c]);
      for (let c = 0; c < cols; c++) for (let r = rows; r < ldd; r++) expect(floats[dst + c * ldd + r]).toBeNaN(); // nothing past each row
    }
  });

  it('gemm.wat with claim: the same bits, and nothing written outside the rows and 8-column blocks it computes', () => {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const gemm = new WebAssembly.Instance(new WebAssembly.Module(gemmModuleBytes()), { env: { memory } }).exports.gemm as (...args: number[]) => void;
    const floats = new Float32Array(memory.buffer);
    for (const [mBlocks, nBlocks, k, extra] of [[1, 1, 1, 0], [3, 2, 5, 8], [16, 8, 64, 3], [5, 3, 17, 1]]) {
      const m = 4 * mBlocks, n = 8 * nBlocks, ldc = n + extra; // C: the first n of each row of ldc floats
      const a = 16, b = a + m * k, init = b + k * n, c = init + n + 16; // in floats
      floats.set(random(m * k), a);
      floats.set(random(k * n), b);
      floats.set(random(n), init);
      const run = (claim: number) => {
        floats.fill(7, c - 16, c + m * ldc + 16);
        gemm(4 * a, 4 * k, 4, 4 * b, 4 * n, 4 * init, 4 * c, 4 * ldc, mBlocks, nBlocks, k, 1, 0, 0, claim);
        for (let i = -16; i < m * ldc + 16; i++) {
          const inC = i >= 0 && i < m * ldc && i % ldc < n;
          if (!inC) expect(floats[c + i], `outside C, ${i} floats from it`).toBe(7);
        }
        return floats.slice(c, c + m * ldc);
      };
      expect(run(1)).toEqual(run(0));
    }
  });

  it('a Bᵀ in the kernel\'s memory is copied into the kernel\'s layout by transpose.wat: the bits of the copy loop', () => {
    expect(wasmTransposeAvailable()).toBe(true);
    // k and n multiples of 4 take transpose.wat; the others keep the loop; batched Bᵀ start at offsets
    for (const [m, k, n] of [[8, 4, 4], [17, 64, 64], [5, 12, 36], [64, 68, 8], [9, 65, 64], [9, 64, 65]]) {
      for (const batch of [1, 3]) {
        const c: Case = { batch, m, k, n, transA: false, transB: true, strideA: m * k, strideB: k * n };
        const a = random(batch * m * k), b = random(batch * k * n);
        const bInMemory = cpuFloat32Array(Math.max(HEAP_MIN_FLOATS, b.length));
        bInMemory.set(b);
        expect(inKernelMemory(bInMemory)).toBe(true);
        const want = float32Loop(c, a, b);
        expect(run('wasm', c, a, bInMemory), describeCase(c)).toEqual(want);
        expect(run('wasm', c, a, b), describeCase(c)).toEqual(want);
      }
    }
  });

  it('the fused linear layer: bias as the starting value, then the activation', () => {
    for (const [m, k, n] of [[1, 1, 1], [17, 3, 63], [130, 65, 17], [512, 64, 1]]) {
      const x = random(m * k), w = random(k * n), bias = random(n);
      const c: Case = { batch: 1, m, k, n, transA: false, transB: false, strideA: 0, strideB: 0 };
      const { exact, scale } = reference(c, x, w, bias);
      const outs = (['js', 'wasm'] as const).map((path) => {
        setCpuGemmPath(path);
        const out = new Float32Array(m * n).fill(NaN);
        linear(x, w, bias, out, m, k, n, 'none', 0);
        expectWithinFloat32Bound(out, exact, scale, k, `linear ${path} [${m}, ${k}]·[${k}, ${n}]`);
        const relu = new Float32Array(m * n);
        linear(x, w, bias, relu, m, k, n, 'relu', 0);
        expect(relu).toEqual(out.map((v) => Math.max(v, 0)));
        return out;
      });
      expect(outs[1]).toEqual(outs[0]);
    }
  });

  it('ReLU and LeakyReLU in the kernel\'s store are the op table\'s rows bit for bit (±0, NaN, ±∞, slopes of either sign)', () => {
    for (const [m, k, n] of [[17, 3, 63], [130, 65, 17], [64, 64, 64]]) {
      const x = random(m * k), w = random(k * n), bias = random(n);
      bias.set([0, -0, NaN, Infinity, -Infinity].slice(0, n)); // outputs of every kind in the first columns
      for (const [activation, alpha] of [['relu', 0], ['leakyRelu', 0.2], ['leakyRelu', -1.3], ['leakyRelu', 1 / 3]] as const) {
        const outs = (['js', 'wasm'] as const).map((path) => {
          setCpuGemmPath(path);
          const out = new Float32Array(m * n);
          linear(x, w, bias, out, m, k, n, activation, alpha);
          return out;
        });
        expect(cpuGemmPathFor(m, k, n)).toBe('wasm');
        expect(new Int32Array(outs[1].buffer).filter((_, i) => !Number.isNaN(outs[1][i]))).toEqual(new Int32Array(outs[0].buffer).filter((_, i) => !Number.isNaN(outs[0][i])));
        expect(Array.from(outs[1], Number.isNaN)).toEqual(Array.from(outs[0], Number.isNaN));
        expect(outs[0].some((v) => v < 0)).toBe(alpha > 0); // the negative side: +0 (ReLU), α·x < 0 (α > 0), α·x > 0 (α < 0)
        expect(outs[0].some((v) => v > 0)).toBe(true);
      }
    }
  });

  it('empty inner dimension: the bias (or 0) everywhere; empty outputs write nothing', () => {
    for (const path of ['js', 'wasm'] as const) {
      setCpuGemmPath(path);
      const out = new Float32Array(6).fill(NaN);
      linear(new Float32Array(0), new Float32Array(0), Float32Array.of(1, -2, 3), out, 2, 0, 3, 'none', 0);
      expect(Array.from(out)).toEqual([1, -2, 3, 1, -2, 3]);
      matmul(new Float32Array(0), new Float32Array(0), out, 1, 2, 0, 3, false, false, 0, 0);
      expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
      matmul(new Float32Array(0), random(12), new Float32Array(0), 1, 0, 4, 3, false, false, 0, 0);
    }
  });

  it('chooses by size: tiny products, and small single columns, stay in JavaScript', () => {
    expect(cpuGemmPathFor(4, 4, 4)).toBe('js');
    expect(cpuGemmPathFor(128, 32, 1)).toBe('js');
    expect(cpuGemmPathFor(512, 64, 1)).toBe('wasm');
    expect(cpuGemmPathFor(512, 64, 64)).toBe('wasm');
    setCpuGemmPath('js');
    expect(cpuGemmPathFor(512, 64, 64)).toBe('js');
  });

  it('falls back to the JavaScript loops where WebAssembly SIMD is missing or refused', () => {
    const c: Case = { batch: 1, m: 65, k: 63, n: 17, transA: true, transB: false, strideA: 0, strideB: 0 };
    const a = random(c.m * c.k), b = random(c.k * c.n);
    const want = float32Loop(c, a, b);
    // An engine without SIMD: its validator rejects the 0xfd opcodes.
    resetWasmGemm();
    vi.stubGlobal('WebAssembly', { ...WebAssembly, validate: () => false });
    expect(wasmGemmAvailable()).toBe(false);
    expect(cpuGemmPathFor(512, 64, 64)).toBe('js');
    expect(run('wasm', c, a, b)).toEqual(want);
    // A page whose Content-Security-Policy forbids compiling WebAssembly: the constructor throws.
    resetWasmGemm();
    vi.stubGlobal('WebAssembly', { ...WebAssembly, Module: function refused() { throw new Error('CompileError: refused by CSP'); } });
    expect(wasmGemmAvailable()).toBe(false);
    expect(run('wasm', c, a, b)).toEqual(want);
    // No WebAssembly at all.
    resetWasmGemm();
    vi.stubGlobal('WebAssembly', undefined);
    expect(wasmGemmAvailable()).toBe(false);
    expect(run('auto', c, a, b)).toEqual(want);
  });

  it('a product too large for the kernel memory falls back to the JavaScript loops', () => {
    class NoGrowth extends WebAssembly.Memory {
      override grow(): number {
        throw new RangeError('WebAssembly.Memory.grow(): maximum memory size exceeded');
      }
    }
    resetWasmGemm();
    vi.stubGlobal('WebAssembly', { validate: WebAssembly.validate, Module: WebAssembly.Module, Instance: WebAssembly.Instance, Memory: NoGrowth });
    expect(wasmGemmAvailable()).toBe(true);
    // One 64 KiB page holds the small product; the large one needs more and takes the loops.
    for (const [m, k, n] of [[9, 10, 11], [130, 65, 63]]) {
      const c: Case = { batch: 1, m, k, n, transA: false, transB: true, strideA: 0, strideB: 0 };
      const a = random(m * k), b = random(k * n);
      expect(run('wasm', c, a, b), describeCase(c)).toEqual(float32Loop(c, a, b));
    }
  });

  it('through the engine: training steps give the same bits on either path', () => {
    const losses = (path: 'js' | 'wasm') => {
      setCpuGemmPath(path);
      return mlpLosses({ seed: 7, inputs: 3, hidden: [33, 17], outputs: 2, rows: 70, lr: 0.01, steps: 5 });
    };
    const js = losses('js');
    expect(js.every(Number.isFinite)).toBe(true);
    expect(losses('wasm')).toEqual(js);
  });
});
