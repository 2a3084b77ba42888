// The README's "Gradients of gradients" example must run exactly as printed (with 'gradlab'
// resolved to this repo), and its Hessian-vector product must match central differences of
// the gradient.
import { describe, expect, it } from 'vitest';
import { createRng, grad, linear, randn, tensor, tidy, type Tensor } from '../engine/index';
import { readmeBlock, runBlock } from './readme-block';

describe('README Hessian-vector example', () => {
  it('runs as printed and prints the shapes of H·v', async () => {
    const logged = await runBlock(readmeBlock('## Gradients of gradients', 16, 'docs/engine.md'));
    expect(logged).toEqual([[[2, 4], [4, 1]]]);
  });

  it('computes H·v: the same network, checked against (∇L(θ + hv) − ∇L(θ − hv)) / 2h in float64', () => {
    const rng = createRng(7);
    const opts = { dtype: 'float64' as const };
    const x = tensor([[0.5, -1], [1.5, 0.25], [-0.75, 2]], opts);
    const W = randn([2, 4], rng, { ...opts, requiresGrad: true });
    const w = randn([4, 1], rng, { ...opts, requiresGrad: true });
    const v = [randn([2, 4], rng, opts), randn([4, 1], rng, opts)];
    const loss = (a: Tensor, b: Tensor): Tensor => linear(x, a, null, 'tanh').matmul(b).sigmoid().mean();
    const hv = tidy(() => {
      const g = grad(loss(W, w), [W, w], { createGraph: true }) as Tensor[];
      const gv = g[0].mul(v[0]).sum().add(g[1].mul(v[1]).sum());
      return grad(gv, [W, w]) as Tensor[];
    });
    const h = 1e-5;
    const gradAt = (sign: number): number[][] => tidy(() => {
      const shifted = [W, w].map((p, i) => p.add(v[i].mul(sign * h)).detach());
      shifted.forEach((t) => { t.requiresGrad = true; });
      return (grad(loss(shifted[0], shifted[1]), shifted) as Tensor[]).map((t) => Array.from(t.dataSync()));
    });
    const plus = gradAt(1);
    const minus = gradAt(-1);
    hv.forEach((t, i) => Array.from(t.dataSync()).forEach((a, j) => expect(a).toBeCloseTo((plus[i][j] - minus[i][j]) / (2 * h), 7)));
  });
});
