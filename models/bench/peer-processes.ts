// The peers of `gradlab bench --workload gan|gan-wide`: the same GAN step written with jax-js
// (WebAssembly, jitted), TensorFlow.js (WebAssembly, SIMD) and PyTorch (eager, the system's
// BLAS), each run in a process of its own and timed in the bench's alternating rounds.
//
// They are not gradlab's dependencies. The JavaScript peers live in models/bench/peers/ with a
// package.json of their own (`npm run bench:peers:install` installs them there); PyTorch is
// Debian's python3-torch under /usr/bin/python3. Whatever is missing is reported with how to
// install it, and the bench goes on without it.
//
// Each process speaks a line protocol (models/bench/peers/run-peer.mjs):
//   → {"ready": true, "name", "detail"?, "losses": [D loss, G loss] of step `checkSteps`}
//   ← "N"     → {"ms", "cpuMs"}: wall and process CPU time per step over N steps
//   ← "quit"

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What a peer is handed: the workload's sizes and optimizer (from models/bench/workloads.ts). */
export interface PeerSpec {
  batch: number;
  dataset: number;
  latent: number;
  gHidden: number[];
  dHidden: number[];
  dataMean: number;
  dataStd: number;
  adam: { lr: number; beta1: number; beta2: number; eps: number };
  /** The peer reports the losses of this step, before any timing. */
  checkSteps: number;
}

export const PEERS_INSTALL = 'npm run bench:peers:install';
export const TORCH_INSTALL = 'apt-get install python3-torch libopenblas0-pthread';

/** A peer that can run here, or why it cannot and how to install it. */
export interface PeerCheck {
  id: 'jax' | 'tfjs' | 'torch';
  label: string;
  installed: boolean;
  /** Versions found, or the install hint. */
  note: string;
}

/** Milliseconds per step: wall-clock, and CPU time of the process (all its threads). */
export interface StepTimes {
  ms: number;
  cpuMs: number;
}

/** A started peer process. */
export interface PeerProcess {
  implementation: string;
  detail: string;
  losses: [number, number];
  /** Runs `steps` steps in the peer; resolves to its wall and CPU ms per step. */
  run(steps: number): Promise<StepTimes>;
  close(): void;
}

/** models/bench/peers/, found upward from this file (the sources or dist/cli.js); GRADLAB_PEERS_DIR overrides. */
export function peersDir(): string {
  const env = process.env.GRADLAB_PEERS_DIR;
  if (env) return resolve(env);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    for (const candidate of [join(dir, 'peers'), join(dir, 'models/bench/peers')]) {
      if (existsSync(join(candidate, 'run-peer.mjs'))) return candidate;
    }
  }
  return resolve('models/bench/peers');
}

/** The Python that runs the PyTorch peer (Debian's, where python3-torch puts torch); GRADLAB_PYTHON overrides. */
export function pythonPath(): string {
  return process.env.GRADLAB_PYTHON || '/usr/bin/python3';
}

function versionOf(dir: string, pkg: string): string | null {
  try {
    return String(JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version);
  } catch {
    return null;
  }
}

/** Which peers are installed, without starting them (Python is asked for torch's version). */
export function checkPeers(dir = peersDir(), python = pythonPath()): PeerCheck[] {
  if (!existsSync(join(dir, 'run-peer.mjs')) || !existsSync(join(dir, 'torch_gan.py'))) {
    const note = `not found: ${dir} has no peer scripts (run-peer.mjs, torch_gan.py: models/bench/peers/ in gradlab's repository)`;
    return [{ id: 'jax', label: 'jax-js', installed: false, note }, { id: 'tfjs', label: 'TF.js', installed: false, note }, { id: 'torch', label: 'PyTorch', installed: false, note }];
  }
  const jax = versionOf(dir, '@jax-js/jax');
  const tfjs = versionOf(dir, '@tensorflow/tfjs');
  const tfjsWasm = versionOf(dir, '@tensorflow/tfjs-backend-wasm');
  // The install script lives in gradlab's own package.json, not in the peers' folder.
  const where = `(from gradlab's repository root: it installs them into models/bench/peers; looked in ${dir})`;
  const torch = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  const torchVersion = torch.status === 0 ? torch.stdout.trim() : null;
  return [
    { id: 'jax', label: 'jax-js', installed: jax !== null, note: jax ? `@jax-js/jax ${jax}` : `not installed: ${PEERS_INSTALL} ${where}` },
    {
      id: 'tfjs', label: 'TF.js', installed: tfjs !== null && tfjsWasm !== null,
      note: tfjs && tfjsWasm ? `@tensorflow/tfjs ${tfjs}, tfjs-backend-wasm ${tfjsWasm}` : `not installed: ${PEERS_INSTALL} ${where}`,
    },
    {
      id: 'torch', label: 'PyTorch', installed: torchVersion !== null,
      note: torchVersion ? `torch ${torchVersion} (${python})` : `not installed: ${TORCH_INSTALL} (torch not importable by ${python})`,
    },
  ];
}

/** Starts one peer process and waits for its first report (its losses after `checkSteps` steps). */
export function startPeer(id: PeerCheck['id'], spec: PeerSpec, options: { threads?: number; dir?: string; python?: string; timeoutMs?: number } = {}): Promise<PeerProcess> {
  const dir = options.dir ?? peersDir();
  const timeoutMs = options.timeoutMs ?? 180_000;
  const json = JSON.stringify(spec);
  // torch.set_num_threads sets PyTorch's own pool; OpenBLAS keeps a pool of its own, sized by its variable.
  const threads = options.threads ?? 1;
  const child: ChildProcessWithoutNullStreams = id === 'torch'
    ? spawn(options.python ?? pythonPath(), [join(dir, 'torch_gan.py'), json, String(threads)], { cwd: dir, env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) } })
    : spawn(process.execPath, [join(dir, 'run-peer.mjs'), id, json], { cwd: dir });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-2000); });
  const lines = createInterface({ input: child.stdout });
  const waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  const fail = (why: string): void => {
    failure ??= new Error(`${id} peer: ${why}${stderr.trim() ? `; its last output: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.on('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
  child.on('error', (e) => fail(e.message));
  const next = (): Promise<Record<string, unknown>> => new Promise((res, rej) => {
    if (failure) return rej(failure);
    const timer = setTimeout(() => { fail(`no answer in ${timeoutMs / 1000} s`); child.kill(); }, timeoutMs);
    waiting.push({
      resolve: (line) => { clearTimeout(timer); try { res(JSON.parse(line)); } catch { rej(new Error(`${id} peer: not JSON: ${line.slice(0, 200)}`)); } },
      reject: (e) => { clearTimeout(timer); rej(e); },
    });
  });
  return next().then((ready) => {
    const losses = ready.losses as [number, number];
    return {
      implementation: String(ready.name),
      detail: typeof ready.detail === 'string' ? ready.detail : '',
      losses,
      async run(steps: number) {
        child.stdin.write(`${steps}\n`);
        const answer = await next();
        if (typeof answer.ms !== 'number' || typeof answer.cpuMs !== 'number') throw new Error(`${id} peer: no times in ${JSON.stringify(answer)}`);
        return { ms: answer.ms, cpuMs: answer.cpuMs };
      },
      close() {
        if (child.exitCode === null) child.stdin.end('quit\n');
      },
    };
  }, (e: Error) => {
    child.kill();
    throw e;
  });
}

/** PyTorch thread counts to time: one, and every core when there are more. */
export function torchThreadCounts(): number[] {
  const all = availableParallelism();
  return all > 1 ? [1, all] : [1];
}
