// The matmul ladder, the fused linear kernel and transpose (kernels/webgpu/matmul.wgsl.ts),
// run through tests/webgpu/plan-harness.ts on the WebGPU device, compared with their CPU twins
// (kernels/cpu/matmul.ts) run in float64 on the same float32 inputs.
//
// Criterion, for every output element: |gpu - ref| <= 1e-4 · max(1, |ref|).
// Inputs are fresh uniform random numbers in [-1, 1): a new seed per run, printed on failure;
// GRADLAB_SEED=<seed> replays one.

import { afterAll, describe, expect, it } from 'vitest';
import type { FusedActivation, MatmulVariant } from '../../engine/backend';
import { linear as cpuLinear, matmul as cpuMatmul, transpose as cpuTranspose } from '../../kernels/cpu/matmul';
import { unary as cpuUnary } from '../../kernels/cpu/unary';
import {
  chooseRung, MATMUL_RUNGS, planLinear, planLinearOn, planMatmul, planMatmulOn, planMatmulWith, planTranspose, smallSlices, type MatmulRung,
} from '../../kernels/webgpu/matmul.wgsl';
import { DEFAULT_LIMITS, type DispatchPlan } from '../../kernels/webgpu/plan';
import { planReduce, sumsInOrder } from '../../kernels/webgpu/reduce.wgsl';
import { closeHarnessDevice, harnessDevice, makeStorage, readStorage, runPlans } from './plan-harness';
import { expectClose as expectCloseShared, randomArray, TEST_SEED, TOL } from './compare';

afterAll(closeHarnessDevice);

/** The worst error seen in this file, reported at the end. */
let worstSeen = { err: 0, what: '' };

function expectClose(gpu: Float32Array, ref: Float64Array, what: string): void {
  const err = expectCloseShared(gpu, ref, `${what} (seed ${TEST_SEED})`);
  if (err > worstSeen.err) worstSeen = { err, what };
}

interface MatmulCase {
  batch: number; m: number; k: number; n: number; transA: boolean; transB: boolean;
  /** Which operands have a batch of their own (stride 0 = shared by every batch item). */
  batchedA: boolean; batchedB: boolean;
}

const mm = (m: number, k: number, n: number, transA = false, transB = false): MatmulCase =>
  ({ batch: 1, m, k, n, transA, transB, batchedA: false, batchedB: false });

/**
 * One product on the GPU against the CPU twin in float64. accumulate: out starts with random
 * values (a gradient summed earlier), and the product is added to them (engine/fusion.ts, 8).
 */
async function checkMatmul(c: MatmulCase, variant: MatmulRung | 'auto', accumulate = false): Promise<void> {
  const device = await harnessDevice();
  const strideA = c.batchedA ? c.m * c.k : 0;
  const strideB = c.batchedB ? c.k * c.n : 0;
  const a = randomArray(c.batchedA ? c.batch * c.m * c.k : c.m * c.k);
  const b = randomArray(c.batchedB ? c.batch * c.k * c.n : c.k * c.n);
  const outSize = c.batch * c.m * c.n;
  const ref = new Float64Array(outSize);
  cpuMatmul(Float64Array.from(a), Float64Array.from(b), ref, c.batch, c.m, c.k, c.n, c.transA, c.transB, strideA, strideB);
  // Without accumulate every output must be written (NaN until then); with it, each adds to what it holds.
  const before = accumulate ? randomArray(outSize) : Float32Array.from({ length: outSize }, () => NaN);
  if (accumulate) for (let i = 0; i < outSize; i++) ref[i] += before[i];
  const sa = makeStorage(device, a.length, a);
  const sb = makeStorage(device, b.length, b);
  const so = makeStorage(device, outSize, before);
  const call = {
    kernel: 'matmul' as const, a: sa, b: sb, out: so, batch: c.batch, m: c.m, k: c.k, n: c.n,
    transA: c.transA, transB: c.transB, strideA, strideB, ...(accumulate ? { accumulate } : {}),
  };
  const plans = variant === 'auto' ? planMatmul({ ...call, variant }, DEFAULT_LIMITS) : planMatmulOn(call, variant, DEFAULT_LIMITS);
  await runPlans(device, plans);
  const gpu = await readStorage(device, so);
  for (const s of [sa, sb, so]) s.buffer.destroy();
  const label = (Array.isArray(plans) ? plans : [plans]).map((p) => p.label).join('+');
  if (accumulate) expect(label).toContain('.add');
  expectClose(gpu, ref, `${label} batch ${c.batch} ${c.m}x${c.k}x${c.n}`);
}

const VARIANTS: (MatmulRung | 'auto')[] = [...MATMUL_RUNGS, 'auto'];
const SIZES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [64, 64, 64], [127, 129, 131], [256, 256, 256]];
const FLAGS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

describe.each(VARIANTS)('matmul %s vs the CPU twin', (variant) => {
  it.each(SIZES)('%i x %i x %i', async (m, k, n) => {
    await checkMatmul(mm(m, k, n), variant);
  });

  for (const [m, k, n] of [[3, 5, 7], [127, 129, 131]] as const) {
    it.each(FLAGS)(`${m}x${k}x${n}, transA %s transB %s`, async (transA, transB) => {
      await checkMatmul(mm(m, k, n, transA, transB), variant);
    });
  }

  it.each(FLAGS)('batched 5 x [17x33]·[33x70], both batched, transA %s transB %s', async (transA, transB) => {
    await checkMatmul({ batch: 5, m: 17, k: 33, n: 70, transA, transB, batchedA: true, batchedB: true }, variant);
  });
  it.each(FLAGS)('batched 4 x [67x20]·[20x65], A shared (stride 0), transA %s transB %s', async (transA, transB) => {
    await checkMatmul({ batch: 4, m: 67, k: 20, n: 65, transA, transB, batchedA: false, batchedB: true }, variant);
  });
  it.each(FLAGS)('batched 3 x [9x130]·[130x11], B shared (stride 0), transA %s transB %s', async (transA, transB) => {
    await checkMatmul({ batch: 3, m: 9, k: 130, n: 11, transA, transB, batchedA: true, batchedB: false }, variant);
  });

  // The toy models' shapes: forward, and the backward products dx = dy·Wᵀ and dW = xᵀ·dy.
  const toy: [string, MatmulCase][] = [
    ['[128,10]·[10,16]', mm(128, 10, 16)],
    ['[128,1]·[1,32]', mm(128, 1, 32)],
    ['[128,32]·[32,1]', mm(128, 32, 1)],
    ['[10,128]ᵀ·[128,16] (stored [128,10], dW)', mm(10, 128, 16, true)],
    ['[1,128]ᵀ·[128,32] (dW of a 1-input layer)', mm(1, 128, 32, true)],
    ['[32,128]ᵀ·[128,1] (dW of a 1-output layer)', mm(32, 128, 1, true)],
    ['[128,16]·[10,16]ᵀ (dx)', mm(128, 16, 10, false, true)],
    ['[128,1]·[32,1]ᵀ (dx of a 1-output layer)', mm(128, 1, 32, false, true)],
    ['[16,1024]ᵀ·[1024,64] (dW, big batch)', mm(16, 1024, 64, true)],
  ];
  it.each(toy)('toy shape %s', async (_, c) => {
    await checkMatmul(c, variant);
  });

  // tiled and register cost 3-8 s here on lavapipe (70000 workgroups of 256 threads with barriers).
  it('more than 65535 workgroups (a 2-D grid): batch 70000 of [2x3]·[3x2]', async () => {
    await checkMatmul({ batch: 70000, m: 2, k: 3, n: 2, transA: false, transB: true, batchedA: true, batchedB: false }, variant);
  });
});

// The CPU adapters' rungs: block (4×16 outputs per invocation, 64 rows a workgroup; vec4 reads
// when every row starts on a multiple of 4) and broadcast (8×16 per invocation, 16 columns and
// 64 rows a workgroup; 8×4 and 4 columns when n ≤ 4; A float by float, B's rows as vec4s when
// B is stored [k, n] with n a multiple of 4). Sizes around their tiles, all multiples of 4 (the
// vec4 paths) and not, every layout, batched with and without shared operands.
describe.each(['block', 'broadcast'] as const)('matmul %s rung: edges of its tiles, vec4 and scalar reads', (rung) => {
  const EDGES = [1, 3, 17, 63, 65, 130];
  const edgeCases: [number, number, number][] = [];
  for (const m of EDGES) for (const n of EDGES) edgeCases.push([m, EDGES[(m + n) % EDGES.length], n]);
  for (const [transA, transB] of FLAGS) {
    it.each(edgeCases)(`scalar reads, %i x %i x %i, transA ${transA} transB ${transB}`, async (m, k, n) => {
      await checkMatmul(mm(m, k, n, transA, transB), rung);
    });
    it.each([[4, 4, 4], [64, 64, 64], [68, 12, 20], [512, 64, 64], [64, 512, 64], [132, 8, 36]])(
      `vec4 reads, %i x %i x %i, transA ${transA} transB ${transB}`, async (m, k, n) => {
        await checkMatmul(mm(m, k, n, transA, transB), rung);
      });
    it(`batched, vec4: 3 x [20x8]·[8x36], B shared, transA ${transA} transB ${transB}`, async () => {
      await checkMatmul({ batch: 3, m: 20, k: 8, n: 36, transA, transB, batchedA: true, batchedB: false }, rung);
    });
    it(`batched, scalar: 5 x [17x33]·[33x70], transA ${transA} transB ${transB}`, async () => {
      await checkMatmul({ batch: 5, m: 17, k: 33, n: 70, transA, transB, batchedA: true, batchedB: true }, rung);
    });
  }
});

describe('matmul small rung with K split over S threads (tree reduction)', () => {
  async function checkSliced(c: MatmulCase, slices: number): Promise<void> {
    const device = await harnessDevice();
    const strideA = c.batchedA ? c.m * c.k : 0;
    const strideB = c.batchedB ? c.k * c.n : 0;
    const a = randomArray(c.batchedA ? c.batch * c.m * c.k : c.m * c.k);
    const b = randomArray(c.batchedB ? c.batch * c.k * c.n : c.k * c.n);
    const ref = new Float64Array(c.batch * c.m * c.n);
    cpuMatmul(Float64Array.from(a), Float64Array.from(b), ref, c.batch, c.m, c.k, c.n, c.transA, c.transB, strideA, strideB);
    const sa = makeStorage(device, a.length, a);
    const sb = makeStorage(device, b.length, b);
    const so = makeStorage(device, ref.length, Float32Array.from(ref, () => NaN));
    const plans = planMatmulWith({
      kernel: 'matmul', a: sa, b: sb, out: so, batch: c.batch, m: c.m, k: c.k, n: c.n,
      transA: c.transA, transB: c.transB, strideA, strideB, variant: 'small',
    }, DEFAULT_LIMITS, slices);
    expect(plans[0].key).toContain(`small${slices}.`);
    await runPlans(device, plans);
    const gpu = await readStorage(device, so);
    for (const s of [sa, sb, so]) s.buffer.destroy();
    expectClose(gpu, ref, `${plans[0].label} batch ${c.batch} ${c.m}x${c.k}x${c.n}`);
  }
  const cases: [string, MatmulCase][] = [
    ['[10,128]ᵀ·[128,16]', mm(10, 128, 16, true)],
    ['[32,4096]ᵀ·[4096,1]', mm(32, 4096, 1, true)],
    ['3x5x7 (K shorter than S)', mm(3, 5, 7)],
    ['[7,300]·[9,300]ᵀ', mm(7, 300, 9, false, true)],
    ['batch 3, B shared', { batch: 3, m: 5, k: 200, n: 6, transA: true, transB: true, batchedA: true, batchedB: false }],
  ];
  for (const slices of [2, 4, 8, 16, 32, 64]) {
    it.each(cases)(`S = ${slices}: %s`, async (_, c) => {
      await checkSliced(c, slices);
    });
  }
  it('auto splits K only for fewer outputs than a workgroup', () => {
    expect(smallSlices(160, 128)).toBe(1);
    expect(smallSlices(32, 4096)).toBe(4);
    expect(smallSlices(1, 1 << 20)).toBe(64);
    expect(smallSlices(1, 10)).toBe(1);
  });
});

describe('matmul plans', () => {
  const fake = (size: number) => ({ backend: 'webgpu' as const, size, dtype: 'float32' as const });
  const call = (m: number, k: number, n: number) => ({
    kernel: 'matmul' as const, a: fake(m * k), b: fake(k * n), out: fake(m * n),
    batch: 1, m, k, n, transA: false, transB: false, strideA: 0, strideB: 0,
  });
  const plansOf = (p: DispatchPlan | DispatchPlan[]): DispatchPlan[] => (Array.isArray(p) ? p : [p]);

  it('auto picks broadcast when both output sides are at least 16, small for thin products', () => {
    expect(chooseRung(256, 256, 256)).toBe('broadcast');
    expect(chooseRung(1024, 1024, 1024)).toBe('broadcast');
    expect(chooseRung(512, 64, 64)).toBe('broadcast');
    expect(chooseRung(128, 10, 16)).toBe('broadcast');
    expect(chooseRung(10, 128, 16)).toBe('small');
    expect(chooseRung(512, 64, 1)).toBe('small');
    expect(chooseRung(128, 32, 1)).toBe('small');
    expect(plansOf(planMatmul(call(128, 10, 16), DEFAULT_LIMITS))[0].label).toMatch(/^matmul\.broadcast4\./); // B [10, 16]: its rows as vec4s
    expect(plansOf(planMatmulOn(call(128, 10, 16), 'block', DEFAULT_LIMITS))[0].label).toMatch(/^matmul\.block1\./); // k = 10: scalar reads
    expect(plansOf(planMatmul(call(512, 64, 64), DEFAULT_LIMITS))[0].label).toMatch(/^matmul\.broadcast4\.NN$/); // the default block, 8 × 16
    expect(plansOf(planMatmul({ ...call(512, 64, 64), transB: true }, DEFAULT_LIMITS))[0].label).toMatch(/^matmul\.broadcast1\.NT$/); // B stored [n, k]: float by float
    expect(plansOf(planMatmul(call(512, 64, 18), DEFAULT_LIMITS))[0].label).toMatch(/^matmul\.broadcast1\.NN$/); // n not a multiple of 4
    expect(plansOf(planMatmulOn(call(512, 64, 1), 'broadcast', DEFAULT_LIMITS))[0].label).toMatch(/^matmul\.broadcast1\.NN\.8x4g8$/); // n ≤ 4: 4 columns an invocation
    expect(plansOf(planMatmulOn(call(512, 64, 64), 'block', DEFAULT_LIMITS))[0].label).toMatch(/^matmul\.block4\./); // all multiples of 4: vec4 reads
    expect(plansOf(planMatmul(call(128, 32, 1), DEFAULT_LIMITS))[0].label).toMatch(/^matmul\.small/);
  });

  it('the key names everything baked into the WGSL', () => {
    const keys = new Set<string>();
    const texts = new Set<string>();
    for (const variant of MATMUL_RUNGS) {
      for (const [transA, transB] of FLAGS) {
        for (const [m, k, n] of [[4, 4, 4], [4, 4096, 4], [3, 5, 7]]) { // small's slices depend on k; block reads vec4s or not
          for (const grad of [undefined, { y: fake(m * n), activation: 'relu' as const, alpha: 0 }, { y: fake(m * n), activation: 'tanh' as const, alpha: 0 }]) {
            const plan = plansOf(planMatmulOn({ ...call(m, k, n), transA, transB, activationGrad: grad }, variant, DEFAULT_LIMITS))[0];
            keys.add(plan.key);
            texts.add(plan.key + '\n' + plan.wgsl());
          }
        }
      }
    }
    expect(texts.size).toBe(keys.size); // same key, same text
  });

  it('empty products plan nothing', () => {
    expect(plansOf(planMatmul(call(0, 5, 3), DEFAULT_LIMITS))).toEqual([]);
    expect(plansOf(planTranspose({ kernel: 'transpose', x: fake(0), out: fake(0), rows: 0, cols: 4 }, DEFAULT_LIMITS))).toEqual([]);
  });

  it('bad calls throw errors naming the op and the problem', () => {
    expect(() => planMatmul({ ...call(3, 4, 5), a: fake(11) }, DEFAULT_LIMITS)).toThrow(/matmul: A holds 11 elements, the shapes need 12/);
    expect(() => planMatmul({ ...call(3, 4, 5), m: 2.5 }, DEFAULT_LIMITS)).toThrow(/matmul: m must be a non-negative integer, got 2.5/);
    expect(() => planMatmul({ ...call(3, 4, 5), batch: 2, strideB: 20 }, DEFAULT_LIMITS)).toThrow(/matmul: B holds 20 elements, the shapes need 40/);
    expect(() => planMatmul({ ...call(3, 4, 5), variant: 'fast' as MatmulVariant }, DEFAULT_LIMITS)).toThrow(/matmul: unknown variant 'fast'/);
    expect(() => planMatmul({ ...call(3, 4, 5), out: { ...fake(15), dtype: 'int32' } }, DEFAULT_LIMITS)).toThrow(/matmul: out must be a float32 buffer/);
    expect(() => planMatmul({ ...call(3, 4, 5), activationGrad: { y: fake(14), activation: 'relu', alpha: 0 } }, DEFAULT_LIMITS))
      .toThrow(/matmul: y \(the layer output of activationGrad\) holds 14 elements, the shapes need 15/);
    expect(() => planMatmul({ ...call(3, 4, 5), activationGrad: { y: fake(15), activation: 'gelu' as 'relu', alpha: 0 } }, DEFAULT_LIMITS))
      .toThrow(/matmul: unknown activation gradient 'gelu'/);
    expect(() => planLinear({ kernel: 'linear', x: fake(12), w: fake(20), b: fake(4), out: fake(15), m: 3, k: 4, n: 5, activation: 'relu', alpha: 0 }, DEFAULT_LIMITS))
      .toThrow(/linear: bias holds 4 elements, the shapes need 5/);
    expect(() => planTranspose({ kernel: 'transpose', x: fake(5), out: fake(6), rows: 2, cols: 3 }, DEFAULT_LIMITS)).toThrow(/transpose: x holds 5 elements/);
  });
});

// ---- linear -------------------------------------------------------------------------------------

const ACTIVATIONS: FusedActivation[] = ['none', 'relu', 'leakyRelu', 'sigmoid', 'tanh'];

async function checkLinear(m: number, k: number, n: number, activation: FusedActivation, withBias: boolean, rung: MatmulRung | 'auto', scale = 1): Promise<void> {
  const device = await harnessDevice();
  const alpha = 0.2;
  // scale spreads the pre-activations over the saturating ranges of sigmoid and tanh.
  const x = randomArray(m * k).map((v) => v * scale);
  const w = randomArray(k * n);
  const bias = withBias ? randomArray(n) : null;
  const ref = new Float64Array(m * n);
  cpuLinear(Float64Array.from(x), Float64Array.from(w), bias ? Float64Array.from(bias) : null, ref, m, k, n, activation, alpha);
  const sx = makeStorage(device, x.length, x);
  const sw = makeStorage(device, w.length, w);
  const sb = bias ? makeStorage(device, n, bias) : null;
  const so = makeStorage(device, m * n, Float32Array.from({ length: m * n }, () => NaN));
  const plans = planLinearOn({ kernel: 'linear', x: sx, w: sw, b: sb, out: so, m, k, n, activation, alpha }, rung, DEFAULT_LIMITS);
  await runPlans(device, plans);
  const gpu = await readStorage(device, so);
  for (const s of [sx, sw, sb, so]) s?.buffer.destroy();
  expectClose(gpu, ref, `${plans.map((p) => p.label).join('+')} ${m}x${k}x${n}`);
}

describe.each(ACTIVATIONS)('linear with %s vs the CPU twin', (activation) => {
  for (const withBias of [true, false]) {
    const b = withBias ? 'with bias' : 'without bias';
    it.each([[128, 10, 16], [128, 1, 32], [128, 32, 1], [127, 129, 131], [1, 1, 1]])(`auto, ${b}, %i x %i x %i`, async (m, k, n) => {
      await checkLinear(m, k, n, activation, withBias, 'auto');
    });
    it.each(MATMUL_RUNGS)(`%s rung, ${b}, 65 x 70 x 67`, async (rung) => {
      await checkLinear(65, 70, 67, activation, withBias, rung);
    });
    // All multiples of 4: block reads vec4s (broadcast B's rows), the epilogue per element.
    it.each(['block', 'broadcast'] as const)(`%s rung, vec4, ${b}, 132 x 68 x 20`, async (rung) => {
      await checkLinear(132, 68, 20, activation, withBias, rung);
    });
  }
  it('auto, large pre-activations (saturation, sign of 0)', async () => {
    await checkLinear(64, 40, 80, activation, true, 'auto', 30);
    await checkLinear(128, 10, 16, activation, true, 'auto', 30);
  });
});

// ---- matmul with a layer's activation gradient in its store ------------------------------------
// The backward's fusion 6 (engine/fusion.ts): out = (op(A)·op(B)) ⊙ act'(y), y the layer's output.

const GRAD_ACTIVATIONS = ['relu', 'leakyRelu', 'sigmoid', 'tanh'] as const;

async function checkMatmulActivationGrad(c: MatmulCase, activation: (typeof GRAD_ACTIVATIONS)[number], variant: MatmulRung | 'auto'): Promise<void> {
  const device = await harnessDevice();
  const alpha = 0.2;
  const strideA = c.batchedA ? c.m * c.k : 0;
  const strideB = c.batchedB ? c.k * c.n : 0;
  const a = randomArray(c.batchedA ? c.batch * c.m * c.k : c.m * c.k);
  const b = randomArray(c.batchedB ? c.batch * c.k * c.n : c.k * c.n);
  const outSize = c.batch * c.m * c.n;
  // y as the layer's output: the activation of values of both signs.
  const y = Float32Array.from(cpuActivation(activation, randomArray(outSize).map((v) => 3 * v), alpha));
  const ref = new Float64Array(outSize);
  cpuMatmul(Float64Array.from(a), Float64Array.from(b), ref, c.batch, c.m, c.k, c.n, c.transA, c.transB, strideA, strideB, { activation, alpha }, Float64Array.from(y));
  const [sa, sb, sy] = [a, b, y].map((v) => makeStorage(device, v.length, v));
  const so = makeStorage(device, outSize, Float32Array.from({ length: outSize }, () => NaN));
  const call = {
    kernel: 'matmul' as const, a: sa, b: sb, out: so, batch: c.batch, m: c.m, k: c.k, n: c.n,
    transA: c.transA, transB: c.transB, strideA, strideB, activationGrad: { y: sy, activation, alpha },
  };
  const plans = variant === 'auto' ? planMatmul(call, DEFAULT_LIMITS) : planMatmulOn(call, variant, DEFAULT_LIMITS);
  await runPlans(device, plans);
  const gpu = await readStorage(device, so);
  for (const s of [sa, sb, sy, so]) s.buffer.destroy();
  const label = (Array.isArray(plans) ? plans : [plans]).map((p) => p.label).join('+');
  expect(label).toContain(`.dz-${activation}`);
  expectClose(gpu, ref, `${label} batch ${c.batch} ${c.m}x${c.k}x${c.n}`);
}

/** The activation itself, in float64 (the CPU linear kernel with an identity product would do too). */
function cpuActivation(activation: (typeof GRAD_ACTIVATIONS)[number], x: Float32Array, alpha: number): Float64Array {
  const out = new Float64Array(x.length);
  cpuUnary(activation, Float64Array.from(x), out, alpha, 0);
  return out;
}

describe.each(GRAD_ACTIVATIONS)('matmul with the activation gradient of %s in its store vs the CPU twin', (activation) => {
  // The layer's dz = dy'·W'ᵀ ⊙ act'(y): B read transposed, sizes off every tile.
  it.each(VARIANTS)('%s rung, 65 x 70 x 67, transB', async (variant) => {
    await checkMatmulActivationGrad(mm(65, 70, 67, false, true), activation, variant);
  });
  // All multiples of 4: block reads vec4s (broadcast: B is transposed here, float by float); the gradient per element.
  it.each(['block', 'broadcast'] as const)('%s rung, vec4, 132 x 68 x 20, transB', async (rung) => {
    await checkMatmulActivationGrad(mm(132, 68, 20, false, true), activation, rung);
  });
  it('auto, batched 3 x [17x33]·[33x70], both batched (y per batch item)', async () => {
    await checkMatmulActivationGrad({ batch: 3, m: 17, k: 33, n: 70, transA: false, transB: false, batchedA: true, batchedB: true }, activation, 'auto');
  });
  it('small rung with K split (few outputs, long K): 3 x 1000 x 5', async () => {
    await checkMatmulActivationGrad(mm(3, 1000, 5), activation, 'small');
  });
});

// ---- matmul added into what out holds ----------------------------------------------------------
// The backward's fusion 8 (engine/fusion.ts): a wide layer's second use adds its dW = xᵀ·dz into
// the first use's, out = out + op(A)·op(B).

describe('matmul added into what its output holds (accumulate) vs the CPU twin', () => {
  // A layer's dW = xᵀ·dz: A read transposed, sizes off every tile.
  it.each(VARIANTS)('%s rung, 65 x 70 x 67, transA', async (variant) => {
    await checkMatmul(mm(65, 70, 67, true, false), variant, true);
  });
  it.each(['block', 'broadcast'] as const)('%s rung, vec4, 68 x 132 x 20, transA (the sum read as one lane of a vec4)', async (rung) => {
    await checkMatmul(mm(68, 132, 20, true, false), rung, true);
  });
  it('small rung with K split (few outputs, long K): 3 x 1000 x 5', async () => {
    await checkMatmul(mm(3, 1000, 5), 'small', true);
  });
});

// ---- transpose -----------------------------------------------------------------------------------

describe('matmul that also stores the column sums of B (a layer\'s db beside dW = xᵀ·dz, engine/fusion.ts 9)', () => {
  /**
   * out = op(A)·B and sums[j] = Σ_q B[q, j] in one call: out against the CPU in float64; sums
   * against the CPU too, and bit for bit against reduce's kernel alone on the same B (the kernels
   * they replace). Each starts from random values where added into (accumulate), else NaN.
   */
  async function checkColumnSums(m: number, k: number, n: number, transA: boolean, variant: MatmulRung | 'auto', add: boolean): Promise<string[]> {
    const device = await harnessDevice();
    const [a, b] = [randomArray(m * k), randomArray(k * n)];
    const [before, sumsBefore] = add ? [randomArray(m * n), randomArray(n)] : [new Float32Array(m * n).fill(NaN), new Float32Array(n).fill(NaN)];
    const ref = new Float64Array(m * n);
    cpuMatmul(Float64Array.from(a), Float64Array.from(b), ref, 1, m, k, n, transA, false, 0, 0);
    const refSums = Float64Array.from(add ? sumsBefore : new Float32Array(n));
    for (let q = 0; q < k; q++) for (let j = 0; j < n; j++) refSums[j] += b[q * n + j];
    if (add) for (let i = 0; i < m * n; i++) ref[i] += before[i];
    const [sa, sb, so, ss, sr] = [a, b, before, sumsBefore, sumsBefore].map((v) => makeStorage(device, v.length, v));
    const call = {
      kernel: 'matmul' as const, a: sa, b: sb, out: so, batch: 1, m, k, n, transA, transB: false, strideA: 0, strideB: 0,
      accumulate: add, columnSums: ss, accumulateColumnSums: add,
    };
    const plans = variant === 'auto' ? planMatmul({ ...call, variant }, DEFAULT_LIMITS) : planMatmulOn(call, variant, DEFAULT_LIMITS);
    await runPlans(device, plans);
    await runPlans(device, [planReduce({ kernel: 'reduce', op: 'sum', x: sb, out: sr, outer: 1, axisSize: k, inner: n, scale: 1, accumulate: add }, DEFAULT_LIMITS) as DispatchPlan]);
    const [gpu, sums, reduced] = [await readStorage(device, so), await readStorage(device, ss), await readStorage(device, sr)];
    for (const s of [sa, sb, so, ss, sr]) s.buffer.destroy();
    const labels = (Array.isArray(plans) ? plans : [plans]).map((p) => p.label);
    const what = `${labels.join('+')} ${m}x${k}x${n}${transA ? ', A transposed' : ''}${add ? ', added into' : ''}`;
    expectClose(gpu, ref, what);
    expectClose(sums, refSums, `${what}: the column sums`);
    expect(new Set(sums).size, `${what}: varied sums`).toBe(n);
    expect(Array.from(sums), `${what}: reduce's bits`).toEqual(Array.from(reduced));
    return labels;
  }
  // [m, k, n] of op(A)·B: the wide GAN's dW (B's rows as vec4s, summed as reduce's cols4 does);
  // n not a multiple of 4 and k < 128 (B read float by float, reduce's loop); more than one
  // workgroup of rows (m > 64: only the first writes the sums); k ≥ 128 with n = 18 (reduce's
  // tree, which adds partial sums: reduce's own kernel runs after the product); a toy shape.
  const SHAPES: [number, number, number][] = [[64, 512, 64], [70, 65, 67], [130, 40, 36], [20, 300, 18], [10, 128, 16]];
  for (const variant of VARIANTS) {
    for (const add of [false, true]) {
      it(`${variant} rung${add ? ', both added into' : ''}`, async () => {
        for (const [m, k, n] of SHAPES) {
          // A stored as x [k, m] (a layer's dW = xᵀ·dz), and not transposed; added into, the layer's case only
          // (each kernel compiles in seconds on lavapipe).
          for (const transA of add ? [true] : [true, false]) {
            const labels = await checkColumnSums(m, k, n, transA, variant, add);
            // In the product where broadcast runs and reduce would sum in order (every shape here but [20, 300, 18]).
            const rung = variant === 'auto' ? chooseRung(m, k, n) : variant;
            const inKernel = rung === 'broadcast' && sumsInOrder(k, n);
            expect(inKernel, `${m}x${k}x${n}`).toBe(rung === 'broadcast' && n !== 18);
            if (inKernel) expect(labels, `${m}x${k}x${n}`).toEqual([expect.stringMatching(add ? /^matmul\.broadcast[14]\..*\.colsums\+$/ : /^matmul\.broadcast[14]\..*\.colsums$/)]);
            else expect(labels[1], `${m}x${k}x${n}`).toMatch(add ? /^reduce\.sum\.(cols4|tree|loop)\.add$/ : /^reduce\.sum\.(cols4|tree|loop)$/);
          }
        }
      });
    }
  }
  it('refuses column sums of a transposed or batched B, or a buffer too small for them', () => {
    const fake = (size: number) => ({ backend: 'webgpu' as const, size, dtype: 'float32' as const });
    const call = { kernel: 'matmul' as const, a: fake(12), b: fake(12), out: fake(9), batch: 1, m: 3, k: 4, n: 3, transA: false, transB: false, strideA: 0, strideB: 0, columnSums: fake(3) };
    expect(() => planMatmul({ ...call, transB: true }, DEFAULT_LIMITS)).toThrow(/matmul: columnSums needs batch 1 and B stored \[k, n\], got batch 1 and B transposed/);
    expect(() => planMatmul({ ...call, batch: 2, out: fake(18) }, DEFAULT_LIMITS)).toThrow(/matmul: columnSums needs batch 1 .*got batch 2/);
    expect(() => planMatmul({ ...call, columnSums: fake(2) }, DEFAULT_LIMITS)).toThrow(/matmul.*columnSums/);
  });
});

describe('transpose vs the CPU twin', () => {
  it.each([[1, 1], [3, 5], [64, 64], [127, 129], [1, 300], [300, 1]])('%i x %i', async (rows, cols) => {
    const device = await harnessDevice();
    const x = randomArray(rows * cols);
    const ref = new Float64Array(rows * cols);
    cpuTranspose(Float64Array.from(x), ref, rows, cols);
    const sx = makeStorage(device, x.length, x);
    const so = makeStorage(device, x.length, Float32Array.from(x, () => NaN));
    await runPlans(device, planTranspose({ kernel: 'transpose', x: sx, out: so, rows, cols }, DEFAULT_LIMITS));
    const gpu = await readStorage(device, so);
    sx.buffer.destroy();
    so.buffer.destroy();
    expect(Array.from(gpu)).toEqual(Array.from(ref)); // a copy: exact
  });
});

// Runs last (tests run in file order): the seed and the worst error of this run.
it('summary: seed and worst error', () => {
  console.log(`matmul tests: seed ${TEST_SEED}, worst |gpu - ref| / max(1, |ref|) = ${worstSeen.err.toExponential(2)} (${worstSeen.what}), criterion ${TOL}`);
  expect(worstSeen.err).toBeLessThanOrEqual(TOL);
});
