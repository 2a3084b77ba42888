// A disposed tensor and its gradient: messages that name the real problem. x.grad is freed with
// x; reading it afterwards names x, that it was disposed and by what (dispose() or the end of a
// tidy()); a gradient disposed while still attached, when used (read, an op, backward adding
// into it, an optimizer step), is named as the gradient of its tensor, with the fix.

import { describe, expect, it } from 'vitest';
import { Adam, add, liveTensors, sum, tensor, tidy, type Tensor } from '../../engine/index';

/** A leaf with a gradient: x = [1, 2], x.grad = 2x. */
function withGradient(): Tensor {
  const x = tensor([1, 2], [2], { requiresGrad: true });
  tidy(() => sum(x.mul(x)).backward());
  return x;
}

describe('a disposed tensor’s .grad', () => {
  it('x.dispose() frees x.grad too; reading x.grad then names x and dispose()', () => {
    const before = liveTensors();
    const x = withGradient();
    x.dispose();
    expect(liveTensors()).toBe(before); // the gradient did not outlive its tensor
    expect(() => x.grad).toThrow(new RegExp(`^grad: tensor #${x.id} of shape \\[2\\] was disposed \\(by dispose\\(\\)\\); its gradient was freed with it`));
    x.grad = null; // clearing it stays allowed
  });

  it('a tensor swept by tidy(): reading its .grad names the end of a tidy()', () => {
    let x: Tensor | null = null;
    tidy(() => {
      x = tensor([1, 2], [2], { requiresGrad: true });
      sum(x.mul(x)).backward();
    });
    expect(() => x!.grad).toThrow(/grad: tensor #\d+ of shape \[2\] was disposed \(by the end of a tidy\(\)\)/);
  });

  it('a gradient kept in a variable after its tensor was disposed names whose gradient it was', () => {
    const x = withGradient();
    const g = x.grad as Tensor;
    x.dispose();
    expect(() => g.dataSync()).toThrow(new RegExp(`dataSync: tensor #${g.id} of shape \\[2\\], the gradient \\(\\.grad\\) of tensor #${x.id} of shape \\[2\\], was already disposed \\(by dispose\\(\\), with the tensor whose gradient it was\\)`));
  });
});

describe('a gradient disposed while still attached', () => {
  const attachedAndDisposed = (): Tensor => {
    const x = withGradient();
    x.grad!.dispose();
    return x;
  };
  const named = (op: string, x: Tensor): RegExp => new RegExp(`${op}: tensor #\\d+ of shape \\[2\\], the gradient \\(\\.grad\\) of tensor #${x.id} of shape \\[2\\], was already disposed \\(by dispose\\(\\)\\); set x\\.grad = null \\(or call the optimizer's zeroGrad\\(\\)\\) instead`);

  it('reading it', () => {
    const x = attachedAndDisposed();
    expect(() => x.grad!.dataSync()).toThrow(named('dataSync', x));
  });
  it('using it in an op', () => {
    const x = attachedAndDisposed();
    expect(() => add(x, x.grad!)).toThrow(named('add', x));
  });
  it('backward() adding into it', () => {
    const x = attachedAndDisposed();
    expect(() => sum(x.mul(x)).backward()).toThrow(named('add', x));
  });
  it('an optimizer step', () => {
    const x = attachedAndDisposed();
    const opt = new Adam([x], { lr: 0.1 });
    expect(() => opt.step()).toThrow(named('adam', x));
    opt.dispose();
  });
});
