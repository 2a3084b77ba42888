// CPU twin of kernels/webgpu/random.wgsl.ts: fill a buffer from a Philox stream (engine/rng.ts
// documents the layout). Element i uses lane i % 4 of block counter + floor(i / 4).

import type { DataArray, RandomDist } from '../../engine/backend';
import { bitsToUniform, forEachPhiloxChunk } from '../../engine/rng';

export function random(out: DataArray, dist: RandomDist, key0: number, key1: number, counter: number, a: number, b: number): void {
  forEachPhiloxChunk(key0, key1, counter, out.length, (words, i0, count) => {
    if (dist === 'normal') {
      // Box-Muller: two uniforms -> two independent normals, mean a, std b.
      for (let j = 0; j < count; j += 2) {
        const r = Math.sqrt(-2 * Math.log(bitsToUniform(words[j])));
        const theta = 2 * Math.PI * bitsToUniform(words[j + 1]);
        out[i0 + j] = a + b * r * Math.cos(theta);
        if (j + 1 < count) out[i0 + j + 1] = a + b * r * Math.sin(theta);
      }
    } else if (dist === 'uniform') {
      for (let j = 0; j < count; j++) out[i0 + j] = a + (b - a) * bitsToUniform(words[j]); // uniform in (a, b)
    } else if (dist === 'int') {
      for (let j = 0; j < count; j++) out[i0 + j] = Math.min(b - 1, Math.floor(bitsToUniform(words[j]) * b)); // floor of a uniform in [0, b), capped at b − 1
    } else {
      for (let j = 0; j < count; j++) out[i0 + j] = bitsToUniform(words[j]) < a ? b : 0; // bernoulli: b with probability a
    }
  });
}
