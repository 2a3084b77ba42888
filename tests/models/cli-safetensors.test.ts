// `gradlab train --save FILE.safetensors`: the trained networks' weights in a file PyTorch
// loads (strict) into a module of the same shape, giving the outputs gradlab's networks give.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as g from '../../engine/index.js';
import { runCli } from '../../models/cli/run-cli';
import { expectClose } from '../engine/helpers.js';
import { runPython } from '../engine/pytorch/run-python.js';

const folder = mkdtempSync(join(tmpdir(), 'gradlab-cli-safetensors-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Train `model` for one epoch with --save `path`, quietly; the exit code. */
async function train(model: string, path: string): Promise<number> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    return await runCli(['train', '--model', model, '--target', 'normal', '--epochs', '1', '--save', path]);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('gradlab train --save FILE.safetensors', () => {
  it('writes the VAE\'s encoder and decoder, which PyTorch loads and runs as gradlab does', async () => {
    const path = join(folder, 'vae.safetensors');
    expect(await train('vae', path)).toBe(0);
    const bytes = new Uint8Array(readFileSync(path));
    const meta = g.safetensorsMetadata(bytes);
    expect([meta.format, meta.model, meta.epoch]).toEqual(['pt', 'vae', '1']);
    const dict = g.fromSafetensors(bytes);
    const keys = Object.keys(dict).filter((k) => k.startsWith('encoder.'));
    expect(keys.slice(0, 2)).toEqual(['encoder.layers.0.weight', 'encoder.layers.0.bias']);
    // gradlab's own MLP of the same sizes, loaded from the file
    const sizes = keys.filter((k) => k.endsWith('.weight')).map((k) => dict[k].shape);
    const mlp = new g.MLP({ inputs: sizes[0][1], hidden: sizes.slice(0, -1).map((s) => s[0]), outputs: sizes[sizes.length - 1][0], activation: 'relu', rng: g.createRng(0) });
    mlp.loadStateDict(Object.fromEntries(keys.map((k) => [k.slice('encoder.'.length), dict[k]])));
    const inputs = Array.from({ length: 5 }, (_, i) => Array.from({ length: sizes[0][1] }, (__, j) => Math.sin(3 * i + j) * 1.5));
    const ours = mlp.forward(g.tensor(inputs)).dataSync();
    const py = runPython<{ outputs: number[][]; model: string; keys: string[] }>('mlp_forward.py', { inputs }, [path, 'encoder']);
    expect(py.model).toBe('vae');
    expect(py.keys).toContain('decoder.layers.0.weight');
    expectClose(ours, py.outputs.flat(), 2e-6);
    expect(new Set(Array.from(ours).map((v) => v.toFixed(5))).size).toBeGreaterThan(3);
  });

  it('names the GAN\'s networks G and D, and writes the RBM\'s parameters as they are', async () => {
    const gan = join(folder, 'gan.safetensors');
    expect(await train('gan', gan)).toBe(0);
    const ganKeys = Object.keys(g.fromSafetensors(new Uint8Array(readFileSync(gan))));
    expect(ganKeys).toContain('G.layers.0.weight');
    expect(ganKeys).toContain('D.layers.0.bias');
    const rbm = join(folder, 'rbm.safetensors');
    expect(await train('rbm', rbm)).toBe(0);
    expect(Object.keys(g.fromSafetensors(new Uint8Array(readFileSync(rbm))))).toEqual(['W', 'visibleBias', 'hiddenBias']);
  });
});
