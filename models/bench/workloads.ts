// `gradlab bench --workload NAME`: one training step of a named workload, timed in one run on
// every backend available here, next to the hand-written floor where one exists, with the kernel
// dispatches of one step, and, for the GANs, the same step in the peers installed here (jax-js,
// TensorFlow.js, PyTorch: peer-processes.ts). Rounds alternate between the implementations, in an
// order that rotates (round-order.ts), so load on the machine and the engine's own major GCs hit
// them alike (the CPU backend races the floor and the peers; WebGPU runs after them); the ratios
// are the figures to compare, absolute times depend on the machine.
//
//   gan       the playground's reference GAN: batch 128, G 10-16-1, D 1-32-1 ReLU, Adam 3e-3
//   gan-wide  the same GAN with G and D of 3 hidden layers of 64, batch 512 (matmul-bound)
//   rbm       the Gaussian-Bernoulli RBM of `gradlab compare` at budget 1600 on 1d-trimodal
//             (799 hidden units, CD-5, batch 128): the Gibbs sweeps dominate

import { backendStats, compile, describeMatmulTuning, flush, matmulTuning, setBackend, type BackendName, type MatmulTuning } from '../../engine/index';
import { budgetedConfig } from '../eval/compare';
import { createModel } from '../core/registry';
import { getTarget } from '../data/targets';
import { createEngineGan, type EngineGanOptions } from './engine-gan';
import { createFloorGan } from './floor-gan';
import { setCpuThreads, whenCpuThreadsReady } from '../../kernels/cpu/gemm-wasm';
import { roundOrder, stepsPerRound } from './round-order';
import { checkPeers, startPeer, torchThreadCounts, type PeerProcess, type PeerSpec, type StepTimes } from './peer-processes';
import { availableParallelism, loadavg } from 'node:os';

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

/** The GANs' sizes (the rest is createEngineGan's defaults: dataset 2048, latent 10). */
const GAN_OPTIONS: Record<'gan' | 'gan-wide', EngineGanOptions> = {
  gan: {},
  'gan-wide': { batch: 512, gHidden: [64, 64, 64], dHidden: [64, 64, 64] },
};

/** Every implementation reports its losses at this step, so the table shows they do the same work. */
const CHECK_STEPS = 100;

/** The GAN workload as the peers are handed it (createEngineGan's data, sizes and Adam). */
function peerSpec(name: 'gan' | 'gan-wide'): PeerSpec {
  const o = GAN_OPTIONS[name];
  return {
    batch: o.batch ?? 128, dataset: o.dataset ?? 2048, latent: o.latent ?? 10, gHidden: o.gHidden ?? [16], dHidden: o.dHidden ?? [32],
    dataMean: 4, dataStd: 0.5, adam: { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, checkSteps: CHECK_STEPS,
  };
}

/** gradlab's losses [D, G] at step CHECK_STEPS, on the CPU backend. */
function engineLosses(name: 'gan' | 'gan-wide'): [number, number] {
  const gan = createEngineGan(0, GAN_OPTIONS[name]);
  let losses: [number, number] = [NaN, NaN];
  for (let i = 1; i <= CHECK_STEPS; i++) {
    const s = gan.step();
    if (i === CHECK_STEPS) losses = [s.dLoss.dataSync()[0], s.gLoss.dataSync()[0]];
    s.dLoss.dispose();
    s.gLoss.dispose();
  }
  gan.dispose();
  return losses;
}

function engineStepper(name: WorkloadName): Stepper {
  if (name === 'rbm') {
    const { config } = budgetedConfig('rbm', 1600, 1);
    const model = createModel('rbm', getTarget('1d-trimodal'), { ...config, seed: 0 });
    return { step: () => model.trainStep(), dispose: () => model.dispose() };
  }
  const gan = createEngineGan(0, GAN_OPTIONS[name]);
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
  const gan = createEngineGan(0, GAN_OPTIONS[name]);
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
  /** 'cpu', 'cpu 1 thread', 'cpu compiled', 'webgpu', 'webgpu compiled', 'floor' (the hand-written step), or a peer's name. */
  implementation: string;
  /** Median over rounds of the mean time per step of a round (a round ends with a flush). */
  msPerStep: number;
  /** Each round's mean time per step, in the order the rounds ran: how much the machine moved during the run. */
  roundsMs: number[];
  /** The same for the CPU time of the process (every thread of it) per step: less moved by load than wall time. */
  cpuMsPerStep: number;
  /** Kernel dispatches per step (0 for the floor and the peers). */
  dispatchesPerStep: number;
  /** Losses [D, G] at step 100 of a fresh run (the GANs: gradlab's CPU step and each peer). */
  losses?: [number, number];
  /** What the implementation runs on, where that matters (the BLAS a PyTorch process loaded). */
  detail?: string;
  /** A peer library's step, run in a process of its own (peer-processes.ts). */
  peer: boolean;
}

export interface WorkloadResult {
  workload: WorkloadName;
  description: string;
  timings: WorkloadTiming[];
  /** Engine time / floor time per backend (only where a floor exists). */
  ratios: Record<string, number>;
  /** Every implementation's time / gradlab's compiled CPU step's (the GANs). */
  vsCompiled: Record<string, number>;
  /** The same ratio of CPU times. */
  vsCompiledCpu: Record<string, number>;
  /**
   * Round by round, for the implementations timed in the same alternating rounds as gradlab's
   * compiled CPU step: its time in round r / the compiled step's in round r. Both ran in the same
   * round, seconds apart, so a moment when the machine slowed shows in a round, not in the run.
   */
  vsCompiledByRound: Record<string, number[]>;
  /** The matmul tuning the WebGPU step ran with (absent when WebGPU did not run): its line is the WebGPU row's detail. */
  tuning?: MatmulTuning;
  /** Backends that could not run here, with why. */
  skipped: string[];
  /** Peers not installed here, each with how to install it. */
  missingPeers: string[];
  /** Rounds per implementation (each time is their median). */
  rounds: number;
  /** The 1-minute load average when the rounds started and when they ended, and the cores. */
  load: { start: number; end: number; cores: number };
}

interface Contender {
  implementation: string;
  backend: BackendName | null;
  /** Runs `steps` steps and resolves to wall and CPU ms per step. */
  run(steps: number): Promise<StepTimes>;
  dispose(): void;
  perRound: number;
  times: number[];
  cpuTimes: number[];
  dispatches: number;
  losses?: [number, number];
  detail?: string;
  /** Idle time after each of its rounds, for its threads to stop spinning before the next contender runs. */
  settleMs?: number;
  /** A peer: runs in its own process (this one waits meanwhile). */
  peer: boolean;
}

/**
 * OpenBLAS's threads spin for about 2^28 cycles (0.1 s) after their work before they sleep, and
 * OpenMP's a while too: a multi-threaded PyTorch round slows whatever runs right after it. Here,
 * with 0.3 s of idle after its rounds, the contender after it still took 2x its CPU time; with
 * 1.5 s, no more than the others.
 */
const SPIN_SETTLE_MS = 1500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

/** Time `steps` steps and a flush, wall and CPU (of this process, its worker threads included) ms per step. */
function inProcess(stepper: Stepper): (steps: number) => Promise<StepTimes> {
  return async (steps) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) stepper.step();
    await flush();
    const ms = (performance.now() - t0) / steps;
    const cpu = process.cpuUsage(cpu0);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 / steps };
  };
}

/**
 * Warm a contender up for `warmMs` and size its rounds to about `roundMs`; count its dispatches
 * per step. The warm-up is long because V8 optimizes a function only once it has run enough:
 * the plain engine step runs close to 200 functions, most a few times per step, and on 2 busy
 * cores its first thousand steps run up to 4x slower than its steady speed (reached after
 * about 1.5 s), while the floor and the compiled step (a handful of loops) are warm in 0.2 s.
 * A peer warms up in its own process the same way, through its protocol.
 */
async function prepare(c: Contender, roundMs: number, warmMs: number): Promise<void> {
  await c.run(1); // first step: pipelines, pools, a peer's tracing
  c.perRound = stepsPerRound((await c.run(3)).ms, roundMs);
  const warmUntil = performance.now() + warmMs;
  let warm: StepTimes;
  do warm = await c.run(Math.max(1, Math.round(c.perRound / 2)));
  while (performance.now() < warmUntil);
  c.perRound = stepsPerRound(warm.ms, roundMs); // sized again from warm steps (round-order.ts)
  if (c.settleMs) await sleep(c.settleMs);
  if (c.backend) {
    const before = backendStats().dispatches ?? 0;
    await c.run(4);
    c.dispatches = ((backendStats().dispatches ?? 0) - before) / 4;
  }
}

/**
 * `rounds` rounds alternating between the contenders (all on the current backend): this
 * process's contenders first, starting with the next one each round, then the peers (round-order.ts).
 */
async function race(contenders: Contender[], rounds: number, roundMs: number, warmMs: number): Promise<void> {
  const mine = contenders.filter((c) => !c.peer);
  const peers = contenders.filter((c) => c.peer);
  // The peers warm up first: so the first round does not start after seconds of idle here.
  for (const c of [...peers, ...mine]) await prepare(c, roundMs, warmMs);
  const ordered = [...mine, ...peers];
  const inProcess = mine.length;
  for (let r = 0; r < rounds; r++) {
    for (const c of roundOrder(ordered, r, inProcess)) {
      const t = await c.run(c.perRound);
      c.times.push(t.ms);
      c.cpuTimes.push(t.cpuMs);
      if (c.settleMs) await sleep(c.settleMs);
    }
  }
}

export interface BenchWorkloadOptions {
  backends?: BackendName[];
  rounds?: number;
  roundMs?: number;
  warmMs?: number;
  /** Time the installed peers too (the GANs only; default true). */
  peers?: boolean;
  /** Where the JavaScript peers are installed (default: models/bench/peers, or GRADLAB_PEERS_DIR). */
  peersDir?: string;
  /** The Python for the PyTorch peer (default /usr/bin/python3, or GRADLAB_PYTHON). */
  python?: string;
}

/** Start every installed peer of a GAN workload, one after another (each reports its losses first). */
async function peerContenders(name: 'gan' | 'gan-wide', options: BenchWorkloadOptions, missing: string[], skipped: string[]): Promise<Contender[]> {
  const spec = peerSpec(name);
  const out: Contender[] = [];
  const starts: { id: 'jax' | 'tfjs' | 'torch'; threads?: number }[] = [];
  for (const check of checkPeers(options.peersDir, options.python)) {
    if (!check.installed) missing.push(`${check.label}: ${check.note}`);
    else if (check.id === 'torch') for (const threads of torchThreadCounts()) starts.push({ id: 'torch', threads });
    else starts.push({ id: check.id });
  }
  for (const s of starts) {
    let peer: PeerProcess;
    try {
      peer = await startPeer(s.id, spec, { threads: s.threads, dir: options.peersDir, python: options.python });
    } catch (e) {
      skipped.push(`${s.id}${s.threads ? ` (${s.threads} threads)` : ''}: ${(e as Error).message}`);
      continue;
    }
    out.push({
      implementation: peer.implementation, backend: null, run: (n) => peer.run(n), dispose: () => peer.close(),
      perRound: 1, times: [], cpuTimes: [], dispatches: 0, peer: true, losses: peer.losses, ...(peer.detail ? { detail: peer.detail } : {}),
      ...((s.threads ?? 1) > 1 ? { settleMs: SPIN_SETTLE_MS } : {}),
    });
  }
  return out;
}

/**
 * Every implementation of `name`: the CPU backend, the floor and the peers first, in alternating
 * rounds, then each other backend. (Running WebGPU code first would make the engine's CPU path
 * polymorphic in V8 and slow it by up to 2x; a user picks one backend per process.)
 */
export async function benchWorkload(name: WorkloadName, options: BenchWorkloadOptions = {}): Promise<WorkloadResult> {
  const rounds = options.rounds ?? 5;
  const roundMs = options.roundMs ?? 400;
  const warmMs = options.warmMs ?? 2000;
  const skipped: string[] = [];
  const missingPeers: string[] = [];
  const done: Contender[] = [];
  const make = (implementation: string, backend: BackendName | null, stepper: Stepper): Contender =>
    ({ implementation, backend, run: inProcess(stepper), dispose: () => stepper.dispose(), perRound: 1, times: [], cpuTimes: [], dispatches: 0, peer: false });
  const backends = options.backends ?? ['cpu', 'webgpu'];
  const others = backends.filter((b) => b !== 'cpu');
  let webgpuTuning: MatmulTuning | undefined;
  await setBackend('cpu');
  const gan = name === 'rbm' ? null : name;
  // Peers first: each runs its check steps in its own process before anything is timed.
  const peers = gan && options.peers !== false ? await peerContenders(gan, options, missingPeers, skipped) : [];
  const first: Contender[] = [];
  if (backends.includes('cpu')) first.push(make('cpu', 'cpu', engineStepper(name)));
  // The same step with the large products kept on one thread (kernels/cpu/gemm-threads.ts), when there are more.
  if (backends.includes('cpu') && (await whenCpuThreadsReady()) > 1) first.push(make('cpu 1 thread', 'cpu', oneThread(engineStepper(name))));
  const compiledCpu = backends.includes('cpu') ? compiledStepper(name) : null;
  if (compiledCpu) first.push(make('cpu compiled', 'cpu', compiledCpu));
  // After compile() has recorded (see compiledStepper): these plain steps warm the plain step up.
  if (gan && backends.includes('cpu')) first[0].losses = engineLosses(gan);
  const floor = floorStepper(name);
  if (floor) first.push(make('floor', null, floor));
  first.push(...peers);
  const load = { start: loadavg()[0], end: 0, cores: availableParallelism() };
  try {
    await race(first, rounds, roundMs, warmMs);
  } finally {
    for (const c of first) c.dispose();
  }
  done.push(...first);
  for (const backend of others) {
    if ((await setBackend(backend)) !== backend) {
      skipped.push(`${backend}: not available here`);
      continue;
    }
    const group = [make(backend, backend, engineStepper(name))];
    // Which matmul rungs the start-up tuning picked: they set the WebGPU step's kernels, and its dispatches.
    const tuning = backend === 'webgpu' ? matmulTuning() : null;
    if (tuning) {
      group[0].detail = describeMatmulTuning(tuning, { confirmation: true });
      webgpuTuning = tuning;
    }
    const compiled = compiledStepper(name);
    if (compiled) group.push(make(`${backend} compiled`, backend, compiled));
    await race(group, rounds, roundMs, warmMs);
    for (const c of group) c.dispose();
    done.push(...group);
  }
  await setBackend('cpu');
  load.end = loadavg()[0];

  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const timings = done.map((c): WorkloadTiming => {
    return {
      implementation: c.implementation, msPerStep: median(c.times), roundsMs: [...c.times], cpuMsPerStep: median(c.cpuTimes), dispatchesPerStep: c.dispatches, peer: c.peer,
      ...(c.losses ? { losses: c.losses } : {}), ...(c.detail ? { detail: c.detail } : {}),
    };
  });
  const floorMs = timings.find((t) => t.implementation === 'floor')?.msPerStep;
  const ratios: Record<string, number> = {};
  if (floorMs) for (const t of timings) if (t.implementation !== 'floor') ratios[t.implementation] = t.msPerStep / floorMs;
  const compiled = timings.find((t) => t.implementation === 'cpu compiled');
  const vsCompiled: Record<string, number> = {};
  const vsCompiledCpu: Record<string, number> = {};
  if (compiled) {
    for (const t of timings) {
      vsCompiled[t.implementation] = t.msPerStep / compiled.msPerStep;
      vsCompiledCpu[t.implementation] = t.cpuMsPerStep / compiled.cpuMsPerStep;
    }
  }
  const vsCompiledByRound: Record<string, number[]> = {};
  const compiledRounds = first.find((c) => c.implementation === 'cpu compiled')?.times;
  if (compiledRounds) for (const c of first) vsCompiledByRound[c.implementation] = c.times.map((ms, i) => ms / compiledRounds[i]);
  return {
    workload: name, description: DESCRIPTIONS[name], timings, ratios, vsCompiled, vsCompiledCpu, vsCompiledByRound,
    ...(webgpuTuning ? { tuning: webgpuTuning } : {}), skipped, missingPeers, rounds, load,
  };
}

const LABELS: Record<string, string> = {
  cpu: 'gradlab, CPU backend', 'cpu 1 thread': 'gradlab, CPU, 1 thread', 'cpu compiled': 'gradlab, CPU, compiled',
  webgpu: 'gradlab, WebGPU', 'webgpu compiled': 'gradlab, WebGPU, compiled', floor: 'hand-written JS step (the floor)',
};

/** The result as a markdown table (paste-ready for docs/performance.md), then notes. */
export function formatWorkload(r: WorkloadResult): string {
  const hasFloor = r.timings.some((t) => t.implementation === 'floor');
  const hasCompiled = Object.keys(r.vsCompiled).length > 0;
  const hasLosses = r.timings.some((t) => t.losses);
  const head = ['implementation', 'ms per step', 'rounds, fastest–slowest', 'CPU ms per step', ...(hasCompiled ? ['× gradlab compiled', '× compiled, CPU time'] : []), ...(hasFloor ? ['× floor'] : []), 'dispatches per step', ...(hasLosses ? [`losses at step ${CHECK_STEPS} (D, G)`] : [])];
  const lines = [
    `${r.description}; ms per step: median of ${r.rounds} alternating rounds; load average ${r.load.start.toFixed(1)} → ${r.load.end.toFixed(1)} on ${r.load.cores} cores`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
  ];
  for (const t of r.timings) {
    const ratio = r.ratios[t.implementation];
    const vs = r.vsCompiled[t.implementation];
    const vsCpu = r.vsCompiledCpu[t.implementation];
    const cells = [
      LABELS[t.implementation] ?? t.implementation,
      t.msPerStep.toFixed(3),
      `${Math.min(...t.roundsMs).toFixed(3)}–${Math.max(...t.roundsMs).toFixed(3)}`,
      t.cpuMsPerStep.toFixed(3),
      ...(hasCompiled ? [vs === undefined ? '' : `${vs.toFixed(2)}x`, vsCpu === undefined ? '' : `${vsCpu.toFixed(2)}x`] : []),
      ...(hasFloor ? [ratio === undefined ? '' : `${ratio.toFixed(2)}x`] : []),
      t.dispatchesPerStep > 0 ? String(t.dispatchesPerStep) : '',
      ...(hasLosses ? [t.losses ? `${t.losses[0].toFixed(2)}, ${t.losses[1].toFixed(2)}` : ''] : []),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  if (!hasFloor) lines.push('hand-written floor: none for this workload (only the reference GAN has one)');
  if (!r.timings.some((t) => t.implementation.endsWith('compiled'))) lines.push('compiled step: not for this workload (its step keeps running sums in JavaScript)');
  // The peers against the compiled step round by round: a ratio below 1 is a round the peer was faster.
  for (const t of r.timings) {
    const byRound = r.vsCompiledByRound[t.implementation];
    if (!t.peer || !byRound) continue;
    const compiledFaster = byRound.filter((x) => x > 1).length;
    lines.push(`round by round, ${t.implementation} / gradlab compiled: ${byRound.map((x) => x.toFixed(2)).join(', ')} (the compiled step faster in ${compiledFaster} of ${byRound.length})`);
  }
  for (const t of r.timings) if (t.detail) lines.push(`${t.implementation}: ${t.detail}`);
  for (const m of r.missingPeers) lines.push(`peer ${m}`);
  for (const s of r.skipped) lines.push(`skipped ${s}`);
  return lines.join('\n').trimEnd();
}
