// The matmul that tunes itself: which rung of the ladder (matmul.wgsl.ts) 'auto' runs, timed on
// the adapter at hand instead of assumed.
//
// chooseRung is a rule fitted to lavapipe (Mesa's Vulkan on the CPU), where barriers and storage
// loads are dear; on a real GPU the tiled rungs that stage blocks in workgroup memory should win.
// So, once per adapter and session, right after the device is created:
//   - for each shape class (thin: a side of the output < 16; wide: both sides ≥ 16), run one
//     representative product on every rung, the rule's own rung first, and keep the fastest
//     time per product of a few rounds (the minimum: load on a shared CPU only ever adds time);
//   - the (up to CONFIRM_RUNGS) fastest rungs that beat the rule's are timed again with it in
//     CONFIRM_ROUNDS alternating rounds, even past the budget, each keeping its fastest time: a
//     slow spell then hits them all, not one rung alone;
//   - the fastest candidate then replaces the rule's rung only if it is faster by a clear margin:
//       t(candidate) < (1 - margin) · t(rule),   margin = 15%;
//   - the tuning stops when its time budget is spent (compiling the kernels included; each
//     class gets its share, and what one leaves over passes on); a class whose rule rung was
//     not timed keeps the rule.
// The result is cached by adapter description for the session. GRADLAB_MATMUL_TUNE=off (or
// createWebGpuBackend({ tuneMatmul: false })) keeps the rule everywhere.

import type { KernelCall } from '../../engine/backend';
import { chooseRung, matmulShapeClass, MATMUL_RUNGS, planLinearOn, planMatmulOn, type MatmulRung, type MatmulShapeClass } from './matmul.wgsl';
import type { DispatchPlan, PlanLimits } from './plan';

export type { MatmulShapeClass } from './matmul.wgsl';
export const MATMUL_SHAPE_CLASSES: readonly MatmulShapeClass[] = ['wide', 'thin'];

/** Time budget of one tuning, compilation included (ms). */
export const TUNE_BUDGET_MS = 400;
/** How much faster than the rule's rung a candidate must be to replace it. */
export const TUNE_MARGIN = 0.15;
/** Alternating rounds (the rule's rung, then each candidate) that time the candidates again before one may replace the rule's rung. */
export const CONFIRM_ROUNDS = 3;
/** How many of the rungs that beat the rule's on their first timing are timed again (the fastest ones). */
export const CONFIRM_RUNGS = 2;

/** The product each class is timed on (m×k · k×n): the wide GAN's layer, and a thin one of the same size. */
export const TUNE_SHAPES: Record<MatmulShapeClass, { m: number; k: number; n: number }> = {
  wide: { m: 512, k: 64, n: 64 },
  thin: { m: 512, k: 64, n: 4 },
};

/** What 'auto' runs on one adapter, and why. */
export interface MatmulTuning {
  adapter: string;
  /** The rung 'auto' runs for each shape class. */
  rungs: Record<MatmulShapeClass, MatmulRung>;
  /** 'timed': chosen from the timings; 'rule': chooseRung's rung (tuning off, or not timed within the budget). */
  source: Record<MatmulShapeClass, 'timed' | 'rule'>;
  /** Milliseconds per product of each rung timed, by class (a rung the budget cut is absent): its fastest time over all its runs. */
  timings: Record<MatmulShapeClass, Partial<Record<MatmulRung, number>>>;
  /**
   * Per class, the rungs that beat the rule's on their first timing and were timed again with it
   * in CONFIRM_ROUNDS alternating rounds (`candidates`, the fastest first); none where the rule's
   * rung was the fastest.
   */
  confirmation: Record<MatmulShapeClass, { candidates: MatmulRung[] }>;
  /** Whether the tuning ran at all (false: switched off, the rule everywhere). */
  tuned: boolean;
  budgetMs: number;
  margin: number;
  /** Wall time the tuning took (ms). */
  elapsedMs: number;
}

/** The rule's rung for a class (chooseRung on the class's representative shape). */
export function ruleRung(cls: MatmulShapeClass): MatmulRung {
  const { m, k, n } = TUNE_SHAPES[cls];
  return chooseRung(m, k, n);
}

/**
 * The rung to run given the timings (ms per product): the fastest, if it beats the rule's rung
 * by the margin; otherwise the rule's. Without a time for the rule's rung, the rule's.
 */
export function pickRung(rule: MatmulRung, timings: Partial<Record<MatmulRung, number>>, margin = TUNE_MARGIN): MatmulRung {
  const ruleMs = timings[rule];
  if (ruleMs === undefined || !Number.isFinite(ruleMs)) return rule;
  let best = rule;
  let bestMs = ruleMs;
  for (const rung of MATMUL_RUNGS) {
    const ms = timings[rung];
    if (ms !== undefined && Number.isFinite(ms) && ms < bestMs) {
      best = rung;
      bestMs = ms;
    }
  }
  return bestMs < (1 - margin) * ruleMs ? best : rule;
}

/** The rule everywhere (tuning off). */
export function ruleTuning(adapter: string): MatmulTuning {
  return {
    adapter,
    rungs: { wide: ruleRung('wide'), thin: ruleRung('thin') },
    source: { wide: 'rule', thin: 'rule' },
    timings: { wide: {}, thin: {} },
    confirmation: { wide: { candidates: [] }, thin: { candidates: [] } },
    tuned: false,
    budgetMs: 0,
    margin: TUNE_MARGIN,
    elapsedMs: 0,
  };
}

/**
 * Times one product of a class on a rung: ms per product (compiling it first, untimed). It
 * should stop repeating once `msLeft` is spent (one timed run always happens).
 */
export type RungTimer = (cls: MatmulShapeClass, rung: MatmulRung, msLeft: number) => Promise<number>;

export interface TuneOptions {
  budgetMs?: number;
  margin?: number;
  /** The clock (ms); tests pass a fake one. */
  now?: () => number;
}

/**
 * The order rungs are tried in for a class: the rule's first (so it is always timed when any
 * is), then broadcast (the fastest on lavapipe, and quick to time anywhere), then the ones
 * likeliest to win on a real GPU, the naive rung last.
 */
const TRY_ORDER: readonly MatmulRung[] = ['broadcast', 'register', 'tiled', 'block', 'small', 'naive'];
function tryOrder(cls: MatmulShapeClass): MatmulRung[] {
  const rule = ruleRung(cls);
  return [rule, ...TRY_ORDER.filter((r) => r !== rule)];
}

/** Time the rungs class by class until the budget is spent, and pick per class. */
export async function tuneMatmul(adapter: string, timer: RungTimer, options: TuneOptions = {}): Promise<MatmulTuning> {
  const budgetMs = options.budgetMs ?? TUNE_BUDGET_MS;
  const margin = options.margin ?? TUNE_MARGIN;
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const result = ruleTuning(adapter);
  result.tuned = true;
  result.budgetMs = budgetMs;
  result.margin = margin;
  for (const [i, cls] of MATMUL_SHAPE_CLASSES.entries()) {
    // Each class may run until its share of the budget is spent; time a class leaves over passes on.
    const deadline = (budgetMs * (i + 1)) / MATMUL_SHAPE_CLASSES.length;
    for (const rung of tryOrder(cls)) {
      const msLeft = deadline - (now() - t0);
      if (msLeft <= 0) break;
      result.timings[cls][rung] = await timer(cls, rung, msLeft);
    }
    const rule = ruleRung(cls);
    const timings = result.timings[cls];
    if (timings[rule] === undefined) continue; // not timed within the budget: the rule stays
    result.source[cls] = 'timed';
    // The fastest rungs that beat the rule's, timed again with it in alternating rounds; then the margin decides.
    const contenders = MATMUL_RUNGS.filter((r) => r !== rule && (timings[r] ?? Infinity) < timings[rule]!)
      .sort((a, b) => timings[a]! - timings[b]!).slice(0, CONFIRM_RUNGS);
    if (contenders.length === 0) continue;
    result.confirmation[cls].candidates = contenders;
    const timed = [rule, ...contenders];
    for (let round = 0; round < CONFIRM_ROUNDS; round++) {
      for (const rung of timed) timings[rung] = Math.min(timings[rung]!, await timer(cls, rung, deadline - (now() - t0)));
    }
    result.rungs[cls] = pickRung(rule, Object.fromEntries(timed.map((r) => [r, timings[r]])), margin);
  }
  result.elapsedMs = now() - t0;
  return result;
}

/** Tunings by adapter description, for the session. */
const cache = new Map<string, MatmulTuning>();

/** The adapter's tuning: from the cache, or timed now (and cached). */
export async function cachedMatmulTuning(adapter: string, timer: RungTimer, options: TuneOptions = {}): Promise<MatmulTuning> {
  const hit = cache.get(adapter);
  if (hit) return hit;
  const tuning = await tuneMatmul(adapter, timer, options);
  cache.set(adapter, tuning);
  return tuning;
}

/** @internal Forget every cached tuning (tests). */
export function clearMatmulTuningCache(): void {
  cache.clear();
}

/** Whether GRADLAB_MATMUL_TUNE switches tuning off (off, 0, false, no). */
export function tuningSwitchedOff(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.GRADLAB_MATMUL_TUNE?.trim().toLowerCase();
  return v === 'off' || v === '0' || v === 'false' || v === 'no';
}

/**
 * The plans of a matmul or linear call that 'auto' leaves to the tuning, on the tuned rung;
 * null when the call is not one (another kernel, a named variant) or the tuned rung is the rule's.
 */
export function planTuned(call: KernelCall, rungs: Record<MatmulShapeClass, MatmulRung>, limits: PlanLimits): DispatchPlan[] | null {
  if (call.kernel === 'matmul' && (call.variant ?? 'auto') === 'auto') {
    const rung = rungs[matmulShapeClass(call.m, call.n)];
    return rung === chooseRung(call.m, call.k, call.n) ? null : planMatmulOn(call, rung, limits);
  }
  if (call.kernel === 'linear') {
    const rung = rungs[matmulShapeClass(call.m, call.n)];
    return rung === chooseRung(call.m, call.k, call.n) ? null : planLinearOn(call, rung, limits);
  }
  return null;
}

/** How a class's candidates were timed again, for people ('' where there were none), e.g. "small and broadcast timed again in 3 alternating rounds: broadcast". */
export function describeConfirmation(t: MatmulTuning, cls: MatmulShapeClass): string {
  const { candidates } = t.confirmation[cls];
  if (candidates.length === 0) return '';
  const rule = ruleRung(cls);
  const rungs = [rule, ...candidates];
  const list = `${rungs.slice(0, -1).join(', ')} and ${rungs[rungs.length - 1]}`;
  const outcome = t.rungs[cls] === rule ? `${rule} kept, none ${Math.round(t.margin * 100)}% faster` : t.rungs[cls];
  return `${list} timed again in ${CONFIRM_ROUNDS} alternating rounds: ${outcome}`;
}

/** One line for people: what 'auto' runs, and how it was decided (engine/index.ts exports it with its options checked). */
export function describeMatmulTuning(t: MatmulTuning, options: { confirmation?: boolean } = {}): string {
  const how = t.tuned
    ? `timed on ${t.adapter} at start-up${t.source.thin === 'rule' || t.source.wide === 'rule' ? '; the rule where the time budget ran out' : ''}`
    : 'the fixed rule: tuning is off';
  const line = `matmul: ${t.rungs.wide} for wide products, ${t.rungs.thin} for thin ones (${how})`;
  if (!options.confirmation) return line;
  // With confirmation: then, per class where a rung beat the rule's, how it was timed again.
  const confirmed = MATMUL_SHAPE_CLASSES.map((cls) => [cls, describeConfirmation(t, cls)]).filter(([, text]) => text !== '');
  return [line, ...confirmed.map(([cls, text]) => `${cls}: ${text}`)].join('; ');
}
