// `gradlab train --model gan --conditional` through the built CLI: the `classes` of the --json
// line, the label column of a CSV, and the usage errors (exit 2).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradlab, lastJson, root } from './run-cli';

let dir = '';

beforeAll(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'gradlab-cond-'));
}, 120_000);

describe('gradlab train --conditional', () => {
  it('the --json line gains classes: one { class, share, mean, std } per component', () => {
    const r = gradlab('train', '--model', 'gan', '--conditional', '--target', 'bimodal', '--epochs', '2', '--dataset', '256', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = lastJson(r.stdout);
    const classes = j.classes as { class: number; share: number; mean: number; std: number; targetMean: number; targetStd: number; nearest: number }[];
    expect(classes.map((c) => c.class)).toEqual([0, 1]);
    expect(classes[0].share + classes[1].share).toBeCloseTo(1, 12);
    expect(classes[1].targetMean).toBe(6);
    expect(classes[0].targetStd).toBe(0.4);
    for (const c of classes) {
      expect(Number.isFinite(c.mean)).toBe(true);
      expect(c.std).toBeGreaterThanOrEqual(0);
      expect(c.nearest).toBeGreaterThanOrEqual(0);
    }
  });

  it('2D targets report means and stds as [x, y]; the plain output has a line per class', () => {
    const j = lastJson(gradlab('train', '--conditional', '--target', '2d-mix-gauss', '--epochs', '1', '--dataset', '256', '--json').stdout);
    const classes = j.classes as { mean: number[]; std: number[]; targetMean: number[] }[];
    expect(classes).toHaveLength(4);
    expect(classes[0].mean).toHaveLength(2);
    expect(classes[0].std).toHaveLength(2);
    expect(classes[3].targetMean).toEqual([1.5, 1.5]);
    const text = gradlab('train', '--conditional', '--target', '1d-trimodal', '--epochs', '1', '--dataset', '256');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/class 2 \(share 0\.\d+\): G\(z, c\) mean -?\d\.\d{3} \(class 2\.000\)/);
  });

  it('a CSV label column gives the classes', () => {
    const file = join(dir, 'labelled.csv');
    writeFileSync(file, `value,label\n${Array.from({ length: 64 }, (_, i) => `${(i % 2) * 5 + (i % 9) / 10},${i % 2}`).join('\n')}\n`);
    const r = gradlab('train', '--conditional', '--data', file, '--label-column', '2', '--epochs', '1', '--json');
    expect(r.status, r.stderr).toBe(0);
    const classes = lastJson(r.stdout).classes as { class: number; share: number; targetMean: number }[];
    expect(classes.map((c) => c.share)).toEqual([0.5, 0.5]);
    expect(classes[1].targetMean).toBeGreaterThan(5);
  });

  it('usage errors (exit 2): no classes, labels without --conditional or --data, bad labels', () => {
    const normal = gradlab('train', '--conditional', '--target', 'normal', '--epochs', '1');
    expect(normal.status).toBe(2);
    expect(normal.stderr).toMatch(/the conditional GAN needs classes, and target 'normal' has none: choose a mixture target \(bimodal, mixture/);
    const file = join(dir, 'plain.csv');
    writeFileSync(file, Array.from({ length: 32 }, (_, i) => `${i / 10},${i % 3}`).join('\n'));
    const noColumn = gradlab('train', '--conditional', '--data', file, '--epochs', '1');
    expect(noColumn.status).toBe(2);
    expect(noColumn.stderr).toMatch(/needs a class label for each data row \(--label-column N\)/);
    const notConditional = gradlab('train', '--data', file, '--label-column', '2', '--epochs', '1');
    expect(notConditional.status).toBe(2);
    expect(notConditional.stderr).toMatch(/--label-column is for the conditional GAN: give --model gan --conditional/);
    const noData = gradlab('train', '--conditional', '--target', 'bimodal', '--label-column', '2');
    expect(noData.status).toBe(2);
    expect(noData.stderr).toMatch(/--label-column names a column of --data FILE/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, Array.from({ length: 32 }, (_, i) => `${i / 10},${i === 7 ? 'b' : i % 2}`).join('\n'));
    const badLabel = gradlab('train', '--conditional', '--data', bad, '--label-column', '2', '--epochs', '1');
    expect(badLabel.status).toBe(2);
    expect(badLabel.stderr).toMatch(/bad\.csv, line 8: column 2 \(the label column\): class label 'b' is not a whole number from 0/);
    const gap = join(dir, 'gap.csv');
    writeFileSync(gap, Array.from({ length: 32 }, (_, i) => `${i / 10},${(i % 2) * 2}`).join('\n'));
    const missing = gradlab('train', '--conditional', '--data', gap, '--label-column', '2', '--epochs', '1');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no row has label 1; the labels must be the class ids 0 to 2, each used at least once/);
    const vae = gradlab('train', '--model', 'vae', '--conditional', '--target', 'bimodal');
    expect(vae.status).toBe(2);
    expect(vae.stderr).toMatch(/--conditional is not an option of the vae model/);
  });
});
