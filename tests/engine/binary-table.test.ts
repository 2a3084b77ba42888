// The binary op table (engine/ops/binary-table.ts): every row is complete and gradchecked, the
// CPU kernel is the row's function on every broadcasting path, and the binary cross-entropy is
// written in one place in the engine and the kernels.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryDef, binaryOps, type BinaryDef, type BinaryOp } from '../../engine/ops/binary-table';
import { binary } from '../../kernels/cpu/binary';
import { binaryPath } from '../../kernels/binary-path';
import { opCases } from '../../engine/gradcheck-suite';
import { createRng } from '../../engine/index';
import { broadcastShapes, sizeOf } from '../../engine/shape';

// A name that is not a row is a type error, and so is a row that lacks a part.
// @ts-expect-error 'pow2' is not a row of the table
const notARow: BinaryOp = 'pow2';
// @ts-expect-error a row without `wgsl` (and the rest) is not a BinaryDef
const incomplete: BinaryDef = { math: 'y = a', derivative: 'da = dy', cpu: (a: number) => a };
void notARow;
void incomplete;

const ops = Object.keys(binaryOps) as BinaryOp[];

describe('binary op table', () => {
  it('a row has a gradcheck domain exactly when a gradient flows to one of its inputs, and the suite checks it', () => {
    const names = opCases.map((c) => c.name);
    for (const op of ops) {
      const { rule, check } = binaryDef(op);
      expect(check === null, `${op}: check and rule disagree`).toBe(rule.a === null && rule.b === null);
      if (check !== null) expect(names.filter((n) => n.startsWith(`${op} (binary table)`)).length, op).toBe(2);
    }
  });

  it.each(ops)('the CPU kernel computes the row\'s function on every broadcasting path: %s', (op) => {
    const rng = createRng(42);
    const f = binaryDef(op).cpu;
    const shapes: [number[], number[], string][] = [
      [[5, 7], [5, 7], 'same'], [[5, 7], [1], 'scalarB'], [[1], [5, 7], 'scalarA'],
      [[5, 7], [7], 'rowB'], [[7], [5, 7], 'rowA'], [[5, 1, 3], [4, 1], 'strided'],
    ];
    for (const [aShape, bShape, path] of shapes) {
      const outShape = broadcastShapes(op, aShape, bShape);
      expect(binaryPath(aShape, bShape, outShape)).toBe(path);
      const a = Float64Array.from({ length: sizeOf(aShape) }, () => rng.uniform() * 0.9 + 0.05);
      // b on a coarse grid so that comparisons (eq, keep's b ≠ 0, maximum's ties) meet both cases.
      const b = Float64Array.from({ length: sizeOf(bShape) }, (_, i) => (i % 3 === 0 ? a[i % a.length] : Math.round(rng.uniform() * 2) / 2));
      const out = new Float64Array(sizeOf(outShape));
      binary(op, a, b, out, aShape, bShape, outShape);
      // The reference: an independent walk over output coordinates.
      const strides = (s: number[]): number[] => s.map((_, i) => s.slice(i + 1).reduce((p, q) => p * q, 1));
      const [so, sa, sb] = [strides(outShape), strides(aShape), strides(bShape)];
      for (let i = 0; i < out.length; i++) {
        const coord = outShape.map((d, k) => Math.floor(i / so[k]) % d);
        const at = (shape: number[], st: number[]): number => shape.reduce((acc, d, k) => acc + (d === 1 ? 0 : coord[outShape.length - shape.length + k] * st[k]), 0);
        expect(out[i], `${op} ${path} element ${i}`).toBe(f(a[at(aShape, sa)], b[at(bShape, sb)]));
      }
    }
  });

  it('the binary cross-entropy formulas and their clamp appear once in the engine and the kernels', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    walk('engine');
    walk('kernels');
    const using = (pattern: RegExp): string[] => files.filter((f) => pattern.test(readFileSync(f, 'utf8'))).sort();
    // The clamp's ε: defined, written as WGSL, and used by the table's rows only.
    expect(using(/BCE_EPS/)).toEqual(['engine/constants.ts', 'engine/ops/binary-table.ts', 'kernels/webgpu/wgsl.ts']);
    // max(a, 0) − a·t + log(1 + e^−|a|) and −(t log p + (1 − t) log(1 − p)), in either language.
    expect(using(/a \* b \+ (Math\.log1p|log\()|b \* (Math\.)?log\(/)).toEqual(['engine/ops/binary-table.ts']);
  });
});
