// The order in which `gradlab bench --workload` runs its contenders in each round, and how many
// steps a round holds.
//
// Why the order rotates. The peers run in their own processes, so while they step this process
// sits idle, and V8 finishes its major GCs (mark-compact) in that idle time: a task completes the
// incremental marking that the engine's allocations started (`--trace-gc`: "finalize incremental
// marking via task"). A mark-compact drops the optimized code of closures that no live function object holds (V8
// keeps it only weakly, from the feedback vector, together with what was inlined into it), and
// the plain engine step makes its closures anew on every call (`trainingStep(() => tidy(...))`, a
// rule's `run`, each op's backward rule), so after it the plain step runs unoptimized code until
// V8 has optimized a few dozen functions again: about 95 ms of CPU over the next 500 steps of the
// reference GAN. With one fixed order, the contender right after the peers paid that whenever a
// major GC fell there (every second round or so): the plain step at 1.37x the hand-written one,
// while the same step two rows later ran at 0.93x. So each round starts with the next of this process's contenders, the peers after
// them: every one of them follows the idle equally often, and the median drops those rounds.

/**
 * The contenders of round `round` (0-based). The first `inProcess` of them (this process's)
 * rotate by one place a round; the rest (the peers, each in its own process) keep their places after them.
 */
export function roundOrder<T>(contenders: readonly T[], round: number, inProcess = contenders.length): T[] {
  if (!Number.isInteger(inProcess) || inProcess < 0 || inProcess > contenders.length) {
    throw new Error(`roundOrder: inProcess must be a whole number from 0 to ${contenders.length} (the contenders), got ${inProcess}`);
  }
  const shift = inProcess === 0 ? 0 : round % inProcess;
  return [...contenders.slice(shift, inProcess), ...contenders.slice(0, shift), ...contenders.slice(inProcess)];
}

/** The most steps a round holds, whatever the step time. */
export const MAX_STEPS_PER_ROUND = 2000;

/**
 * Steps per round that take about `roundMs` at `msPerStep` (1 to MAX_STEPS_PER_ROUND). The bench
 * sizes the rounds from a warm step: sized from the second to fourth steps, as before, the
 * hand-written step (about 6 ms a step then, 0.3 ms warm) had rounds of about 65 steps, 35 ms.
 */
export function stepsPerRound(msPerStep: number, roundMs: number): number {
  return Math.max(1, Math.min(MAX_STEPS_PER_ROUND, Math.round(roundMs / Math.max(msPerStep, 1e-3))));
}
