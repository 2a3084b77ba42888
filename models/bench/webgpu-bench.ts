// WebGPU figures for `gradlab bench --webgpu`, all taken through the engine (what a user runs):
//   - matmul GFLOP/s per rung of the ladder at n = 128, 512, 1024 (2n³ flops per product);
//   - the reference GAN step: first step (pipeline compilation) apart from warm steps, the
//     warm step time next to the CPU backend's in the same run, dispatches and submits per
//     step, and GPU objects (buffers, bind groups) created per warm step.
// And for `gradlab bench --matmul`: GFLOP/s of every rung (block included) on 128-2048 squares
// and the GANs' products, with the rung the start-up tuning chose for 'auto'.

import { cpus, loadavg } from 'node:os';
import { backendStats, flush, matmul, randn, createRng, setBackend, setMatmulVariant, getBackend, matmulTuning, describeMatmulTuning, type MatmulTuning } from '../../engine/index';
import { currentBackend, type MatmulVariant } from '../../engine/backend';
import type { WebGpuBackend } from '../../kernels/webgpu/backend';
import { MATMUL_RUNGS, planMatmulOn, type MatmulRung } from '../../kernels/webgpu/matmul.wgsl';
import { describeConfirmation, MATMUL_SHAPE_CLASSES, ruleTuning } from '../../kernels/webgpu/matmul-tune';
import { createEngineGan } from './engine-gan';

export interface MatmulPoint {
  n: number;
  variant: MatmulVariant;
  ms: number;
  gflops: number;
}

const now = (): number => performance.now();

/** GFLOP/s of an n×n·n×n product: `reps` products per submit, median of `rounds` submits. */
export async function matmulGflops(sizes: number[], variants: MatmulVariant[], budgetMs = 1500): Promise<MatmulPoint[]> {
  const rng = createRng(7);
  const points: MatmulPoint[] = [];
  for (const n of sizes) {
    const a = randn([n, n], rng);
    const b = randn([n, n], rng);
    for (const variant of variants) {
      setMatmulVariant(variant);
      const once = async (reps: number): Promise<number> => {
        const t0 = now();
        for (let i = 0; i < reps; i++) matmul(a, b).dispose();
        await flush();
        return (now() - t0) / reps;
      };
      const first = await once(1); // compiles the pipeline
      const reps = Math.max(1, Math.min(20, Math.floor(budgetMs / 4 / Math.max(first, 0.05))));
      const times: number[] = [];
      for (let r = 0; r < 3; r++) times.push(await once(reps));
      times.sort((x, y) => x - y);
      const ms = times[1];
      points.push({ n, variant, ms, gflops: (2 * n ** 3) / (ms * 1e6) });
    }
    a.dispose();
    b.dispose();
  }
  setMatmulVariant('auto');
  return points;
}

export interface GanStepFigures {
  backend: string;
  firstStepMs: number;
  /** Median time per step over rounds of 25 steps submitted back to back (one wait a round). */
  warmMedianMs: number;
  /** Median time of one step and a wait for it. */
  flushedStepMs: number;
  dispatchesPerStep: number;
  submitsPerStep: number;
  bufferCreationsPerWarmStep: number;
  bindGroupCreationsPerWarmStep: number;
}

/** The reference GAN step on the current backend: throughput (rounds of 25 steps) and latency. */
export async function ganStepFigures(steps = 200): Promise<GanStepFigures> {
  const ROUND = 25;
  const rounds = Math.max(1, Math.ceil(steps / ROUND));
  const gan = createEngineGan(0);
  const run = (): void => {
    const s = gan.step();
    s.dLoss.dispose();
    s.gLoss.dispose();
  };
  let t0 = now();
  run();
  await flush();
  const firstStepMs = now() - t0;
  for (let i = 0; i < 100; i++) run(); // warm every cache (pool, bind groups)
  await flush();
  const before = backendStats();
  // Throughput, as training runs: steps back to back, one wait at the end (rounds of 25).
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    t0 = now();
    for (let i = 0; i < ROUND; i++) run();
    await flush();
    times.push((now() - t0) / ROUND);
  }
  const after = backendStats();
  // Latency: one step and wait for it (what a per-step readback would cost).
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    t0 = now();
    run();
    await flush();
    latencies.push(now() - t0);
  }
  gan.dispose();
  times.sort((x, y) => x - y);
  latencies.sort((x, y) => x - y);
  const per = (k: 'dispatches' | 'submits' | 'bufferCreations' | 'bindGroupCreations'): number => ((after[k] ?? 0) - (before[k] ?? 0)) / (rounds * ROUND);
  return {
    backend: getBackend(),
    firstStepMs,
    warmMedianMs: times[Math.floor(times.length / 2)],
    flushedStepMs: latencies[10],
    dispatchesPerStep: per('dispatches'),
    submitsPerStep: per('submits'),
    bufferCreationsPerWarmStep: per('bufferCreations'),
    bindGroupCreationsPerWarmStep: per('bindGroupCreations'),
  };
}

export interface WebGpuBenchResult {
  adapter: string;
  matmul: MatmulPoint[];
  gan: { webgpu: GanStepFigures; cpu: GanStepFigures; ratio: number };
}

/** Everything, or null when WebGPU is not available here. */
export async function benchWebGpu(options: { sizes?: number[]; steps?: number } = {}): Promise<WebGpuBenchResult | null> {
  if ((await setBackend('webgpu')) !== 'webgpu') return null;
  const adapter = currentBackend() as { adapterName?: string };
  const matmulPoints = await matmulGflops(options.sizes ?? [128, 512, 1024], ['naive', 'tiled', 'register', 'auto']);
  const gpu = await ganStepFigures(options.steps ?? 200);
  await setBackend('cpu');
  const cpu = await ganStepFigures(options.steps ?? 200);
  return { adapter: adapter.adapterName ?? 'unknown', matmul: matmulPoints, gan: { webgpu: gpu, cpu, ratio: gpu.warmMedianMs / cpu.warmMedianMs } };
}

export function formatWebGpuBench(r: WebGpuBenchResult): string {
  const lines = [`WebGPU adapter: ${r.adapter}`, '', 'matmul GFLOP/s (n×n·n×n, through the engine):'];
  const sizes = [...new Set(r.matmul.map((p) => p.n))];
  const variants = [...new Set(r.matmul.map((p) => p.variant))];
  lines.push(`  ${'rung'.padEnd(10)}${sizes.map((n) => String(n).padStart(10)).join('')}`);
  for (const v of variants) {
    lines.push(`  ${v.padEnd(10)}${sizes.map((n) => (r.matmul.find((p) => p.n === n && p.variant === v)?.gflops ?? NaN).toFixed(2).padStart(10)).join('')}`);
  }
  const g = r.gan;
  const row = (f: GanStepFigures): string =>
    `  ${f.backend.padEnd(8)} first step ${f.firstStepMs.toFixed(1).padStart(7)} ms   warm ${f.warmMedianMs.toFixed(3).padStart(7)} ms/step (one step + wait ${f.flushedStepMs.toFixed(3)} ms)   ` +
    `${f.dispatchesPerStep.toFixed(0)} dispatches, ${f.submitsPerStep.toFixed(2)} submits, ${f.bufferCreationsPerWarmStep.toFixed(2)} buffer and ${f.bindGroupCreationsPerWarmStep.toFixed(2)} bind-group creations per warm step`;
  lines.push('', 'reference GAN step (warm: 25 steps back to back, then one wait):', row(g.webgpu), row(g.cpu), `  webgpu / cpu: ${g.ratio.toFixed(2)}x   (goal on lavapipe in Node: at most 4.5 ms a step)`);
  return lines.join('\n');
}

// ---- `gradlab bench --matmul`: GFLOP/s of every rung of the ladder ------------------------------

/** One product of the matmul bench: op(A)·op(B), m×k times k×n. */
export interface MatmulBenchProduct {
  name: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

/** The squares timed by default (n×n·n×n). */
export const MATMUL_BENCH_SQUARES = [128, 256, 512, 1024, 2048];

const product = (name: string, m: number, k: number, n: number, transA = false, transB = false): MatmulBenchProduct => ({ name, m, k, n, transA, transB });

/** The GANs' products: the wide GAN's layer and its two backward products, and the reference GAN's thin ones. */
export const GAN_PRODUCTS: MatmulBenchProduct[] = [
  product('wide GAN x·W [512,64]·[64,64]', 512, 64, 64),
  product('its dx = dy·Wᵀ [512,64]·[64,64]ᵀ', 512, 64, 64, false, true),
  product('its dW = xᵀ·dy [512,64]ᵀ·[512,64]', 64, 512, 64, true, false),
  product('ref. GAN G in [128,10]·[10,16]', 128, 10, 16),
  product('ref. GAN G out [128,16]·[16,1]', 128, 16, 1),
  product('ref. GAN D out [128,32]·[32,1]', 128, 32, 1),
  product('ref. GAN G dW [128,10]ᵀ·[128,16]', 10, 128, 16, true, false),
  product('ref. GAN D dW [128,32]ᵀ·[128,1]', 32, 128, 1, true, false),
];

/** A rung is not timed at a square where one product would take longer than this (ms), judged from the smaller square. */
const SKIP_AFTER_MS = 1000;

export interface MatmulBenchPoint {
  product: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  rung: MatmulRung;
  /** ms per product (the fastest round); null when skipped. */
  ms: number | null;
  gflops: number | null;
  /** Why it was not timed. */
  skipped?: string;
}

export interface MatmulBenchResult {
  adapter: string;
  /** 1-minute load average and core count of this machine. */
  load: { average: number; cores: number };
  /** 'quick' (GRADLAB_BENCH_MATMUL_QUICK: small squares, one product per figure, for tests) or 'full'. */
  mode: 'quick' | 'full';
  points: MatmulBenchPoint[];
  /** The rung 'auto' runs for each product (after the start-up tuning). */
  auto: Record<string, MatmulRung>;
  /** The start-up tuning of this adapter. */
  tuning: MatmulTuning;
  tuningLine: string;
}

/**
 * Time every rung on every product through the WebGPU backend's plans (the block rung, which
 * has no `variant` name, included): compile and run once untimed, then the fastest of 3 rounds,
 * each of enough products to last about 100 ms. A rung is skipped at a square where one
 * product would take over a second, judged from its time at the smaller square (time grows as
 * n³), and at every larger one. Null when WebGPU is not available.
 */
export async function benchMatmulRungs(options: { squares?: number[]; quick?: boolean } = {}): Promise<MatmulBenchResult | null> {
  if ((await setBackend('webgpu')) !== 'webgpu') return null;
  const gpu = currentBackend() as WebGpuBackend;
  const quick = options.quick ?? process.env.GRADLAB_BENCH_MATMUL_QUICK === '1';
  const squares = options.squares ?? (quick ? [32, 64] : MATMUL_BENCH_SQUARES);
  const products = [...squares.map((s) => product(`${s}×${s}·${s}×${s}`, s, s, s)), ...GAN_PRODUCTS];
  const points: MatmulBenchPoint[] = [];
  const auto: Record<string, MatmulRung> = {};
  const slowAt = new Map<MatmulRung, string>(); // rung -> why it is skipped at the larger squares
  const lastSquare = new Map<MatmulRung, { n: number; ms: number }>();
  for (const p of products) {
    const square = squares.includes(p.m) && p.m === p.k && p.k === p.n && !p.transA && !p.transB ? p.m : null;
    const a = gpu.alloc(p.m * p.k, 'float32');
    const b = gpu.alloc(p.k * p.n, 'float32');
    const out = gpu.alloc(p.m * p.n, 'float32');
    const rng = createRng(7);
    gpu.write(a, Float32Array.from({ length: p.m * p.k }, () => rng.normal()));
    gpu.write(b, Float32Array.from({ length: p.k * p.n }, () => rng.normal()));
    const call = { kernel: 'matmul' as const, a, b, out, batch: 1, m: p.m, k: p.k, n: p.n, transA: p.transA, transB: p.transB, strideA: 0, strideB: 0 };
    auto[p.name] = gpu.describe(call).label.split('.')[1].replace(/\d+$/, '') as MatmulRung;
    for (const rung of MATMUL_RUNGS) {
      const base = { product: p.name, m: p.m, k: p.k, n: p.n, transA: p.transA, transB: p.transB, rung };
      const last = lastSquare.get(rung);
      if (square !== null && last !== undefined && !slowAt.has(rung)) {
        const predicted = last.ms * (square / last.n) ** 3;
        if (predicted > SKIP_AFTER_MS) {
          slowAt.set(rung, `one product at ${last.n}×${last.n} took ${last.ms.toFixed(0)} ms, so one here would take about ${(predicted / 1000).toFixed(1)} s`);
        }
      }
      const slow = slowAt.get(rung);
      if (square !== null && slow !== undefined) {
        points.push({ ...base, ms: null, gflops: null, skipped: slow });
        continue;
      }
      const plans = planMatmulOn(call, rung, gpu.limits);
      const run = async (reps: number): Promise<number> => {
        const t0 = now();
        for (let i = 0; i < reps; i++) gpu.runPlans(plans);
        await gpu.flush();
        return (now() - t0) / reps;
      };
      await run(1); // compiles the pipeline
      const estimate = await run(1);
      let ms = estimate;
      if (!quick) {
        const reps = Math.max(1, Math.min(50, Math.round(100 / Math.max(estimate, 0.01))));
        // The fastest round: load on a shared machine only ever adds time.
        ms = Math.min(await run(reps), await run(reps), await run(reps));
      }
      if (square !== null) lastSquare.set(rung, { n: square, ms });
      points.push({ ...base, ms, gflops: (2 * p.m * p.k * p.n) / (ms * 1e6) });
    }
    for (const s of [a, b, out]) gpu.release(s);
  }
  const tuning = matmulTuning() ?? ruleTuning(gpu.adapterName);
  return { adapter: gpu.adapterName, load: machineLoad(), mode: quick ? 'quick' : 'full', points, auto, tuning, tuningLine: describeMatmulTuning(tuning) };
}

/** The 1-minute load average and the core count (the CLI runs in Node). */
function machineLoad(): { average: number; cores: number } {
  return { average: loadavg()[0], cores: cpus().length };
}

export function formatMatmulBench(r: MatmulBenchResult): string {
  const load = `; load average ${r.load.average.toFixed(1)} on ${r.load.cores} cores`;
  const lines = [
    `WebGPU adapter: ${r.adapter}${load}`,
    `matmul GFLOP/s per rung (2·m·k·n flops per product; ${r.mode === 'quick' ? 'quick mode: one product per figure' : 'the fastest of 3 rounds of ~100 ms'}):`,
  ];
  const names = [...new Set(r.points.map((p) => p.product))];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  lines.push(`  ${'product'.padEnd(width)}${MATMUL_RUNGS.map((x) => x.padStart(10)).join('')}${'auto'.padStart(10)}`);
  const notes: string[] = [];
  for (const name of names) {
    const cells = MATMUL_RUNGS.map((rung) => {
      const p = r.points.find((q) => q.product === name && q.rung === rung);
      if (p?.skipped) notes.push(`  ${rung} skipped at ${name}: ${p.skipped}`);
      return (p?.gflops == null ? '—' : p.gflops.toFixed(p.gflops < 0.1 ? 4 : 2)).padStart(10);
    });
    lines.push(`  ${name.padEnd(width)}${cells.join('')}${r.auto[name].padStart(10)}`);
  }
  const timed = MATMUL_SHAPE_CLASSES.map((cls) => {
    const confirmed = describeConfirmation(r.tuning, cls);
    return `${cls}: ${Object.entries(r.tuning.timings[cls]).map(([rung, ms]) => `${rung} ${ms!.toFixed(2)} ms`).join(', ') || 'not timed'}${confirmed ? ` (${confirmed})` : ''}`;
  });
  return [...lines, ...notes, r.tuningLine, `  start-up timings (ms per product) — ${timed.join('; ')}`].join('\n');
}
