// Both cores for the CPU GEMM (kernels/cpu/gemm-threads.ts): the large float32 products split
// their block rows between the main thread and worker threads on a shared memory. The rows are
// split, never the sums, so the bits must equal one thread's and the JavaScript loops'.

import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createRng } from '../../engine/rng';
import { mlpLosses } from './helpers';
import { cpuFloat32Array, cpuThreadSplits, cpuThreads, cpuWorkerChunks, inKernelMemory, resetWasmGemm, setCpuThreads, setCpuThreadsMinWork, wasmAdam, whenCpuThreadsReady } from '../../kernels/cpu/gemm-wasm';
import { HEAP_MIN_FLOATS } from '../../kernels/cpu/wasm-heap';
import { ADAM_MIN_SPLIT, claimChunk, NORMALS_MIN_SPLIT, THREADS_MIN_WORK } from '../../kernels/cpu/gemm-threads';
import { adamRange } from '../../kernels/cpu/adam-range';
import { adam as adamKernel, adamMulti } from '../../kernels/cpu/optim';
import { boxMuller } from '../../kernels/cpu/box-muller';
import { random as randomKernel } from '../../kernels/cpu/random';
import { bitsToUniform, forEachPhiloxChunk } from '../../engine/rng';
import { referenceBoxMuller } from './fdlibm-reference';
import { gemmJs, linear, matmul, setCpuGemmPath } from '../../kernels/cpu/matmul';

const rng = createRng(31);

function random(n: number): Float32Array {
  const x = new Float32Array(n);
  rng.fillNormal(x);
  return x;
}

function product(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array {
  const out = new Float32Array(m * n).fill(NaN); // every element must be written
  matmul(a, b, out, 1, m, k, n, transA, transB, 0, 0);
  return out;
}

afterEach(() => {
  setCpuThreads(Infinity);
  setCpuThreadsMinWork(undefined);
  setCpuGemmPath('auto');
});

describe('CPU GEMM on worker threads', () => {
  it('starts a worker per core beyond the first', async () => {
    resetWasmGemm();
    setCpuThreads(Infinity);
    const threads = await whenCpuThreadsReady();
    expect(threads).toBe(Math.min(availableParallelism(), 8));
  });

  // Rows not a multiple of 4 or of the thread count, every transpose; the split is forced here
  // (setCpuThreadsMinWork(0)) so that small odd shapes are split too.
  const cases: [number, number, number][] = [[257, 130, 67], [130, 300, 97], [64, 512, 256], [1001, 41, 33]];
  for (const [m, k, n] of cases) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`same bits as one thread and the JavaScript loops: [${m}, ${k}]${transA ? 'ᵀ' : ''}·[${k}, ${n}]${transB ? 'ᵀ' : ''}`, async () => {
        const a = random(m * k), b = random(k * n);
        setCpuThreadsMinWork(0);
        setCpuGemmPath('wasm');
        setCpuThreads(Infinity);
        await whenCpuThreadsReady();
        expect(cpuThreads()).toBeGreaterThan(1);
        const before = cpuThreadSplits();
        const threaded = product(a, b, m, k, n, transA, transB);
        expect(cpuThreadSplits()).toBe(before + 1);
        setCpuThreads(1);
        const single = product(a, b, m, k, n, transA, transB);
        expect(cpuThreadSplits()).toBe(before + 1);
        const js = new Float32Array(m * n);
        gemmJs(a, 0, transA ? 1 : k, transA ? m : 1, b, 0, transB ? 1 : n, transB ? k : 1, js, 0, m, k, n, null);
        expect(threaded).toEqual(single);
        expect(threaded).toEqual(js);
      });
    }
  }

  it('the workers compute chunks of a split product (the main thread does not do them all)', async () => {
    setCpuGemmPath('wasm');
    setCpuThreads(Infinity);
    await whenCpuThreadsReady();
    const [m, k, n] = [1024, 256, 256]; // about 3 ms of work on one core: a worker wakes well within it
    const a = random(m * k), b = random(k * n);
    const single = (() => { setCpuThreads(1); const r = product(a, b, m, k, n, false, false); setCpuThreads(Infinity); return r; })();
    const before = cpuWorkerChunks();
    // On a busy machine a worker may wake too late for one product: try until one joins in.
    for (let tries = 0; tries < 50 && cpuWorkerChunks() === before; tries++) expect(product(a, b, m, k, n, false, false)).toEqual(single);
    expect(cpuWorkerChunks()).toBeGreaterThan(before);
  });

  it('through the engine: a wide MLP trains to the same bits on one thread and on all', async () => {
    const losses = (threads: number) => {
      setCpuThreads(threads);
      return mlpLosses({ seed: 5, inputs: 2, hidden: [256, 256], outputs: 1, rows: 300, lr: 1e-3, steps: 4 });
    };
    setCpuThreads(Infinity);
    await whenCpuThreadsReady();
    expect(cpuThreads()).toBeGreaterThan(1);
    const before = cpuThreadSplits();
    const all = losses(Infinity);
    expect(cpuThreadSplits()).toBeGreaterThan(before);
    expect(losses(1)).toEqual(all);
  });

  it('splits a product only from THREADS_MIN_WORK multiply-adds (the measured threshold)', async () => {
    setCpuGemmPath('wasm');
    await whenCpuThreadsReady();
    const small = [129, 64, 67], large = [256, 64, 64];
    expect(small[0] * small[1] * small[2]).toBeLessThan(THREADS_MIN_WORK);
    expect(large[0] * large[1] * large[2]).toBeGreaterThanOrEqual(THREADS_MIN_WORK);
    for (const [[m, k, n], splits] of [[small, 0], [large, 1]] as const) {
      const before = cpuThreadSplits();
      product(random(m * k), random(k * n), m, k, n, false, false);
      expect(cpuThreadSplits() - before, `[${m}, ${k}]·[${k}, ${n}]`).toBe(splits);
    }
  });

  it('the epilogue in the kernel\'s store (ReLU, LeakyReLU) split between threads: the bits of one thread', async () => {
    setCpuGemmPath('wasm');
    setCpuThreadsMinWork(0);
    setCpuThreads(Infinity);
    await whenCpuThreadsReady();
    const [m, k, n] = [517, 64, 72]; // rows not a multiple of 4, columns a multiple of 8 (written in place)
    const x = random(m * k), w = random(k * n), bias = random(n);
    bias.set([0, -0, NaN, Infinity, -Infinity]); // outputs of every kind in the first columns
    for (const [activation, alpha] of [['relu', 0], ['leakyRelu', 0.2], ['leakyRelu', -1.3]] as const) {
      const out = (threads: number) => {
        setCpuThreads(threads);
        const y = new Float32Array(m * n).fill(7);
        linear(x, w, bias, y, m, k, n, activation, alpha);
        return new Int32Array(y.buffer);
      };
      const before = cpuThreadSplits();
      const split = out(Infinity);
      expect(cpuThreadSplits()).toBe(before + 1);
      expect(split).toEqual(out(1));
      setCpuGemmPath('js');
      expect(split.filter((_, i) => i % n >= 5)).toEqual(out(1).filter((_, i) => i % n >= 5)); // the JavaScript loops (NaN's bits may differ there)
      setCpuGemmPath('wasm');
    }
  });

  it('a layer\'s output claimed before it is written (split products only): the bits of one thread, nothing written outside it', async () => {
    setCpuGemmPath('wasm');
    setCpuThreadsMinWork(0);
    await whenCpuThreadsReady();
    // in place (rows a multiple of 4, columns of 8) and through the kernel's scratch (the others)
    for (const [m, k, n] of [[512, 64, 64], [128, 3, 8], [516, 10, 72], [517, 64, 72], [130, 7, 9]]) {
      const x = random(m * k), w = random(k * n), bias = random(n);
      const layer = (threads: number, inMemory: boolean) => {
        setCpuThreads(threads);
        const whole = inMemory ? cpuFloat32Array(m * n + 32) : new Float32Array(m * n + 32);
        expect(inKernelMemory(whole)).toBe(inMemory);
        whole.fill(7);
        const y = whole.subarray(16, 16 + m * n);
        linear(x, w, bias, y, m, k, n, 'relu', 0);
        expect([...whole.subarray(0, 16), ...whole.subarray(16 + m * n)], `[${m}, ${k}]·[${k}, ${n}]`).toEqual(new Array(32).fill(7));
        return y;
      };
      const one = layer(1, true);
      const before = cpuThreadSplits();
      expect(layer(Infinity, true)).toEqual(one);
      expect(layer(Infinity, false)).toEqual(one);
      expect(cpuThreadSplits()).toBe(before + 2);
    }
  });

  describe('normal draws shared between the threads', () => {
    it('box-muller.ts is the engine\'s transform bit for bit (bitsToUniform, then Box–Muller), extreme words included', () => {
      const words = new Uint32Array(4002);
      for (let i = 0; i < words.length; i++) words[i] = Math.floor(rng.uniform() * 2 ** 32);
      words.set([0, 0xffffffff, 0xffffffff, 0, 511, 512, 0x80000000, 1]);
      for (const [a, b] of [[0, 1], [0.5, 2], [-3, 0.01]]) {
        const got = new Float32Array(words.length - 1); // an odd count: the last pair's sine is not stored
        boxMuller(words, got, 0, got.length, a, b);
        const want = new Float32Array(got.length);
        for (let j = 0; j < want.length; j += 2) {
          const r = Math.sqrt(-2 * Math.log(bitsToUniform(words[j])));
          const theta = 2 * Math.PI * bitsToUniform(words[j + 1]);
          want[j] = a + b * r * Math.cos(theta);
          if (j + 1 < want.length) want[j + 1] = a + b * r * Math.sin(theta);
        }
        expect(new Int32Array(got.buffer)).toEqual(new Int32Array(want.buffer));
      }
    });

    // normals.wat (fills in the kernels' memory) computes fdlibm's ln, cos and sin, the loop
    // (other arrays) Math's: the same functions in Node 20 (tests/engine/normals-wasm.test.ts).
    const mathIsFdlibm = process.versions.node.split('.')[0] === '20';

    it('a fill in the kernels\' memory has the same bits on one thread and shared, the bits of the loop on fdlibm\'s functions, and on Node 20 those of the JavaScript loop on Math (odd sizes, a counter that carries)', async () => {
      setCpuThreads(Infinity);
      await whenCpuThreadsReady();
      for (const [n, counter, a, b] of [[NORMALS_MIN_SPLIT - 2, 12345, 0, 1], [NORMALS_MIN_SPLIT + 3, 2 ** 32 - 5, 0.5, 2], [40_001, 2 ** 40 + 17, -1, 0.3], [5120, 0, 0, 1]] as const) {
        const plain = new Float32Array(n); // outside the kernels' memory: the JavaScript loop
        randomKernel(plain, 'normal', 0x1234567, 0x89abcdef | 0, counter, a, b);
        const fills: Int32Array[] = [];
        for (const threads of [1, Infinity]) {
          setCpuThreads(threads);
          const inHeap = cpuFloat32Array(n).fill(NaN);
          expect(inKernelMemory(inHeap)).toBe(true);
          randomKernel(inHeap, 'normal', 0x1234567, 0x89abcdef | 0, counter, a, b);
          fills.push(new Int32Array(inHeap.slice().buffer));
        }
        expect(fills[1], `n ${n}: shared against one thread`).toEqual(fills[0]);
        const fdlibm = new Float32Array(n); // the loop with fdlibm's functions, on any engine
        forEachPhiloxChunk(0x1234567, 0x89abcdef | 0, counter, n, (words, i0, count) => referenceBoxMuller(words, fdlibm, i0, count, a, b));
        expect(fills[0], `n ${n}: against fdlibm's`).toEqual(new Int32Array(fdlibm.buffer));
        if (mathIsFdlibm) expect(fills[0], `n ${n}: against the loop on Math`).toEqual(new Int32Array(plain.buffer));
      }
    });

    it('the workers draw some of a large fill', async () => {
      setCpuThreads(Infinity);
      await whenCpuThreadsReady();
      const out = cpuFloat32Array(1 << 18);
      const before = cpuWorkerChunks();
      // On a busy machine a worker may wake too late for one fill: try until one joins in.
      for (let tries = 0; tries < 50 && cpuWorkerChunks() === before; tries++) randomKernel(out, 'normal', 1, 2, tries, 0, 1);
      expect(cpuWorkerChunks()).toBeGreaterThan(before);
    });
  });

  describe('Adam\'s update shared between the threads', () => {
    // The textbook loop, written out here: adam-range.ts must compute exactly this.
    function textbookAdam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, b1: number, b2: number, eps: number, t: number): void {
      const c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
      for (let i = 0; i < p.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    }
    const bits = (x: Float32Array) => new Int32Array(x.buffer, x.byteOffset, x.length);

    it('adam-range.ts is the textbook loop bit for bit (large, tiny and zero gradients included)', () => {
      const n = 1001;
      const g = random(n).map((x, i) => (i % 7 === 0 ? x * 1e30 : i % 11 === 0 ? x * 1e-30 : i % 13 === 0 ? 0 : x));
      const p = random(n), m = random(n).map((x) => x * 0.1), v = random(n).map((x) => x * x);
      const [p2, m2, v2] = [p.slice(), m.slice(), v.slice()];
      for (let t = 1; t <= 3; t++) {
        textbookAdam(p, g, m, v, 3e-3, 0.9, 0.999, 1e-8, t);
        adamRange(p2, 0, g, 0, m2, 0, v2, 0, n, 3e-3, 0.9, 0.999, 1e-8, 1 - Math.pow(0.9, t), 1 - Math.pow(0.999, t));
      }
      expect(bits(p2)).toEqual(bits(p));
      expect(bits(m2)).toEqual(bits(m));
      expect(bits(v2)).toEqual(bits(v));
    });

    it('adam.wat is adam-range.ts bit for bit: large, tiny and zero gradients, odd lengths, 1 to 3 steps', () => {
      setCpuThreads(1); // adam.wat on this thread
      for (const n of [1, 2, 3, 17, 1001]) {
        const g = random(n).map((x, i) => (i % 7 === 0 ? x * 1e30 : i % 11 === 0 ? x * 1e-30 : i % 13 === 0 ? 0 : x));
        const p = random(n), m = random(n).map((x) => x * 0.1), v = random(n).map((x) => x * x);
        const inHeap = (x: Float32Array) => { const y = cpuFloat32Array(Math.max(x.length, HEAP_MIN_FLOATS)).subarray(0, x.length); y.set(x); return y; };
        const [pw, gw, mw, vw] = [p, g, m, v].map(inHeap);
        for (let t = 1; t <= 3; t++) {
          const c1 = 1 - Math.pow(0.9, t), c2 = 1 - Math.pow(0.999, t);
          adamRange(p, 0, g, 0, m, 0, v, 0, n, 3e-3, 0.9, 0.999, 1e-8, c1, c2);
          expect(wasmAdam(pw, gw, mw, 0, vw, 0, 3e-3, 0.9, 0.999, 1e-8, c1, c2), `n ${n}`).toBe(true);
          expect(bits(pw), `n ${n}, step ${t}`).toEqual(bits(p));
          expect(bits(mw)).toEqual(bits(m));
          expect(bits(vw)).toEqual(bits(v));
        }
      }
    });

    it('in the kernels\' memory, on one thread and shared: the bits of the loop on ordinary arrays (adam and adamMulti, odd sizes)', async () => {
      setCpuThreads(Infinity);
      await whenCpuThreadsReady();
      for (const n of [ADAM_MIN_SPLIT - 1, ADAM_MIN_SPLIT + 3, 4096, 40_001]) {
        const p0 = random(n), g0 = random(n), m0 = random(n).map((x) => x * 0.1), v0 = random(n).map((x) => x * x);
        const want = [p0.slice(), m0.slice(), v0.slice()];
        for (let t = 1; t <= 3; t++) textbookAdam(want[0], g0, want[1], want[2], 1e-2, 0.5, 0.99, 1e-8, t);
        for (const threads of [1, Infinity]) {
          setCpuThreads(threads);
          const inHeap = (x: Float32Array) => { const y = cpuFloat32Array(x.length); y.set(x); expect(inKernelMemory(y)).toBe(true); return y; };
          // adam(): four arrays of their own
          const [p, g, m, v] = [p0, g0, m0, v0].map(inHeap);
          for (let t = 1; t <= 3; t++) adamKernel(p, g, m, v, 1e-2, 0.5, 0.99, 1e-8, t);
          expect(bits(p), `adam, n ${n}, ${threads} threads`).toEqual(bits(want[0]));
          expect(bits(m)).toEqual(bits(want[1]));
          expect(bits(v)).toEqual(bits(want[2]));
          // adamMulti(): a small parameter outside the kernels' memory, then this one, moments in one state buffer
          const small = random(10), smallGrad = random(10);
          const smallWant = [small.slice(), new Float32Array(10), new Float32Array(10)];
          for (let t = 1; t <= 3; t++) textbookAdam(smallWant[0], smallGrad, smallWant[1], smallWant[2], 1e-2, 0.5, 0.99, 1e-8, t);
          const state = cpuFloat32Array(2 * (10 + n)).fill(0);
          state.set(m0, 10);
          state.set(v0, 10 + n + 10);
          const [pm, gm] = [p0, g0].map(inHeap);
          const smallP = small.slice();
          for (let t = 1; t <= 3; t++) adamMulti([smallP, pm], [smallGrad, gm], state, [0, 10], 1e-2, 0.5, 0.99, 1e-8, t);
          expect(bits(pm), `adamMulti, n ${n}, ${threads} threads`).toEqual(bits(want[0]));
          expect(bits(state.subarray(10, 10 + n))).toEqual(bits(want[1]));
          expect(bits(state.subarray(20 + n))).toEqual(bits(want[2]));
          expect(bits(smallP)).toEqual(bits(smallWant[0]));
        }
      }
    });

    it('the workers update some of a large parameter', async () => {
      setCpuThreads(Infinity);
      await whenCpuThreadsReady();
      const n = 1 << 16;
      const [p, g, m, v] = [0, 1, 2, 3].map(() => cpuFloat32Array(n).fill(0.5));
      const before = cpuWorkerChunks();
      // On a busy machine a worker may wake too late for many updates (the tests run in parallel):
      // try until one joins in, for up to 10 s.
      const deadline = performance.now() + 10_000;
      for (let t = 1; cpuWorkerChunks() === before && performance.now() < deadline; t++) adamKernel(p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, t);
      expect(cpuWorkerChunks()).toBeGreaterThan(before);
    });
  });

  describe('claimChunk: each thread takes its own band from the front, then the others\' from the back', () => {
    const LINE = 16;
    it('every chunk is claimed once, whatever order the threads come in', () => {
      const order = createRng(4);
      for (const bands of [1, 2, 3, 8]) {
        for (const chunks of [1, 2, 7, 32, 1000]) {
          const ctl = new Int32Array(LINE * bands);
          const claimed: number[] = [];
          const done = new Set<number>();
          while (done.size < bands) {
            const t = Math.floor(order.uniform() * bands);
            const c = claimChunk(ctl, 0, LINE, t, bands, chunks);
            if (c < 0) done.add(t);
            else claimed.push(c);
          }
          expect(claimed.sort((a, b) => a - b)).toEqual(Array.from({ length: chunks }, (_, i) => i));
        }
      }
    });

    it('alone, a thread takes its own band in order, then the next band from its end', () => {
      const ctl = new Int32Array(LINE * 2);
      const seq: number[] = [];
      for (let c = claimChunk(ctl, 0, LINE, 0, 2, 8); c >= 0; c = claimChunk(ctl, 0, LINE, 0, 2, 8)) seq.push(c);
      expect(seq).toEqual([0, 1, 2, 3, 7, 6, 5, 4]);
    });

    it('two threads at the same pace each compute exactly their own band (their rows stay in their core\'s cache)', () => {
      const ctl = new Int32Array(LINE * 2);
      const mine: number[][] = [[], []];
      for (let step = 0; step < 20; step++) {
        for (const t of [0, 1]) {
          const c = claimChunk(ctl, 0, LINE, t, 2, 16);
          if (c >= 0) mine[t].push(c);
        }
      }
      expect(mine[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(mine[1]).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    });
  });

  it('refuses a thread count that is not a whole number ≥ 1', () => {
    for (const bad of [0, -1, 1.5, NaN, -Infinity]) expect(() => setCpuThreads(bad)).toThrow(/setCpuThreads: expected a whole number ≥ 1/);
  });
});
