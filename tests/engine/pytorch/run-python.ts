// Running a Python script with Debian's PyTorch (python3-torch, installed by
// tests/setup/install-system-deps.sh) for the tests that compare gradlab with PyTorch.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

/** Run tests/engine/pytorch/<script> with `input` as JSON on stdin; returns its stdout parsed as JSON. */
export function runPython<T>(script: string, input: unknown, args: string[] = []): T {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: run tests/setup/install-system-deps.sh (it installs python3-torch)`);
  const path = fileURLToPath(new URL(script, import.meta.url));
  let out: string;
  try {
    out = execFileSync(PYTHON, [path, ...args], { input: JSON.stringify(input), encoding: 'utf8', timeout: 120_000, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const stderr = String(err.stderr ?? '');
    if (stderr.includes("No module named 'torch'")) throw new Error('PyTorch is not installed: run tests/setup/install-system-deps.sh (it installs python3-torch)');
    throw new Error(`${script} failed: ${err.message}\n${stderr}`);
  }
  return JSON.parse(out) as T;
}
