// Derivatives at the edges, cross-checked against what PyTorch computes, on both backward paths
// (the fused gradient kernel of backward(), and the rule in tensor ops of grad({ createGraph })):
//   - LeakyReLU with a negative slope s: dx = s·dy for x < 0 (y = s·x is positive there);
//   - log and sqrt at 0, outside their domain: one finite number for both paths, 1/DIV_MIN;
//   - the derivative lesson (explainBackward) where the gradient reaching a node is 0.
import { describe, expect, it } from 'vitest';
import { DIV_MIN } from '../../engine/constants';
import { explainBackward, grad, gradcheck, leakyRelu, linear, log, mul, sqrt, sum, tensor, tidy, type Tensor } from '../../engine/index';

type Path = 'fused kernel' | 'rule';
const PATHS: Path[] = ['fused kernel', 'rule'];

/** d sum(f(x)·c) / dx on one of the two paths, x and c given as values. */
function gradient(path: Path, f: (x: Tensor) => Tensor, x0: number[], c0: number[], dtype: 'float32' | 'float64' = 'float64'): number[] {
  return tidy(() => {
    const x = tensor(x0, [x0.length], { dtype, requiresGrad: true });
    const c = tensor(c0, [c0.length], { dtype });
    const loss = sum(mul(f(x), c));
    const [g] = grad(loss, [x], { createGraph: path === 'rule' });
    return Array.from((g as Tensor).dataSync());
  });
}

describe('LeakyReLU with a negative slope (PyTorch: dx = s·dy for x < 0)', () => {
  const x0 = [-1.5, -0.25, 0.5, 2, -3, 0.75];
  const c0 = [0.5, -1.25, 0.75, 2, -0.375, 1.5]; // exact in float32
  for (const s of [-0.3, -1.5, 0.2]) {
    const want = x0.map((v, i) => (v > 0 ? 1 : s) * c0[i]);
    for (const path of PATHS) {
      it(`leakyRelu(x, ${s}), ${path}`, () => {
        expect(gradient(path, (x) => leakyRelu(x, s), x0, c0)).toEqual(want);
      });
      it(`linear(x, W, b, 'leakyRelu', ${s}), ${path}`, () => {
        // One input column and W = 1, b = 0: the layer's output z is x itself.
        const got = tidy(() => {
          const x = tensor(x0, [x0.length, 1], { dtype: 'float64', requiresGrad: true });
          const w = tensor([[1]], { dtype: 'float64', requiresGrad: true });
          const b = tensor([0], { dtype: 'float64', requiresGrad: true });
          const c = tensor(c0, [c0.length, 1], { dtype: 'float64' });
          const [g] = grad(sum(mul(linear(x, w, b, 'leakyRelu', s), c)), [x], { createGraph: path === 'rule' });
          return Array.from((g as Tensor).dataSync());
        });
        expect(got).toEqual(want);
      });
    }
    it(`float32 (the CPU's branch-free select) agrees, slope ${s}`, () => {
      expect(gradient('fused kernel', (x) => leakyRelu(x, s), x0, c0, 'float32')).toEqual(want.map(Math.fround));
    });
  }

  it('gradcheck: leakyRelu and linear with slope −0.4, in float64 by central differences', () => {
    const x = [[-1.2, 0.7, -0.3, 1.9], [0.4, -2.2, 1.1, -0.8]];
    expect(gradcheck((t) => leakyRelu(t, -0.4), [x[0]]).ok).toBe(true);
    const w = [0.5, -1.3, 0.9, 0.2, -0.7, 1.4, -0.6, 1.1, 0.35, -0.9, 0.8, -0.15];
    const bias = [0.1, -0.25, 0.3];
    const check = gradcheck((a, ww, bb) => linear(a.reshape([2, 4]), ww.reshape([4, 3]), bb, 'leakyRelu', -0.4), [x.flat(), w, bias]);
    expect(check.ok).toBe(true);
  });
});

describe('out of the domain: one definition on both backward paths', () => {
  // log'(0) and sqrt'(0) are +∞ (PyTorch gives inf); gradlab divides as its div op does, by a
  // divisor at least DIV_MIN in size, so both paths give 1/DIV_MIN there, and 1/x, 1/(2√x) elsewhere.
  const x0 = [0, 0.25, 4, 1e-40];
  const c0 = [1, 1, 1, 1];
  for (const path of PATHS) {
    it(`log at 0 and just above, ${path}`, () => {
      expect(gradient(path, log, x0, c0)).toEqual([1 / DIV_MIN, 4, 0.25, 1 / DIV_MIN]);
    });
    it(`sqrt at 0 and just above, ${path}`, () => {
      const got = gradient(path, sqrt, x0, c0);
      expect(got[0]).toBe(1 / DIV_MIN);
      expect(got[1]).toBe(1);
      expect(got[2]).toBe(0.25);
      expect(got[3]).toBe(1 / (2 * Math.sqrt(1e-40)));
    });
  }
  it('the two paths agree in float32 too', () => {
    for (const f of [log, sqrt]) {
      const [fused, rule] = PATHS.map((p) => gradient(p, f, x0, c0, 'float32'));
      expect(fused).toEqual(rule);
      expect(fused[0]).toBe(Math.fround(1 / DIV_MIN));
    }
  });
});

describe('explainBackward where the gradient reaching a node is 0', () => {
  it('gives the local derivative, not 0/0', () => {
    // L = (a·b)·c with c = 0: the node a·b receives dy = 0; its local derivatives are b and a.
    const lesson = explainBackward((a, b, c) => mul(mul(a, b), c), [{ name: 'a', value: 1.5 }, { name: 'b', value: -2 }, { name: 'c', value: 0 }]);
    const [a, b] = lesson.inputIds;
    const product = lesson.steps.find((s) => s.links.some((l) => l.input === a));
    expect(product?.dy).toEqual([0]);
    expect(product?.links.find((l) => l.input === a)?.local).toEqual([-2]);
    expect(product?.links.find((l) => l.input === b)?.local).toEqual([1.5]);
    for (const s of lesson.steps) for (const l of s.links) expect(l.local.every(Number.isFinite)).toBe(true);
  });
});
