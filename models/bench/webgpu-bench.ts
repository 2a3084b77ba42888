// WebGPU figures for `gradlab bench --webgpu`, all taken through the engine (what a user runs):
//   - matmul GFLOP/s per rung of the ladder at n = 128, 512, 1024 (2n³ flops per product);
//   - the reference GAN step: first step (pipeline compilation) apart from warm steps, the
//     warm step time next to the CPU backend's in the same run, dispatches and submits per
//     step, and GPU objects (buffers, bind groups) created per warm step.

import { backendStats, flush, matmul, randn, createRng, setBackend, setMatmulVariant, getBackend } from '../../engine/index';
import { currentBackend, type MatmulVariant } from '../../engine/backend';
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
