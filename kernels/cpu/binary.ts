// CPU twin of kernels/webgpu/binary.wgsl.ts: out = f(a, b) with NumPy broadcasting, one loop per
// row of the binary table (engine/ops/binary-table.ts), built from the row's `cpu` function.
//
// As in kernels/cpu/unary.ts, each op gets a copy of the loops of its own (compiled from the
// source text of `loops` below), so that V8 sees one function at each call site and inlines the
// row's f; where compiling code is refused, all ops share `loops` itself: the same results,
// slower.

import type { FloatArray } from '../../engine/backend';
import { binaryDef, binaryOps, type BinaryDef, type BinaryOp } from '../../engine/ops/binary-table';
import { broadcastStrides, type Shape } from '../../engine/shape';
import { binaryPath, type BinaryPath } from '../binary-path';

type Loops = (
  f: BinaryDef['cpu'], a: FloatArray, b: FloatArray, out: FloatArray,
  path: BinaryPath, outShape: Shape, sa: readonly number[], sb: readonly number[],
) => void;

/** The loops of every path; self-contained (it names nothing outside itself), so its source can be compiled again. */
const loops: Loops = (f, a, b, out, path, outShape, sa, sb) => {
  const n = out.length;
  const na = a.length;
  const nb = b.length;
  if (path === 'same') {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
  } else if (path === 'scalarB') {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], bv);
  } else if (path === 'scalarA') {
    const av = a[0];
    for (let i = 0; i < n; i++) out[i] = f(av, b[i]);
  } else if (path === 'rowB') {
    for (let i = 0; i < n; i += nb) for (let j = 0; j < nb; j++) out[i + j] = f(a[i + j], b[j]);
  } else if (path === 'rowA') {
    for (let i = 0; i < n; i += na) for (let j = 0; j < na; j++) out[i + j] = f(a[j], b[i + j]);
  } else {
    // Walk the output with an odometer and move both inputs by their strides.
    const rank = outShape.length;
    const idx = new Array(rank).fill(0);
    let ia = 0;
    let ib = 0;
    for (let i = 0; i < n; i++) {
      out[i] = f(a[ia], b[ib]);
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]++;
        ia += sa[d];
        ib += sb[d];
        if (idx[d] < outShape[d]) break;
        ia -= sa[d] * outShape[d];
        ib -= sb[d] * outShape[d];
        idx[d] = 0;
      }
    }
  }
};

const compiled = new Map<BinaryOp, Loops>();

/** A fresh copy of the loops for `op` (its own inline caches), or the shared ones where compiling code is refused. */
function loopsFor(op: BinaryOp): Loops {
  let own = compiled.get(op);
  if (own === undefined) {
    try {
      // The comment makes each op's source text unique, so V8 does not share one compiled copy.
      own = new Function(`/* binary ${op} */ return (${loops.toString()});`)() as Loops;
      own((a, b) => a + b, new Float64Array(1), new Float64Array(1), new Float64Array(1), 'strided', [1], [0], [0]); // a copy that names something outside itself fails here
    } catch {
      own = loops;
    }
    compiled.set(op, own);
  }
  return own;
}

export function binary(op: BinaryOp, a: FloatArray, b: FloatArray, out: FloatArray, aShape: Shape, bShape: Shape, outShape: Shape): void {
  if (!(op in binaryOps)) throw new Error(`cpu binary: unknown op '${String(op)}'`);
  const path = binaryPath(aShape, bShape, outShape);
  const strided = path === 'strided';
  loopsFor(op)(binaryDef(op).cpu, a, b, out, path, outShape, strided ? broadcastStrides(aShape, outShape) : [], strided ? broadcastStrides(bShape, outShape) : []);
}
