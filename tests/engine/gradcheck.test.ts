// Every case of the shared suite (engine/gradcheck-suite.ts), gradchecked in float64 on the CPU:
// analytic gradients from backward() against central differences, relative error < 1e-6.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { createRng, gradcheck, mul, tensor } from '../../engine/index.js';
import { caseSeed, makeCaseInputs, opCases, runGradcheckSuite } from '../../engine/gradcheck-suite.js';

const RTOL = 1e-6; // fixed by the issue; never raise it

describe('gradcheck suite (float64, CPU)', () => {
  it('has unique case names and one shape per input', () => {
    expect(new Set(opCases.map((c) => c.name)).size).toBe(opCases.length);
    for (const c of opCases) {
      const values = c.make(createRngFor(c.name));
      expect(values.length).toBe(c.shapes.length);
      values.forEach((v, i) => expect(v.length).toBe(c.shapes[i].reduce((a, b) => a * b, 1)));
    }
  });

  it.each(opCases.map((c) => [c.name, c] as const))('%s', (name) => {
    const [row] = runGradcheckSuite({ cases: opCases.filter((c) => c.name === name), rtol: RTOL });
    expect(row.error).toBeUndefined();
    expect(row.checked).toBeGreaterThan(0);
    expect(row.maxRelError, `${name} ${row.shape}: worst ${JSON.stringify(row.worst)}`).toBeLessThan(RTOL);
    expect(row.ok).toBe(true);
  });

  it('makeCaseInputs gives the same values every time (seeded by the case name)', () => {
    const c = opCases[0];
    const a = makeCaseInputs(c, { dtype: 'float64' });
    const b = makeCaseInputs(c, { dtype: 'float64' });
    expect(Array.from(a[0].dataSync())).toEqual(Array.from(b[0].dataSync()));
    expect(caseSeed(c.name, 1)).not.toBe(caseSeed(c.name, 0));
    for (const t of [...a, ...b]) t.dispose();
  });
});

describe('gradcheck itself', () => {
  it('reports a case that throws as a failed row with the message', () => {
    const bad = { name: 'broken', shapes: [[2]], make: () => [Float64Array.from([1, 2])], fn: (x: g.Tensor) => x.reshape([3]) };
    const [row] = runGradcheckSuite({ cases: [bad] });
    expect(row.ok).toBe(false);
    expect(row.error).toMatch(/reshape: cannot reshape \[2\] \(2 elements\) to \[3\]/);
    expect(row.shape).toBe('[2]');
  });

  it('restores the current backend and leaves no tensors behind', () => {
    const before = g.liveTensors();
    const backend = g.getBackend();
    const rows = runGradcheckSuite({ filter: 'matmul' });
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.every((r) => r.name.includes('matmul') && r.ok)).toBe(true);
    expect(g.getBackend()).toBe(backend);
    expect(g.liveTensors()).toBe(before);
  });

  it('catches a wrong gradient', () => {
    // f(x) = x · stopgrad(x): backward gives x, the true derivative of x² is 2x.
    const r = gradcheck((x) => mul(x, x.detach()).sum(), [tensor([0.5, -1.2, 2], { dtype: 'float64' })]);
    expect(r.ok).toBe(false);
    expect(r.maxRelError).toBeGreaterThan(0.4);
    expect(r.worst).not.toBeNull();
  });

  it('accepts plain arrays as inputs', () => {
    const r = gradcheck((x) => x.mul(x).sum(), [[1, 2, 3]]);
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(3);
  });
});

function createRngFor(name: string) {
  return createRng(caseSeed(name));
}
