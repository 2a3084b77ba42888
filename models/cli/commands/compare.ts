// `gradlab compare`: train several models on one target under one parameter budget, write
// DIR/metrics.json and DIR/report.html (self-contained), and print the final table.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
import { getBackend } from '../../../engine/index';
import { COMPARE_MODELS, formatTable, metricsJson, runCompare } from '../../eval/compare';
import { readCsvFile } from '../../data/csv-file';
import { batchForRows } from '../../core/batch-rule';
import { DELIMITERS, type DelimiterName } from '../../data/csv';
import type { ModelKind } from '../../core/model';
import { availableModels, isModelKind } from '../../core/registry';
import { renderReport, type UplotAssets } from '../../report/report';
import { MAX_SEED } from '../../core/seeds';
import { getTarget, listTargets, targetFromSamples, type Target } from '../../data/targets';
import { InputError, UsageError, type FlagSpec, type Flags } from '../args';
import { checkOutputFolder, saveWithFallback } from '../save-path';
import { escapeControls, quote } from '../safe-text';
import { numberInRange, oneOf } from '../flag-checks';
import type { Command } from '../command';
import { createProgress, type Progress } from '../progress';
import { BACKEND_CHOICES, useCliBackend } from '../backend-choice';

const FLAGS: FlagSpec = {
  target: { type: 'string', help: "a built-in target ('gradlab targets' lists them)" },
  data: { type: 'string', help: 'a CSV file of your own data instead of a target' },
  delimiter: { type: 'string', help: "the CSV's column separator: , ; tab space (default: any of them; with ; tab or space, commas are decimal commas)" },
  budget: { type: 'int', help: 'parameter budget P: each model gets the hidden width closest to it', default: 1600 },
  bins: { type: 'int', help: 'K > 0: binned (one-hot) mode with K bins, 1D only', default: 0 },
  epochs: { type: 'int', help: 'epochs per model (one epoch = floor(N / B) steps)', default: 50 },
  seed: { type: 'int', help: 'random seed', default: 0 },
  backend: { type: 'string', help: 'cpu | webgpu | auto (webgpu fails without a GPU, auto falls back to the CPU)', default: 'cpu' },
  models: { type: 'string', help: 'comma-separated models to compare', default: COMPARE_MODELS.join(',') },
  'eval-samples': { type: 'int', help: 'samples scored after each epoch and at the end', default: 1000 },
  out: { type: 'string', help: 'folder for metrics.json and report.html (created if missing)' },
};

const USAGE = 'gradlab compare --target NAME | --data FILE [--budget 1600] [--bins K] [--epochs N] [--seed S] [--backend cpu|webgpu|auto] [--models gan,vae,rbm,diffusion] [--eval-samples N] --out DIR';

/** uPlot's files from node_modules, to inline in the report. */
function readUplot(): UplotAssets {
  const require = createRequire(import.meta.url);
  const dir = join(require.resolve('uplot/package.json'), '..', 'dist');
  return { script: readFileSync(join(dir, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(join(dir, 'uPlot.min.css'), 'utf8') };
}

function parseModels(text: string): ModelKind[] {
  const names = text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError('--models needs at least one model');
  const out: ModelKind[] = [];
  for (const name of names) {
    if (!isModelKind(name)) throw new UsageError(`--models: unknown model '${name}' (valid: ${COMPARE_MODELS.join(', ')})`);
    if (!availableModels().includes(name)) throw new UsageError(`--models: the ${name} model is not implemented yet`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

function chooseTarget(flags: Flags): { target: Target; data?: Float64Array } {
  if ((flags.target === undefined) === (flags.data === undefined)) throw new UsageError('give --target NAME or --data FILE (one of them)');
  if (flags.delimiter !== undefined && flags.data === undefined) throw new UsageError('--delimiter is the column separator of --data FILE; the built-in targets (--target) have none');
  if (flags.data !== undefined) {
    const path = String(flags.data);
    let csv;
    try {
      csv = readCsvFile(path, { delimiter: oneOf(flags, 'delimiter', Object.keys(DELIMITERS) as DelimiterName[]) });
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    for (const warning of csv.warnings ?? []) console.error(`gradlab compare: ${escapeControls(warning)}`);
    return { target: targetFromSamples(basename(path), csv.data, csv.dim), data: csv.data };
  }
  try {
    return { target: getTarget(String(flags.target)) };
  } catch {
    throw new UsageError(`unknown --target '${String(flags.target)}' (valid: ${listTargets().map((t) => t.name).join(', ')})`);
  }
}

async function compare(flags: Flags): Promise<number> {
  if (flags.out === undefined) throw new UsageError('--out DIR is required');
  const { target, data } = chooseTarget(flags);
  const budget = numberInRange(flags, 'budget', 10, 10_000_000, 'between 10 and 10000000') as number;
  const bins = numberInRange(flags, 'bins', 0, 1000, 'between 0 and 1000') as number;
  if (bins > 0 && target.dim !== 1) throw new UsageError(`--bins: binned mode is for 1D data; ${target.name} is 2D`);
  const epochs = numberInRange(flags, 'epochs', 1, 1e6, 'between 1 and 1000000') as number;
  const seed = numberInRange(flags, 'seed', 0, MAX_SEED, `an integer from 0 to ${MAX_SEED}`) as number;
  const evalSamples = numberInRange(flags, 'eval-samples', 16, 1e6, 'between 16 and 1000000') as number;
  const backend = oneOf(flags, 'backend', BACKEND_CHOICES) ?? 'cpu';
  const models = parseModels(String(flags.models));
  const out = String(flags.out);
  checkOutputFolder('--out', out);
  const uplot = readUplot();

  await useCliBackend('compare', backend);
  let progress: Progress | null = null;
  let current = '';
  if (data) {
    for (const kind of models) {
      const { notice } = batchForRows(kind, data.length / target.dim);
      if (notice) console.error(`gradlab compare: ${notice}`);
    }
  }
  const result = await runCompare({ target, data, budget, bins, epochs, seed, models, evalSamples, backend: getBackend() }, (p) => {
    if (p.model !== current) {
      progress?.done();
      current = p.model;
      console.error(`${p.model} (${p.index + 1}/${p.count})`);
      progress = createProgress(process.stderr);
    }
    progress?.update(p.record);
    progress?.tick(p.epoch, p.epochs);
  });
  (progress as Progress | null)?.done();

  // A failed write (a full disk after metrics.json) keeps the result in a rescue file, named.
  let failed = false;
  const written: string[] = [];
  for (const [name, content] of [['metrics.json', () => `${JSON.stringify(metricsJson(result), null, 2)}\n`], ['report.html', () => renderReport(result, uplot)]] as const) {
    const saved = saveWithFallback(join(out, name), content);
    written.push(saved.written);
    if (saved.failure) {
      failed = true;
      console.error(`gradlab compare: ${escapeControls(saved.failure)}; it was saved to ${quote(saved.written)} instead`);
    }
  }
  console.log(formatTable(result));
  for (const r of result.runs) if (r.error) console.log(`${r.model}: ${escapeControls(r.error)}`);
  console.log(`wrote ${written.map(escapeControls).join(' and ')}`);
  return failed ? 1 : 0;
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'train several models under one parameter budget and write a report',
  usage: USAGE,
  flags: FLAGS,
  run: compare,
};
