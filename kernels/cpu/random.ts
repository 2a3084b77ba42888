// CPU twin of kernels/webgpu/random.wgsl.ts: fill a buffer from a Philox stream (engine/rng.ts
// documents the layout). Element i uses lane i % 4 of block counter + floor(i / 4).

import type { DataArray, RandomDist } from '../../engine/backend';
import { bitsToUniform, forEachPhiloxChunk } from '../../engine/rng';
import { boxMuller } from './box-muller';
import { wasmNormals } from './gemm-wasm';

export function random(out: DataArray, dist: RandomDist, key0: number, key1: number, counter: number, a: number, b: number): void {
  // Float32 fills of normals in the kernels' memory: Philox and Box–Muller in WebAssembly
  // (normals.wat), large ones shared with the GEMM's worker threads (the same bits on each).
  if (dist === 'normal' && out instanceof Float32Array && wasmNormals(out, key0, key1, counter, a, b)) return;
  forEachPhiloxChunk(key0, key1, counter, out.length, (words, i0, count) => {
    if (dist === 'normal') {
      boxMuller(words, out, i0, count, a, b); // two uniforms -> two independent normals, mean a, std b
    } else if (dist === 'uniform') {
      for (let j = 0; j < count; j++) out[i0 + j] = a + (b - a) * bitsToUniform(words[j]); // uniform in (a, b)
    } else if (dist === 'int') {
      for (let j = 0; j < count; j++) out[i0 + j] = Math.min(b - 1, Math.floor(bitsToUniform(words[j]) * b)); // floor of a uniform in [0, b), capped at b − 1
    } else {
      for (let j = 0; j < count; j++) out[i0 + j] = bitsToUniform(words[j]) < a ? b : 0; // bernoulli: b with probability a
    }
  });
}
