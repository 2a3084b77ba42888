// The Box–Muller transform (Box and Muller 1958, "A note on the generation of random normal
// deviates"): two uniforms u0, u1 in (0, 1) give two independent normals of mean a and
// standard deviation b,
//   r = sqrt(−2·ln u0),  θ = 2π·u1,  x0 = a + b·r·cos θ,  x1 = a + b·r·sin θ
// with each uniform made from a 32-bit Philox word as engine/rng.ts's bitsToUniform makes it:
// u = ((w >>> 9) + 0.5)·2^-23. kernels/cpu/random.ts runs it for the arrays normals.wat does not
// fill (float64 ones, or any outside the kernels' memory). normals.wat is this loop in
// WebAssembly with fdlibm's ln, cos and sin, which are Math's in Node 20: the same bits there.

/** Elements i0 .. i0+count−1 of `out` from words[0 .. count): pairs (j, j+1) from j = 0. */
export function boxMuller(words: Uint32Array, out: Float32Array | Float64Array | Int32Array, i0: number, count: number, a: number, b: number): void {
  for (let j = 0; j < count; j += 2) {
    const r = Math.sqrt(-2 * Math.log(((words[j] >>> 9) + 0.5) * 1.1920928955078125e-7)); // 2^-23
    const theta = 2 * Math.PI * (((words[j + 1] >>> 9) + 0.5) * 1.1920928955078125e-7);
    out[i0 + j] = a + b * r * Math.cos(theta);
    if (j + 1 < count) out[i0 + j + 1] = a + b * r * Math.sin(theta);
  }
}
