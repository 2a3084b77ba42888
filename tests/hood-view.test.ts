// The kernel table of "under the hood" (demo/hood-phases.ts, demo/wgsl-helpers.ts), on the
// dispatches of real steps on the CPU: a GAN-like step's running sums are filed apart from the
// loss, the gradients added up during a reverse pass stay under backward, and a kernel's WGSL
// shows its own code first with the shared helpers split off.

import { describe, expect, it } from 'vitest';
import { Adam, bceWithLogits, createRng, keep, linear, MLP, noGrad, randn, recordDispatches, sigmoid, tidy, type DispatchRecord } from '../engine/index';
import { DEFAULT_LIMITS } from '../kernels/webgpu/plan';
import { planCall } from '../kernels/webgpu/planners';
import { GUARDS } from '../kernels/webgpu/wgsl';
import { filePhases } from '../demo/hood-phases';
import { splitSharedHelpers } from '../demo/wgsl-helpers';

describe('filing a step\'s dispatches', () => {
  it('files the running sums after the optimizer apart from the loss, until the next pass draws its noise', () => {
    const rng = createRng(3);
    const D = new MLP({ inputs: 1, hidden: [8], outputs: 1, activation: 'tanh', init: 'glorotNormal', rng });
    const opt = new Adam(D.parameters(), { lr: 1e-3 });
    let sum = keep(randn([], rng).mul(0));
    const { dispatches } = recordDispatches(() => {
      for (let step = 0; step < 2; step++) {
        tidy(() => {
          const logits = D.forward(randn([5, 1], rng).mul(0.5).add(1));
          const loss = bceWithLogits(logits, 1);
          opt.zeroGrad();
          loss.backward();
          opt.step();
          // The epoch's running sums: the loss and D's mean output, added on the device.
          const next = keep(noGrad(() => sum.add(loss).add(sigmoid(logits).mean())));
          sum.dispose();
          sum = next;
        });
      }
    });
    const phases = filePhases(dispatches);
    const order = phases.filter((p, i) => i === 0 || p !== phases[i - 1]);
    expect(order).toEqual(['forward', 'backward', 'optimizer', 'sums', 'forward', 'backward', 'optimizer', 'sums']);
    const sums = dispatches.filter((_, i) => phases[i] === 'sums').map((r) => r.op);
    expect(sums).toEqual(expect.arrayContaining(['add', 'sigmoid', 'mean']));
    expect(dispatches.filter((_, i) => phases[i] === 'forward').some((r) => r.op === 'sigmoid')).toBe(false);
    sum.dispose();
  });

  it('keeps an untagged dispatch of a reverse pass (an addition of gradients) under backward when told which ones the pass made', () => {
    const r = (op: string, kernel: string, rule?: string): DispatchRecord => ({ op, kernel, backend: 'cpu', shapes: [], call: { kernel } as unknown as DispatchRecord['call'], ...(rule ? { rule } : {}) });
    const list = [r('randn', 'random'), r('linear', 'linear'), r('linear.backward', 'linearGrad', 'linear: dx = dz·Wᵀ'), r('add', 'binary:add'), r('linear.backward', 'linearGrad', 'linear: dx = dz·Wᵀ'), r('adam', 'adamMulti'), r('add', 'binary:add'), r('randn', 'random')];
    const reverse = new Set([list[2], list[3], list[4]]);
    expect(filePhases(list, (d) => reverse.has(d))).toEqual(['forward', 'forward', 'backward', 'backward', 'backward', 'optimizer', 'sums', 'forward']);
    // Told nothing, the addition after a rule still stays backward.
    expect(filePhases(list)[3]).toBe('backward');
  });
});

describe('a kernel\'s WGSL, its own code first', () => {
  /** The WGSL WebGPU would run for the dispatch `fn` makes. */
  function wgslOf(fn: () => void): string {
    const { dispatches } = recordDispatches(() => tidy(fn));
    return planCall(dispatches[dispatches.length - 1].call, DEFAULT_LIMITS).map((p) => p.wgsl()).join('\n');
  }

  it('splits the numeric guards and a product\'s operand reads off a fused linear layer', () => {
    const rng = createRng(5);
    const wgsl = wgslOf(() => { linear(randn([7, 3], rng), randn([3, 5], rng), randn([5], rng), 'sigmoid'); });
    expect(wgsl).toContain(GUARDS.trim());
    const { own, shared } = splitSharedHelpers(wgsl);
    expect(shared).not.toBeNull();
    expect(shared).toContain('fn safe_divisor');
    expect(shared).toContain('fn loadB');
    expect(own).not.toContain('fn safe_divisor');
    expect(own).not.toContain('fn readA');
    expect(own).toMatch(/@compute/);
    expect(own).toMatch(/fn finish/);
    expect(own.match(/shared helpers, folded below/g)).toHaveLength(1); // the two cuts meet: one marker
    // Nothing lost: every line of the kernel is in one part or the other.
    for (const line of wgsl.split('\n').map((l) => l.trim()).filter(Boolean)) expect(own.includes(line) || (shared as string).includes(line)).toBe(true);
  });

  it('splits the operand reads off a wide layer that reads B as vec4s (readA and loadA only)', () => {
    const rng = createRng(6);
    const wgsl = wgslOf(() => { linear(randn([32, 8], rng), randn([8, 16], rng), randn([16], rng), 'relu'); });
    expect(wgsl).toMatch(/linear\.broadcast4\./);
    expect(wgsl).not.toContain('fn readB');
    const { own, shared } = splitSharedHelpers(wgsl);
    expect(shared).toContain('fn readA');
    expect(shared).toContain('fn loadA');
    expect(own).not.toContain('fn readA');
    expect(own).not.toContain('fn loadA');
    expect(own).toMatch(/bVec\[/);
    expect(own.match(/shared helpers, folded below/g)).toHaveLength(1);
    for (const line of wgsl.split('\n').map((l) => l.trim()).filter(Boolean)) expect(own.includes(line) || (shared as string).includes(line)).toBe(true);
  });

  it('leaves a kernel without shared helpers whole', () => {
    const { own, shared } = splitSharedHelpers('@compute @workgroup_size(64)\nfn main() {}\n');
    expect(shared).toBeNull();
    expect(own).toBe('@compute @workgroup_size(64)\nfn main() {}');
  });
});
