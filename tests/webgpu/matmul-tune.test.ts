// The matmul that tunes itself (kernels/webgpu/matmul-tune.ts): the choice logic on fake
// timings and a fake clock (margin, the candidates timed again in alternating rounds, budget,
// per-adapter cache), then on the GPU: a tuning with
// a small budget, tuned products against the CPU twin, and switching tuning off.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linear, matmul, matmulTuning, setMatmulTuning, tensor } from '../../engine/index';
import { currentBackend, useBackend, type Backend, type KernelCall } from '../../engine/backend';
import { linear as cpuLinear, matmul as cpuMatmul } from '../../kernels/cpu/matmul';
import { createWebGpuBackend, type WebGpuBackend } from '../../kernels/webgpu/backend';
import { chooseRung, type MatmulRung } from '../../kernels/webgpu/matmul.wgsl';
import {
  cachedMatmulTuning, clearMatmulTuningCache, CONFIRM_ROUNDS, CONFIRM_RUNGS, describeConfirmation, describeMatmulTuning, pickRung, ruleRung, tuneMatmul, tuningSwitchedOff,
  type MatmulShapeClass, type RungTimer,
} from '../../kernels/webgpu/matmul-tune';
import { expectClose, randomArray, TEST_SEED } from './compare';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

/** A timer that answers from a table (ms per product) and advances a fake clock by `cost` per call. */
function fakeTimer(table: Record<MatmulShapeClass, Partial<Record<MatmulRung, number>>>, clock: { t: number }, cost = 10) {
  const calls: string[] = [];
  const timer: RungTimer = async (cls, rung) => {
    calls.push(`${cls}.${rung}`);
    clock.t += cost;
    return table[cls][rung] ?? 100;
  };
  return { timer, calls };
}

/**
 * A timer as fakeTimer's, except that one rung of one class is timed in a slow spell the first
 * time: `spell.first` ms, then `spell.after`.
 */
function spellTimer(table: Record<MatmulShapeClass, Partial<Record<MatmulRung, number>>>, spell: { cls: MatmulShapeClass; rung: MatmulRung; first: number; after: number }, clock: { t: number }) {
  let spellRuns = 0;
  const timer: RungTimer = async (cls, rung) => {
    clock.t += 10;
    if (cls === spell.cls && rung === spell.rung) return ++spellRuns === 1 ? spell.first : spell.after;
    return table[cls][rung] ?? 100;
  };
  return timer;
}

describe('the choice, on fake timings', () => {
  it('the rule of each class is chooseRung on its shape', () => {
    expect(ruleRung('wide')).toBe(chooseRung(512, 64, 64));
    expect(ruleRung('thin')).toBe(chooseRung(512, 64, 4));
    expect(ruleRung('wide')).toBe('broadcast');
    expect(ruleRung('thin')).toBe('small');
  });

  it('a candidate replaces the rule only when faster by the margin', () => {
    expect(pickRung('block', { block: 10, register: 8.6 }, 0.15)).toBe('block'); // 14% faster: noise
    expect(pickRung('block', { block: 10, register: 8.4 }, 0.15)).toBe('register'); // 16% faster
    expect(pickRung('block', { block: 10, register: 8, tiled: 5 }, 0.15)).toBe('tiled'); // the fastest
    expect(pickRung('small', { small: 3, naive: 3.5 }, 0.15)).toBe('small');
    expect(pickRung('small', { register: 1 }, 0.15)).toBe('small'); // the rule was not timed
  });

  it('tunes each class on its own timings', async () => {
    const clock = { t: 0 };
    const { timer, calls } = fakeTimer({
      wide: { broadcast: 4, register: 2.5, tiled: 3, small: 9, naive: 7 },
      thin: { small: 1, block: 0.95, register: 5, tiled: 6, naive: 1.2 },
    }, clock);
    const t = await tuneMatmul('fake GPU', timer, { budgetMs: 1000, now: () => clock.t });
    expect(t.rungs).toEqual({ wide: 'register', thin: 'small' }); // thin: block is only 5% faster
    expect(t.source).toEqual({ wide: 'timed', thin: 'timed' });
    expect(t.timings.wide.register).toBe(2.5);
    // Every rung of each class (a rung missing from the table takes 100 ms); then the two
    // fastest that beat the rule's rung at all are timed again with it in 3 alternating rounds:
    // register wins, block (5% faster) does not.
    expect(calls).toHaveLength(6 + 3 * CONFIRM_ROUNDS + 6 + 2 * CONFIRM_ROUNDS);
    expect(calls[0]).toBe('wide.broadcast'); // the rule's rung first
    expect(calls.slice(6, 15)).toEqual(Array(CONFIRM_ROUNDS).fill(['wide.broadcast', 'wide.register', 'wide.tiled']).flat());
    expect(calls[15]).toBe('thin.small');
    expect(calls.slice(21)).toEqual(Array(CONFIRM_ROUNDS).fill(['thin.small', 'thin.block']).flat());
    expect(t.confirmation).toEqual({ wide: { candidates: ['register', 'tiled'] }, thin: { candidates: ['block'] } });
    expect(describeConfirmation(t, 'wide')).toBe('broadcast, register and tiled timed again in 3 alternating rounds: register');
    expect(describeConfirmation(t, 'thin')).toBe('small and block timed again in 3 alternating rounds: small kept, none 15% faster');
    expect(describeMatmulTuning(t)).toBe('matmul: register for wide products, small for thin ones (timed on fake GPU at start-up)');
  });

  it("a slow spell while the rule's rung was timed does not flip the choice: the rounds keep the rule's", async () => {
    // The rule's rung takes 1 ms a product but was first timed during a slow spell (3 ms); block
    // takes 1.5. On the first timings block looks 50% faster; timed in alternating rounds, the
    // rule's rung shows its 1 ms and keeps its place.
    const clock = { t: 0 };
    const timer = spellTimer({ wide: { block: 1.5 }, thin: { small: 1 } }, { cls: 'wide', rung: 'broadcast', first: 3, after: 1 }, clock);
    const t = await tuneMatmul('shared CPU', timer, { budgetMs: 1000, now: () => clock.t });
    expect(pickRung('broadcast', { broadcast: 3, block: 1.5 })).toBe('block'); // what the first timings alone would pick
    expect(t.rungs.wide).toBe('broadcast');
    expect(t.timings.wide).toMatchObject({ broadcast: 1, block: 1.5 }); // each rung's fastest over all its runs
    expect(t.confirmation.wide).toEqual({ candidates: ['block'] });
    expect(describeConfirmation(t, 'wide')).toBe('broadcast and block timed again in 3 alternating rounds: broadcast kept, none 15% faster');
    expect(describeConfirmation(t, 'thin')).toBe(''); // the rule's rung was the fastest
  });

  it('a slow spell while a faster rung was timed: the rounds show it faster by the margin', async () => {
    // broadcast takes 0.3 ms a product, against the rule's 1, but was first timed in a slow spell
    // (0.95: faster, not by 15%); in the rounds it shows its 0.3 and replaces the rule's rung.
    const clock = { t: 0 };
    const timer = spellTimer({ wide: { broadcast: 1 }, thin: { small: 1 } }, { cls: 'thin', rung: 'broadcast', first: 0.95, after: 0.3 }, clock);
    const t = await tuneMatmul('shared CPU', timer, { budgetMs: 1000, now: () => clock.t });
    expect(pickRung('small', { small: 1, broadcast: 0.95 })).toBe('small'); // what the first timings alone would keep
    expect(t.rungs.thin).toBe('broadcast');
    expect(t.timings.thin).toMatchObject({ small: 1, broadcast: 0.3 });
    expect(t.confirmation.thin).toEqual({ candidates: ['broadcast'] });
  });

  it('the two fastest first timings are both timed again: the second can win', async () => {
    // block takes 0.6 ms, broadcast 0.2 but 0.7 in its first timing; both beat the rule's 1 and
    // are timed again, and broadcast, second on the first timings, wins.
    const clock = { t: 0 };
    const timer = spellTimer({ wide: { broadcast: 1 }, thin: { small: 1, block: 0.6 } }, { cls: 'thin', rung: 'broadcast', first: 0.7, after: 0.2 }, clock);
    const t = await tuneMatmul('shared CPU', timer, { budgetMs: 1000, now: () => clock.t });
    expect(CONFIRM_RUNGS).toBe(2);
    expect(t.confirmation.thin).toEqual({ candidates: ['block', 'broadcast'] });
    expect(t.rungs.thin).toBe('broadcast');
    expect(describeConfirmation(t, 'thin')).toBe('small, block and broadcast timed again in 3 alternating rounds: broadcast');
  });

  it('a confirmation takes its rounds even past the budget: a choice is never made on less', async () => {
    const clock = { t: 0 };
    const { timer, calls } = fakeTimer({ wide: { broadcast: 10, register: 1 }, thin: { small: 1 } }, clock, 30);
    const t = await tuneMatmul('slow GPU', timer, { budgetMs: 200, now: () => clock.t });
    // The wide class's share ends at 100 ms: timings at 0, 30, 60, 90 (broadcast, register,
    // tiled, block); register is timed again in 3 rounds from 120 to 270, past the whole budget,
    // so the thin class is not timed.
    expect(calls).toEqual(['wide.broadcast', 'wide.register', 'wide.tiled', 'wide.block', ...Array(CONFIRM_ROUNDS).fill(['wide.broadcast', 'wide.register']).flat()]);
    expect(t.confirmation.wide).toEqual({ candidates: ['register'] });
    expect(t.rungs.wide).toBe('register');
    expect(t.source.thin).toBe('rule');
  });

  it('the budget cuts the tuning short; a class not timed keeps the rule', async () => {
    const clock = { t: 0 };
    // Each timing costs 30 ms of the clock; of 100 ms the wide class may start timings until
    // 50 ms are spent (at 0 and 30), the thin class until 100. register beats the rule and is
    // timed again in 3 rounds (from 60 to 210), which spend what was left: the thin class is not
    // timed at all (naive, 10× faster, never).
    const { timer, calls } = fakeTimer({ wide: { broadcast: 10, register: 1 }, thin: { small: 10, naive: 1 } }, clock, 30);
    const t = await tuneMatmul('slow GPU', timer, { budgetMs: 100, now: () => clock.t });
    expect(calls).toEqual(['wide.broadcast', 'wide.register', ...Array(CONFIRM_ROUNDS).fill(['wide.broadcast', 'wide.register']).flat()]);
    expect(t.rungs).toEqual({ wide: 'register', thin: 'small' });
    expect(t.source).toEqual({ wide: 'timed', thin: 'rule' });
    const noTime = await tuneMatmul('slower GPU', fakeTimer({ wide: {}, thin: {} }, clock, 200).timer, { budgetMs: 100, now: () => clock.t });
    expect(noTime.source.thin).toBe('rule');
    expect(noTime.rungs.thin).toBe('small');
    expect(describeMatmulTuning(noTime)).toMatch(/the rule where the time budget ran out/);
  });

  it('the cache is per adapter: each adapter is timed once a session', async () => {
    clearMatmulTuningCache();
    const clock = { t: 0 };
    const a = fakeTimer({ wide: { broadcast: 4, tiled: 1 }, thin: { small: 1 } }, clock);
    const b = fakeTimer({ wide: { broadcast: 4, naive: 9 }, thin: { small: 1 } }, clock);
    const ta = await cachedMatmulTuning('adapter A', a.timer, { budgetMs: 1000, now: () => clock.t });
    const tb = await cachedMatmulTuning('adapter B', b.timer, { budgetMs: 1000, now: () => clock.t });
    const again = await cachedMatmulTuning('adapter A', a.timer, { budgetMs: 1000, now: () => clock.t });
    expect(again).toBe(ta);
    expect(a.calls).toHaveLength(12 + 2 * CONFIRM_ROUNDS); // tiled timed again with broadcast
    expect(ta.rungs.wide).toBe('tiled');
    expect(tb.rungs.wide).toBe('broadcast');
    clearMatmulTuningCache();
  });

  it('GRADLAB_MATMUL_TUNE=off switches tuning off', () => {
    const before = process.env.GRADLAB_MATMUL_TUNE;
    try {
      process.env.GRADLAB_MATMUL_TUNE = 'off';
      expect(tuningSwitchedOff()).toBe(true);
      process.env.GRADLAB_MATMUL_TUNE = 'on';
      expect(tuningSwitchedOff()).toBe(false);
    } finally {
      if (before === undefined) delete process.env.GRADLAB_MATMUL_TUNE;
      else process.env.GRADLAB_MATMUL_TUNE = before;
    }
  });
});

describe('on the GPU', () => {
  let gpu: WebGpuBackend;
  let before: Backend;

  beforeAll(async () => {
    await expect(createWebGpuBackend({ tuneMatmul: false, speed: 1 } as never)).rejects.toThrow(/unknown option 'speed'/);
    const created = await createWebGpuBackend({ tuneMatmul: false });
    if (created === null) throw new Error('WebGPU tests need a WebGPU adapter (see tests/webgpu/setup.ts)');
    gpu = created;
    before = currentBackend();
    useBackend(gpu);
  });
  afterAll(() => {
    useBackend(before);
    gpu.destroy();
  });

  const call = (m: number, k: number, n: number): KernelCall => {
    const [a, b, out] = [m * k, k * n, m * n].map((size) => gpu.alloc(size, 'float32'));
    return { kernel: 'matmul', a, b, out, batch: 1, m, k, n, transA: false, transB: false, strideA: 0, strideB: 0 };
  };

  it('without tuning, auto follows the rule', () => {
    expect(matmulTuning()?.tuned).toBe(false);
    expect(matmulTuning()?.rungs).toEqual({ wide: 'broadcast', thin: 'small' });
  });

  it("a tuning with a small budget times the rule's rung first and stops when the budget is spent", async () => {
    clearMatmulTuningCache();
    const t0 = performance.now();
    const t = await gpu.tuneMatmul({ budgetMs: 60 });
    const took = performance.now() - t0;
    console.log(`tuning on ${t.adapter} with a 60 ms budget: ${took.toFixed(0)} ms, ${JSON.stringify(t.timings)} -> ${JSON.stringify(t.rungs)}`);
    expect(t.tuned).toBe(true);
    expect(t.timings.wide.broadcast).toBeGreaterThan(0);
    for (const cls of ['wide', 'thin'] as const) expect(Object.keys(t.timings[cls]).length).toBeLessThan(5);
    expect(matmulTuning()).toBe(t);
    expect(await gpu.tuneMatmul({ budgetMs: 60 })).toBe(t); // cached for this adapter
  });

  it('tuned products equal the CPU twin; switching tuning off restores the rule', async () => {
    // A tuning as a real GPU might give: the workgroup-memory rungs.
    gpu.matmulTuning = { ...gpu.matmulTuning, tuned: true, rungs: { wide: 'tiled', thin: 'naive' } };
    expect(gpu.describe(call(70, 33, 40)).label).toMatch(/^matmul\.tiled\./);
    expect(gpu.describe(call(70, 33, 5)).label).toMatch(/^matmul\.naive\./);
    for (const [m, k, n] of [[70, 33, 40], [70, 33, 5], [128, 10, 16]]) {
      const a = randomArray(m * k);
      const b = randomArray(k * n);
      const ref = new Float64Array(m * n);
      cpuMatmul(Float64Array.from(a), Float64Array.from(b), ref, 1, m, k, n, false, false, 0, 0);
      expectClose(await matmul(tensor(a, [m, k]), tensor(b, [k, n])).data(), ref, `tuned matmul ${m}x${k}x${n} (seed ${TEST_SEED})`);
      const bias = randomArray(n);
      const refLinear = new Float64Array(m * n);
      cpuLinear(Float64Array.from(a), Float64Array.from(b), Float64Array.from(bias), refLinear, m, k, n, 'relu', 0);
      expectClose(await linear(tensor(a, [m, k]), tensor(b, [k, n]), tensor(bias, [n]), 'relu').data(), refLinear, `tuned linear ${m}x${k}x${n}`);
    }
    setMatmulTuning(false);
    try {
      expect(matmulTuning()?.tuned).toBe(false);
      expect(gpu.describe(call(70, 33, 40)).label).toMatch(/^matmul\.broadcast/);
      expect(gpu.describe(call(70, 33, 5)).label).toMatch(/^matmul\.small/);
    } finally {
      setMatmulTuning(true);
    }
    expect(gpu.describe(call(70, 33, 40)).label).toMatch(/^matmul\.tiled\./);
  });
});
