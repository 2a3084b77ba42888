// `gradlab bench --workload NAME`: one training step of a named workload, timed in one run on
// every backend available here, next to the hand-written floor where one exists, with the kernel
// dispatches of one step. Rounds alternate between the implementations, so load on the machine
// hits them alike (the CPU backend races the floor; WebGPU runs after them); the ratios are the figures to compare, absolute times depend on the machine.
//
//   gan       the playground's reference GAN: batch 128, G 10-16-1, D 1-32-1 ReLU, Adam 3e-3
//   gan-wide  the same GAN with G and D of 3 hidden layers of 64, batch 512 (matmul-bound)
//   rbm       the Gaussian-Bernoulli RBM of `gradlab compare` at budget 1600 on 1d-trimodal
//             (799 hidden units, CD-5, batch 128): the Gibbs sweeps dominate

import { backendStats, compile, flush, setBackend, type BackendName } from '../../engine/index';
import { budgetedConfig } from '../eval/compare';
import { createModel } from '../core/registry';
import { getTarget } from '../data/targets';
import { createEngineGan } from './engine-gan';
import { createFloorGan } from './floor-gan';
import { setCpuThreads, whenCpuThreadsReady } from '../../kernels/cpu/gemm-wasm';

export const WORKLOADS = ['gan', 'gan-wide', 'rbm'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export function isWorkload(name: string): name is WorkloadName {
  return (WORKLOADS as readonly string[]).includes(name);
}

/** Something that trains one step at a time. */
interface Stepper {
  step(): void;
  dispose(): void;
}

const DESCRIPTIONS: Record<WorkloadName, string> = {
  gan: 'reference GAN step (N(4, 0.5), batch 128, latent 10, G 10-16-1, D 1-32-1 ReLU, Adam 3e-3)',
  'gan-wide': 'wide GAN step (batch 512, latent 10, G 10-64-64-64-1, D 1-64-64-64-1 ReLU, Adam 3e-3)',
  rbm: 'RBM CD-5 step (budget 1600 on 1d-trimodal: 799 hidden, σ 0.2, batch 128, Adam 1e-3)',
};

function engineStepper(name: WorkloadName): Stepper {
  if (name === 'rbm') {
    const { config } = budgetedConfig('rbm', 1600, 1);
    const model = createModel('rbm', getTarget('1d-trimodal'), { ...config, seed: 0 });
    return { step: () => model.trainStep(), dispose: () => model.dispose() };
  }
  const gan = createEngineGan(0, name === 'gan-wide' ? { batch: 512, gHidden: [64, 64, 64], dHidden: [64, 64, 64] } : {});
  return {
    step() {
      const s = gan.step();
      s.dLoss.dispose();
      s.gLoss.dispose();
    },
    dispose: () => gan.dispose(),
  };
}

/**
 * The same GAN step through compile(): recorded once, then replayed as a list of kernel calls
 * (engine/compile.ts). The RBM's step keeps running sums in JavaScript, so it is not compiled.
 */
function compiledStepper(name: WorkloadName): Stepper | null {
  if (name === 'rbm') return null;
  const gan = createEngineGan(0, name === 'gan-wide' ? { batch: 512, gHidden: [64, 64, 64], dHidden: [64, 64, 64] } : {});
  const step = compile(() => gan.step());
  // Record now, before any contender warms up: while recording, compile() swaps the backend's
  // methods, and V8 drops the code it had optimized for the backend as it was, so a plain step
  // already warm would run its next few hundred steps slow again, inside the timed rounds.
  const first = step();
  first.dLoss.dispose();
  first.gLoss.dispose();
  return {
    step() {
      const s = step();
      s.dLoss.dispose();
      s.gLoss.dispose();
    },
    dispose() {
      step.dispose();
      gan.dispose();
    },
  };
}

/** The hand-written Float32Array step, where one exists (the reference GAN only). */
function floorStepper(name: WorkloadName): Stepper | null {
  if (name !== 'gan') return null;
  const floor = createFloorGan(0);
  return { step: () => void floor.step(), dispose: () => {} };
}

export interface WorkloadTiming {
  /** 'cpu', 'webgpu' or 'floor' (the hand-written step). */
  implementation: string;
  /** Median over rounds of the mean time per step of a round (a round ends with a flush). */
  msPerStep: number;
  /** Kernel dispatches per step (0 for the floor). */
  dispatchesPerStep: number;
}

export interface WorkloadResult {
  workload: WorkloadName;
  description: string;
  timings: WorkloadTiming[];
  /** Engine time / floor time per backend (only where a floor exists). */
  ratios: Record<string, number>;
  /** Backends that could not run here, with why. */
  skipped: string[];
}

interface Contender {
  implementation: string;
  backend: BackendName | null;
  stepper: Stepper;
  perRound: number;
  times: number[];
  dispatches: number;
}

/** A stepper whose large products stay on the main thread while it steps. */
function oneThread(inner: Stepper): Stepper {
  return {
    step: () => {
      setCpuThreads(1);
      try {
        inner.step();
      } finally {
        setCpuThreads(ALL_THREADS);
      }
    },
    dispose: () => inner.dispose(),
  };
}
const ALL_THREADS = Infinity;

/** Time `perRound` steps and a flush. */
async function round(c: Contender): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < c.perRound; i++) c.stepper.step();
  await flush();
  return (performance.now() - t0) / c.perRound;
}

/**
 * Warm a contender up for `warmMs` and size its rounds to about `roundMs`; count its dispatches
 * per step. The warm-up is long because V8 optimizes a function only once it has run enough:
 * the plain engine step runs close to 200 functions, most a few times per step, and on 2 busy
 * cores its first thousand steps run up to 4x slower than its steady speed (reached after
 * about 1.5 s), while the floor and the compiled step (a handful of loops) are warm in 0.2 s.
 */
async function prepare(c: Contender, roundMs: number, warmMs: number): Promise<void> {
  await round(c); // first step: pipelines, pools
  const probe = await round({ ...c, perRound: 3 });
  c.perRound = Math.max(1, Math.min(2000, Math.round(roundMs / Math.max(probe, 1e-3))));
  const warmUntil = performance.now() + warmMs;
  do await round({ ...c, perRound: Math.max(1, Math.round(c.perRound / 2)) });
  while (performance.now() < warmUntil);
  if (c.backend) {
    const before = backendStats().dispatches ?? 0;
    await round({ ...c, perRound: 4 });
    c.dispatches = ((backendStats().dispatches ?? 0) - before) / 4;
  }
}

/** `rounds` rounds alternating between the contenders (all on the current backend). */
async function race(contenders: Contender[], rounds: number, roundMs: number, warmMs: number): Promise<void> {
  for (const c of contenders) await prepare(c, roundMs, warmMs);
  for (let r = 0; r < rounds; r++) for (const c of contenders) c.times.push(await round(c));
}

/**
 * Every implementation of `name`: the CPU backend and the floor first, in alternating rounds,
 * then each other backend. (Running WebGPU code first would make the engine's CPU path
 * polymorphic in V8 and slow it by up to 2x; a user picks one backend per process.)
 */
export async function benchWorkload(name: WorkloadName, options: { backends?: BackendName[]; rounds?: number; roundMs?: number; warmMs?: number } = {}): Promise<WorkloadResult> {
  const rounds = options.rounds ?? 5;
  const roundMs = options.roundMs ?? 400;
  const warmMs = options.warmMs ?? 2000;
  const skipped: string[] = [];
  const done: Contender[] = [];
  const make = (implementation: string, backend: BackendName | null, stepper: Stepper): Contender =>
    ({ implementation, backend, stepper, perRound: 1, times: [], dispatches: 0 });
  const backends = options.backends ?? ['cpu', 'webgpu'];
  const others = backends.filter((b) => b !== 'cpu');
  await setBackend('cpu');
  const first: Contender[] = [];
  if (backends.includes('cpu')) first.push(make('cpu', 'cpu', engineStepper(name)));
  // The same step with the large products kept on one thread (kernels/cpu/gemm-threads.ts), when there are more.
  if (backends.includes('cpu') && (await whenCpuThreadsReady()) > 1) first.push(make('cpu 1 thread', 'cpu', oneThread(engineStepper(name))));
  const compiledCpu = backends.includes('cpu') ? compiledStepper(name) : null;
  if (compiledCpu) first.push(make('cpu compiled', 'cpu', compiledCpu));
  const floor = floorStepper(name);
  if (floor) first.push(make('floor', null, floor));
  await race(first, rounds, roundMs, warmMs);
  for (const c of first) c.stepper.dispose();
  done.push(...first);
  for (const backend of others) {
    if ((await setBackend(backend)) !== backend) {
      skipped.push(`${backend}: not available here`);
      continue;
    }
    const group = [make(backend, backend, engineStepper(name))];
    const compiled = compiledStepper(name);
    if (compiled) group.push(make(`${backend} compiled`, backend, compiled));
    await race(group, rounds, roundMs, warmMs);
    for (const c of group) c.stepper.dispose();
    done.push(...group);
  }
  await setBackend('cpu');

  const timings = done.map((c) => {
    const sorted = [...c.times].sort((a, b) => a - b);
    return { implementation: c.implementation, msPerStep: sorted[Math.floor(sorted.length / 2)], dispatchesPerStep: c.dispatches };
  });
  const floorMs = timings.find((t) => t.implementation === 'floor')?.msPerStep;
  const ratios: Record<string, number> = {};
  if (floorMs) for (const t of timings) if (t.implementation !== 'floor') ratios[t.implementation] = t.msPerStep / floorMs;
  return { workload: name, description: DESCRIPTIONS[name], timings, ratios, skipped };
}

export function formatWorkload(r: WorkloadResult): string {
  const lines = [r.description];
  const label: Record<string, string> = {
    cpu: 'gradlab, CPU backend', 'cpu 1 thread': 'gradlab, CPU, 1 thread', 'cpu compiled': 'gradlab, CPU, compiled', webgpu: 'gradlab, WebGPU', 'webgpu compiled': 'gradlab, WebGPU, compiled', floor: 'hand-written floor',
  };
  for (const t of r.timings) {
    const ratio = r.ratios[t.implementation];
    lines.push(
      `  ${(label[t.implementation] ?? t.implementation).padEnd(22)} ${t.msPerStep.toFixed(3).padStart(9)} ms/step` +
      (t.implementation === 'floor' ? '' : `   ${String(t.dispatchesPerStep).padStart(4)} dispatches/step`) +
      (ratio !== undefined ? `   ${ratio.toFixed(2)}x the floor` : ''),
    );
  }
  if (!r.timings.some((t) => t.implementation === 'floor')) lines.push('  hand-written floor: none for this workload (only the reference GAN has one)');
  if (!r.timings.some((t) => t.implementation.endsWith('compiled'))) lines.push('  compiled step: not for this workload (its step keeps running sums in JavaScript)');
  for (const s of r.skipped) lines.push(`  skipped ${s}`);
  return lines.join('\n');
}
