// `gradlab compare`'s report.html has the diagnostics sections "Q-Q", "ECDF" and "Histogram
// difference", one SVG panel per model (two in 2D: x₁ and x₂), the KS segment marked with ks2's
// statistic, and no URL.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseFlags } from '../../models/cli/args';
import { compareCommand } from '../../models/cli/commands/compare';
import { runCompare } from '../../models/eval/compare';
import { ks2 } from '../../models/eval/metrics';
import { marginal } from '../../models/eval/diagnostics';
import { renderReport } from '../../models/report/report';
import { getTarget } from '../../models/data/targets';

const dir = mkdtempSync(join(tmpdir(), 'gradlab-report-diag-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The HTML between <h2>title</h2> and the next <h2> (or the end). */
function section(html: string, title: string): string {
  const start = html.indexOf(`<h2>${title}</h2>`);
  expect(start, `section "${title}"`).toBeGreaterThan(0);
  const next = html.indexOf('<h2>', start + 4);
  return html.slice(start, next < 0 ? undefined : next);
}

const FAKE_UPLOT = { script: 'var uPlot=function(){};', css: '.uplot{}' };

describe('report.html diagnostics', () => {
  it('gradlab compare writes the three titled sections with a panel per model', async () => {
    const out = join(dir, 'run');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const flags = parseFlags(['--target', 'bimodal', '--models', 'gan,vae', '--epochs', '1', '--eval-samples', '200', '--out', out], compareCommand.flags);
    const code = await compareCommand.run(flags);
    log.mockRestore();
    err.mockRestore();
    expect(code).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//i);
    const kinds = { 'Q-Q': 'qq', ECDF: 'ecdf', 'Histogram difference': 'histdiff' };
    for (const [title, kind] of Object.entries(kinds)) {
      const s = section(html, title);
      expect(s.match(new RegExp(`data-diag="${kind}"`, 'g'))?.length).toBe(2);
      expect(s).toMatch(/>gan</);
      expect(s).toMatch(/>vae</);
    }
    expect(section(html, 'Q-Q').match(/<circle /g)?.length).toBe(2 * 99);
    expect(section(html, 'ECDF').match(/KS = \d\.\d{3} at x = /g)?.length).toBe(2);
    expect(section(html, 'Histogram difference').match(/<rect /g)?.length).toBeGreaterThanOrEqual(2 * 40);
  }, 120_000);

  it('marks the KS statistic of the final samples, and gives 2D targets one panel per coordinate', async () => {
    const result = await runCompare({ target: getTarget('2d-mix-gauss'), epochs: 1, models: ['diffusion'], evalSamples: 100, snapshotSamples: 300 });
    const html = renderReport(result, FAKE_UPLOT);
    const ecdf = section(html, 'ECDF');
    expect(ecdf).toMatch(/>diffusion, x₁</);
    expect(ecdf).toMatch(/>diffusion, x₂</);
    const marks = [...ecdf.matchAll(/data-ks="([0-9.e-]+)"/g)].map((m) => Number(m[1]));
    expect(marks.length).toBe(2);
    const last = result.runs[0].snapshots[result.runs[0].snapshots.length - 1].samples;
    for (const c of [0, 1] as const) {
      expect(marks[c]).toBe(ks2(marginal(last, 2, c), marginal(result.targetSamples, 2, c)).d);
      expect(marks[c]).toBeGreaterThan(0);
    }
    expect(section(html, 'Q-Q').match(/data-diag="qq"/g)?.length).toBe(2);
    expect(section(html, 'Histogram difference').match(/data-diag="histdiff"/g)?.length).toBe(2);
  }, 60_000);
});
