// ln, cos and sin as fdlibm computes them (Sun Microsystems, 1993: e_log.c, s_cos.c, s_sin.c,
// k_cos.c, k_sin.c, e_rem_pio2.c), in plain JavaScript: the reference that kernels/cpu/normals.wat
// (the same arithmetic in float64 lanes) is tested against, on any engine.
//
// Why a reference of our own and not Math: JavaScript lets each engine approximate Math.log,
// Math.cos and Math.sin its own way, and they do. V8 in Node 20 uses fdlibm, so there these
// functions and Math agree on every input the tests try; Chromium 156 gives other last bits for
// some of the 2^23 possible uniforms. (The library's own loops keep Math: these functions cost
// about 2.5 times as much, reading a double's words through a typed array, and would add to the
// package what only the tests need.)
//
// Every operation below is one IEEE double operation, in fdlibm's order; the words of a double
// are read and written through a Float64Array that shares its bytes with an Int32Array (little
// endian, as every engine that runs WebAssembly is).

const scratch = new Float64Array(1);
const halves = new Int32Array(scratch.buffer); // [low word, high word]

function highWord(x: number): number {
  scratch[0] = x;
  return halves[1];
}

/** x with its high word replaced by `high`. */
function withHighWord(x: number, high: number): number {
  scratch[0] = x;
  halves[1] = high;
  return scratch[0];
}

/** The double whose high word is `high` and whose low word is 0. */
function fromHighWord(high: number): number {
  halves[1] = high;
  halves[0] = 0;
  return scratch[0];
}

const ln2Hi = 6.93147180369123816490e-01, ln2Lo = 1.90821492927058770002e-10, two54 = 1.80143985094819840000e+16;
const Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01;
const Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;

/**
 * ln x (e_log.c): x = 2^k·(1 + f) with √2/2 ≤ 1 + f < √2, s = f/(2 + f), and
 * ln(1 + f) = 2s + s·R(s²) with R a degree-14 minimax polynomial (Lg1..Lg7).
 */
export function log(x: number): number {
  let hx = highWord(x), k = 0;
  if (hx < 0x00100000) { // x < 2^-1022: zero, negative or subnormal
    if (x === 0) return -Infinity;
    if (x < 0 || x !== x) return NaN;
    k -= 54;
    x *= two54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x; // Infinity or NaN
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000; // the mantissa is past √2: halve x, one more k
  x = withHighWord(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) { // −2^-20 ≤ f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * ln2Hi + k * ln2Lo;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : k * ln2Hi - ((R - k * ln2Lo) - f);
  }
  const s = f / (2.0 + f), z = s * s, w = z * z;
  const t1 = w * (Lg2 + w * (Lg4 + w * Lg6)), t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) { // f far from 0: the f²/2 form
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * ln2Hi - ((hfsq - (s * (hfsq + R) + k * ln2Lo)) - f);
  }
  return k === 0 ? f - s * (f - R) : k * ln2Hi - ((s * (f - R) - k * ln2Lo) - f);
}

const C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05;
const C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
const S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04;
const S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;

/** cos(x + y) for |x| ≤ π/4, y the tail of x (k_cos.c): 1 − x²/2 + x⁴·C(x²), a degree-14 minimax polynomial. */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1; // |x| < 2^-27
  const z = x * x, r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  // qx = |x|/4 with its low word cleared (0.28125 past 0.78125), taken out of 1 and of x²/2 exactly
  const qx = ix > 0x3fe90000 ? 0.28125 : fromHighWord(ix - 0x00200000);
  return (1 - qx) - ((0.5 * z - qx) - (z * r - x * y));
}

/** sin(x + y) for |x| ≤ π/4 (k_sin.c): x + x³·S(x²), degree 13; `hasTail` false where y is 0. */
function kernelSin(x: number, y: number, hasTail: boolean): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return x; // |x| < 2^-27
  const z = x * x, v = z * x, r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  return hasTail ? x - ((z * (0.5 * y - v * r) - y) - v * S1) : x + v * (S1 + z * r);
}

const invPio2 = 6.36619772367581382433e-01; // 2/π
const pio2_1 = 1.57079632673412561417e+00, pio2_1t = 6.07710050650619224932e-11; // π/2's first 33 bits, and the rest
const pio2_2 = 6.07710050630396597660e-11, pio2_2t = 2.02226624879595063154e-21; // the next 33, and the rest
const pio2_3 = 2.02226624871116645580e-21, pio2_3t = 8.47842766036889956997e-32; // the next 33, and the rest
/** The high words of n·π/2 for n = 1 .. 32: where x shares one, the first reduction may cancel. */
const npio2Hw = [
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb,
  0x402c463a, 0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb,
  0x403ab41b, 0x403c463a, 0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c,
  0x4043a28c, 0x40446b9c, 0x404534ac, 0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
];

/** The reduction's result: x = n·π/2 + y0 + y1 with |y0| ≤ π/4. */
const reduced = { y0: 0, y1: 0 };

/**
 * n with x − n·π/2 in `reduced` (e_rem_pio2.c) for π/4 < |x| ≤ 2^19·π/2: π/2 in 33-bit pieces, a
 * second and third piece only where the first cancels. Larger |x| needs fdlibm's long reduction
 * (k_rem_pio2.c), which is not here: the callers leave such x to Math.
 */
function remPio2(x: number): number {
  const hx = highWord(x), ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) { // |x| < 3π/4: n = ±1
    const sign = hx > 0 ? 1 : -1;
    let z = x - sign * pio2_1;
    if (ix !== 0x3ff921fb) { // 33 + 53 bits of π/2 suffice
      reduced.y0 = z - sign * pio2_1t;
      reduced.y1 = (z - reduced.y0) - sign * pio2_1t;
    } else { // near π/2: 33 + 33 + 53 bits
      z -= sign * pio2_2;
      reduced.y0 = z - sign * pio2_2t;
      reduced.y1 = (z - reduced.y0) - sign * pio2_2t;
    }
    return sign;
  }
  const t = Math.abs(x);
  const n = Math.trunc(t * invPio2 + 0.5), fn = n;
  let r = t - fn * pio2_1, w = fn * pio2_1t; // the first round: good to 85 bits
  let y0 = r - w;
  if (!(n < 32 && ix !== npio2Hw[n - 1])) {
    const j = ix >> 20;
    if (j - ((highWord(y0) >> 20) & 0x7ff) > 16) { // a second round: good to 118 bits
      let u = r;
      w = fn * pio2_2;
      r = u - w;
      w = fn * pio2_2t - ((u - r) - w);
      y0 = r - w;
      if (j - ((highWord(y0) >> 20) & 0x7ff) > 49) { // a third: 151 bits, enough for every x here
        u = r;
        w = fn * pio2_3;
        r = u - w;
        w = fn * pio2_3t - ((u - r) - w);
        y0 = r - w;
      }
    }
  }
  const y1 = (r - y0) - w;
  // fdlibm writes the result's negation as −y (an exact sign flip)
  reduced.y0 = hx < 0 ? -y0 : y0;
  reduced.y1 = hx < 0 ? -y1 : y1;
  return hx < 0 ? -n : n;
}

/** Past 2^19·π/2 fdlibm reduces x by a long multiplication with 2/π, not ported here. */
const LARGEST_REDUCED = 0x413921fb;

/** cos x (s_cos.c): fdlibm's where |x| ≤ 2^19·π/2, Math.cos beyond (Box–Muller's angles are below 2π). */
export function cos(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0); // |x| ≤ π/4
  if (ix > LARGEST_REDUCED) return Math.cos(x);
  switch (remPio2(x) & 3) {
    case 0: return kernelCos(reduced.y0, reduced.y1);
    case 1: return -kernelSin(reduced.y0, reduced.y1, true);
    case 2: return -kernelCos(reduced.y0, reduced.y1);
    default: return kernelSin(reduced.y0, reduced.y1, true);
  }
}

/** sin x (s_sin.c): fdlibm's where |x| ≤ 2^19·π/2, Math.sin beyond. */
export function sin(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, false);
  if (ix > LARGEST_REDUCED) return Math.sin(x);
  switch (remPio2(x) & 3) {
    case 0: return kernelSin(reduced.y0, reduced.y1, true);
    case 1: return kernelCos(reduced.y0, reduced.y1);
    case 2: return -kernelSin(reduced.y0, reduced.y1, true);
    default: return -kernelCos(reduced.y0, reduced.y1);
  }
}

/** kernels/cpu/box-muller.ts's loop with these ln, cos and sin in place of Math's: what normals.wat must store. */
export function referenceBoxMuller(words: Uint32Array, out: Float32Array, i0: number, count: number, a: number, b: number): void {
  for (let j = 0; j < count; j += 2) {
    const r = Math.sqrt(-2 * log(((words[j] >>> 9) + 0.5) * 1.1920928955078125e-7));
    const theta = 2 * Math.PI * (((words[j + 1] >>> 9) + 0.5) * 1.1920928955078125e-7);
    out[i0 + j] = a + b * r * cos(theta);
    if (j + 1 < count) out[i0 + j + 1] = a + b * r * sin(theta);
  }
}
