// Normal draws in WebAssembly (kernels/cpu/normals.wat) against fdlibm's ln, cos and sin written
// out in JavaScript (fdlibm-reference.ts): the kernel's functions on every one of the 2^23
// uniforms a Philox word can give (u for the radius, θ = 2π·u for the angle), bit for bit; the
// kernel's fills against the Box–Muller loop on the reference; and, on Node 20, whose V8 builds
// Math from fdlibm, the reference against Math, so that there the kernel's fills are the bits of
// box-muller.ts's loop on Math (no draw changed when the fills moved to WebAssembly).
import { describe, expect, it } from 'vitest';
import normalsBytes from '../../kernels/cpu/normals.wat';
import { cos, log, referenceBoxMuller, sin } from './fdlibm-reference';
import { createRng, philox4x32 } from '../../engine/rng';
import { boxMuller } from '../../kernels/cpu/box-muller';

const UNIFORMS = 1 << 23;
// V8 in Node 20 builds Math.log, Math.cos and Math.sin from fdlibm; other engines need not.
const mathIsFdlibm = process.versions.node.split('.')[0] === '20';
const TWO_POW_32 = 4294967296;

/** Uniform m of the 2^23: ((m) + 0.5)·2^-23, as bitsToUniform makes it from a word m·2^9. */
const uniform = (m: number) => (m + 0.5) * 1.1920928955078125e-7;

interface NormalsKernel {
  memory: WebAssembly.Memory;
  normals(out: number, n: number, k0: number, k1: number, first: number, a: number, b: number): void;
  lnEach(at: number, n: number): void;
  cosSinEach(at: number, sinAt: number, n: number): void;
}

function kernel(pages = 64): NormalsKernel {
  const memory = new WebAssembly.Memory({ initial: pages });
  const exports = new WebAssembly.Instance(new WebAssembly.Module(normalsBytes), { env: { memory } }).exports as unknown as Omit<NormalsKernel, 'memory'>;
  return { memory, normals: exports.normals, lnEach: exports.lnEach, cosSinEach: exports.cosSinEach };
}

/** The first few indices where two float64 arrays differ in any bit, and how many do. */
function bitDifferences(got: Float64Array, want: Float64Array, label: (i: number) => string): { count: number; first: string[] } {
  const a = new BigUint64Array(got.buffer, got.byteOffset, got.length);
  const b = new BigUint64Array(want.buffer, want.byteOffset, want.length);
  const first: string[] = [];
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (first.length < 5) first.push(`${label(i)}: ${got[i]} against ${want[i]}`);
      count++;
    }
  }
  return { count, first };
}

describe('normal draws in WebAssembly', () => {
  it('normals.wat computes fdlibm\'s ln u, cos θ and sin θ for every one of the 2^23 uniforms, bit for bit', () => {
    const k = kernel();
    const CHUNK = 1 << 16;
    const f64 = new Float64Array(k.memory.buffer);
    const got = f64.subarray(0, CHUNK), gotSin = f64.subarray(CHUNK, 2 * CHUNK);
    const want = new Float64Array(CHUNK), wantSin = new Float64Array(CHUNK);
    let lnWrong = 0, cosWrong = 0, sinWrong = 0;
    const examples: string[] = [];
    for (let base = 0; base < UNIFORMS; base += CHUNK) {
      for (let i = 0; i < CHUNK; i++) {
        got[i] = uniform(base + i);
        want[i] = log(got[i]);
      }
      k.lnEach(0, CHUNK);
      const ln = bitDifferences(got, want, (i) => `ln u for m = ${base + i}`);
      lnWrong += ln.count;
      examples.push(...ln.first);
      for (let i = 0; i < CHUNK; i++) {
        got[i] = 2 * Math.PI * uniform(base + i);
        want[i] = cos(got[i]);
        wantSin[i] = sin(got[i]);
      }
      k.cosSinEach(0, 8 * CHUNK, CHUNK);
      const c = bitDifferences(got, want, (i) => `cos θ for m = ${base + i}`), s = bitDifferences(gotSin, wantSin, (i) => `sin θ for m = ${base + i}`);
      cosWrong += c.count;
      sinWrong += s.count;
      examples.push(...c.first, ...s.first);
    }
    expect({ lnWrong, cosWrong, sinWrong, examples: examples.slice(0, 5) }).toEqual({ lnWrong: 0, cosWrong: 0, sinWrong: 0, examples: [] });
  });

  it('a fill is the Box–Muller loop on Philox words, bit for bit (box-muller.ts\'s on Node 20): odd lengths, counters that carry into the high word, any mean and std; nothing written outside it', () => {
    const k = kernel(2);
    const heap = new Float32Array(k.memory.buffer);
    const pick = createRng(8);
    const block = new Uint32Array(4);
    const cases: [number, number, number, number][] = [ // n, first block, a, b
      [1, 0, 0, 1], [2, 7, 0, 1], [3, 12345, -1, 0.5], [4, 99, 0.25, 3], [5, 2 ** 32 - 1, 0, 1],
      [15, 2 ** 32 - 2, 1e-3, 2.5], [16, 2 ** 40 + 3, 0, 1], [17, 5, -2, 1e-4], [5121, 2 ** 32 - 700, 0.5, 2],
    ];
    for (const [n, first, a, b] of cases) {
      const k0 = Math.floor(pick.uniform() * TWO_POW_32) >>> 0, k1 = Math.floor(pick.uniform() * TWO_POW_32) >>> 0;
      const blocks = Math.ceil(n / 4);
      const words = new Uint32Array(4 * blocks);
      for (let g = 0; g < blocks; g++) {
        const c = first + g;
        philox4x32(k0, k1, c % TWO_POW_32 >>> 0, Math.floor(c / TWO_POW_32) >>> 0, 0, 0, block);
        words.set(block, 4 * g);
      }
      const want = new Float32Array(n);
      referenceBoxMuller(words, want, 0, n, a, b);
      if (mathIsFdlibm) {
        const onMath = new Float32Array(n);
        boxMuller(words, onMath, 0, n, a, b);
        expect(new Int32Array(onMath.buffer), `n ${n}: box-muller.ts on Math`).toEqual(new Int32Array(want.buffer));
      }
      heap.fill(NaN, 0, n + 8);
      k.normals(16, n, k0, k1, first, a, b); // from float 4
      expect(new Int32Array(heap.buffer, 16, n), `n ${n}, first block ${first}`).toEqual(new Int32Array(want.buffer));
      expect([...heap.subarray(0, 4), ...heap.subarray(4 + n, 8 + n)].every(Number.isNaN), `n ${n}: nothing outside`).toBe(true);
    }
    heap.fill(NaN, 0, 8);
    k.normals(16, 0, 1, 2, 0, 0, 1); // an empty fill writes nothing
    expect(Number.isNaN(heap[4])).toBe(true);
  });
});

describe('the fdlibm reference', () => {
  // (Chromium 156's Math differs from fdlibm in the last bit for some uniforms.)

  it.runIf(mathIsFdlibm)('is Math on Node 20 for every uniform u and angle 2π·u: no normal draw changed', () => {
    let wrong = 0;
    const examples: string[] = [];
    for (let m = 0; m < UNIFORMS; m++) {
      const u = uniform(m), theta = 2 * Math.PI * u;
      if (!Object.is(log(u), Math.log(u)) || !Object.is(cos(theta), Math.cos(theta)) || !Object.is(sin(theta), Math.sin(theta))) {
        if (examples.length < 5) examples.push(`m = ${m}`);
        wrong++;
      }
    }
    expect({ wrong, examples }).toEqual({ wrong: 0, examples: [] });
  });

  it.runIf(mathIsFdlibm)('is Math on Node 20 across its whole domain: signs, tiny, subnormal and huge arguments, near multiples of π/2', () => {
    const pick = createRng(20);
    const xs: number[] = [0, -0, 1, -1, 2, 0.5, Infinity, -Infinity, NaN, 5e-324, 2.2250738585072014e-308, 1e-300, 1e300, Number.MAX_VALUE, 1e-9, 7.45e-9];
    for (let n = 1; n <= 40; n++) for (const d of [0, 1e-9, -3e-7]) xs.push(n * Math.PI / 2 + d, -(n * Math.PI / 2 + d));
    // the doubles within 8 steps of n·π/2 for n up to 2^19, where the first round of the
    // reduction cancels and fdlibm's table of n·π/2's high words sends them to the next rounds
    const bits = new Float64Array(1), steps = new BigInt64Array(bits.buffer);
    for (let n = 2; n < 2 ** 19; n += n < 64 ? 1 : 4099) {
      for (let k = -8; k <= 8; k++) {
        bits[0] = n * Math.PI / 2;
        steps[0] += BigInt(k);
        xs.push(bits[0], -bits[0]);
      }
    }
    for (let i = 0; i < 20000; i++) {
      const e = Math.floor(pick.uniform() * 40) - 30; // |x| from 1e-9 to 1e6: the reductions for n up to 2^19 and past it
      xs.push((pick.uniform() < 0.5 ? -1 : 1) * pick.uniform() * 2 ** e, pick.uniform() * 2 ** (e + 30));
    }
    const differ = xs.filter((x) => !Object.is(log(x), Math.log(x)) || !Object.is(cos(x), Math.cos(x)) || !Object.is(sin(x), Math.sin(x)));
    expect(differ).toEqual([]);
  });

  it('log, cos and sin keep their special values on any engine', () => {
    expect([log(0), log(-0), log(-1), log(Infinity), log(NaN), log(1)]).toEqual([-Infinity, -Infinity, NaN, Infinity, NaN, 0]);
    expect([cos(0), sin(0), sin(-0), cos(NaN), sin(Infinity)]).toEqual([1, 0, -0, NaN, NaN]);
    expect(Math.abs(cos(Math.PI) + 1)).toBeLessThan(1e-15);
    expect(Math.abs(sin(1e6) - Math.sin(1e6))).toBeLessThan(1e-9); // past 2^19·π/2 it is Math's
  });
});
