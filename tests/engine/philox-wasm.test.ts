// Philox in WebAssembly (kernels/cpu/philox-wasm.ts) against engine/rng.ts's philox4x32: the same
// words for random keys and counters (across the 2^32 carry of the counter's low word), the same
// fills block by block across chunk boundaries, and the JavaScript fallback bit for bit the same.
import { afterEach, describe, expect, it } from 'vitest';
import { philoxBlocks, philoxModuleBytes, PHILOX_CHUNK, resetPhiloxWasm } from '../../kernels/cpu/philox-wasm';
import { random } from '../../kernels/cpu/random';
import { bitsToUniform, createRng, philox4x32 } from '../../engine/rng';

const TWO_POW_32 = 4294967296;
const block = new Uint32Array(4);

/** Block c of key (k0, k1), the way the JavaScript generator computes it. */
function jsBlock(k0: number, k1: number, c: number): Uint32Array {
  philox4x32(k0, k1, c % TWO_POW_32 >>> 0, Math.floor(c / TWO_POW_32) >>> 0, 0, 0, block);
  return block;
}

/** Uniform fill element by element, the layout of engine/rng.ts: element i = word i % 4 of block start + floor(i / 4). */
function referenceUniforms(k0: number, k1: number, start: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = bitsToUniform(jsBlock(k0, k1, start + Math.floor(i / 4))[i % 4]);
  return out;
}

afterEach(() => resetPhiloxWasm());

describe('Philox in WebAssembly', () => {
  it('compiles here (Node has WebAssembly), from a small module', () => {
    expect(WebAssembly.validate(philoxModuleBytes())).toBe(true);
    expect(philoxModuleBytes().length).toBeLessThan(400);
    expect(philoxBlocks(1, 2, 0, 1)).not.toBeNull();
  });

  it('gives the words of philox4x32 for random keys and counters, across the carry into the high word', () => {
    const pick = createRng(2024);
    const firsts = [0, 1, 12345, TWO_POW_32 - 3, 5 * TWO_POW_32 - 1, 2 ** 50 + 7];
    for (const first of firsts) {
      const k0 = Math.floor(pick.uniform() * TWO_POW_32) >>> 0;
      const k1 = Math.floor(pick.uniform() * TWO_POW_32) >>> 0;
      const count = 1 + Math.floor(pick.uniform() * 40);
      const words = Array.from(philoxBlocks(k0, k1, first, count) as Uint32Array);
      const expected: number[] = [];
      for (let b = 0; b < count; b++) expected.push(...jsBlock(k0, k1, first + b));
      expect(words, `first ${first}`).toEqual(expected);
    }
  });

  it('fills of every size near the chunk boundaries match the element-by-element layout', () => {
    const rng = createRng(77);
    for (const n of [1, 2, 3, 5, 4 * PHILOX_CHUNK - 1, 4 * PHILOX_CHUNK, 4 * PHILOX_CHUNK + 3, 2 * 4 * PHILOX_CHUNK + 6]) {
      const [k0, k1] = rng.key;
      const start = rng.getState().counter;
      const out = new Float32Array(n);
      rng.fillUniform(out);
      expect(out, `n ${n}`).toEqual(referenceUniforms(k0, k1, start, n));
    }
  });

  it('the JavaScript fallback gives the same fills, uniform and normal, and the same random kernel output', () => {
    const sizes = [3, 130, 4 * PHILOX_CHUNK + 5];
    const draw = (): Float64Array[] => {
      const rng = createRng(5);
      const outs: Float64Array[] = [];
      for (const n of sizes) {
        const u = new Float64Array(n);
        rng.fillUniform(u, -2, 3);
        const z = new Float64Array(n);
        rng.fillNormal(z, 1, 0.5);
        const k = new Float64Array(n);
        random(k, 'int', 11, 12, 99, 0, 17);
        const bern = new Float64Array(n);
        random(bern, 'bernoulli', 11, 12, 4 * PHILOX_CHUNK - 2, 0.3, 1);
        outs.push(u, z, k, bern);
      }
      return outs;
    };
    const wasm = draw();
    resetPhiloxWasm(true);
    expect(philoxBlocks(1, 2, 0, 1)).toBeNull();
    const js = draw();
    wasm.forEach((a, i) => expect(a, `draw ${i}`).toEqual(js[i]));
    // and the draws are not degenerate: spread uniforms, normals near their mean
    const u = wasm[0];
    expect(Math.min(...u)).toBeLessThan(-1.5);
    expect(Math.max(...u)).toBeGreaterThan(2.5);
  });
});
