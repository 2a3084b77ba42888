// The Philox 4x32-10 generator: known-answer vectors, the shared layout, and statistics.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { philox4x32 } from '../../engine/rng.js';

const hex = (out: Uint32Array): string[] => Array.from(out, (v) => v.toString(16).padStart(8, '0'));

describe('Philox 4x32-10 known-answer vectors (Salmon et al., Random123 kat_vectors)', () => {
  it('key (0, 0), counter 0', () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(hex(out)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
  });

  it('all ones', () => {
    const out = new Uint32Array(4);
    const ones = 0xffffffff;
    philox4x32(ones, ones, ones, ones, ones, ones, out);
    expect(hex(out)).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
  });

  it('key (a4093822, 299f31d0), counter (243f6a88 85a308d3 13198a2e 03707344): digits of pi', () => {
    const out = new Uint32Array(4);
    philox4x32(0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, out);
    expect(hex(out)).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});

describe('seeded streams', () => {
  it('randn on the device equals rng.fillNormal for the same seed (float32 and float64)', () => {
    for (const n of [1, 7, 64, 1001]) {
      const t = g.randn([n], g.createRng(42));
      const ref = new Float32Array(n);
      g.createRng(42).fillNormal(ref);
      expect(t.dataSync()).toEqual(ref);
      const t64 = g.randn([n], g.createRng(42), { dtype: 'float64', mean: 1, std: 2 });
      const ref64 = new Float64Array(n);
      g.createRng(42).fillNormal(ref64, 1, 2);
      expect(t64.dataSync()).toEqual(ref64);
    }
  });

  it('rand equals rng.fillUniform, and both consume the stream the same way', () => {
    const a = g.createRng(3);
    const b = g.createRng(3);
    const t1 = g.rand([10], a, { lo: -1, hi: 1 });
    const r1 = new Float32Array(10);
    b.fillUniform(r1, -1, 1);
    expect(t1.dataSync()).toEqual(r1);
    // The next draw continues at the same block on both: ceil(10 / 4) = 3 blocks used.
    expect(a.getState().counter).toBe(3);
    expect(b.getState().counter).toBe(3);
    expect(a.uniform()).toBe(b.uniform());
  });

  it('normals have mean ≈ 0 and std ≈ 1 over 100k draws; uniforms lie in (0, 1)', () => {
    const n = 100_000;
    const z = new Float64Array(n);
    g.createRng(2024).fillNormal(z);
    let s = 0;
    let s2 = 0;
    for (const v of z) {
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const std = Math.sqrt(s2 / n - mean * mean);
    // Standard errors: 1/√n ≈ 0.0032 for the mean, 1/√(2n) ≈ 0.0022 for the std; allow 4 of them.
    expect(Math.abs(mean)).toBeLessThan(0.013);
    expect(Math.abs(std - 1)).toBeLessThan(0.009);
    const u = new Float64Array(n);
    g.createRng(2025).fillUniform(u);
    expect(u.every((v) => v > 0 && v < 1)).toBe(true);
    const um = u.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(um - 0.5)).toBeLessThan(0.004); // SE 0.29/√n ≈ 0.0009
  });

  it('getState/setState resumes the exact stream', () => {
    const rng = g.createRng(11);
    rng.fillNormal(new Float64Array(5));
    const state = rng.getState();
    const next = [rng.uniform(), rng.normal(), rng.int(10)];
    const tail = new Float64Array(9);
    rng.fillNormal(tail);
    rng.setState(state);
    expect([rng.uniform(), rng.normal(), rng.int(10)]).toEqual(next);
    const again = new Float64Array(9);
    rng.fillNormal(again);
    expect(again).toEqual(tail);
    // A generator rebuilt from the snapshot continues identically too.
    const copy = g.rngFromState(state);
    expect(copy.uniform()).toBe(next[0]);
  });

  it('different seeds give different streams; forks differ from their parent', () => {
    expect(g.createRng(1).uniform()).not.toBe(g.createRng(2).uniform());
    const parent = g.createRng(5);
    const child = parent.fork();
    expect(child.seed).not.toBe(parent.seed);
    expect(child.uniform()).not.toBe(g.createRng(5).uniform());
  });

  it('randint stays in [0, high) and hits every value', () => {
    const t = g.randint([4000], 7, g.createRng(9));
    expect(t.dtype).toBe('int32');
    const counts = new Array<number>(7).fill(0);
    for (const v of t.dataSync()) counts[v]++;
    expect(counts.every((c) => c > 400)).toBe(true); // expected ≈ 571 each
  });
});
