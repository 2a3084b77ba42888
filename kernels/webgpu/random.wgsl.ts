// WGSL twin of kernels/cpu/random.ts: Philox 4x32-10 (engine/rng.ts documents the layout), so
// the same key and counter give the very same uint32 stream as the CPU. One thread per
// Philox block: thread t computes block (counter + t) and writes elements 4t .. 4t+3.
//
// WGSL has no 64-bit integers, so the 32x32 -> 64-bit products of Philox are built from 16-bit
// halves (mul_wide below), the same way engine/rng.ts's mulhi32 does it in JavaScript.

import type { RandomDist, Storage } from '../../engine/backend';
import { gridFor, type DispatchPlan, type Param, type PlanLimits, type Planner } from './plan';
import { header, type ParamDecl } from './wgsl';

const WG = 64;
const TWO_POW_24 = 16777216;
const TWO_POW_32 = 4294967296;

export const PHILOX_WGSL = /* wgsl */ `
// (hi, lo) words of the 64-bit product a * b, from four 16x16 -> 32-bit products.
fn mul_wide(a: u32, b: u32) -> vec2u {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo;
  let lo_hi = a_lo * b_hi;
  let hi_lo = a_hi * b_lo;
  let cross = (lo_lo >> 16u) + (lo_hi & 0xffffu) + (hi_lo & 0xffffu);
  let hi = a_hi * b_hi + (lo_hi >> 16u) + (hi_lo >> 16u) + (cross >> 16u);
  return vec2u(hi, a * b); // u32 multiplication wraps: a * b is the low word
}

// Philox 4x32 with 10 rounds (Salmon et al. 2011): counter c, key k -> 128 random bits.
fn philox4x32(key: vec2u, counter: vec4u) -> vec4u {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    let p0 = mul_wide(0xd2511f53u, c.x);
    let p1 = mul_wide(0xcd9e8d57u, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2u(0x9e3779b9u, 0xbb67ae85u);
  }
  return c;
}

// Block number (counter + t) as the two low counter words, with the carry into the high word.
fn block_counter(counter_lo: u32, counter_hi: u32, t: u32) -> vec4u {
  let lo = counter_lo + t;
  let carry = select(0u, 1u, lo < counter_lo);
  return vec4u(lo, counter_hi + carry, 0u, 0u);
}

// uint32 bits -> uniform in (0, 1): ((bits >> 9) + 0.5) * 2^-23, exact in float32.
fn bits_to_uniform(bits: u32) -> f32 {
  return (f32(bits >> 9u) + 0.5) * ${1 / 8388608};
}
`;

/** How one lane's value is made from its 32 random bits (the uniform distributions). */
function laneValue(dist: Exclude<RandomDist, 'normal'>): string {
  switch (dist) {
    // uniform in (a, a + span)
    case 'uniform': return 'p.a + p.span * bits_to_uniform(bits)';
    // floor(u * b) with u = (2v + 1) / 2^24, v = bits >> 9, done in integers so no float rounding
    // can move it across an integer: the 64-bit (2v + 1) * b shifted right by 24.
    case 'int': return 'min(p.ib - 1u, int_below(bits, p.ib))';
    // u < a  <=>  2v + 1 < ceil(a 2^24) (exact in integers); value b, else 0
    case 'bernoulli': return 'select(0.0, p.b, 2u * (bits >> 9u) + 1u < p.threshold)';
  }
}

// Box-Muller needs ln(u) and cos/sin(2 pi u) to float32 accuracy. WGSL only promises an
// absolute error of 2^-11 for sin and cos (and 2^-21 for log near 1), which shows in the
// normals, so both are computed here with short series on a reduced argument.
const BOX_MULLER = /* wgsl */ `
// ln(u) for u in (0, 1). For u >= 0.5: ln u = 2 atanh(s), s = (u - 1) / (u + 1), |s| <= 1/3,
// where u - 1 is exact; the odd series s + s^3/3 + ... converges fast. Below 0.5 the
// built-in log is accurate to a few ulps.
fn ln_uniform(u: f32) -> f32 {
  if (u < 0.5) { return log(u); }
  let s = (u - 1.0) / (u + 1.0);
  let s2 = s * s;
  var term = s;
  var sum = s;
  for (var k = 3.0; k < 24.0; k += 2.0) {
    term *= s2;
    sum += term / k;
  }
  return 2.0 * sum;
}

// (cos, sin) of 2 pi u for u in (0, 1): split u = q/4 + f with |f| <= 1/8 (exact in float32),
// take Taylor series of a = 2 pi f (|a| <= pi/4), and rotate by q quarter turns.
fn cos_sin_2pi(u: f32) -> vec2f {
  let q = floor(4.0 * u + 0.5);
  let a = 6.283185307179586 * (u - 0.25 * q);
  let a2 = a * a;
  let sn = a * (1.0 - a2 / 6.0 * (1.0 - a2 / 20.0 * (1.0 - a2 / 42.0 * (1.0 - a2 / 72.0 * (1.0 - a2 / 110.0)))));
  let cs = 1.0 - a2 / 2.0 * (1.0 - a2 / 12.0 * (1.0 - a2 / 30.0 * (1.0 - a2 / 56.0 * (1.0 - a2 / 90.0 * (1.0 - a2 / 132.0)))));
  switch (u32(q) % 4u) {
    case 1u: { return vec2f(-sn, cs); }
    case 2u: { return vec2f(-cs, -sn); }
    case 3u: { return vec2f(sn, -cs); }
    default: { return vec2f(cs, sn); }
  }
}
`;

/** floor(u·n) for the uniform u of `bits`, in integers (see laneValue's 'int'). */
export const INT_BELOW = /* wgsl */ `
fn int_below(bits: u32, n: u32) -> u32 {
  let prod = mul_wide(2u * (bits >> 9u) + 1u, n);
  return (prod.x << 8u) | (prod.y >> 24u);
}
`;

export function counterParams(counter: number): Param[] {
  if (!Number.isInteger(counter) || counter < 0) throw new Error(`webgpu random: bad counter ${counter}`);
  return [{ u32: counter % TWO_POW_32 >>> 0 }, { u32: Math.floor(counter / TWO_POW_32) >>> 0 }];
}

export const planRandom: Planner<'random'> = (c, limits): DispatchPlan => {
  const n = c.out.size;
  const blocks = Math.ceil(n / 4);
  const isInt = c.out.dtype === 'int32';
  const decls: ParamDecl[] = [['n', 'u32'], ['key0', 'u32'], ['key1', 'u32'], ['counterLo', 'u32'], ['counterHi', 'u32'],
    ['a', 'f32'], ['b', 'f32'], ['span', 'f32'], ['ib', 'u32'], ['threshold', 'u32']];
  let ib = 0;
  if (c.dist === 'int') {
    if (!Number.isInteger(c.b) || c.b < 1 || c.b >= TWO_POW_32) throw new Error(`webgpu random: int needs an integer bound in [1, 2^32), got ${c.b}`);
    ib = c.b;
  }
  const threshold = c.dist === 'bernoulli' ? Math.min(Math.max(Math.ceil(c.a * TWO_POW_24), 0), TWO_POW_24 + 1) : 0;
  const params: Param[] = [{ u32: n }, { u32: c.key0 >>> 0 }, { u32: c.key1 >>> 0 }, ...counterParams(c.counter),
    { f32: c.a }, { f32: c.b }, { f32: c.b - c.a }, { u32: ib }, { u32: threshold }];
  // Values go out as raw words: float32 bits, or an int32 for int tensors.
  const store = isInt ? 'bitcast<u32>(i32(v))' : 'bitcast<u32>(v)';
  let body: string;
  if (c.dist === 'normal') {
    // Box-Muller on lanes (0, 1) and (2, 3): r = sqrt(-2 ln u0), z0 = r cos(2 pi u1), z1 = r sin(2 pi u1)
    body = /* wgsl */ `
  for (var pair = 0u; pair < 2u; pair++) {
    let r = sqrt(-2.0 * ln_uniform(bits_to_uniform(block[2u * pair])));
    let cs = cos_sin_2pi(bits_to_uniform(block[2u * pair + 1u]));
    let j = first + 2u * pair;
    if (j < p.n) { let v = p.a + p.b * r * cs.x; OUT[j] = ${store}; }
    if (j + 1u < p.n) { let v = p.a + p.b * r * cs.y; OUT[j + 1u] = ${store}; }
  }`;
  } else if (c.dist === 'uniform' || c.dist === 'int' || c.dist === 'bernoulli') {
    const value = laneValue(c.dist);
    // 'int' makes a u32 (stored as is in an int32 tensor); the others make an f32.
    const laneStore = c.dist === 'int' ? (isInt ? 'v' : 'bitcast<u32>(f32(v))') : store;
    body = /* wgsl */ `
  for (var lane = 0u; lane < 4u; lane++) {
    let j = first + lane;
    if (j < p.n) {
      let bits = block[lane];
      let v = ${value};
      OUT[j] = ${laneStore};
    }
  }`;
  } else {
    throw new Error(`webgpu random: unknown distribution '${c.dist as string}'`);
  }
  const key = `random.${c.dist}.${isInt ? 'i32' : 'f32'}`;
  return {
    key,
    label: key,
    wgsl: () => /* wgsl */ `
${header([], [['OUT', 'u32']], decls)}
${PHILOX_WGSL}
${BOX_MULLER}
${INT_BELOW}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wg.y * nwg.x + wg.x) * ${WG}u + lid;   // this thread's block
  let first = 4u * t;
  if (first >= p.n) { return; }
  let block = philox4x32(vec2u(p.key0, p.key1), block_counter(p.counterLo, p.counterHi, t));
  ${body}
}`,
    inputs: [],
    outputs: [c.out],
    params,
    workgroups: gridFor(blocks, WG, limits),
  };
};

/**
 * A debug kernel: the raw Philox words themselves, element i = lane i % 4 of block
 * counter + floor(i / 4), into an int32 buffer (reinterpret as uint32). Tests compare it with
 * engine/rng.ts's philox4x32 word for word.
 */
export function planPhiloxBits(out: Storage, key0: number, key1: number, counter: number, limits: PlanLimits): DispatchPlan {
  const n = out.size;
  return {
    key: 'random.bits',
    label: 'random.bits',
    wgsl: () => /* wgsl */ `
${header([], [['OUT', 'u32']], [['n', 'u32'], ['key0', 'u32'], ['key1', 'u32'], ['counterLo', 'u32'], ['counterHi', 'u32']])}
${PHILOX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wg.y * nwg.x + wg.x) * ${WG}u + lid;
  let first = 4u * t;
  if (first >= p.n) { return; }
  let block = philox4x32(vec2u(p.key0, p.key1), block_counter(p.counterLo, p.counterHi, t));
  for (var lane = 0u; lane < 4u; lane++) {
    if (first + lane < p.n) { OUT[first + lane] = block[lane]; }
  }
}`,
    inputs: [],
    outputs: [out],
    params: [{ u32: n }, { u32: key0 >>> 0 }, { u32: key1 >>> 0 }, ...counterParams(counter)],
    workgroups: gridFor(Math.ceil(n / 4), WG, limits),
  };
}
