// The conditional GAN's parts on the CPU backend: the targets' component labels, the one-hot
// rows concatenated to G's and D's inputs, the class shares, the CSV label column, the checkpoint
// round trip and the refusals.

import { describe, expect, it } from 'vitest';
import { createRng } from '../../engine/index';
import { createGan, Gan, type GanConfig } from '../../models/gan';
import { checkLabels, joinColumns, oneHotRows, shareNearest } from '../../models/gan/conditional';
import { parseCsv } from '../../models/data/csv';
import type { Checkpoint } from '../../models/core/model';
import { getTarget, targetFromSamples } from '../../models/data/targets';
import { ganGradcheck } from '../../demo/tabs/gan-gradcheck';
import { discriminate } from '../../demo/gan-views';

const SMALL: Partial<GanConfig> = { dataset: 512, batch: 32, evalSamples: 200, conditional: true };
const roundTrip = (cp: Checkpoint): Checkpoint => JSON.parse(JSON.stringify(cp)) as Checkpoint;

describe('mixture targets: component labels', () => {
  it('sampleLabelled gives the very draws of sample() and the component of each', () => {
    for (const name of ['bimodal', 'mixture', '1d-trimodal', '1d-quadmodal', '2d-mix-gauss']) {
      const t = getTarget(name);
      const plain = t.sample(3000, createRng(11));
      const { samples, labels } = t.sampleLabelled!(3000, createRng(11));
      expect(Array.from(samples)).toEqual(Array.from(plain));
      expect(labels.length).toBe(3000);
      // Each sample is nearest to its own component's mean (the components are far apart) in
      // nearly all cases, and the label frequencies follow the weights.
      const means = t.components!.map((c) => c.mean);
      const k = means.length;
      let own = 0;
      for (let i = 0; i < 3000; i++) {
        const x = Array.from(samples.subarray(i * t.dim, (i + 1) * t.dim));
        const d = means.map((m) => m.reduce((s, v, j) => s + (x[j] - v) ** 2, 0));
        if (d.indexOf(Math.min(...d)) === labels[i]) own++;
      }
      expect(own / 3000).toBeGreaterThan(0.9);
      for (let c = 0; c < k; c++) {
        const share = labels.filter((l) => l === c).length / 3000;
        expect(Math.abs(share - t.components![c].weight)).toBeLessThan(0.04);
      }
    }
  });

  it('single normals and other targets have no components', () => {
    for (const name of ['normal', 'uniform', 'exponential', '1d-poisson']) {
      expect(getTarget(name).sampleLabelled).toBeUndefined();
      expect(getTarget(name).components).toBeUndefined();
    }
  });
});

describe('one-hot rows and their concatenation', () => {
  it('oneHotRows and joinColumns give [x | onehot(c)] rows', () => {
    const oneHot = oneHotRows([2, 0, 1], 3);
    expect(Array.from(oneHot)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    const joined = joinColumns(Float64Array.from([0.5, -1, 1.5, 2, 3.5, -4]), 2, oneHot, 3);
    expect(Array.from(joined)).toEqual([0.5, -1, 0, 0, 1, 1.5, 2, 1, 0, 0, 3.5, -4, 0, 1, 0]);
    expect(() => joinColumns(Float64Array.from([1, 2]), 1, oneHot, 3)).toThrow(/2 rows of 1 and 3 rows of 3 do not pair up/);
  });

  it('G reads latent + K inputs, D reads data + K; the dataset rows carry the one-hot columns', () => {
    for (const [name, k] of [['bimodal', 2], ['1d-trimodal', 3], ['2d-mix-gauss', 4]] as const) {
      const gan = createGan(getTarget(name), { ...SMALL, latent: 5, gLayers: 1, gWidth: 8, dLayers: 1, dWidth: 8 });
      const dim = gan.dim;
      expect(gan.classes!.k).toBe(k);
      expect(gan.G.namedParameters().find(([n]) => n === 'layers.0.weight')![1].shape).toEqual([5 + k, 8]);
      expect(gan.D.namedParameters().find(([n]) => n === 'layers.0.weight')![1].shape).toEqual([dim + k, 8]);
      expect(gan.dataset.width).toBe(dim + k);
      expect(gan.dataset.raw.length).toBe(512 * dim);
      gan.dispose();
    }
  });

  it('the conditional dataset holds the same samples as the plain one for the same seed', () => {
    const plain = createGan(getTarget('bimodal'), { ...SMALL, conditional: false });
    const cond = createGan(getTarget('bimodal'), SMALL);
    expect(Array.from(cond.dataset.raw)).toEqual(Array.from(plain.dataset.raw));
    plain.dispose();
    cond.dispose();
  });
});

describe("the page's gradient check", () => {
  it('checks a conditional GAN with the one-hot classes in its inputs', async () => {
    const gan = createGan(getTarget('1d-trimodal'), SMALL);
    await gan.trainEpoch({ score: false });
    const { rows } = await ganGradcheck(gan);
    expect(rows.length).toBeGreaterThan(4);
    for (const r of rows) expect(r.relError, r.parameter).toBeLessThan(1e-5);
    gan.dispose();
  });
});

describe('class shares and per-class sampling', () => {
  it('shares are the dataset label frequencies, and sample() draws classes with them', async () => {
    const gan = createGan(getTarget('mixture'), { ...SMALL, dataset: 4000 });
    const labels = gan.classes!.labels;
    for (let c = 0; c < 3; c++) expect(gan.classes!.share[c]).toBeCloseTo(labels.filter((l) => l === c).length / 4000, 12);
    expect(gan.classes!.share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Train a little so G(z, c) differs by class, then check sample() mixes the classes by share:
    // each of its samples is assigned to the class whose own samples' mean is nearest.
    for (let e = 0; e < 30; e++) await gan.trainEpoch({ score: false });
    const perClass = await Promise.all([0, 1, 2].map(async (c) => Array.from(await gan.sampleClass(2000, c))));
    const means = perClass.map((xs) => [xs.reduce((a, b) => a + b, 0) / xs.length]);
    expect(means[0][0]).toBeLessThan(means[1][0]);
    expect(means[1][0]).toBeLessThan(means[2][0]);
    const mixed = await gan.sample(6000);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(shareNearest(mixed, 1, means, c) - gan.classes!.share[c])).toBeLessThan(0.06);
    }
    gan.dispose();
  }, 60_000);

  it('classReports gives one report per class with the component as target', async () => {
    const gan = createGan(getTarget('2d-mix-gauss'), { ...SMALL, gLayers: 1, gWidth: 8, dLayers: 1, dWidth: 8 });
    const reports = await gan.classReports(300);
    expect(reports.map((r) => r.class)).toEqual([0, 1, 2, 3]);
    expect(reports[3].targetMean).toEqual([1.5, 1.5]);
    expect(reports[0].targetStd).toEqual([0.5, 0.5]);
    for (const r of reports) {
      expect(r.mean).toHaveLength(2);
      expect(r.std).toHaveLength(2);
      expect(r.nearest).toBeGreaterThanOrEqual(0);
      expect(r.nearest).toBeLessThanOrEqual(1);
    }
    gan.dispose();
  });

  it('class arguments are checked', async () => {
    const gan = createGan(getTarget('bimodal'), SMALL);
    await expect(gan.sampleClass(10, 2)).rejects.toThrow(/sampleClass: class must be an integer from 0 to 1, got 2/);
    await expect(discriminate(gan, Float64Array.from([1, 2]), -1)).rejects.toThrow(/discriminate: class must be an integer from 0 to 1, got -1/);
    const plain = createGan(getTarget('bimodal'), { ...SMALL, conditional: false });
    await expect(plain.sampleClass(10, 0)).rejects.toThrow(/sampleClass: a class was given, but the GAN is not conditional/);
    gan.dispose();
    plain.dispose();
  });
});

describe('refusals', () => {
  it('a target without components, data without labels, labels without conditional, binned mode', () => {
    expect(() => createGan(getTarget('normal'), SMALL)).toThrow(/target 'normal' has none: choose a mixture target \(bimodal, mixture, 1d-bimodal, 1d-trimodal, 1d-quadmodal, 2d-mix-gauss\)/);
    const data = Float64Array.from({ length: 40 }, (_, i) => (i % 2) * 4 + i / 40);
    const t = targetFromSamples('mine.csv', data, 1);
    expect(() => createGan(t, SMALL, data)).toThrow(/needs a class label for each data row \(--label-column N\)/);
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
    expect(() => createGan(t, { ...SMALL, conditional: false }, data, labels)).toThrow(/class labels were given, but the GAN is not conditional/);
    expect(() => createGan(getTarget('bimodal'), { ...SMALL, bins: 20 })).toThrow(/the conditional GAN runs on continuous data: give bins 0, not 20/);
  });

  it('labels must be the class ids 0 to K−1, each used', () => {
    expect(checkLabels([0, 1, 1, 2], 4, 'x')).toBe(3);
    expect(() => checkLabels([0, 2, 2], 3, 'x')).toThrow(/x: no row has label 1; the labels must be the class ids 0 to 2, each used at least once/);
    expect(() => checkLabels([0, 0], 2, 'x')).toThrow(/every row has label 0; a conditional GAN needs at least 2 classes/);
    expect(() => checkLabels([0, 1.5], 2, 'x')).toThrow(/label 1 is 1.5; labels must be whole numbers from 0 to 63/);
    expect(() => checkLabels([0, 64], 2, 'x')).toThrow(/label 1 is 64/);
    expect(() => checkLabels([0, 1], 3, 'x')).toThrow(/2 labels for 3 data rows/);
  });
});

describe('CSV label column', () => {
  const rows = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i)).join('\n');

  it('takes the label column out of the data (1D and 2D, any position, with a header)', () => {
    const one = parseCsv(`x,class\n${rows(20, (i) => `${(i % 2) * 4 + i / 100},${i % 2}`)}`, 'a.csv', { labelColumn: 2 });
    expect(one.dim).toBe(1);
    expect(one.rows).toBe(20);
    expect(one.data[1]).toBeCloseTo(4.01, 12);
    expect(Array.from(one.labels!.slice(0, 4))).toEqual([0, 1, 0, 1]);
    const two = parseCsv(rows(20, (i) => `${i % 3};${i / 10};${-i / 10}`), 'b.csv', { labelColumn: 1 });
    expect(two.dim).toBe(2);
    expect(Array.from(two.data.slice(0, 4))).toEqual([0, 0, 0.1, -0.1]);
    expect(Array.from(two.labels!.slice(0, 4))).toEqual([0, 1, 2, 0]);
    expect(parseCsv(rows(20, (i) => `${i}`), 'c.csv').labels).toBeUndefined();
  });

  it('names the line, the column and the bad label', () => {
    const base = (bad: string): string => rows(20, (i) => (i === 5 ? `1.5,${bad}` : `${i / 10},${i % 2}`));
    expect(() => parseCsv(base('1.5'), 'l.csv', { labelColumn: 2 })).toThrow(/l\.csv, line 6: column 2 \(the label column\): class label '1\.5' is not a whole number from 0/);
    expect(() => parseCsv(base('-1'), 'l.csv', { labelColumn: 2 })).toThrow(/line 6: column 2 \(the label column\): class label '-1'/);
    expect(() => parseCsv(base('cat'), 'l.csv', { labelColumn: 2 })).toThrow(/line 6: .*class label 'cat'/);
    expect(() => parseCsv(rows(20, (i) => `${i}`), 'l.csv', { labelColumn: 1 })).toThrow(/l\.csv, line 1: 1 column; with a label column the rows need 2 \(1D data\) or 3 \(2D data\)/);
    expect(() => parseCsv(rows(20, (i) => `${i},1`), 'l.csv', { labelColumn: 3 })).toThrow(/line 1: the label column is column 3, but the rows have 2 column\(s\)/);
    expect(() => parseCsv(rows(20, (i) => `${i},1,2,0`), 'l.csv', { labelColumn: 4 })).toThrow(/line 1: 4 columns; expected 2 or 3 with the label column/);
    expect(() => parseCsv(rows(20, (i) => `${i},1`), 'l.csv', { labelColumn: 0 })).toThrow(/l\.csv: the label column must be a column number from 1, got 0/);
  });

  it('a GAN trains on labelled user data; the classes are measured on its rows', async () => {
    const csv = parseCsv(rows(64, (i) => `${(i % 2) * 5 + (i % 7) / 10},${i % 2}`), 'own.csv', { labelColumn: 2 });
    const t = targetFromSamples('own.csv', csv.data, 1);
    const gan = createGan(t, { ...SMALL, batch: 16 }, csv.data, csv.labels);
    expect(gan.classes!.k).toBe(2);
    expect(gan.classes!.mean[1][0]).toBeGreaterThan(5);
    expect(gan.classes!.mean[0][0]).toBeLessThan(1);
    await gan.trainEpoch();
    const cp = roundTrip(await gan.save());
    expect(cp.labels).toHaveLength(64);
    const back = Gan.load(cp);
    expect(Array.from(back.classes!.labels)).toEqual(Array.from(csv.labels!));
    gan.dispose();
    back.dispose();
  });
});

describe('checkpoints', () => {
  it('a conditional GAN resumes exactly, with its config and labels', async () => {
    const first = createGan(getTarget('1d-trimodal'), { ...SMALL, seed: 3 });
    const second = createGan(getTarget('1d-trimodal'), { ...SMALL, seed: 3 });
    for (let e = 0; e < 2; e++) {
      await first.trainEpoch();
      await second.trainEpoch();
    }
    const cp = roundTrip(await first.save());
    expect(cp.config.conditional).toBe(true);
    expect(cp.labels).toEqual(Array.from(first.classes!.labels));
    const resumed = Gan.load(cp);
    expect(resumed.config.conditional).toBe(true);
    await resumed.trainEpoch();
    await second.trainEpoch();
    expect(Array.from(await resumed.sampleClass(50, 1))).toEqual(Array.from(await second.sampleClass(50, 1)));
    expect(resumed.history[2].gLoss).toBe(second.history[2].gLoss);
    for (const g of [first, second, resumed]) g.dispose();
  }, 60_000);

  it('older checkpoints (no conditional setting) load as non-conditional; bad labels are refused', async () => {
    const plain = createGan(getTarget('bimodal'), { ...SMALL, conditional: false });
    const old = roundTrip(await plain.save());
    delete old.config.conditional;
    const loaded = Gan.load(old);
    expect(loaded.config.conditional).toBe(false);
    expect(loaded.classes).toBeNull();
    const cond = createGan(getTarget('bimodal'), SMALL);
    const good = roundTrip(await cond.save());
    const bad = (edit: (c: Checkpoint) => void): Checkpoint => {
      const c = roundTrip(good);
      edit(c);
      return c;
    };
    expect(() => Gan.load(bad((c) => delete c.labels), 'run.json')).toThrow(/run\.json: a conditional GAN's checkpoint needs "labels", one per dataset row \(512\)/);
    expect(() => Gan.load(bad((c) => (c.labels![3] = 0.5)), 'run.json')).toThrow(/run\.json: label 3 is 0\.5, not a class id/);
    expect(() => Gan.load(bad((c) => (c.labels![3] = 7)), 'run.json')).toThrow(/the labels name 8 classes, target 'bimodal' has 2 components|no row has label/);
    expect(() => Gan.load(bad((c) => (c.config.conditional = false)), 'run.json')).toThrow(/run\.json: holds class labels, but its config is not conditional/);
    for (const g of [plain, loaded, cond]) g.dispose();
  });
});
