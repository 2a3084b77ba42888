// Saving never destroys the previous file: a write that fails (a full disk, here ENOSPC from a
// mocked write) leaves the old checkpoint byte for byte and names the path in the error; the
// temporary file is cleaned up; the fallback keeps the work when the chosen path fails.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const failing = { on: false };
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    writeSync: (...args: Parameters<typeof fs.writeSync>) => {
      if (failing.on) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
      return (fs.writeSync as (...a: unknown[]) => number)(...args);
    },
  };
});

const { writeFileAtomic } = await import('../../models/cli/atomic-write');
const { saveWithFallback } = await import('../../models/cli/save-path');

describe('writeFileAtomic', () => {
  it('replaces the file when the write succeeds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-atomic-'));
    const path = join(dir, 'ck.json');
    writeFileSync(path, '{"old":true}');
    writeFileAtomic(path, '{"new":true}');
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}');
    expect(readdirSync(dir)).toEqual(['ck.json']);
  });

  it('leaves the old file intact on ENOSPC and names the path and the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-atomic-'));
    const path = join(dir, 'ck.json');
    writeFileSync(path, '{"old":true}');
    failing.on = true;
    try {
      expect(() => writeFileAtomic(path, 'x'.repeat(1 << 20))).toThrow(`cannot write '${path}': no space left on the device (ENOSPC)`);
    } finally {
      failing.on = false;
    }
    expect(readFileSync(path, 'utf8')).toBe('{"old":true}');
    expect(readdirSync(dir)).toEqual(['ck.json']); // no temporary file left behind
  });

  it('saveWithFallback writes elsewhere and says why when the path cannot be written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-atomic-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = saveWithFallback(join(dir, 'gone', 'ck.json'), '{"model":1}');
      expect(r.failure).toMatch(/cannot write '.*gone\/ck\.json': no such file or folder \(ENOENT\)/);
      expect(r.written.startsWith(dir)).toBe(true);
      expect(readFileSync(r.written, 'utf8')).toBe('{"model":1}');
    } finally {
      process.chdir(cwd);
    }
  });
});
