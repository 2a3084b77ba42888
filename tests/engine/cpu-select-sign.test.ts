// The CPU's branch-free ReLU and LeakyReLU on float32 arrays (kernels/cpu/unary.ts selectBySign)
// against their rows of the op table applied element by element: the same bits, for random values
// of both signs and for NaN, ±0, ±Infinity and subnormals, in place and not.
import { describe, expect, it } from 'vitest';
import { unary, unaryGrad } from '../../kernels/cpu/unary';
import { unaryDef, unaryOps } from '../../engine/ops/unary-table';
import type { UnaryOp } from '../../engine/backend';
import { createRng } from '../../engine/rng';

const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1];

function values(seed: number, n: number): Float32Array {
  const out = new Float32Array(n);
  createRng(seed).fillNormal(out, 0, 3);
  out.set(SPECIAL, 5);
  return out;
}

const bits = (a: Float32Array): number[] => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));

describe('branch-free ReLU and LeakyReLU on float32', () => {
  // Every row marked bySign in the op table, at the slopes the models use.
  const cases: [UnaryOp, number][] = (Object.keys(unaryOps) as UnaryOp[]).flatMap((op): [UnaryOp, number][] => {
    const mark = unaryDef(op).bySign;
    return mark === undefined ? [] : mark === 'zero' ? [[op, 0]] : [[op, 0.2], [op, 0.01]];
  });
  it('the marked rows are ReLU and LeakyReLU', () => {
    expect(cases.map(([op]) => op)).toEqual(['relu', 'leakyRelu', 'leakyRelu']);
  });
  for (const [op, alpha] of cases) {
    it(`${op}${alpha ? ` α ${alpha}` : ''}: forward and gradient equal the op table's row bit for bit`, () => {
      const def = unaryDef(op);
      const n = 1037; // not a multiple of anything
      const x = values(1, n);
      const dy = values(2, n);
      const expectedY = Float32Array.from(x, (v) => def.cpu(v, alpha, 0));
      const y = new Float32Array(n);
      unary(op, x, y, alpha, 0);
      expect(bits(y)).toEqual(bits(expectedY));
      const inPlace = x.slice();
      unary(op, inPlace, inPlace, alpha, 0); // the fused linear layer's epilogue works in place
      expect(bits(inPlace)).toEqual(bits(expectedY));

      const expectedDx = Float32Array.from(dy, (g, i) => def.cpuGrad(x[i], y[i], g, alpha, 0));
      const dx = new Float32Array(n);
      unaryGrad(op, x, y, dy, dx, alpha, 0);
      expect(bits(dx)).toEqual(bits(expectedDx));
      // both signs really occur, so both sides of the choice are checked
      expect(y.filter((v) => v > 0).length).toBeGreaterThan(300);
      expect(x.filter((v) => v < 0).length).toBeGreaterThan(300);
    });
  }
});
