// The bench's round order (models/bench/round-order.ts): this process's contenders rotate, so each
// of them follows the peers' rounds (where this process sits idle and V8 finishes its major GCs)
// equally often; the peers keep their places after them. And rounds sized from a warm step.

import { describe, expect, it } from 'vitest';
import { MAX_STEPS_PER_ROUND, roundOrder, stepsPerRound } from '../models/bench/round-order';

const inProcess = ['cpu', 'cpu 1 thread', 'cpu compiled', 'floor'];
const peers = ['jax-js', 'TF.js', 'PyTorch 1 thread', 'PyTorch 2 threads'];
const all = [...inProcess, ...peers];

describe('roundOrder', () => {
  it('round 0 keeps the given order; each round is every contender once', () => {
    expect(roundOrder(all, 0, inProcess.length)).toEqual(all);
    for (let r = 0; r < 9; r++) expect([...roundOrder(all, r, inProcess.length)].sort()).toEqual([...all].sort());
  });

  it('every in-process contender starts a round (so follows the peers) once in every 4 rounds; the peers stay last, in order', () => {
    const firsts = new Map<string, number>();
    for (let r = 0; r < 8; r++) {
      const order = roundOrder(all, r, inProcess.length);
      expect(order.slice(inProcess.length)).toEqual(peers);
      firsts.set(order[0], (firsts.get(order[0]) ?? 0) + 1);
    }
    expect(Object.fromEntries(firsts)).toEqual({ cpu: 2, 'cpu 1 thread': 2, 'cpu compiled': 2, floor: 2 });
  });

  it('the plain step and the same step on one thread swap places: neither always runs first', () => {
    const before = (r: number) => {
      const order = roundOrder(all, r, inProcess.length);
      return order.indexOf('cpu') < order.indexOf('cpu 1 thread');
    };
    const rounds = [0, 1, 2, 3, 4].map(before);
    expect(rounds).toContain(true);
    expect(rounds).toContain(false);
  });

  it('without peers every contender rotates; with no in-process contender nothing moves', () => {
    expect(roundOrder(['webgpu', 'webgpu compiled'], 1)).toEqual(['webgpu compiled', 'webgpu']);
    expect(roundOrder(['webgpu', 'webgpu compiled'], 2)).toEqual(['webgpu', 'webgpu compiled']);
    expect(roundOrder(peers, 3, 0)).toEqual(peers);
  });

  it('refuses an in-process count outside the list, naming it', () => {
    expect(() => roundOrder(all, 1, 9)).toThrow(/roundOrder: inProcess must be a whole number from 0 to 8 \(the contenders\), got 9/);
    expect(() => roundOrder(all, 1, 1.5)).toThrow(/got 1\.5/);
  });
});

describe('stepsPerRound', () => {
  it('sizes a round to about roundMs at the warm step time, within 1 and the cap', () => {
    expect(stepsPerRound(0.265, 400)).toBe(1509);
    expect(stepsPerRound(6.2, 400)).toBe(65); // a cold step of the hand-written loops
    expect(stepsPerRound(0.01, 400)).toBe(MAX_STEPS_PER_ROUND);
    expect(stepsPerRound(900, 400)).toBe(1);
    expect(stepsPerRound(0, 400)).toBe(MAX_STEPS_PER_ROUND);
  });
});
