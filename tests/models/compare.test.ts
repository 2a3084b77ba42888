// `gradlab compare`: trains the models under one budget, writes metrics.json and a
// self-contained report.html (no http(s) URL), prints the table.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { compareCommand } from '../../models/cli/commands/compare';
import { parseFlags } from '../../models/cli/args';
import { runCompare, snapshotEpochs } from '../../models/eval/compare';
import { getTarget } from '../../models/data/targets';

const dir = mkdtempSync(join(tmpdir(), 'gradlab-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradlab compare', () => {
  it('snapshots every 5% of training', () => {
    expect([...snapshotEpochs(20).keys()]).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect([...snapshotEpochs(100).values()]).toEqual(Array.from({ length: 20 }, (_, i) => 5 * (i + 1)));
    expect([...snapshotEpochs(3).entries()]).toEqual([[1, 30], [2, 65], [3, 100]]);
  });

  it('writes metrics.json and a self-contained report.html, and prints the table', async () => {
    const out = join(dir, 'run');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const flags = parseFlags(['--target', '1d-trimodal', '--epochs', '2', '--eval-samples', '200', '--out', out], compareCommand.flags);
    const code = await compareCommand.run(flags);
    const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    log.mockRestore();
    err.mockRestore();
    expect(code).toBe(0);
    expect(printed).toMatch(/model\s+params\s+W1\s+KLD\s+seconds/);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.models.map((m: { model: string }) => m.model)).toEqual(['gan', 'vae', 'rbm', 'diffusion']);
    for (const m of metrics.models) {
      expect(Math.abs(m.parameters - 1600)).toBeLessThan(100);
      expect(m.epochs.length).toBe(2);
      expect(Number.isFinite(m.epochs[1].w1) && Number.isFinite(m.epochs[1].kld)).toBe(true);
      expect(m.final.w1).toBeGreaterThan(0);
      expect(m.seconds).toBeGreaterThan(0);
      expect(m.config).toBeTypeOf('object');
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).toContain('var uPlot=');
    expect(html).toContain('.uplot');
    for (const section of ['kld-chart', 'w1-chart', 'finals', 'timeline', 'sweep']) expect(html).toContain(`id="${section}"`);
  }, 180_000);

  it('runCompare works in binned mode and in 2D, with the VAE latent sweep', async () => {
    const binned = await runCompare({ target: getTarget('1d-poisson'), bins: 20, epochs: 1, models: ['vae', 'gan'], evalSamples: 100, snapshotSamples: 100 });
    expect(binned.runs[0].latentSweep?.latent).toBe(2);
    expect(binned.runs[0].snapshots.map((s) => s.percent)).toEqual([100]);
    expect(binned.runs[1].error).toBeUndefined();
    expect(binned.runs[1].config).toMatchObject({ bins: 20 });
    expect(Number.isFinite(binned.runs[1].final?.kld)).toBe(true);
    const twoD = await runCompare({ target: getTarget('2d-mix-gauss'), epochs: 1, models: ['diffusion'], evalSamples: 100, snapshotSamples: 100 });
    expect(twoD.runs[0].final?.ks).toBeNaN();
    expect(twoD.runs[0].snapshots[0].samples.length).toBe(200);
  }, 60_000);

  it('refuses bad options', async () => {
    const run = (args: string[]): Promise<number> => compareCommand.run(parseFlags(args, compareCommand.flags));
    await expect(run(['--target', '1d-trimodal'])).rejects.toThrow(/--out/);
    await expect(run(['--target', '2d-mix-gauss', '--bins', '10', '--out', dir])).rejects.toThrow(/1D/);
    await expect(run(['--target', '1d-trimodal', '--models', 'vae,nope', '--out', dir])).rejects.toThrow(/unknown model 'nope'/);
  });
});
