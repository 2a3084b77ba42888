// CPU twin of kernels/webgpu/unary.wgsl.ts: elementwise y = f(x) and its gradient dx = dy * f'(x),
// one loop per row of the op table (engine/ops/unary-table.ts), built from the row's `cpu` and
// `cpuGrad` functions.
//
// Why build loops instead of one loop that calls def.cpu(x[i])? A call site that sees many
// different functions is "megamorphic": V8 cannot inline it, and each element pays a full call
// (about 3x slower here). So each op gets a loop of its own, compiled from a source text that
// names the op, and V8 sees one function at each call site and inlines it. Where the page's
// Content-Security-Policy (or any host) forbids compiling code, we fall back to shared loops:
// the same results, just slower.

import type { FloatArray, UnaryOp } from '../../engine/backend';
import { unaryDef, unaryOps, type UnaryDef } from '../../engine/ops/unary-table';
import { wasmSelectBySign } from './select-sum-wasm';


type ForwardLoop = (f: UnaryDef['cpu'], x: FloatArray, out: FloatArray, alpha: number, beta: number) => void;
type GradLoop = (g: UnaryDef['cpuGrad'], x: FloatArray, y: FloatArray, dy: FloatArray, out: FloatArray, alpha: number, beta: number) => void;

const FORWARD_BODY = 'const n = out.length; for (let i = 0; i < n; i++) out[i] = f(x[i], alpha, beta);';
const GRAD_BODY = 'const n = out.length; for (let i = 0; i < n; i++) out[i] = g(x[i], y[i], dy[i], alpha, beta);';

/** A fresh copy of the loop for `op` (its own inline cache), or null where compiling code is refused. */
function compile<T>(op: string, params: string, body: string): T | null {
  try {
    // The comment makes each op's source text unique, so V8 does not share one compiled copy.
    return new Function(params, `/* unary ${op} */ ${body}`) as T;
  } catch {
    return null;
  }
}

const sharedForward: ForwardLoop = (f, x, out, alpha, beta) => {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = f(x[i], alpha, beta);
};
const sharedGrad: GradLoop = (g, x, y, dy, out, alpha, beta) => {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = g(x[i], y[i], dy[i], alpha, beta);
};

const forwardLoops = new Map<UnaryOp, ForwardLoop>();
const gradLoops = new Map<UnaryOp, GradLoop>();

function forwardLoop(op: UnaryOp): ForwardLoop {
  let loop = forwardLoops.get(op);
  if (loop === undefined) {
    loop = compile<ForwardLoop>(op, 'f, x, out, alpha, beta', FORWARD_BODY) ?? sharedForward;
    forwardLoops.set(op, loop);
  }
  return loop;
}

function gradLoop(op: UnaryOp): GradLoop {
  let loop = gradLoops.get(op);
  if (loop === undefined) {
    loop = compile<GradLoop>(`${op}.grad`, 'g, x, y, dy, out, alpha, beta', GRAD_BODY) ?? sharedGrad;
    gradLoops.set(op, loop);
  }
  return loop;
}

function known(op: UnaryOp, kernel: string): UnaryDef {
  if (!(op in unaryOps)) throw new Error(`cpu ${kernel}: unknown op '${String(op)}'`);
  return unaryDef(op);
}

/** out = f(x) elementwise. out may be x itself (the fused linear layer applies its activation in place). */
export function unary(op: UnaryOp, x: FloatArray, out: FloatArray, alpha: number, beta: number): void {
  const def = known(op, 'unary');
  if (def.bySign && x instanceof Float32Array && out instanceof Float32Array) {
    return selectBySign(x, x, def.bySign === 'zero' ? null : alpha, out); // x > 0 ? x : (0 or α·x)
  }
  forwardLoop(op)(def.cpu, x, out, alpha, beta);
}

/** dx = dy * f'(x), with y = f(x) given too (sigmoid' = y (1 - y) is cheaper from y). */
export function unaryGrad(op: UnaryOp, x: FloatArray, y: FloatArray, dy: FloatArray, out: FloatArray, alpha: number, beta: number): void {
  const def = known(op, 'unaryGrad');
  if (def.bySign && x instanceof Float32Array && dy instanceof Float32Array && out instanceof Float32Array) {
    return selectBySign(x, dy, def.bySign === 'zero' ? null : alpha, out); // x > 0 ? dy : (0 or α·dy)
  }
  gradLoop(op)(def.cpuGrad, x, y, dy, out, alpha, beta);
}

// The rows marked `bySign` (ReLU, LeakyReLU) on float32 arrays, without a branch. They choose by a sign,
// `c > 0 ? p : α·p`, and with activations of random sign the processor mispredicts that branch for
// about half the elements: 6 ns an element here, against 1.2 ns for the same choice made with a
// bit mask over the float's 32 bits, m = −[c > 0] (all ones or all zeros):
//   bits(out) = (bits(p) & m) | (bits(α·p rounded to float32) & ~m)
// The results are the rows' bit for bit: p itself, or α·p rounded as a store rounds it, or +0 for
// ReLU (also where c is NaN or −0, as `c > 0` is false there too).
const wordsOf = (a: Float32Array): Int32Array => new Int32Array(a.buffer, a.byteOffset, a.length);
const roundBox = new Float32Array(1);
const roundBits = new Int32Array(roundBox.buffer);

/** out = c > 0 ? p : (alpha === null ? +0 : alpha·p), elementwise; out may be c or p. */
function selectBySign(c: Float32Array, p: Float32Array, alpha: number | null, out: Float32Array): void {
  if (wasmSelectBySign(c, p, alpha, out)) return; // the same choice in WebAssembly SIMD, where the arrays live in the kernels' memory
  const pBits = wordsOf(p);
  const outBits = wordsOf(out);
  const n = out.length;
  if (alpha === null) {
    for (let i = 0; i < n; i++) outBits[i] = pBits[i] & -(c[i] > 0);
    return;
  }
  for (let i = 0; i < n; i++) {
    const m = -(c[i] > 0);
    roundBox[0] = alpha * p[i];
    outBits[i] = (pBits[i] & m) | (roundBits[0] & ~m);
  }
}

/** How a value is rounded when stored in `array`: to float32 for a Float32Array, not at all for float64. */
export function roundingOf(array: FloatArray): (v: number) => number {
  return array instanceof Float32Array ? Math.fround : (v) => v;
}

/**
 * The backward of scale·Σ f(x): dx = f'(x)·dy[0]·scale, y = f(x) recomputed here. The values the
 * unfused kernels stored (dy[0]·scale and y) are rounded as they were, so the result is the same
 * bit for bit.
 */
export function meanUnaryGrad(op: UnaryOp, x: FloatArray, dy: FloatArray | null, out: FloatArray, alpha: number, beta: number, scale: number): void {
  const def = known(op, 'meanUnaryGrad');
  const d = dy ? roundingOf(dy)(dy[0] * scale) : roundingOf(x)(scale); // dy null: the gradient is `scale` itself
  const round = roundingOf(x);
  if (def.gradIgnoresY) {
    for (let i = 0; i < out.length; i++) out[i] = def.cpuGrad(x[i], 0, d, alpha, beta);
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = def.cpuGrad(x[i], round(def.cpu(x[i], alpha, beta)), d, alpha, beta);
}
