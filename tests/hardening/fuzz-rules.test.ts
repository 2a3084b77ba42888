// The seeded fuzz of three rules, in-process (the command-line fuzz is fuzz.test.ts):
//   empty tensors   random shapes with empty dimensions through sum, mean, max, min, argmax and
//                   argmin over no axis, one axis or a list: PyTorch's rule (0, NaN, or a refusal
//                   naming the op), an empty gradient, nothing leaked;
//   step interrupts a run stopped after a random step of a random epoch (every model, GAN options
//                   drawn at random), saved, loaded and trained on: bit for bit the run that never
//                   stopped;
//   divergence      diffusion at learning rates from 1e-4 to 10: a finite run or a DivergenceError,
//                   nothing else, and no refusal of a run whose samples stay within the rule.
// The tallies are printed for the reliability docs; FUZZ_EMPTY, FUZZ_INTERRUPT and
// FUZZ_DIVERGENCE set the case counts.

import { afterAll, describe, expect, it } from 'vitest';
import { argmax, argmin, createRng, liveTensors, max, mean, min, sum, tidy, zeros, type Rng, type Tensor } from '../../engine/index';
import { createModel, loadModel } from '../../models/core/registry';
import { runTraining } from '../../models/core/train-loop';
import { getTarget } from '../../models/data/targets';
import { validateCheckpoint } from '../../models/core/checkpoint';
import { DivergenceError, type Checkpoint, type ModelKind } from '../../models/core/model';
import { int, pick } from './fuzz-cases';

const SEED = 20261206;
const CASES = { empty: Number(process.env.FUZZ_EMPTY ?? 600), interrupt: Number(process.env.FUZZ_INTERRUPT ?? 18), divergence: Number(process.env.FUZZ_DIVERGENCE ?? 24) };
const tally: Record<string, Record<string, number>> = {};
const count = (kind: string, outcome: string): void => void ((tally[kind] ??= {})[outcome] = (tally[kind][outcome] ?? 0) + 1);

afterAll(() => {
  console.log(`fuzz rules (seed ${SEED}): ${JSON.stringify(tally)}; live tensors after: ${liveTensors()}`);
});

const OPS = { sum, mean, max, min } as const;

describe('fuzz: empty tensors follow PyTorch’s rule', () => {
  it(`${CASES.empty} random reductions of tensors with empty dimensions`, () => {
    const rng = createRng(SEED);
    const live = liveTensors();
    for (let i = 0; i < CASES.empty; i++) {
      const rank = int(rng, 1, 4);
      const shape = Array.from({ length: rank }, () => pick(rng, [0, 0, 1, 2, 3, 5]));
      const op = pick(rng, ['sum', 'mean', 'max', 'min', 'argmax', 'argmin'] as const);
      const form = op.startsWith('arg') ? pick(rng, ['all', 'one'] as const) : pick(rng, ['all', 'one', 'list'] as const);
      const axes = form === 'all' ? undefined : form === 'one' ? int(rng, -rank, rank - 1) : [...new Set(Array.from({ length: int(rng, 1, rank) }, () => int(rng, 0, rank - 1)))];
      const norm = (a: number): number => (a < 0 ? a + rank : a);
      const reduced = axes === undefined ? shape.reduce((n, d) => n * d, 1) : (Array.isArray(axes) ? axes : [axes]).reduce((n, a) => n * shape[norm(a)], 1);
      const what = `case ${i}: ${op}(zeros([${shape}]), ${JSON.stringify(axes)})`;
      const refused = reduced === 0 && op !== 'sum' && op !== 'mean';
      let outcome = '';
      tidy(() => {
        const x = zeros(shape, { requiresGrad: !op.startsWith('arg') });
        let y: Tensor;
        try {
          y = op === 'argmax' || op === 'argmin' ? (op === 'argmax' ? argmax : argmin)(x, axes as number | undefined) : OPS[op](x, axes);
        } catch (e) {
          expect(refused, `${what} threw: ${(e as Error).message}`).toBe(true);
          expect((e as Error).message, what).toMatch(new RegExp(`^${op}: `));
          outcome = 'refused (no values)';
          return;
        }
        expect(refused, `${what} was not refused`).toBe(false);
        const values = Array.from(y.dataSync());
        if (reduced === 0) expect(values.every((v) => (op === 'sum' ? v === 0 : Number.isNaN(v))), what).toBe(true);
        else expect(values.every((v) => v === 0), what).toBe(true);
        outcome = values.length === 0 ? 'empty result' : reduced === 0 ? (op === 'sum' ? '0 over no values' : 'NaN over no values') : 'values';
        if (!op.startsWith('arg')) {
          sum(y).backward();
          const g = Array.from(x.grad!.dataSync());
          expect(g.length, what).toBe(x.size);
          expect(g.every(Number.isFinite), `${what}: a non-finite gradient`).toBe(true);
          x.grad!.dispose();
          x.grad = null;
        }
      });
      count('empty tensors', outcome);
    }
    expect(liveTensors()).toBe(live);
  }, 120_000);
});

describe('fuzz: a stop at any step resumes bit for bit', () => {
  /** What must match bit for bit (the scores of epochs not forced to score depend on the clock). */
  function essentials(cp: Checkpoint): unknown {
    const losses = cp.history.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !['w1', 'kld', 'genMean', 'genStd', 'scoredEpoch'].includes(k))));
    return { epoch: cp.epoch, steps: cp.steps, weights: cp.weights, optimizers: cp.optimizers, rng: cp.rng, losses, last: cp.history[cp.history.length - 1] };
  }

  /** Case i: the models in turn (the GAN twice as often), its options drawn. */
  function drawCase(rng: Rng, i: number): { kind: ModelKind; target: string; config: Record<string, unknown> } {
    const kind = (['gan', 'vae', 'gan', 'rbm', 'gan', 'diffusion'] as const)[i % 6];
    const base = { dataset: pick(rng, [256, 320]), batch: pick(rng, [16, 32]), evalSamples: 200, seed: int(rng, 0, 1000) };
    if (kind === 'gan') {
      const options = {
        dDropout: pick(rng, [0, 0.2]), gBatchNorm: pick(rng, [false, true]), loss: pick(rng, ['nonsaturating', 'minimax', 'wgan', 'wgan-gp', 'wgan-lp']),
        kD: pick(rng, [1, 2]), lrDecay: pick(rng, [0, 3]), bins: pick(rng, [0, 0, 12]), labelSmoothing: pick(rng, [0, 0.1]),
      };
      return { kind, target: pick(rng, ['bimodal', 'normal']), config: { ...base, ...options } };
    }
    if (kind === 'diffusion') return { kind, target: pick(rng, ['bimodal', '2d-mix-gauss']), config: { ...base, steps: pick(rng, [10, 20]), bins: 0 } };
    return { kind, target: pick(rng, ['bimodal', 'normal']), config: { ...base, bins: pick(rng, [0, 0, 12]), ...(kind === 'rbm' ? { gibbsSteps: 20 } : {}) } };
  }

  it(`${CASES.interrupt} runs stopped at a random step`, async () => {
    const rng = createRng(SEED + 1);
    for (let i = 0; i < CASES.interrupt; i++) {
      const c = drawCase(rng, i);
      const make = (): ReturnType<typeof createModel> => createModel(c.kind, getTarget(c.target), c.config);
      const epochsBefore = int(rng, 0, 1);
      const straight = make();
      const spe = straight.stepsPerEpoch;
      const stepsInto = int(rng, 1, spe - 1);
      await runTraining(straight, { epochs: epochsBefore + 2 });
      const expected = await straight.save();
      straight.dispose();
      const first = make();
      if (epochsBefore) await runTraining(first, { epochs: epochsBefore });
      for (let s = 0; s < stepsInto; s++) first.trainStep();
      const saved = validateCheckpoint(JSON.parse(JSON.stringify(await first.save())), 'checkpoint');
      first.dispose();
      const resumed = loadModel(saved);
      await runTraining(resumed, { epochs: 2 });
      const got = await resumed.save();
      resumed.dispose();
      expect(essentials(got), `case ${i}: ${JSON.stringify(c)}, stopped after ${epochsBefore} epochs and ${stepsInto} steps`).toEqual(essentials(expected));
      count('step interrupts', `${c.kind}: resumed bit for bit`);
    }
    expect(liveTensors()).toBe(0);
  }, 600_000);
});

describe('fuzz: diffusion diverges loudly or not at all', () => {
  it(`${CASES.divergence} diffusion runs at learning rates from 1e-4 to 10`, async () => {
    const rng = createRng(SEED + 2);
    for (let i = 0; i < CASES.divergence; i++) {
      const lr = 10 ** (-4 + 5 * rng.uniform());
      const target = getTarget(pick(rng, ['normal', 'bimodal', '1d-trimodal', 'normal-10-2', '2d-mix-gauss']));
      const model = createModel('diffusion', target, { seed: int(rng, 0, 1000), lr, dataset: 1024, batch: 64, evalSamples: 500, steps: pick(rng, [50, 100]) });
      try {
        await runTraining(model, { epochs: 3 });
        const m = await model.evaluate();
        expect([m.w1, ...m.mean, ...m.std].every(Number.isFinite), `case ${i}: lr ${lr}: a non-finite metric without an error`).toBe(true);
        // Within the one-pass rule (100·max(σ, 1) + 2|μ|) or only within the sampler's wider one: both are counted.
        const far = m.mean.some((mu, d) => Math.abs(mu - target.mean[d]) > 100 * Math.max(target.std[d], 1) + 2 * Math.abs(target.mean[d]));
        if (far && process.env.FUZZ_DEBUG) console.info(`case ${i}: lr ${lr}, ${target.name}: trained to mean ${m.mean}`);
        count('diffusion divergence', far ? 'trained, mean beyond 100·max(σ, 1) + 2|μ|' : 'trained');
      } catch (e) {
        expect(e, `case ${i}: lr ${lr}: ${(e as Error).message}`).toBeInstanceOf(DivergenceError);
        if (process.env.FUZZ_DEBUG) console.info(`case ${i}: lr ${lr}, ${target.name}: ${(e as Error).message.slice(0, 160)}`);
        count('diffusion divergence', lr > 0.01 ? 'refused (lr > 0.01)' : 'refused (lr ≤ 0.01)');
      } finally {
        model.dispose();
      }
    }
    expect(liveTensors()).toBe(0);
  }, 600_000);
});
