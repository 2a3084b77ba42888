// Printing a tensor's values as NumPy does: nested brackets, one row per line, every number in
// the same width, and for big tensors only the first and last few entries of each axis with
// "..." between (NumPy's summary, used above 1000 elements).

import type { DataArray, DType } from './backend';
import { formatShape, stridesOf, type Shape } from './shape';

/** Above this many elements, print a summary (as numpy.set_printoptions(threshold=1000)). */
export const SUMMARY_THRESHOLD = 1000;
/** Entries kept at each end of an axis in a summary. */
export const EDGE_ITEMS = 3;

/** The header line: Tensor([2, 3], float32, cpu, requiresGrad). */
export function tensorHeader(shape: Shape, dtype: DType, place: string, requiresGrad: boolean): string {
  return `Tensor(${formatShape(shape)}, ${dtype}, ${place}${requiresGrad ? ', requiresGrad' : ''})`;
}

function numberText(v: number, dtype: DType, decimals: number): string {
  if (dtype === 'int32') return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) return v.toExponential(4);
  return v.toFixed(decimals);
}

/** The values of a tensor of `shape`, laid out as nested arrays. */
export function formatValues(data: DataArray, shape: Shape, dtype: DType): string {
  if (shape.length === 0) return numberText(data[0], dtype, 4);
  const summarise = data.length > SUMMARY_THRESHOLD;
  // Which indices of each axis are printed (null marks the "..." gap).
  const shown = shape.map((n) => (summarise && n > 2 * EDGE_ITEMS
    ? [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
    : Array.from({ length: n }, (_, i) => i)));
  const strides = stridesOf(shape);
  // All printed numbers with 4 decimals, or none when every value is a whole number.
  const whole = Array.prototype.every.call(data, (v: number) => Number.isInteger(v));
  const decimals = whole ? 0 : 4;
  const texts = new Map<number, string>();
  let width = 0;
  const collect = (axis: number, offset: number): void => {
    for (const i of shown[axis]) {
      if (i === null) continue;
      const at = offset + i * strides[axis];
      if (axis === shape.length - 1) {
        const t = numberText(data[at], dtype, decimals) + (whole && dtype !== 'int32' ? '.' : '');
        texts.set(at, t);
        width = Math.max(width, t.length);
      } else collect(axis + 1, at);
    }
  };
  collect(0, 0);
  const render = (axis: number, offset: number, indent: string): string => {
    if (shape[axis] === 0) return '[]';
    if (axis === shape.length - 1) {
      return `[${shown[axis].map((i) => (i === null ? '...' : texts.get(offset + i * strides[axis])!.padStart(width))).join(', ')}]`;
    }
    const gap = '\n'.repeat(shape.length - axis - 1);
    const parts = shown[axis].map((i) => (i === null ? '...' : render(axis + 1, offset + i * strides[axis], `${indent} `)));
    return `[${parts.join(`,${gap}${indent} `)}]`;
  };
  return render(0, 0, '');
}
