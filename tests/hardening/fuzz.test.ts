// A seeded, bounded fuzz of the command line: generated argument lists, CSV files (bytes,
// numbers, encodings, sizes, ambiguous commas, odd line shapes), corrupted checkpoints (values out
// of range included) and output paths that hold something else (a FIFO, a socket, a folder,
// links, long names), run in-process through runCli. Each must end in exit 0, or exit 1/2 with a
// short error and no stack trace, no internal JavaScript error, no raw control byte, no hang; no
// input file may change, and nothing at an output path may be replaced by what it is not.
// Figures (cases and outcomes) are printed for the reliability docs.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRng, liveTensors } from '../../engine/index';
import { runCli } from '../../models/cli/run-cli';
import { checkpointCase, cliCase, csvCase, outputCase, pick, type PathKind } from './fuzz-cases';
import { createModel } from '../../models/core/registry';
import { runTraining } from '../../models/core/train-loop';
import { getTarget } from '../../models/data/targets';
import { checkpointJson } from '../../models/core/checkpoint';

/** Cases per kind; together they run in well under a minute on one core. */
const CASES = { cli: Number(process.env.FUZZ_CLI ?? 2000), csv: Number(process.env.FUZZ_CSV ?? 1500), checkpoint: Number(process.env.FUZZ_CHECKPOINT ?? 600), partial: Number(process.env.FUZZ_PARTIAL ?? 200), output: Number(process.env.FUZZ_OUTPUT ?? 150) };
const SEED = 20260611;
/** A single case taking longer than this counts as a hang. */
const CASE_LIMIT_MS = 20_000;

interface Outcome {
  code: number;
  out: string;
  err: string;
}

/** Run one command line with console and the std streams captured. */
async function capture(argv: string[]): Promise<Outcome> {
  let out = '';
  let err = '';
  const saved = { log: console.log, error: console.error, warn: console.warn, o: process.stdout.write, e: process.stderr.write };
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  console.error = console.warn = (...a: unknown[]) => void (err += `${a.join(' ')}\n`);
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), CASE_LIMIT_MS)));
    const code = await Promise.race([runCli(argv).catch((e: unknown) => ((err += `UNCAUGHT ${(e as Error)?.stack ?? e}\n`), -2)), hang]);
    clearTimeout(timer);
    return { code, out, err };
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn });
    process.stdout.write = saved.o;
    process.stderr.write = saved.e;
  }
}

/** What is wrong with an outcome, or null when it is acceptable. */
function problem(o: Outcome): string | null {
  if (o.code === -1) return 'hang';
  if (o.code === -2) return 'uncaught exception';
  if (![0, 1, 2].includes(o.code)) return `exit ${o.code}`;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(o.err)) return 'stack trace';
  if (/internal error|TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|is not iterable/.test(o.err)) return 'internal JavaScript error';
  // Control bytes from user input are escaped in every message (a terminal would obey them).
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(o.err + o.out)) return 'raw control byte in the output';
  if (o.code !== 0 && !(o.err === '' && o.out.startsWith('usage:'))) {
    // The message: the last line, after the usage line when there is one.
    const lines = o.err.trim().split('\n').filter((l) => !l.startsWith('usage:') && !/\busing batch\b|→ hidden width|^gradlab train: resuming at epoch/.test(l) && !(/could be one number with/.test(l) && !l.includes('Note:')));
    if (lines.length !== 1 && !o.err.includes('commands:')) return `${lines.length} error lines`;
    if (!/^gradlab( \w+)?: /.test(lines[0] ?? '')) return 'error line without the command name';
  }
  return null;
}

const tally: Record<string, Record<string, number>> = {};
const failures: string[] = [];
let dir = '';
let checkpointText = '';
let socketServer: Server | null = null;

function record(kind: string, args: string[], o: Outcome): void {
  const t = (tally[kind] ??= { cases: 0, 'exit 0': 0, 'exit 1': 0, 'exit 2': 0, bad: 0 });
  t.cases++;
  const p = problem(o);
  if (p) {
    t.bad++;
    if (failures.length < 20) failures.push(`${kind} ${JSON.stringify(args)}: ${p}\n${o.err.slice(0, 600)}`);
  } else t[`exit ${o.code}`]++;
}

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradlab-fuzz-'));
  mkdirSync(join(dir, 'out'));
  const rng = createRng(1);
  writeFileSync(join(dir, 'good.csv'), `x\n${Array.from({ length: 64 }, () => (4 + rng.normal() / 2).toFixed(5)).join('\n')}\n`);
  const made = await capture(['train', '--target', 'normal', '--dataset', '64', '--batch', '16', '--epochs', '1', '--save', join(dir, 'good.json')]);
  expect(made.code, made.err).toBe(0);
  checkpointText = readFileSync(join(dir, 'good.json'), 'utf8');
});

afterAll(() => {
  socketServer?.close();
  console.log(`fuzz (seed ${SEED}): ${JSON.stringify(tally)}; live tensors after: ${liveTensors()}`);
});

describe('fuzz: nothing crashes, nothing is lost', () => {
  beforeEach(() => {
    failures.length = 0;
  });

  it(`${CASES.cli} generated command lines`, async () => {
    const rng = createRng(SEED);
    const files = { csv: join(dir, 'good.csv'), checkpoint: join(dir, 'good.json'), save: join(dir, 'saved.json'), out: join(dir, 'out') };
    const before = [sha(files.csv), sha(files.checkpoint)];
    for (let i = 0; i < CASES.cli; i++) {
      const args = cliCase(rng, files);
      record('cli', args, await capture(args));
    }
    expect([sha(files.csv), sha(files.checkpoint)]).toEqual(before);
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 600_000);

  it(`${CASES.csv} generated CSV files`, async () => {
    const rng = createRng(SEED + 1);
    const path = join(dir, 'case.csv');
    for (let i = 0; i < CASES.csv; i++) {
      const bytes = csvCase(rng);
      writeFileSync(path, bytes);
      const before = sha(path);
      // A small VAE and no epochs: an accepted file is loaded, scored and reported.
      const args = ['train', '--model', pick(rng, ['vae', 'gan']), '--data', path, '--epochs', '0', ...(rng.uniform() < 0.15 ? ['--delimiter', pick(rng, [',', ';', 'tab', 'space'])] : [])];
      const o = await capture(args);
      if (process.env.FUZZ_DEBUG && o.code === 1) console.info(i, o.code, o.err.trim().split('\n').pop());
      record('csv', args, o);
      expect(sha(path), `case ${i} changed its input`).toBe(before);
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 600_000);

  it('leaves no tensor behind after thousands of refused inputs', () => {
    expect(liveTensors()).toBe(0);
  });

  it(`${CASES.checkpoint} corrupted checkpoints`, async () => {
    const rng = createRng(SEED + 2);
    const path = join(dir, 'case.json');
    for (let i = 0; i < CASES.checkpoint; i++) {
      writeFileSync(path, checkpointCase(rng, checkpointText));
      const before = sha(path);
      const args = ['train', '--resume', path, '--epochs', String(i % 2)];
      const live = liveTensors();
      const o = await capture(args);
      if (process.env.FUZZ_DEBUG && liveTensors() !== live) console.info(`LEAK case ${i}: ${liveTensors() - live} tensors; exit ${o.code}: ${o.err.trim().split('\n').pop()}`);
      record('checkpoint', args, o);
      expect(sha(path), `case ${i} changed its input`).toBe(before);
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    expect(liveTensors()).toBe(0);
  }, 600_000);
});

describe('fuzz: corrupted checkpoints saved part-way through an epoch', () => {
  it(`${CASES.partial} corrupted part-way checkpoints (partialEpoch's steps and sums among the targets)`, async () => {
    // A GAN stopped 3 steps into its second epoch, as Ctrl+C leaves it.
    const model = createModel('gan', getTarget('normal'), { dataset: 64, batch: 16, evalSamples: 32, seed: 1 });
    await runTraining(model, { epochs: 1 });
    for (let i = 0; i < 3; i++) model.trainStep();
    failures.length = 0;
    const partialText = [...checkpointJson(await model.save())].join('');
    model.dispose();
    expect(JSON.parse(partialText).partialEpoch.steps).toBe(3);
    const rng = createRng(SEED + 4);
    const path = join(dir, 'partial.json');
    for (let i = 0; i < CASES.partial; i++) {
      writeFileSync(path, checkpointCase(rng, partialText));
      const before = sha(path);
      const args = ['train', '--resume', path, '--epochs', String(1 + (i % 2))];
      record('partial checkpoint', args, await capture(args));
      expect(sha(path), `case ${i} changed its input`).toBe(before);
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    expect(liveTensors()).toBe(0);
  }, 600_000);
});

describe('fuzz: output paths that hold something else', () => {
  it(`${CASES.output} generated --save and --movie paths`, async () => {
    const rng = createRng(SEED + 3);
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    execFileSync('mkfifo', [join(shared, 'fifo')]);
    socketServer = createServer();
    await new Promise<void>((done) => socketServer!.listen(join(shared, 'socket'), done));
    for (let i = 0; i < CASES.output; i++) {
      const c = outputCase(rng);
      const ext = c.flag === '--movie' ? '.gif' : '.json';
      const folder = join(dir, `o${i}`);
      mkdirSync(folder);
      const path = makePath(folder, shared, c.kind, ext);
      const args = ['train', '--model', c.model, '--target', 'normal', '--dataset', '128', '--batch', '32', '--epochs', c.epochs, c.flag, path, '--json'];
      const o = await capture(args);
      record('output', args, o);
      const bad = (why: string): void => void (failures.length < 20 && failures.push(`output ${c.kind} ${JSON.stringify(args)}: ${why}\n${o.err.slice(0, 400)}`));
      if (!(o.code === 0 || o.code === 2)) bad(`exit ${o.code}`);
      // What was there is still there.
      if (!lstatSync(join(shared, 'fifo')).isFIFO()) bad('the FIFO was replaced');
      if (!lstatSync(join(shared, 'socket')).isSocket()) bad('the socket was replaced');
      if (['fifo', 'folder', 'socket', 'link-to-fifo', 'too-long-name', 'missing-folder'].includes(c.kind) && o.code !== 2) bad(`expected a usage error, got exit ${o.code}`);
      if (c.kind === 'folder' && !lstatSync(path).isDirectory()) bad('the folder was replaced');
      if (c.kind.startsWith('link') || c.kind === 'dangling-link') if (!lstatSync(path).isSymbolicLink()) bad('the link was replaced');
      if (o.code === 0) {
        const written = readFileSync(realpathSync(path));
        const ok = c.flag === '--movie' ? written.subarray(0, 4).toString('latin1') === 'GIF8' : JSON.parse(written.toString('utf8')).format === 'gradlab-checkpoint';
        if (!ok) bad('the written file is not what was asked for');
        if (c.kind === 'file-0600' && (statSync(path).mode & 0o777) !== 0o600) bad('the mode was not kept');
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    expect(liveTensors()).toBe(0);
  }, 600_000);
});

/** Make what an output path of `kind` holds, in `folder`; returns the path to give the flag. */
function makePath(folder: string, shared: string, kind: PathKind, ext: string): string {
  switch (kind) {
    case 'fifo': return join(shared, 'fifo');
    case 'socket': return join(shared, 'socket');
    case 'folder': mkdirSync(join(folder, `x${ext}`)); return join(folder, `x${ext}`);
    case 'link-to-fifo': symlinkSync(join(shared, 'fifo'), join(folder, `l${ext}`)); return join(folder, `l${ext}`);
    case 'dangling-link': symlinkSync(`made${ext}`, join(folder, `d${ext}`)); return join(folder, `d${ext}`);
    case 'link-to-file': writeFileSync(join(folder, `real${ext}`), 'old'); symlinkSync(`real${ext}`, join(folder, `l${ext}`)); return join(folder, `l${ext}`);
    case 'file-0600': writeFileSync(join(folder, `p${ext}`), 'old'); chmodSync(join(folder, `p${ext}`), 0o600); return join(folder, `p${ext}`);
    case 'long-name': return join(folder, `${'a'.repeat(255 - ext.length)}${ext}`);
    case 'too-long-name': return join(folder, `${'é'.repeat(128)}${ext}`);
    case 'control-bytes': return join(folder, `a\u001b]0;x\u0007${ext}`);
    case 'missing-folder': return join(folder, 'missing', `x${ext}`);
  }
}
