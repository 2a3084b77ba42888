// The fused kernels on the CPU give the unfused kernels' results bit for bit, for every row of
// the op table, in float32 and float64, on fresh random inputs:
//   - a reduction with an elementwise prologue (mappedReduce) against unary() then reduce();
//   - the backward of a fused mean (meanUnaryGrad) against expand() then unaryGrad();
// and, in the engine, the fused loss (bceWithLogits with a number target) against mean(unary),
// a layer used twice (its fused backward adds into the first use's gradient in place)
// against two separate backward passes added, and a loss of a layer's output whose gradient
// the layer's fused backward computes (linearGrad with a loss) against the stored gradient;
// a minibatch drawn inside the gather (gatherRandom) against randint's indices gathered;
// and a loss computed inside the forward of the narrow layer it reads (one reduction that also
// stores the layer's output) against linear's kernel then the loss; a layer's activation gradient
// inside the product (6) or the fused backward (7) above it, and a wide layer's second use added
// into the first's gradients (8), a wide layer's bias gradient summed by its weight gradient's
// product (9), each against the same pass with the fusion off; and the
// reference GAN step with every fusion turned off (engine/fusion.ts setFusion) against the step as it runs. (The WGSL twins are compared with these in tests/webgpu/fusion.test.ts.)

import { describe, expect, it } from 'vitest';
import type { FloatArray, FusedActivation, UnaryOp } from '../../engine/backend';
import type { Tensor } from '../../engine/tensor';
import { lazyFull, pendingCall, pendingValue } from '../../engine/lazy';
import { FUSIONS, setFusion, type FusionName } from '../../engine/fusion';
import { createEngineGan } from '../../models/bench/engine-gan';
import { add, backendStats, bceWithLogits, type DispatchRecord, captureStep, createRng, gather, grad, linear, liveTensors, mean, mse, mul, onDispatch, pow, randint, randn, sub, sum, tensor, tidy } from '../../engine/index';
import { meanOfUnary } from '../../engine/ops/reduce';
import { observeReversePasses } from '../../engine/autograd';
import { assignValues } from '../../engine/nn';
import { linearGrad } from '../../kernels/cpu/linear-grad';
import { FUSED_ACTIVATIONS } from '../../engine/ops/unary-table';
import { unaryOp } from '../../engine/ops/unary';
import { unaryDef, unaryOps } from '../../engine/ops/unary-table';
import { expand } from '../../kernels/cpu/copy';
import { mappedReduce, reduce } from '../../kernels/cpu/reduce';
import { meanUnaryGrad, unary, unaryGrad } from '../../kernels/cpu/unary';
import { CpuBackend } from '../../kernels/cpu/backend';

const ROWS = (Object.keys(unaryOps) as UnaryOp[]).filter((op) => unaryDef(op).check !== null);
const DTYPES = [['float32', (n: number) => new Float32Array(n)], ['float64', (n: number) => new Float64Array(n)]] as const;

/** x uniform in the row's gradcheck range, from a fresh stream per case. */
function inputs(op: UnaryOp, n: number, make: (n: number) => FloatArray, seed: number): { x: FloatArray; alpha: number; beta: number } {
  const check = unaryDef(op).check!;
  const x = make(n);
  createRng(seed).fillUniform(x, check.lo, check.hi);
  return { x, alpha: check.alpha ?? 0, beta: check.beta ?? 0 };
}

/**
 * f's values and the kernels it dispatched (each named by `name`), with fusion `fusion` on or off
 * (on again after), inside a tidy().
 */
function withFusion(fusion: FusionName, on: boolean, name: (d: DispatchRecord) => string, f: () => number[]): { values: number[]; kernels: string[] } {
  setFusion(fusion, on);
  try {
    const kernels: string[] = [];
    const stop = onDispatch((d) => kernels.push(name(d)));
    const values = tidy(f);
    stop();
    return { values, kernels };
  } finally {
    setFusion(fusion, true);
  }
}

/** A dispatch's kernel, with '+columnSums' for a product that also sums its B's columns (fusion 9). */
const kernelName = (d: DispatchRecord): string => (d.call.kernel === 'matmul' && d.call.columnSums ? 'matmul+columnSums' : d.kernel);

/**
 * A pass through a wide layer (65 → 67, too wide for linearGrad) used twice, on 70 and 66 rows,
 * L = Σ y₁ ⊙ c₁ + Σ y₂ ⊙ c₂: returns the gradients of W, b and the second input.
 */
function layerUsedTwice(seed: number, dtype: 'float32' | 'float64', activation: FusedActivation): () => number[] {
  return () => {
    const rng = createRng(seed);
    const [x1, x2] = [randn([70, 65], rng, { dtype }), randn([66, 65], rng, { dtype, requiresGrad: true })];
    const w = randn([65, 67], rng, { dtype, requiresGrad: true });
    const b = randn([67], rng, { dtype, requiresGrad: true });
    const [c1, c2] = [randn([70, 67], rng, { dtype }), randn([66, 67], rng, { dtype })];
    const part = (x: Tensor, c: Tensor): Tensor => sum(mul(linear(x, w, b, activation), c));
    add(part(x1, c1), part(x2, c2)).backward();
    return [w, b, x2].flatMap((p) => Array.from(p.grad!.dataSync()));
  };
}

/** f() with `fusion` off (on again after). */
function withoutFusion<T>(fusion: FusionName, f: () => T): T {
  setFusion(fusion, false);
  try {
    return f();
  } finally {
    setFusion(fusion, true);
  }
}

/** Arrays of the given sizes, uniform in [-half, half], from a fresh stream. */
function uniformArrays(seed: number, sizes: number[], half: number): Float64Array[] {
  const rng = createRng(seed);
  return sizes.map((n) => {
    const v = new Float64Array(n);
    rng.fillUniform(v, -half, half);
    return v;
  });
}

/**
 * Two steps of the wide GAN of the bench (3×64 ReLU layers a network, batch 512) with the fusions
 * in `off` turned off: the losses and every weight after, and the dispatches the steps made.
 */
function wideGanSteps(seed: number, off: FusionName[]): { values: number[]; dispatches: number } {
  for (const f of off) setFusion(f, false);
  try {
    return tidy(() => {
      const gan = createEngineGan(seed, { batch: 512, gHidden: [64, 64, 64], dHidden: [64, 64, 64] });
      const losses: number[] = [];
      let dispatches = 0;
      const stop = onDispatch(() => { dispatches++; });
      for (let i = 0; i < 2; i++) {
        const { dLoss, gLoss } = gan.step();
        losses.push(...dLoss.dataSync(), ...gLoss.dataSync());
      }
      stop();
      const weights = [...gan.G.parameters(), ...gan.D.parameters()].flatMap((p) => Array.from(p.dataSync()));
      gan.dispose();
      return { values: [...losses, ...weights], dispatches };
    });
  } finally {
    for (const f of off) setFusion(f, true);
  }
}

/**
 * The wide GAN's steps once for each set of fusions turned off: each the same losses and weights
 * as the first set's (varied values); returns the dispatches a step of each.
 */
function wideGanDispatches(seed: number, offSets: FusionName[][]): number[] {
  const runs = offSets.map((off) => wideGanSteps(seed, off));
  expect(new Set(runs[0].values).size).toBeGreaterThan(1000);
  for (const r of runs.slice(1)) expect(r.values).toEqual(runs[0].values);
  return runs.map((r) => r.dispatches / 2);
}

describe('fused reduction (mappedReduce) equals unary then reduce, bit for bit', () => {
  let seed = 500;
  for (const [dtype, make] of DTYPES) {
    for (const op of ROWS) {
      it(`${op}, ${dtype}`, () => {
        // [outer, axis, inner]: the full mean of a loss, and axis reductions with inner > 1.
        for (const [outer, axis, inner, scale] of [[1, 131, 1, 1 / 131], [3, 5, 7, 1], [2, 9, 3, 0.25], [4, 1, 1, 1]] as const) {
          const { x, alpha, beta } = inputs(op, outer * axis * inner, make, seed++);
          for (const red of ['sum', 'max'] as const) {
            const y = make(x.length);
            unary(op, x, y, alpha, beta);
            const want = make(outer * inner);
            reduce(red, y, want, outer, axis, inner, scale);
            const got = make(outer * inner);
            mappedReduce(red, { op, alpha, beta }, x, got, outer, axis, inner, scale);
            expect(Array.from(got), `${red} over [${outer}, ${axis}, ${inner}]`).toEqual(Array.from(want));
          }
        }
      });
    }
  }
});

describe('fused mean backward (meanUnaryGrad) equals expand then unaryGrad, bit for bit', () => {
  let seed = 900;
  for (const [dtype, make] of DTYPES) {
    for (const op of ROWS) {
      it(`${op}, ${dtype}`, () => {
        for (const n of [1, 7, 130, 300]) {
          const { x, alpha, beta } = inputs(op, n, make, seed++);
          const dy = make(1);
          dy[0] = 0.3 + 1.7 * createRng(seed++).uniform();
          const y = make(n);
          unary(op, x, y, alpha, beta);
          const dyFull = make(n);
          expand(dy, dyFull, [], [n], 1 / n);
          const want = make(n);
          unaryGrad(op, x, y, dyFull, want, alpha, beta);
          const got = make(n);
          meanUnaryGrad(op, x, dy, got, alpha, beta, 1 / n);
          expect(Array.from(got), `n = ${n}`).toEqual(Array.from(want));
          // The same gradient given as a number (dy null, scale = dy[0]/n: the unfilled seed's way).
          const fromNumber = make(n);
          meanUnaryGrad(op, x, null, fromNumber, alpha, beta, dy[0] * (1 / n));
          expect(Array.from(fromNumber), `n = ${n}, dy as a number`).toEqual(Array.from(want));
        }
      });
    }
  }
});

describe('the fused loss in the engine', () => {
  it('bceWithLogits with a number target equals mean(bceLogits(x)) bit for bit, value and gradient', () => {
    for (const [n, target] of [[128, 1], [37, 0], [5, 0.9]] as const) {
      const values = new Float32Array(n);
      createRng(n).fillUniform(values, -6, 6);
      const run = (fused: boolean): number[] => tidy(() => {
        const x = tensor(values, [n, 1], { requiresGrad: true });
        const loss = fused ? bceWithLogits(x, target) : mean(unaryOp('bceWithLogits', 'bceLogits', x, target));
        loss.backward();
        return [...loss.dataSync(), ...x.grad!.dataSync()];
      });
      expect(run(true)).toEqual(run(false));
    }
  });
});

describe('the seed gradient', () => {
  it('is filled only when a kernel uses its buffer, and then holds the value', () => {
    tidy(() => {
      const kernels: string[] = [];
      const stop = onDispatch((d) => kernels.push(d.kernel));
      const t = lazyFull([2, 3], 1, 'float32', tensor([0]).backend);
      expect(pendingValue(t)).toBe(1);
      expect(kernels).toEqual([]);
      expect(Array.from(t.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
      expect(kernels).toEqual(['fill']);
      expect(pendingValue(t)).toBeNull();
      stop();
    });
  });

  it('a fused loss reads it as a number: no fill in backward', () => {
    tidy(() => {
      const x = tensor([[0.5], [-1.5], [2]], { requiresGrad: true });
      const kernels: string[] = [];
      const stop = onDispatch((d) => kernels.push(d.kernel));
      bceWithLogits(x, 1).backward();
      stop();
      expect(kernels).toEqual(['reduce:sum', 'meanUnaryGrad:bceLogits']);
      // d/dx mean(bce(x, 1)) = (σ(x) − 1) / 3
      const want = [0.5, -1.5, 2].map((v) => (1 / (1 + Math.exp(-v)) - 1) / 3);
      Array.from(x.grad!.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
    });
  });
});

describe('mse', () => {
  it('equals mean(pow(pred − target, 2)) bit for bit, value and gradient', () => {
    for (const n of [1, 64, 129]) {
      const [a, b] = [new Float32Array(n), new Float32Array(n)];
      createRng(n + 7).fillUniform(a, -3, 3);
      createRng(n + 8).fillUniform(b, -3, 3);
      const run = (fused: boolean): number[] => tidy(() => {
        const pred = tensor(a, [n, 1], { requiresGrad: true });
        const target = tensor(b, [n, 1]);
        const loss = fused ? mse(pred, target) : mean(pow(sub(pred, target), 2));
        loss.backward();
        return [...loss.dataSync(), ...pred.grad!.dataSync()];
      });
      expect(run(true)).toEqual(run(false));
    }
  });
});

describe('a layer used twice: the fused backward adds into the gradient in place', () => {
  for (const activation of FUSED_ACTIVATIONS) {
    it(`equals two backward passes and an addition, bit for bit (${activation})`, () => {
      tidy(() => {
        const rng = createRng(41);
        const [x1, x2] = [randn([37, 5], rng), randn([37, 5], rng, { requiresGrad: true })];
        const w = randn([5, 3], rng, { requiresGrad: true });
        const b = randn([3], rng, { requiresGrad: true });
        const [c1, c2] = [randn([37, 3], rng), randn([37, 3], rng)];
        const part = (x: Tensor, c: Tensor): Tensor => sum(mul(linear(x, w, b, activation), c));
        const grads = (): number[][] => [w, b, x2].map((p) => Array.from(p.grad!.dataSync()));
        const clear = (): void => [w, b, x2].forEach((p) => { p.grad?.dispose(); p.grad = null; });
        // Both uses in one pass: the second use's kernel adds into the first one's dW and db.
        const kernels: string[] = [];
        const stop = onDispatch((d) => kernels.push(d.kernel));
        add(part(x1, c1), part(x2, c2)).backward();
        stop();
        expect(kernels.filter((k) => k === 'binary:add')).toHaveLength(1); // the two parts' sum only
        const fused = grads();
        clear();
        part(x1, c1).backward();
        const [gw, gb] = [w.grad!, b.grad!];
        w.grad = null;
        b.grad = null;
        part(x2, c2).backward();
        const separate = [add(gw, w.grad!), add(gb, b.grad!)].map((t) => Array.from(t.dataSync()));
        expect(fused[0]).toEqual(separate[0]);
        expect(fused[1]).toEqual(separate[1]);
        expect(fused[2]).toEqual(Array.from(x2.grad!.dataSync()));
        gw.dispose();
        gb.dispose();
        clear();
      });
    });
  }
});

describe('a loss of a layer\'s output: its gradient computed inside the layer\'s fused backward', () => {
  // L = (1/N)·Σ f(y), y = act(x·W + b): linearGrad computes dy = f'(y)·g/N from y itself and the
  // separate meanUnaryGrad never runs. The unfused path: the same loss of y·1 (exact), whose
  // multiplication reads dy, so the loss gradient is stored and linearGrad reads it.
  const cases = ROWS.flatMap((op) => {
    const check = unaryDef(op).check!;
    const targets = op === 'bce' || op === 'bceLogits' ? [0, 1] : [check.alpha ?? 0];
    // y in the row's domain: sigmoid's (0, 1) for every row, the plain layer where the row takes any number.
    const activations: FusedActivation[] = check.lo < 0 ? ['none', 'sigmoid'] : ['sigmoid'];
    return targets.flatMap((alpha) => activations.map((activation) => ({ op, alpha, beta: check.beta ?? 0, activation })));
  });
  let seed = 7000;
  for (const dtype of ['float32', 'float64'] as const) {
    for (const { op, alpha, beta, activation } of cases) {
      it(`${op} (α = ${alpha}) of a ${activation} layer, ${dtype}: bit for bit, no meanUnaryGrad`, () => {
        const rng = createRng(seed++);
        const values = (n: number): Float64Array => {
          const v = new Float64Array(n);
          rng.fillUniform(v, -1.5, 1.5);
          return v;
        };
        const [x0, w0, b0] = [values(37 * 5), values(5 * 3), values(3)];
        // upstream: the loss as is (backward's seed, a number) or scaled (a gradient tensor).
        for (const upstream of [1, 2.5]) {
          const run = (fused: boolean): { values: number[]; kernels: string[] } => tidy(() => {
            const x = tensor(x0, [37, 5], { dtype, requiresGrad: true });
            const w = tensor(w0, [5, 3], { dtype, requiresGrad: true });
            const b = tensor(b0, [3], { dtype, requiresGrad: true });
            const y = linear(x, w, b, activation);
            const loss = meanOfUnary('loss', op, fused ? y : mul(y, 1), alpha, beta);
            const kernels: string[] = [];
            const stop = onDispatch((d) => kernels.push(d.kernel));
            (upstream === 1 ? loss : mul(loss, upstream)).backward();
            stop();
            return { values: [...loss.dataSync(), ...[x, w, b].flatMap((p) => Array.from(p.grad!.dataSync()))], kernels };
          });
          const [fused, separate] = [run(true), run(false)];
          expect(fused.values, `upstream ${upstream}`).toEqual(separate.values);
          expect(fused.values.every(Number.isFinite)).toBe(true);
          expect(fused.kernels.filter((k) => k.startsWith('meanUnaryGrad'))).toEqual([]);
          expect(separate.kernels.filter((k) => k.startsWith('meanUnaryGrad'))).toHaveLength(1);
        }
      });
    }
  }

  it('any other reader of the loss gradient gets it computed as before, and nothing leaks', () => {
    const buffers = backendStats().liveBuffers;
    const tensors = liveTensors();
    tidy(() => {
      const rng = createRng(77);
      const x = randn([29, 4], rng);
      const w = randn([4, 2], rng, { requiresGrad: true });
      const y = linear(x, w, null, 'tanh');
      const loss = bceWithLogits(y, 1);
      const dy = grad(loss, [y])[0] as Tensor;
      expect(pendingCall(dy)?.kernel).toBe('meanUnaryGrad');
      // d/dy mean(bce(y, 1)) = (σ(y) − 1) / N
      const want = Array.from(y.dataSync()).map((v) => (1 / (1 + Math.exp(-v)) - 1) / y.size);
      Array.from(dy.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
      expect(pendingCall(dy)).toBeNull();
      // Never read: dropped with its tensor, and the buffers it held are freed.
      const unread = grad(bceWithLogits(y, 0), [y])[0] as Tensor;
      expect(pendingCall(unread)).not.toBeNull();
    });
    expect(liveTensors()).toBe(tensors);
    expect(backendStats().liveBuffers).toBe(buffers);
  });
});

describe('linearGrad with a loss gradient equals meanUnaryGrad then linearGrad, bit for bit', () => {
  let seed = 8000;
  for (const [dtype, make] of DTYPES) {
    for (const op of ['bceLogits', 'bce', 'pow', 'softplus'] as const) {
      for (const activation of FUSED_ACTIVATIONS) {
        it(`${op} after ${activation}, ${dtype}`, () => {
          const [m, k, n] = [19, 6, 3];
          const { alpha, beta } = inputs(op, 1, make, seed++);
          const rng = createRng(seed++);
          const [x, w, z] = [make(m * k), make(k * n), make(m * n)];
          rng.fillUniform(x, -1, 1);
          rng.fillUniform(w, -1, 1);
          rng.fillUniform(z, -2, 2);
          const y = make(m * n);
          unary(activation === 'none' ? 'sigmoid' : activation, z, y, 0.2, 0); // outputs in every row's domain
          for (const g of [null, 1.7]) {
            const up = g === null ? null : make(1).fill(g);
            const scale = 1 / (m * n);
            const grads = (): FloatArray[] => [make(m * k), make(k * n), make(n)];
            const want = grads();
            const dy = make(m * n);
            meanUnaryGrad(op, y, up, dy, alpha, beta, scale);
            linearGrad(x, w, y, dy, want[0], want[1], want[2], m, k, n, activation, 0.2);
            const got = grads();
            linearGrad(x, w, y, null, got[0], got[1], got[2], m, k, n, activation, 0.2, undefined, { op, alpha, beta, dy: up, scale, dtype });
            got.forEach((a, i) => expect(Array.from(a), `output ${i}, g = ${g}`).toEqual(Array.from(want[i])));
          }
        });
      }
    }
  }
});

describe('gather(x, randint(...)): the index draw inside the gather', () => {
  it('picks the very rows randint draws, in one kernel', () => {
    for (const [rows, sourceRows, inner] of [[128, 2048, 1], [37, 37, 3], [5, 1000, 2]] as const) {
      tidy(() => {
        const data = randn([sourceRows, inner], createRng(rows));
        const kernels: string[] = [];
        const stop = onDispatch((d) => kernels.push(d.kernel));
        const fused = gather(data, randint([rows], sourceRows, createRng(9)));
        stop();
        expect(kernels).toEqual(['gatherRandom']);
        // The same draw read as numbers first, then gathered by index (two kernels).
        const idx = randint([rows], sourceRows, createRng(9));
        const want = gather(data, Array.from(idx.dataSync()));
        expect(new Set(idx.dataSync()).size).toBeGreaterThan(1);
        expect(Array.from(fused.dataSync())).toEqual(Array.from(want.dataSync()));
      });
    }
  });

  it('indices read after the gather (its backward) are the same draw', () => {
    tidy(() => {
      const x = randn([50, 2], createRng(3), { requiresGrad: true });
      const rng = createRng(4);
      const idx = randint([64], 50, rng);
      sum(gather(x, idx)).backward(); // scatterAdd reads idx: randint's own kernel runs now
      const counts = new Array<number>(50).fill(0);
      for (const j of randint([64], 50, createRng(4)).dataSync()) counts[j]++;
      expect(Array.from(x.grad!.dataSync())).toEqual(counts.flatMap((c) => [c, c]));
      expect(Array.from(idx.dataSync())).toEqual(Array.from(randint([64], 50, createRng(4)).dataSync()));
    });
  });

  it('a draw wider than x is not fused: gather checks the range and says which index is out', () => {
    tidy(() => {
      expect(() => gather(randn([3, 1], createRng(1)), randint([40], 1000, createRng(2)))).toThrow(/gather: index \d+ at position \d+ is out of range for 3 rows/);
    });
  });
});

describe('a loss inside the forward of the layer it reads: one reduction computes the logits and the mean', () => {
  // y = act(x·W + b) with few outputs (n ≤ 4), then L = (1/N)·Σ f(y): the reduction computes each
  // y where it reads it and stores it too; linear's kernel never runs. The unfused path reads y
  // first (dataSync), which runs linear's kernel, then the same loss. Same loops, same bits.
  const cases = (['bceLogits', 'softplus', 'pow', 'abs', 'bce'] as const).flatMap((op) => {
    const check = unaryDef(op).check!;
    const targets = op === 'bce' || op === 'bceLogits' ? [0, 1] : [check.alpha ?? 0];
    const activations: FusedActivation[] = check.lo < 0 ? ['none', 'relu', 'tanh'] : ['sigmoid'];
    return targets.flatMap((alpha) => activations.map((activation) => ({ op, alpha, beta: check.beta ?? 0, activation })));
  });
  // [m, k, n, bias]: the GAN critic's [128, 32] -> 1, odd sizes, k = 1, no bias, n up to the limit.
  const shapes = [[128, 32, 1, true], [37, 5, 3, true], [61, 7, 1, false], [9, 1, 4, true], [1, 3, 2, false]] as const;
  let seed = 9100;
  for (const dtype of ['float32', 'float64'] as const) {
    for (const { op, alpha, beta, activation } of cases) {
      it(`${op} (α = ${alpha}) of a ${activation} layer, ${dtype}: loss, logits and gradients bit for bit`, () => {
        for (const [m, k, n, bias] of shapes) {
          const rng = createRng(seed++);
          const values = (count: number): Float64Array => {
            const v = new Float64Array(count);
            rng.fillUniform(v, -1.5, 1.5);
            return v;
          };
          const [x0, w0, b0] = [values(m * k), values(k * n), values(n)];
          const run = (fused: boolean): { values: number[]; kernels: string[] } => tidy(() => {
            const x = tensor(x0, [m, k], { dtype, requiresGrad: true });
            const w = tensor(w0, [k, n], { dtype, requiresGrad: true });
            const b = bias ? tensor(b0, [n], { dtype, requiresGrad: true }) : null;
            const kernels: string[] = [];
            const stop = onDispatch((d) => kernels.push(d.kernel));
            const y = linear(x, w, b, activation);
            if (!fused) y.dataSync();
            const loss = meanOfUnary('loss', op, y, alpha, beta);
            stop();
            loss.backward();
            const params = b ? [x, w, b] : [x, w];
            // y read after the loss: the values the fused reduction stored.
            return { values: [...loss.dataSync(), ...y.dataSync(), ...params.flatMap((p) => Array.from(p.grad!.dataSync()))], kernels };
          });
          const [fused, separate] = [run(true), run(false)];
          const where = `[${m}, ${k}] -> ${n}${bias ? '' : ', no bias'}`;
          expect(fused.values, where).toEqual(separate.values);
          expect(fused.values.every(Number.isFinite), where).toBe(true);
          expect(fused.kernels, where).toEqual(['reduce:sum']);
          expect(separate.kernels, where).toEqual(['linear', 'reduce:sum']);
        }
      });
    }
  }

  it('any other reader of the output gets the layer\'s kernel first, before its own, with the weights as they were', () => {
    const buffers = backendStats().liveBuffers;
    const tensors = liveTensors();
    tidy(() => {
      const rng = createRng(91);
      const x = randn([13, 6], rng);
      const w = randn([6, 1], rng);
      const b = randn([1], rng);
      const kernels: string[] = [];
      const stop = onDispatch((d) => kernels.push(d.kernel));
      const y = linear(x, w, b);
      expect(kernels).toEqual([]); // waits for the next op
      const want = Array.from(linear(x, w, b, 'none').dataSync()); // the next op: y's kernel runs first
      expect(kernels).toEqual(['linear', 'linear']);
      // Any kernel runs the layer's forward first (an optimizer's may change W in place), and so
      // does loading W: y2 keeps the values of the old W.
      const y1 = linear(x, w, b);
      sum(x);
      expect(kernels.slice(2)).toEqual(['linear', 'reduce:sum']);
      const y2 = linear(x, w, b);
      const w0 = Array.from(w.dataSync());
      assignValues(w, w0.map((v) => v + 1), 'w');
      expect(kernels.slice(4)).toEqual(['linear']);
      for (const t of [y, y1, y2]) expect(Array.from(t.dataSync())).toEqual(want);
      assignValues(w, w0, 'w');
      // The fused loss and a later reader of the logits.
      const y3 = linear(x, w, b);
      const loss = bceWithLogits(y3, 1);
      expect(kernels.slice(5)).toEqual(['reduce:sum']);
      const scaled = mul(y3, 2);
      expect(Array.from(scaled.dataSync())).toEqual(want.map((v) => Math.fround(v * 2)));
      expect(loss.dataSync()[0]).toBeCloseTo(want.reduce((s, v) => s + Math.log1p(Math.exp(-v)), 0) / want.length, 6);
      // Never read: dropped with its tensor, its kernel never runs.
      const count = kernels.length;
      linear(x, w, b).dispose();
      sum(x);
      expect(kernels.slice(count)).toEqual(['reduce:sum']);
      stop();
    });
    expect(liveTensors()).toBe(tensors);
    expect(backendStats().liveBuffers).toBe(buffers);
  });

  it('a wide or large layer runs its kernel at once', () => {
    tidy(() => {
      const rng = createRng(92);
      const kernels: string[] = [];
      const stop = onDispatch((d) => kernels.push(d.kernel));
      linear(randn([8, 3], rng), randn([3, 5], rng)); // n = 5 outputs per row
      linear(randn([4096, 32], rng), randn([32, 1], rng)); // m·k·n above 2^16 multiply-adds
      stop();
      expect(kernels.filter((k) => k === 'linear')).toHaveLength(2);
    });
  });
});

describe('a wide layer\'s activation gradient in the product that makes its dy', () => {
  // Three wide layers (each side at least 64, so no fused linearGrad): the second and third
  // layers' dx = dz·Wᵀ is deferred, and the layer below computes its dz = dx ⊙ act'(y) in that
  // product's store (engine/fusion.ts, 6). Against the same pass with the fusion off.
  const M = 70;
  const WIDTHS = [65, 66, 67, 68];
  let seed = 9100;
  const chain = (dtype: 'float32' | 'float64', activation: FusedActivation, values: Float64Array[]) => {
    const x = tensor(values[0], [M, WIDTHS[0]], { dtype });
    const params = [1, 2, 3].flatMap((l) => [
      tensor(values[2 * l - 1], [WIDTHS[l - 1], WIDTHS[l]], { dtype, requiresGrad: true }),
      tensor(values[2 * l], [WIDTHS[l]], { dtype, requiresGrad: true }),
    ]);
    const h1 = linear(x, params[0], params[1], activation);
    const h2 = linear(h1, params[2], params[3], activation);
    const h3 = linear(h2, params[4], params[5], activation);
    const c = tensor(values[7], [M, WIDTHS[3]], { dtype });
    return { params, hidden: [h1, h2], loss: sum(mul(h3, c)) };
  };
  const randomValues = (): Float64Array[] => uniformArrays(seed++,
    [M * WIDTHS[0], WIDTHS[0] * WIDTHS[1], WIDTHS[1], WIDTHS[1] * WIDTHS[2], WIDTHS[2], WIDTHS[2] * WIDTHS[3], WIDTHS[3], M * WIDTHS[3]], 0.3);
  const run = (fused: boolean, f: () => number[]) => withFusion('activationGradInProduct', fused,
    (d) => (d.call.kernel === 'matmul' && d.call.activationGrad ? `matmul+${d.call.activationGrad.activation}'` : d.kernel), f);

  for (const dtype of ['float32', 'float64'] as const) {
    for (const activation of FUSED_ACTIVATIONS.filter((a) => a !== 'none')) {
      it(`${activation}, ${dtype}: the same gradients, two elementwise kernels fewer`, () => {
        const values = randomValues();
        const pass = (): number[] => {
          const { params, loss } = chain(dtype, activation, values);
          loss.backward();
          return params.flatMap((p) => Array.from(p.grad!.dataSync()));
        };
        const [fused, plain] = [run(true, pass), run(false, pass)];
        expect(new Set(fused.values).size).toBeGreaterThan(1000);
        expect(fused.values).toEqual(plain.values);
        const count = (kernels: string[], name: string): number => kernels.filter((k) => k === name).length;
        expect(count(plain.kernels, `unaryGrad:${activation}`)).toBe(3);
        expect(count(fused.kernels, `unaryGrad:${activation}`)).toBe(1); // the top layer's dy is the loss's
        expect(count(fused.kernels, `matmul+${activation}'`)).toBe(2);
        expect(fused.kernels.length).toBe(plain.kernels.length - 2);
      });
    }
  }

  it('a hidden gradient that grad() returns is the plain product\'s, even read after the weights change', () => {
    const values = randomValues();
    const read = (fused: boolean): number[] => run(fused, () => {
      const { params, hidden, loss } = chain('float32', 'relu', values);
      const [dh1, dh2] = grad(loss, hidden) as Tensor[];
      assignValues(params[2], randn(params[2].shape, createRng(5)).dataSync(), 'W2'); // W2 changes, as an optimizer's step would
      return [...dh1.dataSync(), ...dh2.dataSync()];
    }).values;
    const [fused, plain] = [read(true), read(false)];
    expect(new Set(fused).size).toBeGreaterThan(1000);
    expect(fused).toEqual(plain);
  });

  it('the wide GAN of the bench (3×64 ReLU layers, batch 512): the same losses and weights, 4 dispatches a step fewer with each of fusions 6 and 7 (8 and 9 on)', () => {
    const off: FusionName[][] = [[], ['activationGradInLayerBackward'], ['activationGradInProduct'], ['activationGradInProduct', 'activationGradInLayerBackward']];
    expect(wideGanDispatches(3, off)).toEqual([48, 52, 52, 56]);
  });

  it('captureStep lists each layer\'s dx under its own layer: nothing is deferred while a pass is watched', async () => {
    const values = randomValues();
    const perNode = async (fused: boolean): Promise<string[][]> => {
      setFusion('activationGradInProduct', fused);
      try {
        const graphs = await captureStep(() => tidy(() => chain('float32', 'relu', values).loss.backward()));
        return graphs[0].nodes.filter((n) => n.op === 'linear').map((n) => n.backward.map(kernelName));
      } finally {
        setFusion('activationGradInProduct', true);
      }
    };
    const [fused, plain] = [await perNode(true), await perNode(false)];
    expect(plain.map((k) => k.join(' '))).toEqual(['unaryGrad:relu matmul+columnSums', 'unaryGrad:relu matmul+columnSums matmul', 'unaryGrad:relu matmul+columnSums matmul']);
    expect(fused).toEqual(plain);
  });

  it('an unused deferred product never runs, and nothing leaks', () => {
    const buffers = backendStats().liveBuffers;
    const tensors = liveTensors();
    const values = randomValues();
    // Only W3's gradient wanted: the third layer's dx is not needed, so it is not computed at all.
    const { kernels } = run(true, () => {
      const { params, loss } = chain('float32', 'tanh', values);
      return Array.from((grad(loss, [params[4]])[0] as Tensor).dataSync());
    });
    expect(kernels.filter((k) => k === 'matmul' || k.startsWith('matmul+'))).toHaveLength(1); // dW3 only
    expect(liveTensors()).toBe(tensors);
    expect(backendStats().liveBuffers).toBe(buffers);
  });
});

describe('the layer below\'s activation gradient in the fused backward of the layer above', () => {
  // A layer with an activation (wide: its own kernels; or narrow: a fused linearGrad), under a
  // narrow last layer whose backward is one linearGrad kernel. With fusion 7 that kernel stores
  // its dx as the layer below's dz = dx ⊙ act'(h) (engine/fusion.ts, 7), when h has no other use.
  const M = 70;
  let seed = 9400;
  const build = (dtype: 'float32' | 'float64', activation: FusedActivation, widths: number[], values: Float64Array[], extraUse = false) => {
    const x = tensor(values[0], [M, widths[0]], { dtype });
    const w1 = tensor(values[1], [widths[0], widths[1]], { dtype, requiresGrad: true });
    const b1 = tensor(values[2], [widths[1]], { dtype, requiresGrad: true });
    const w2 = tensor(values[3], [widths[1], widths[2]], { dtype, requiresGrad: true });
    const b2 = tensor(values[4], [widths[2]], { dtype, requiresGrad: true });
    const h = linear(x, w1, b1, activation);
    const out = linear(h, w2, b2, 'tanh');
    const c = tensor(values[5], [M, widths[2]], { dtype });
    const loss = sum(mul(out, c));
    return { params: [w1, b1, w2, b2], h, loss: extraUse ? add(loss, sum(mul(h, h))) : loss };
  };
  const randomValues = (widths: number[]): Float64Array[] => uniformArrays(seed++,
    [M * widths[0], widths[0] * widths[1], widths[1], widths[1] * widths[2], widths[2], M * widths[2]], 0.5);
  const run = (fused: boolean, f: () => number[]) => withFusion('activationGradInLayerBackward', fused,
    (d) => (d.call.kernel === 'linearGrad' && d.call.dxActivation ? `linearGrad, dx through ${d.call.dxActivation.activation}'` : d.kernel), f);
  const count = (kernels: string[], name: string): number => kernels.filter((k) => k === name).length;
  const gradients = (dtype: 'float32' | 'float64', activation: FusedActivation, widths: number[], values: Float64Array[], extraUse = false) => (): number[] => {
    const { params, loss } = build(dtype, activation, widths, values, extraUse);
    loss.backward();
    return params.flatMap((p) => Array.from(p.grad!.dataSync()));
  };

  for (const dtype of ['float32', 'float64'] as const) {
    for (const activation of FUSED_ACTIVATIONS.filter((a) => a !== 'none')) {
      it(`${activation} below a narrow layer, ${dtype}: the same gradients; a wide layer below runs no elementwise kernel`, () => {
        for (const widths of [[65, 66, 3], [5, 66, 3]]) { // the layer below wide (its own kernels), then narrow (a fused linearGrad)
          const values = randomValues(widths);
          const [fused, plain] = [run(true, gradients(dtype, activation, widths, values)), run(false, gradients(dtype, activation, widths, values))];
          expect(new Set(fused.values).size).toBeGreaterThan(100);
          expect(fused.values).toEqual(plain.values);
          expect(count(fused.kernels, `linearGrad, dx through ${activation}'`)).toBe(1);
          const wide = widths[0] === 65;
          expect(count(plain.kernels, `unaryGrad:${activation}`)).toBe(wide ? 1 : 0);
          expect(count(fused.kernels, `unaryGrad:${activation}`)).toBe(0);
          expect(fused.kernels.length).toBe(plain.kernels.length - (wide ? 1 : 0));
        }
      });
    }
  }

  it('a layer output with another use gets its whole gradient, then the activation\'s: not fused', () => {
    const widths = [65, 66, 3];
    const values = randomValues(widths);
    const [fused, plain] = [run(true, gradients('float32', 'sigmoid', widths, values, true)), run(false, gradients('float32', 'sigmoid', widths, values, true))];
    expect(fused.values).toEqual(plain.values);
    expect(fused.kernels.filter((k) => k.includes('dx through'))).toEqual([]);
  });

  it('a hidden gradient that grad() returns is dL/dh, not the layer\'s dz: not fused', () => {
    const widths = [65, 66, 3];
    const values = randomValues(widths);
    const read = (fused: boolean) => run(fused, () => {
      const { h, params, loss } = build('float32', 'tanh', widths, values);
      const [dh, dw1] = grad(loss, [h, params[0]]) as Tensor[];
      return [...dh.dataSync(), ...dw1.dataSync()];
    });
    const [fused, plain] = [read(true), read(false)];
    expect(new Set(fused.values).size).toBeGreaterThan(1000);
    expect(fused.values).toEqual(plain.values);
    expect(fused.kernels.filter((k) => k.includes('dx through'))).toEqual([]);
    // Asking only for W1's gradient, h's gradient is not returned: fused.
    const onlyW1 = run(true, () => {
      const { params, loss } = build('float32', 'tanh', widths, values);
      return Array.from((grad(loss, [params[0]])[0] as Tensor).dataSync());
    });
    expect(onlyW1.values).toEqual(plain.values.slice(M * widths[1]));
    expect(count(onlyW1.kernels, 'linearGrad, dx through tanh\'')).toBe(1);
  });

  it('captureStep, which shows the gradient reaching each tensor, sees the plain kernels', async () => {
    const widths = [65, 66, 3];
    const values = randomValues(widths);
    const graphs = await captureStep(() => tidy(() => build('float32', 'relu', widths, values).loss.backward()));
    const perNode = graphs[0].nodes.filter((n) => n.op === 'linear').map((n) => n.backward.map(kernelName).join(' '));
    expect(perNode).toEqual(['unaryGrad:relu matmul+columnSums', 'linearGrad']);
  });

  it('nothing leaks', () => {
    const buffers = backendStats().liveBuffers;
    const tensors = liveTensors();
    const widths = [65, 66, 3];
    run(true, gradients('float64', 'leakyRelu', widths, randomValues(widths)));
    expect(liveTensors()).toBe(tensors);
    expect(backendStats().liveBuffers).toBe(buffers);
  });
});

describe('a wide layer used twice: its dW and db added into the first use\'s by the kernels that compute them', () => {
  // Wide enough for the plain rule (not linearGrad): the second use's product and column sum add
  // into the first use's gradients in place (engine/fusion.ts, 8), against the same pass with
  // the fusion off (an addition kernel each). Fusion 9 is off here, so that dW and db have a
  // kernel each; with 9 on, one product adds both (the tests of 9 below).
  const run = (fused: boolean, f: () => number[]) => withFusion('gradientAddedInKernel', fused,
    (d) => (d.call.kernel === 'matmul' && d.call.accumulate ? 'matmul, added' : d.call.kernel === 'reduce' && d.call.accumulate ? 'reduce, added' : d.kernel),
    () => withoutFusion('biasGradInProduct', f));
  for (const dtype of ['float32', 'float64'] as const) {
    for (const activation of FUSED_ACTIVATIONS) {
      it(`${activation}, ${dtype}: the same gradients, two additions fewer`, () => {
        const pass = layerUsedTwice(77, dtype, activation);
        const [fused, plain] = [run(true, pass), run(false, pass)];
        expect(new Set(fused.values).size).toBeGreaterThan(1000);
        expect(fused.values).toEqual(plain.values);
        const count = (kernels: string[], name: string): number => kernels.filter((k) => k === name).length;
        expect([count(fused.kernels, 'matmul, added'), count(fused.kernels, 'reduce, added')]).toEqual([1, 1]);
        expect(count(plain.kernels, 'binary:add')).toBe(3); // the two parts' sum, dW's and db's
        expect(count(fused.kernels, 'binary:add')).toBe(1);
        expect(fused.kernels.length).toBe(plain.kernels.length - 2);
      });
    }
  }

  it('the wide GAN: the same losses and weights, 48 dispatches a step instead of 52 (9 on)', () => {
    expect(wideGanDispatches(6, [[], ['gradientAddedInKernel']])).toEqual([48, 52]);
  });
});

describe('a wide layer\'s bias gradient summed by its weight gradient\'s product', () => {
  // Wide enough for the plain rule: dW = xᵀ·dz and db = Σ_rows dz as one matmul call that also
  // stores the column sums of its B, dz (engine/fusion.ts, 9), against the same pass with the
  // fusion off (the product, then reduce's column sum). Used twice, the second use's call adds
  // both into the first use's gradients (8 on), or leaves them to additions (8 off).
  const run = (fused: boolean, f: () => number[]) => withFusion('biasGradInProduct', fused,
    (d) => (d.call.kernel === 'matmul' && d.call.columnSums ? `matmul+columnSums${d.call.accumulate ? ', added' : ''}${d.call.accumulateColumnSums ? ', sums added' : ''}` : d.kernel), f);
  const count = (kernels: string[], name: string): number => kernels.filter((k) => k === name).length;
  for (const dtype of ['float32', 'float64'] as const) {
    for (const activation of FUSED_ACTIVATIONS) {
      it(`${activation}, ${dtype}: the same gradients, one kernel fewer a use`, () => {
        const pass = layerUsedTwice(78, dtype, activation);
        const [fused, plain] = [run(true, pass), run(false, pass)];
        expect(new Set(fused.values).size).toBeGreaterThan(1000);
        expect(fused.values).toEqual(plain.values);
        expect(count(fused.kernels, 'matmul+columnSums')).toBe(1); // the first use's
        expect(count(fused.kernels, 'matmul+columnSums, added, sums added')).toBe(1); // the second's, added into the first's (8)
        expect(fused.kernels.length).toBe(plain.kernels.length - 2);
      });
    }
  }

  it('with fusion 8 off: the second use\'s dW and db are new tensors, added by additions; the same gradients', () => {
    const pass = (): number[] => withoutFusion('gradientAddedInKernel', layerUsedTwice(78, 'float32', 'relu'));
    const [fused, plain] = [run(true, pass), run(false, pass)];
    expect(fused.values).toEqual(plain.values);
    expect(count(fused.kernels, 'matmul+columnSums')).toBe(2);
    expect(count(fused.kernels, 'binary:add')).toBe(3); // the two parts' sum, dW's and db's
    expect(fused.kernels.length).toBe(plain.kernels.length - 2);
  });

  it('no bias, or a bias without a gradient: the product alone', () => {
    for (const bias of ['none', 'frozen'] as const) {
      const { kernels } = run(true, () => {
        const rng = createRng(79);
        const x = randn([70, 65], rng);
        const w = randn([65, 67], rng, { requiresGrad: true });
        const b = bias === 'none' ? null : randn([67], rng);
        sum(linear(x, w, b, 'tanh')).backward();
        return Array.from(w.grad!.dataSync());
      });
      expect(kernels.filter((k) => k.startsWith('matmul')), bias).toEqual(['matmul']);
    }
  });

  it('the wide GAN: the same losses and weights, 48 dispatches a step instead of 54', () => {
    expect(wideGanDispatches(7, [[], ['biasGradInProduct']])).toEqual([48, 54]);
  });

  it('the CPU kernel refuses column sums of a batched or transposed B', () => {
    const backend = new CpuBackend();
    const [a, b, out, sums] = [12, 12, 9, 3].map((n) => backend.alloc(n, 'float32'));
    const call = { kernel: 'matmul' as const, a, b, out, batch: 1, m: 3, k: 4, n: 3, transA: false, transB: false, strideA: 0, strideB: 0, columnSums: sums };
    expect(() => backend.run({ ...call, transB: true })).toThrow(/matmul: columnSums needs batch 1 and B stored \[k, n\], got batch 1 and B transposed/);
    expect(() => backend.run({ ...call, batch: 2, strideB: 0 })).toThrow(/matmul: columnSums needs batch 1 .*got batch 2/);
  });
});

describe('a watched reverse pass', () => {
  it('an observer of the pass boundaries alone (the page\'s dispatch table) sees the step as it runs; one that reads each gradient (captureStep) turns fusions 6 and 7 off', () => {
    const gan = createEngineGan(4, { batch: 512, gHidden: [64, 64, 64], dHidden: [64, 64, 64] });
    const count = (observer: Parameters<typeof observeReversePasses>[0]): number => {
      observeReversePasses(observer);
      let dispatches = 0;
      const stop = onDispatch(() => { dispatches++; });
      try {
        const { dLoss, gLoss } = gan.step();
        dLoss.dispose();
        gLoss.dispose();
      } finally {
        stop();
        observeReversePasses(null);
      }
      return dispatches;
    };
    count(null); // the first step allocates
    const boundaries = { begin() { /* pass starts */ }, end() { /* pass ends */ } };
    const gradients = { ...boundaries, gradient() { /* every tensor's gradient */ } };
    expect([count(null), count(boundaries), count(gradients)]).toEqual([48, 48, 56]);
    gan.dispose();
  });
});

describe('every fusion turned off (setFusion): the plain kernels, the same bits', () => {
  it('two reference GAN steps: the same losses and weights, 50 dispatches a step instead of 24', () => {
    const run = (fused: boolean): { values: number[]; dispatches: number } => {
      for (const f of FUSIONS) setFusion(f, fused);
      try {
        const gan = createEngineGan(5);
        let dispatches = 0;
        const stop = onDispatch(() => { dispatches++; });
        const losses: number[] = [];
        for (let i = 0; i < 2; i++) {
          const { dLoss, gLoss } = gan.step();
          losses.push(...dLoss.dataSync(), ...gLoss.dataSync());
          dLoss.dispose();
          gLoss.dispose();
        }
        stop();
        const values = [...losses, ...[...gan.G.parameters(), ...gan.D.parameters()].flatMap((p) => Array.from(p.dataSync()))];
        gan.dispose();
        return { values, dispatches };
      } finally {
        for (const f of FUSIONS) setFusion(f, true);
      }
    };
    const [fused, plain] = [run(true), run(false)];
    expect(fused.values.every(Number.isFinite)).toBe(true);
    expect(new Set(fused.values).size).toBeGreaterThan(10);
    expect(plain.values).toEqual(fused.values);
    expect(fused.dispatches).toBe(2 * 24);
    expect(plain.dispatches).toBe(2 * 50);
  });

  it('names the fusions it knows', () => {
    expect(() => setFusion('nope' as FusionName, false)).toThrow(/setFusion: unknown fusion 'nope'; known: layerBackward, /);
  });
});
