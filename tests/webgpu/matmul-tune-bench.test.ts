// `gradlab bench --matmul --json` runs on WebGPU and reports every rung on every product, in
// quick mode (GRADLAB_BENCH_MATMUL_QUICK=1: 32 and 64 squares, one product per figure); and
// `bench --workload` says under its table which rungs the tuning picked for the WebGPU step.

import { expect, it } from 'vitest';
import { runCli } from '../../models/cli/run-cli';
import { GAN_PRODUCTS, type MatmulBenchResult } from '../../models/bench/webgpu-bench';
import { MATMUL_RUNGS } from '../../kernels/webgpu/matmul.wgsl';
import { describeConfirmation, describeMatmulTuning } from '../../kernels/webgpu/matmul-tune';
import { benchWorkload, formatWorkload } from '../../models/bench/workloads';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

it('bench --matmul --json: GFLOP/s per rung for the squares and the GAN products, and the tuning', async () => {
  process.env.GRADLAB_BENCH_MATMUL_QUICK = '1';
  let out = '';
  const log = console.log;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  let code: number;
  try {
    code = await runCli(['bench', '--matmul', '--json']);
  } finally {
    console.log = log;
    delete process.env.GRADLAB_BENCH_MATMUL_QUICK;
  }
  expect(code).toBe(0);
  const r = JSON.parse(out.trim().split('\n').pop()!).matmul as MatmulBenchResult;
  expect(r.mode).toBe('quick');
  expect(r.adapter.length).toBeGreaterThan(0);
  const products = [...new Set(r.points.map((p) => p.product))];
  expect(products).toEqual(['32×32·32×32', '64×64·64×64', ...GAN_PRODUCTS.map((p) => p.name)]);
  expect(r.points).toHaveLength(products.length * MATMUL_RUNGS.length);
  for (const p of r.points) {
    expect(p.gflops, `${p.product} ${p.rung}`).toBeGreaterThan(0);
    expect(p.gflops!).toBeCloseTo((2 * p.m * p.k * p.n) / (p.ms! * 1e6), 6);
  }
  expect(r.auto[GAN_PRODUCTS[0].name]).toBe(r.tuning.rungs.wide);
  expect(r.auto['ref. GAN D out [128,32]·[32,1]']).toBe(r.tuning.rungs.thin);
  expect(r.tuningLine).toMatch(/^matmul: \w+ for wide products, \w+ for thin ones/);
});

it('bench --workload: the WebGPU row says which rungs the tuning picked, and how a pick was confirmed', async () => {
  const r = await benchWorkload('gan', { backends: ['cpu', 'webgpu'], rounds: 1, roundMs: 5, warmMs: 0, peers: false });
  const webgpu = r.timings.find((t) => t.implementation === 'webgpu');
  expect(webgpu, 'a WebGPU row').toBeDefined();
  const tuning = r.tuning!;
  expect(tuning.tuned).toBe(true);
  const confirmed = (['wide', 'thin'] as const).map((cls) => [cls, describeConfirmation(tuning, cls)]).filter(([, text]) => text !== '');
  expect(webgpu!.detail).toBe(describeMatmulTuning(tuning, { confirmation: true }));
  expect(describeMatmulTuning(tuning, { confirmation: true })).toBe([describeMatmulTuning(tuning), ...confirmed.map(([cls, text]) => `${cls}: ${text}`)].join('; '));
  expect(formatWorkload(r)).toContain(`\nwebgpu: matmul: ${tuning.rungs.wide} for wide products, ${tuning.rungs.thin} for thin ones (timed on `);
  expect(r.timings.find((t) => t.implementation === 'cpu')!.detail).toBeUndefined();
});
