// The order in which `gradlab bench --workload` runs its contenders in each round, and how many
// steps a round holds.
//
// Why the order rotates. The peers run in their own processes, so while they step this process
// sits idle, and V8 finishes its major GCs in that idle time (`--trace-gc`: "finalize incremental
// marking via task"). After them V8 optimizes 20–30 of the plain engine step's functions again
// (`--trace-opt`), most of them closures that the step makes anew on every call (a rule's `run`,
// `trainingStep(() => tidy(...))`), and until then the step runs unoptimized code: a forced full
// GC costs the next 1000 steps of the reference GAN 80–95 ms of CPU
// (models/scripts/plain-step-gc.ts). With one fixed order, the contender right after the peers
// paid that whenever such a GC fell there: the plain step at 1.37x the hand-written one, while
// the same step two rows later ran at 0.93x; with the two rows swapped, the one after the peers
// was the slower in 6 runs of 6. So each round starts with the next of this process's
// contenders, the peers after them: each follows the idle equally often, and the median drops
// those rounds.

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
