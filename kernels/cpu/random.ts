// CPU twin of kernels/webgpu/random.wgsl.ts: fill a buffer from a Philox stream (engine/rng.ts
// documents the layout). Element i uses lane i % 4 of block counter + floor(i / 4).

import type { DataArray, RandomDist } from '../../engine/backend';
import { bitsToUniform, philox4x32 } from '../../engine/rng';

const TWO_POW_32 = 4294967296;

/** Scratch for one Philox block, reused by every call (this runs every training step). */
const block = new Uint32Array(4);

export function random(out: DataArray, dist: RandomDist, key0: number, key1: number, counter: number, a: number, b: number): void {
  const n = out.length;
  for (let i = 0; i < n; i += 4) {
    const c = counter + i / 4;
    philox4x32(key0, key1, c % TWO_POW_32 >>> 0, Math.floor(c / TWO_POW_32) >>> 0, 0, 0, block);
    if (dist === 'normal') {
      // Box-Muller: two uniforms -> two independent normals, mean a, std b.
      for (let pair = 0; pair < 2; pair++) {
        const r = Math.sqrt(-2 * Math.log(bitsToUniform(block[2 * pair])));
        const theta = 2 * Math.PI * bitsToUniform(block[2 * pair + 1]);
        const j = i + 2 * pair;
        if (j < n) out[j] = a + b * r * Math.cos(theta);
        if (j + 1 < n) out[j + 1] = a + b * r * Math.sin(theta);
      }
    } else {
      for (let lane = 0; lane < 4 && i + lane < n; lane++) {
        const u = bitsToUniform(block[lane]);
        // uniform in (a, b); int: floor of a uniform in [0, b), capped at b - 1; bernoulli: b with probability a
        if (dist === 'uniform') out[i + lane] = a + (b - a) * u;
        else if (dist === 'int') out[i + lane] = Math.min(b - 1, Math.floor(u * b));
        else out[i + lane] = u < a ? b : 0;
      }
    }
  }
}
