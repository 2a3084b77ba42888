// Nothing lost: what --save and --movie do to what is already at their paths (a FIFO, a folder,
// a socket, symbolic links, a 0600 file, names at the length limit), a run stopped by SIGINT or
// SIGTERM, output that cannot be written, and inputs that never end. The built CLI runs as a
// process. Only things made here are touched: a FIFO, a socket, links and folders in a temp dir.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli, cliIn, lastLine, root } from './cli-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointJson } from '../../models/core/checkpoint';
import { parseJsonBytes } from '../../models/core/checkpoint-bytes';
import { readFileBounded } from '../../models/data/csv-file';
import { rescueName } from '../../models/cli/save-path';
import { temporaryPath } from '../../models/cli/atomic-write';

let dir = '';
let socketServer: Server | null = null;

const gradlab = cliIn(() => dir);


/** mkfifo through the system tool (Node has no mkfifo). */
function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

beforeAll(async () => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'gradlab-data-loss-'));
  socketServer = createServer();
  await new Promise<void>((done) => socketServer!.listen(join(dir, 'socket'), done));
}, 120_000);

afterAll(() => {
  socketServer?.close();
});

describe('--save and --movie respect what is at the path', () => {
  it('refuses a FIFO, a socket and a folder before training, with exit 2, and leaves them as they were', () => {
    mkfifo(join(dir, 'fifo'));
    mkdirSync(join(dir, 'folder'));
    for (const [name, what] of [['fifo', /--save: 'fifo' is a FIFO/], ['socket', /--save: 'socket' is a socket/], ['folder', /--save: 'folder' is a directory/]] as const) {
      const started = Date.now();
      const r = gradlab('train', '--target', 'normal', '--epochs', '2000', '--save', name);
      expect(r.status, r.stderr).toBe(2);
      expect(lastLine(r.stderr)).toMatch(what);
      expect(Date.now() - started, 'refused before training').toBeLessThan(15_000);
    }
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
    expect(lstatSync(join(dir, 'socket')).isSocket()).toBe(true);
    expect(lstatSync(join(dir, 'folder')).isDirectory()).toBe(true);
  }, 120_000);

  it('refuses a FIFO or a folder named like a movie, and a link to a FIFO', () => {
    mkfifo(join(dir, 'movie-fifo.gif'));
    mkdirSync(join(dir, 'movie-folder.gif'));
    symlinkSync('fifo', join(dir, 'fifo-link.json'));
    for (const args of [['--movie', 'movie-fifo.gif'], ['--movie', 'movie-folder.gif'], ['--save', 'fifo-link.json']]) {
      const r = gradlab('train', '--target', 'normal', '--epochs', '2000', ...args);
      expect(r.status, r.stderr).toBe(2);
      expect(lastLine(r.stderr)).toMatch(/a FIFO|is a directory/);
    }
    expect(lstatSync(join(dir, 'fifo-link.json')).isSymbolicLink()).toBe(true);
  }, 60_000);

  it('follows a symbolic link (a dangling one too): the target is replaced, the link stays', () => {
    writeFileSync(join(dir, 'real.json'), 'old');
    symlinkSync('real.json', join(dir, 'link.json'));
    symlinkSync('made-by-save.json', join(dir, 'dangling.json'));
    for (const link of ['link.json', 'dangling.json']) {
      const r = gradlab('train', '--target', 'normal', '--epochs', '1', '--save', link, '--json');
      expect(r.status, r.stderr).toBe(0);
      expect(lstatSync(join(dir, link)).isSymbolicLink()).toBe(true);
    }
    expect(readlinkSync(join(dir, 'link.json'))).toBe('real.json');
    expect(JSON.parse(readFileSync(join(dir, 'real.json'), 'utf8')).format).toBe('gradlab-checkpoint');
    expect(JSON.parse(readFileSync(join(dir, 'made-by-save.json'), 'utf8')).format).toBe('gradlab-checkpoint');
  }, 60_000);

  it("keeps an existing checkpoint's permission bits (0600 stays 0600)", () => {
    const path = join(dir, 'private.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o600);
    expect(gradlab('train', '--target', 'normal', '--epochs', '1', '--save', path, '--json').status).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('writes a legal 255-byte name (its temporary name is shortened to fit) and refuses 256 bytes before training', () => {
    const longest = `${'a'.repeat(250)}.json`;
    expect(Buffer.byteLength(longest)).toBe(255);
    const r = gradlab('train', '--target', 'normal', '--epochs', '1', '--save', longest, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, longest))).toBe(true);
    const tooLong = gradlab('train', '--target', 'normal', '--epochs', '2000', '--save', `${'é'.repeat(126)}.json`);
    expect(tooLong.status).toBe(2);
    expect(lastLine(tooLong.stderr)).toMatch(/is 257 bytes; file systems take at most 255/);
    // The temporary and rescue names of the longest name fit too.
    expect(Buffer.byteLength(temporaryPath(join(dir, longest)).split('/').pop()!)).toBeLessThanOrEqual(255);
    expect(Buffer.byteLength(rescueName(join(dir, longest)))).toBeLessThanOrEqual(255 - 40);
  }, 60_000);

  // (2D data is recorded as a movie since: tests/movie/cli-movie.test.ts.)
  it('refuses --g-batchnorm with --batch 1 as a usage error (exit 2)', () => {
    const r = gradlab('train', '--target', 'normal', '--g-batchnorm', '--batch', '1', '--epochs', '2000');
    expect(r.status, r.stderr).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/--g-batchnorm needs a batch of at least 2/);
  }, 60_000);
});

describe('a stopped run is saved', () => {
  /** Start a long run, wait for its first progress line, send the signals, and wait for the exit. */
  async function interrupted(signals: NodeJS.Signals[], save: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [cli, 'train', '--target', 'normal', '--epochs', '1000000', ...save], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    // Non-terminal progress prints a line every few seconds: training is under way once one shows.
    while (!/epoch \d+\/1000000/.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    for (const s of signals) child.kill(s);
    const code = await new Promise<number | null>((r) => child.once('close', r));
    return { code, stderr };
  }

  it('SIGINT stops at the next step boundary, writes --save, exits 130; the checkpoint resumes', async () => {
    const path = join(dir, 'interrupted.json');
    const r = await interrupted(['SIGINT'], ['--save', path]);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopped by SIGINT after \d+ of 1000000 epochs/);
    const resumed = gradlab('train', '--resume', path, '--epochs', '1', '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
  }, 120_000);

  it('SIGTERM without --save writes a rescue file, names it, and exits 143', async () => {
    const r = await interrupted(['SIGTERM'], []);
    expect(r.code, r.stderr).toBe(143);
    const saved = /saved checkpoint (\S+)/.exec(r.stderr)?.[1];
    expect(saved, r.stderr).toBeDefined();
    expect(JSON.parse(readFileSync(resolve(dir, saved!), 'utf8')).format).toBe('gradlab-checkpoint');
  }, 120_000);

  it('a second Ctrl+C quits at once, without saving', async () => {
    const path = join(dir, 'never.json');
    // One long step (a batch of 100000 rows through a 10000-parameter GAN): both signals arrive
    // before the first step ends, the first place the run looks for them.
    const child = spawn(process.execPath, [cli, 'train', '--target', 'normal', '--dataset', '100000', '--batch', '100000', '--budget', '10000', '--epochs', '100', '--save', path], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    while (!/hidden width/.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    // Two signals sent together would be merged by the kernel into one: keep them apart.
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/SIGINT again: quitting at once, without saving/);
    expect(existsSync(path)).toBe(false);
  }, 120_000);
});

describe('an output that fails after training leaves a rescue file and names it', () => {
  /** Start gradlab, delete `folder` once stderr matches `ready` (the outputs' folder vanishes mid-run), wait for the exit. */
  async function folderRemovedDuringRun(args: string[], ready: RegExp, folder: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d) => (stdout += String(d)));
    while (!ready.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    rmSync(folder, { recursive: true, force: true });
    const code = await new Promise<number | null>((r) => child.once('close', r));
    return { code, stderr, stdout };
  }
  /** The rescue files a message names, as paths from the test's folder. */
  const rescued = (stderr: string): string[] => [...stderr.matchAll(/saved to '([^']+)' instead/g)].map((m) => resolve(dir, m[1]));

  it('train: the checkpoint and the movie go to rescue files, exit 1', async () => {
    const folder = join(dir, 'vanishing-train');
    mkdirSync(folder);
    const r = await folderRemovedDuringRun(['train', '--target', 'normal', '--budget', '300', '--epochs', '30', '--save', join(folder, 'run.json'), '--movie', join(folder, 'run.gif')], /hidden width/, folder);
    expect(r.code, r.stderr).toBe(1);
    const [checkpoint, movie] = rescued(r.stderr);
    expect(r.stderr).toMatch(/the trained model was saved to '[^']*gradlab-rescued-run[^']*\.json' instead/);
    expect(JSON.parse(readFileSync(checkpoint, 'utf8')).epoch).toBe(30);
    expect(readFileSync(movie).subarray(0, 4).toString('latin1')).toBe('GIF8');
  }, 120_000);

  it('compare: metrics.json and report.html go to rescue files, exit 1', async () => {
    const out = join(dir, 'vanishing-compare');
    mkdirSync(out);
    const r = await folderRemovedDuringRun(['compare', '--target', 'normal', '--epochs', '20', '--budget', '200', '--eval-samples', '50', '--models', 'gan,vae', '--out', out], /gan \(1\/2\)/, out);
    expect(r.code, r.stderr).toBe(1);
    const files = rescued(r.stderr);
    expect(files.length, r.stderr).toBe(2);
    expect(JSON.parse(readFileSync(files.find((f) => f.endsWith('.json'))!, 'utf8'))).toBeTruthy();
    expect(readFileSync(files.find((f) => f.endsWith('.html'))!, 'utf8')).toMatch(/<html/i);
  }, 120_000);
});

describe('output that cannot be written is not exit 0', () => {
  it('a failed stdout write exits 1 with a message (stdout opened read-only: EBADF)', () => {
    const path = join(dir, 'read-only-stdout.txt');
    writeFileSync(path, '');
    const fd = openSync(path, 'r');
    try {
      for (const args of [['targets'], ['train', '--target', 'normal', '--epochs', '1', '--json']]) {
        const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 60_000 });
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toMatch(/gradlab: cannot write to stdout: EBADF/);
      }
    } finally {
      closeSync(fd);
    }
  }, 60_000);

  it('a reader that went away (EPIPE) ends the process quietly, non-zero', async () => {
    const child = spawn(process.execPath, [cli, 'targets'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((r) => child.once('close', r));
    expect(code).toBe(141);
    expect(stderr).toBe('');
  });
});

describe('inputs that never end are capped as they are read', () => {
  /** A FIFO fed without end by a child process, until the reader closes it. */
  function endlessFifo(name: string, line: string): string {
    const path = join(dir, name);
    mkfifo(path);
    spawn(process.execPath, ['-e', `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(path)},'w');const b=Buffer.from(${JSON.stringify(line)}.repeat(1<<16));try{for(;;)fs.writeSync(fd,b)}catch{}`], { stdio: 'ignore' });
    return path;
  }

  it('readFileBounded stops one byte past its limit on a FIFO that never ends', () => {
    const path = endlessFifo('endless-small', '1\n');
    expect(() => readFileBounded(path, 1 << 20, 'the test limit')).toThrow(/holds more than 1 MiB; the test limit/);
  });

  it('--data on an endless FIFO is refused with exit 2 naming the limit', () => {
    const path = endlessFifo('endless.csv', '0.5\n');
    const r = gradlab('train', '--data', path, '--epochs', '1');
    expect(r.status, r.stderr).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/cannot read CSV file .*: it holds more than 256 MiB/);
  }, 60_000);
});

describe('checkpoints longer than one JavaScript string', () => {
  it('checkpointJson writes the text JSON.stringify would, in pieces; parseJsonBytes reads it back', () => {
    const value = { format: 'gradlab-checkpoint', a: Array.from({ length: 200_003 }, (_, i) => Math.sin(i) * 1e3), b: { c: [1, -0.5, 'x\u0000"'], d: null, e: true }, h: [] };
    const pieces = [...checkpointJson(value)];
    expect(pieces.length).toBeGreaterThan(3);
    const text = pieces.join('');
    expect(text).toBe(JSON.stringify(value));
    expect(parseJsonBytes(Buffer.from(text))).toEqual(JSON.parse(text));
    for (const bad of ['{"a":1,}', '[1 2]', '{"a"}', '01', '[', '{"a":1}x', '"\\u00"']) expect(() => parseJsonBytes(Buffer.from(bad)), bad).toThrow(SyntaxError);
    // Deep nesting does not overflow the call stack.
    expect(() => parseJsonBytes(Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).not.toThrow();
  });
});
