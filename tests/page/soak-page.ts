// `npm run soak:page -- --minutes 30 [--tab gan] [--backend cpu]`: the page left training for
// that long in Chromium with every panel open (tests/page/soak-run.ts), sampled every 30 s.
// Prints the heap after a forced GC, the DOM node count, the epochs per second and the main
// thread's CPU milliseconds per epoch (over the 30 s before) at minutes 1, 10 and 30 (those within the run, and its end), and writes every
// sample to test-results/soak-page.json. The machine's load average is printed with them.

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { openSession } from './browser';
import { cpuPerEpoch, epochRate, soak, type SoakOptions, type SoakSample } from './soak-run';

const USAGE = 'usage: npm run soak:page -- [--minutes M] [--tab gan|vae|rbm|diffusion] [--backend cpu|webgpu]';

function parseArgs(argv: string[]): { minutes: number; tab: SoakOptions['tab']; backend: SoakOptions['backend'] } {
  const out = { minutes: 30, tab: 'gan' as SoakOptions['tab'], backend: 'cpu' as SoakOptions['backend'] };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--minutes' && Number(value) > 0) out.minutes = Number(value);
    else if (key === '--tab' && ['gan', 'vae', 'rbm', 'diffusion'].includes(value)) out.tab = value as SoakOptions['tab'];
    else if (key === '--backend' && (value === 'cpu' || value === 'webgpu')) out.backend = value;
    else {
      console.error(`soak:page: bad argument '${key}${value === undefined ? '' : ` ${value}`}'\n${USAGE}`);
      process.exit(2);
    }
  }
  return out;
}

const load = (): string => loadavg().map((v) => v.toFixed(2)).join(', ');

async function main(): Promise<void> {
  const { minutes, tab, backend } = parseArgs(process.argv.slice(2));
  const seconds = Math.round(minutes * 60);
  const at: number[] = [];
  for (let t = 30; t < seconds; t += 30) at.push(t);
  at.push(seconds);
  console.log(`soak:page: ${tab} on ${backend}, every panel open, ${minutes} min; load average at start ${load()}`);
  const session = await openSession();
  let result;
  try {
    result = await soak(session, {
      tab, backend, at,
      onSample: (s) => console.log(`  ${(s.t / 60).toFixed(1).padStart(5)} min  epoch ${String(s.epoch).padStart(7)}  heap ${s.heapMB.toFixed(1)} MB  DOM ${s.domNodes} nodes  CPU ${s.cpuSeconds.toFixed(0)} s  load ${load()}`),
    });
  } finally {
    await session.close();
  }
  const { samples } = result;
  const marks = [...new Set([1, 10, 30, minutes].filter((m) => m <= minutes))];
  const rows: { minute: number; sample: SoakSample; rate: number; cpuMs: number; heapMedianMB: number }[] = [];
  for (const m of marks) {
    const i = samples.findIndex((s) => s.t >= m * 60 - 1);
    if (i < 0) continue;
    const before = i > 0 ? samples[i - 1] : { t: 0, epoch: 0, heapMB: 0, domNodes: 0, listeners: 0, cpuSeconds: 0 };
    // The heap after GC moves by a MB or two with what is in flight at the moment of the sample:
    // the median of the samples 30 s before, at and after the minute is given with it.
    const near = samples.slice(Math.max(0, i - 1), i + 2).map((s) => s.heapMB).sort((a, b) => a - b);
    rows.push({ minute: m, sample: samples[i], rate: epochRate(before, samples[i]), cpuMs: cpuPerEpoch(before, samples[i]), heapMedianMB: near[Math.floor(near.length / 2)] });
  }
  console.log('\n| minute | epoch | heap after GC (MB) | median of 3 samples (MB) | epochs/s (previous 30 s) | main-thread CPU ms per epoch | DOM nodes |\n|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.minute} | ${r.sample.epoch} | ${r.sample.heapMB.toFixed(1)} | ${r.heapMedianMB.toFixed(1)} | ${r.rate.toFixed(1)} | ${r.cpuMs.toFixed(1)} | ${r.sample.domNodes} |`);
  }
  console.log(`\nGIF frames kept: ${result.movieFrames}; graph captures: ${result.graphCaptures}; load average at end ${load()}`);
  if (result.errors.length > 0) console.log(`page errors:\n${result.errors.join('\n')}`);
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/soak-page.json', JSON.stringify({ tab, backend, minutes, rows, ...result }, null, 1));
  process.exit(result.errors.length > 0 ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
