// Gradients of gradients: every case of the shared suite gradgradchecked in float64 on the CPU,
// higher orders, grad(), the errors of a freed graph, and the memory of a recorded backward.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';
import { grad, gradgradcheck, liveTensors, tensor, tidy } from '../../engine/index.js';
import { opCases, runGradcheckSuite } from '../../engine/gradcheck-suite.js';
import { unaryOps } from '../../engine/ops/unary-table.js';

const RTOL = 1e-6; // the same bar as first derivatives; never raise it

const f64 = (values: number[] | number[][], requiresGrad = true): g.Tensor => tensor(values, { dtype: 'float64', requiresGrad });
const values = (t: g.Tensor | null): number[] => Array.from(t?.dataSync() ?? []);

describe('gradgradcheck suite (float64, CPU): second derivatives of every op', () => {
  it.each(opCases.map((c) => [c.name, c] as const))('%s', (name) => {
    const [row] = runGradcheckSuite({ cases: opCases.filter((c) => c.name === name), rtol: RTOL, order: 2 });
    expect(row.error).toBeUndefined();
    expect(row.checked).toBeGreaterThan(0);
    expect(row.maxRelError, `${name} ${row.shape}: worst ${JSON.stringify(row.worst)}`).toBeLessThan(RTOL);
    expect(row.ruleMismatch, `${name}: the recorded rule and the fused kernel disagree`).toBeLessThan(RTOL);
    expect(row.ok).toBe(true);
  });

  it('every row of the op table with a derivative is a case of the suite (made from its `check`)', () => {
    const names = new Set(opCases.map((c) => c.name));
    for (const [op, row] of Object.entries(unaryOps)) {
      expect(row.check === null, `${op}: a row has a check exactly when it has a rule`).toBe(row.rule === null);
      if (row.check !== null) expect(names.has(op), `no gradcheck case for '${op}'`).toBe(true);
    }
  });
});

describe('higher order', () => {
  it('backward({ createGraph: true }) gives a .grad that can be differentiated again, to any order', () => {
    // d/dx sin x = cos x, then −sin x, −cos x, sin x: four orders at x = 0.7.
    const x = f64([0.7]);
    let y = x.sin().sum();
    const expected = [Math.cos(0.7), -Math.sin(0.7), -Math.cos(0.7), Math.sin(0.7)];
    for (const want of expected) {
      const [d] = grad(y, [x], { createGraph: true });
      expect(d?.requiresGrad).toBe(true);
      expect(values(d)[0]).toBeCloseTo(want, 12);
      y = (d as g.Tensor).sum();
    }
  });

  it('backward({ createGraph: true }) fills .grad with a differentiable tensor', () => {
    const x = f64([1.5, -0.5]);
    x.pow(3).sum().backward({ createGraph: true }); // .grad = 3x²
    expect(values(x.grad)).toEqual([6.75, 0.75]);
    const gx = x.grad as g.Tensor;
    expect(gx.requiresGrad).toBe(true);
    const [h] = grad(gx.sum(), [x]); // d/dx Σ 3x² = 6x
    expect(values(h)).toEqual([9, -3]);
  });

  it('without createGraph the gradient is a constant and backward leaves nothing else alive', () => {
    const x = f64([0.3, 0.9, -1.1]);
    const before = liveTensors();
    tidy(() => x.tanh().mul(x.sigmoid()).sum().backward());
    expect(x.grad?.requiresGrad).toBe(false);
    expect(liveTensors()).toBe(before + 1); // x.grad
  });

  it('a recorded backward inside tidy() is freed with it', () => {
    const x = f64([0.3, 0.9, -1.1]);
    const before = liveTensors();
    const hv = tidy(() => {
      const [gx] = grad(x.exp().mul(x).sum(), [x], { createGraph: true });
      return grad((gx as g.Tensor).sum(), [x])[0];
    });
    // d²/dx² (x eˣ) = (x + 2) eˣ
    values(hv).forEach((v, i) => expect(v).toBeCloseTo(([0.3, 0.9, -1.1][i] + 2) * Math.exp([0.3, 0.9, -1.1][i]), 12));
    expect(liveTensors()).toBe(before + 1); // hv only
  });

  it('a Hessian-vector product of a small MLP matches finite differences of its gradient', () => {
    // A 2-5-1 MLP in float64: the fused tanh layer, then a plain product, bias and sigmoid.
    const rng = g.createRng(3);
    const params = [[2, 5], [5], [5, 1], [1]].map((shape) => g.randn(shape, rng, { dtype: 'float64', requiresGrad: true }));
    const [w1, b1, w2, b2] = params;
    const x = tensor([[0.5, -1], [1.5, 0.25], [-0.75, 2]], { dtype: 'float64' });
    const v = params.map((p) => g.randn([...p.shape], rng, { dtype: 'float64' }));
    const loss = (): g.Tensor => g.linear(x, w1, b1, 'tanh').matmul(w2).add(b2).sigmoid().mean();
    const hv = tidy(() => {
      const gs = grad(loss(), params, { createGraph: true }) as g.Tensor[];
      const dot = gs.map((gi, i) => gi.mul(v[i]).sum()).reduce((a, b) => a.add(b));
      return grad(dot, params) as g.Tensor[];
    });
    // H·v ≈ (∇L(θ + h v) − ∇L(θ − h v)) / 2h
    const h = 1e-5;
    const gradAt = (sign: number): number[][] => tidy(() => {
      const saved = params.map((p) => Float64Array.from(p.dataSync()));
      params.forEach((p, i) => p.backend.write(p.storage('test'), saved[i].map((s, j) => s + sign * h * v[i].dataSync()[j])));
      const gs = grad(loss(), params) as g.Tensor[];
      const out = gs.map(values);
      params.forEach((p, i) => p.backend.write(p.storage('test'), saved[i]));
      return out;
    });
    const plus = gradAt(1);
    const minus = gradAt(-1);
    hv.forEach((hvi, i) => values(hvi).forEach((a, j) => expect(a).toBeCloseTo((plus[i][j] - minus[i][j]) / (2 * h), 7)));
  });

  it('gradgradcheck also passes functions whose Hessian is 0 (linear in x)', () => {
    const r = gradgradcheck((a, b) => a.add(b).mul(3).sum(), [[[0.1, 0.2]], [[0.3, -0.4]]]);
    expect(r.ok).toBe(true);
    expect(r.maxAbsError).toBeLessThan(1e-9);
  });
});

describe('grad()', () => {
  it('returns the gradients without touching .grad, for leaves and intermediate tensors', () => {
    const x = f64([1, 2, 3]);
    const h = x.mul(x); // intermediate
    const y = h.sum().mul(2);
    const [gx, gh] = grad(y, [x, h]);
    expect(values(gx)).toEqual([4, 8, 12]);
    expect(values(gh)).toEqual([2, 2, 2]);
    expect(x.grad).toBeNull();
  });

  it('takes a seed for a non-scalar output', () => {
    const x = f64([1, 2]);
    const [gx] = grad(x.mul(3), [x], { seed: tensor([1, 10], { dtype: 'float64' }) });
    expect(values(gx)).toEqual([3, 30]);
  });

  it('refuses an input the output does not depend on, unless allowUnused', () => {
    const x = f64([1, 2]);
    const unused = f64([5]);
    const y = x.sum();
    expect(() => grad(y, [x, unused])).toThrow(/grad: the output does not depend on input 1 \(tensor #\d+ of shape \[1\]\); pass allowUnused: true/);
    const [gx, gu] = grad(y, [x, unused], { allowUnused: true });
    expect(values(gx)).toEqual([1, 1]);
    expect(gu).toBeNull();
  });

  it('refuses inputs that do not require gradients', () => {
    const x = f64([1, 2]);
    const c = tensor([1, 2]);
    expect(() => grad(x.mul(c).sum(), [c])).toThrow(/grad: input 0 \(tensor #\d+ of shape \[2\]\) does not require gradients/);
  });
});

describe('clear errors', () => {
  it('backward through an intermediate freed by tidy() names the op and the freed tensor', () => {
    const x = f64([0.5, 1.5]);
    const y = tidy(() => x.mul(2).exp()); // x.mul(2) is freed at the end of the tidy
    expect(() => y.sum().backward()).toThrow(/backward: cannot differentiate through 'exp' \(which made tensor #\d+ of shape \[2\]\): its input, tensor #\d+ of shape \[2\], was already freed \(by dispose\(\) or at the end of a tidy\(\)\)/);
  });

  it('a saved tensor freed by hand is named with the op whose rule needed it', () => {
    const x = f64([0.5, 1.5]);
    const c = tensor([2, 3], { dtype: 'float64' });
    const y = x.mul(c).sum();
    c.dispose();
    expect(() => y.backward()).toThrow(/backward through 'mul' \(which made tensor #\d+ of shape \[2\]\) failed: .*already disposed/);
  });

  it('retainGraph: false makes a second pass through the same graph an error', () => {
    const x = f64([0.5, 1.5]);
    const y = x.tanh().sum();
    y.backward({ retainGraph: false });
    expect(() => y.backward()).toThrow(/the graph through 'sum' .* was already used by a backward pass with retainGraph: false/);
  });

  it('a second pass is fine by default (retainGraph defaults to true) and adds up', () => {
    const x = f64([0.5]);
    const y = x.mul(3).sum();
    y.backward();
    y.backward();
    expect(values(x.grad)).toEqual([6]);
  });
});
