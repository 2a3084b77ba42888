// What a tensor's dtype can hold. A float32 holds magnitudes up to about 3.4e38 (larger values
// would read back as Infinity); an int32 holds the integers from −2³¹ to 2³¹ − 1 (larger ones
// would wrap around: 3e9 → −1294967296). Values outside are refused, naming where they are.

import type { DType } from '../backend';

/** The largest finite float32, (2 − 2⁻²³)·2¹²⁷. */
export const FLOAT32_MAX = 3.4028234663852886e38;
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** Why `v` does not fit `dtype`, or null when it does (float64 holds any finite number). */
export function rangeProblem(v: number, dtype: DType): string | null {
  if (dtype === 'float32' && !Number.isFinite(Math.fround(v))) return `${v} is beyond float32's range (largest magnitude ${FLOAT32_MAX.toExponential(4)})`;
  if (dtype === 'int32' && (v < INT32_MIN || v > INT32_MAX)) return `${v} is outside int32's range [${INT32_MIN}, ${INT32_MAX}]`;
  return null;
}

/** Throw if any value does not fit `dtype`: "op: value at flat index i: why". */
export function checkValueRange(op: string, values: ArrayLike<number>, dtype: DType): void {
  for (let i = 0; i < values.length; i++) {
    const problem = rangeProblem(values[i], dtype);
    if (problem) throw new Error(`${op}: value at flat index ${i} is ${problem}`);
  }
}
