// `gradlab bench`: time one training step of the reference GAN on the engine, and in the same
// run the hand-written Float32Array step with manual backprop (the practical floor). Ratios
// taken in one run are what we compare; absolute times depend on the machine.

import { backendStats, getBackend, recordDispatches } from '../../../engine/index';
import { createEngineGan } from '../../bench/engine-gan';
import { createFloorGan } from '../../bench/floor-gan';
import { benchMatmulRungs, benchWebGpu, formatMatmulBench, formatWebGpuBench } from '../../bench/webgpu-bench';
import { timeIt, type TimeItResult } from '../../bench/time-it';
import { numberInRange } from '../flag-checks';
import { benchWorkload, formatWorkload, isWorkload, WORKLOADS } from '../../bench/workloads';
import { benchCpuGemm, formatCpuGemmBench } from '../../bench/cpu-gemm-bench';
import { benchCpuKernels, formatCpuKernelsBench } from '../../bench/cpu-kernels-bench';
import { UsageError } from '../args';
import type { Command } from '../command';

export interface CpuBenchResult {
  floor: TimeItResult;
  engine: TimeItResult;
  ratio: number;
  dispatchesPerStep: number;
}

/** Engine vs floor on the CPU backend, interleaved in rounds so drift hits both alike. */
export function benchCpu(steps: number, rounds = 5): CpuBenchResult {
  if (getBackend() !== 'cpu') throw new Error('benchCpu: the current backend is not the CPU');
  const floor = createFloorGan(0);
  const engine = createEngineGan(0);
  const engineStep = (): void => {
    const s = engine.step();
    s.dLoss.dispose();
    s.gLoss.dispose();
  };
  const per = Math.max(1, Math.round(steps / rounds));
  const floorTimes: TimeItResult[] = [];
  const engineTimes: TimeItResult[] = [];
  for (let r = 0; r < rounds; r++) {
    floorTimes.push(timeIt(() => floor.step(), { warmup: r === 0 ? 300 : 20, iterations: per }));
    engineTimes.push(timeIt(engineStep, { warmup: r === 0 ? 300 : 20, iterations: per }));
  }
  const { dispatches } = recordDispatches(engineStep);
  engine.dispose();
  const med = (xs: TimeItResult[]): TimeItResult => {
    const pick = (k: keyof TimeItResult): number => xs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { median: pick('median'), p10: pick('p10'), p90: pick('p90') };
  };
  const f = med(floorTimes);
  const e = med(engineTimes);
  return { floor: f, engine: e, ratio: e.median / f.median, dispatchesPerStep: dispatches.length };
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'time the reference GAN step: engine vs the hand-written floor (CPU); matmul and GAN on WebGPU',
  usage: `gradlab bench [--workload ${WORKLOADS.join('|')} [--rounds N]] [--cpu] [--webgpu] [--matmul] [--steps N] [--json]`,
  flags: {
    workload: { type: 'string', help: `${WORKLOADS.join(' | ')}: one step of it on every backend here, the hand-written floor where there is one, dispatches per step; for the GANs also the peers installed here (jax-js and TF.js on WebAssembly: npm run bench:peers:install; PyTorch: python3-torch), as a markdown table` },
    cpu: { type: 'boolean', help: 'benchmark the CPU backend against the hand-written floor (the default when --webgpu is not given); with --workload, leave WebGPU out' },
    webgpu: { type: 'boolean', help: 'matmul GFLOP/s per rung, and the reference GAN step on WebGPU vs CPU' },
    matmul: { type: 'boolean', help: 'GFLOP/s of every matmul rung on WebGPU: 128-2048 squares and the GANs\' products, and the rung the start-up tuning chose' },
    steps: { type: 'int', help: 'timed steps per implementation', default: 2000 },
    rounds: { type: 'int', help: 'with --workload: alternating rounds per implementation, each figure their median (default 5)' },
    json: { type: 'boolean', help: 'print one JSON object' },
  },
  async run(flags) {
    const steps = numberInRange(flags, 'steps', 10, 1_000_000, 'an integer from 10 to 1000000') as number;
    const report: Record<string, unknown> = {};
    if (flags.workload !== undefined) {
      const name = String(flags.workload);
      if (!isWorkload(name)) throw new UsageError(`--workload must be one of ${WORKLOADS.join(', ')}, got '${name}'`);
      // --cpu alone: the CPU backend, the floor and the peers, without WebGPU's rounds.
      const rounds = numberInRange(flags, 'rounds', 1, 1000, 'an integer from 1 to 1000');
      const r = await benchWorkload(name, { ...(flags.cpu && !flags.webgpu ? { backends: ['cpu'] } : {}), ...(rounds !== undefined ? { rounds } : {}) });
      if (flags.json) console.log(JSON.stringify({ workload: r }));
      else console.log(formatWorkload(r));
      return 0;
    }
    if (flags.matmul) {
      const r = await benchMatmulRungs();
      if (r === null) {
        console.error('gradlab bench: WebGPU is not available here (the message above names the fix)');
        return 1;
      }
      if (flags.json) console.log(JSON.stringify({ matmul: r }));
      else console.log(formatMatmulBench(r));
      return 0;
    }
    if (flags.cpu || !flags.webgpu) {
      const r = benchCpu(steps);
      report.cpu = r;
      if (!flags.json) {
        const ms = (x: number): string => `${x.toFixed(3)} ms`;
        console.log('reference GAN step (N(4, 0.5), batch 128, latent 10, G 10-16-1, D 1-32-1, Adam 3e-3), CPU backend');
        console.log(`  hand-written floor : median ${ms(r.floor.median)}  (p10 ${ms(r.floor.p10)}, p90 ${ms(r.floor.p90)})`);
        console.log(`  gradlab engine     : median ${ms(r.engine.median)}  (p10 ${ms(r.engine.p10)}, p90 ${ms(r.engine.p90)})`);
        console.log(`  ratio engine/floor : ${r.ratio.toFixed(2)}x   (goal: at most 1.25x)`);
        console.log(`  kernel dispatches per engine step: ${r.dispatchesPerStep}; backend stats: ${JSON.stringify(backendStats())}`);
      }
      const gemm = await benchCpuGemm();
      report.cpuGemm = gemm;
      if (!flags.json) console.log(formatCpuGemmBench(gemm));
      const kernels = benchCpuKernels();
      report.cpuKernels = kernels;
      if (!flags.json) console.log(formatCpuKernelsBench(kernels));
    }
    if (flags.webgpu) {
      const r = await benchWebGpu({ steps: Math.min(steps, 500) });
      if (r === null) {
        console.error('gradlab bench: WebGPU is not available here (the message above names the fix)');
        return 1;
      }
      report.webgpu = r;
      if (!flags.json) console.log(`${flags.cpu ? '\n' : ''}${formatWebGpuBench(r)}`);
    }
    if (flags.json) console.log(JSON.stringify(report));
    return 0;
  },
};
