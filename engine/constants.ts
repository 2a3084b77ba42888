// Numeric guards shared by the CPU and WGSL kernels, so both backends agree on edge inputs
// (WGSL leaves log(0), x / 0 and friends to the implementation; we never rely on them).

/** log(x) reads max(x, TINY): log(0) = ln(TINY) ≈ -87.3, not -inf. TINY is float32's smallest normal. */
export const TINY = 1.1754943508222875e-38;
/**
 * A divisor smaller in magnitude than this is replaced by ±DIV_MIN (sign kept, +0 becomes +): in
 * the div op, and in every derivative that divides (log's dy/x, sqrt's dy/(2y)), in the fused
 * gradient kernels and in the rules alike. So outside an op's domain both backward paths give
 * the same number: 1/DIV_MIN = 1e30 for log and sqrt at 0.
 */
export const DIV_MIN = 1e-30;
/** bce(p, t) clamps p into [BCE_EPS, 1 - BCE_EPS], as the TensorFlow.js playground does. */
export const BCE_EPS = 1e-7;
