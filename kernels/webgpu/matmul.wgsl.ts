// WGSL twin of kernels/cpu/matmul.ts: the matmul ladder, the fused linear layer, and transpose.
//
//   matmul:    out[b] = op(A[b]) · op(B[b]),  op(X) = Xᵀ when X is STORED transposed
//   linear:    out = act(x · W + bias)
//   transpose: out[j, i] = x[i, j]
//
// The ladder is teaching material: four rungs compute the same product, each a named kernel
// that the bench and the demo can pick with `variant`; two more, `block` and `broadcast`, are
// for CPU adapters: 'auto' runs `broadcast` there (or what the start-up timing picked).
//
//   naive     one thread per output, reading A and B straight from storage.
//   tiled     16×16 outputs per workgroup; 16×16 blocks of A and B are staged in workgroup
//             memory so each value read from storage is used 16 times.
//   register  64×64 outputs per workgroup, 4×4 per thread held in registers; 16-deep slices
//             of A and B staged in workgroup memory (8 KiB). Each value read from workgroup
//             memory is used 4 times, and there are 16× fewer barriers per output than `tiled`.
//   small     the toy models' shapes: few outputs, sometimes a long K (the weight gradient
//             xᵀ·dy is [10,128]·[128,16]). S threads share one output, each summing every S-th
//             product, then add their partial sums in a workgroup tree reduction. S = 1 is
//             one thread per output with no workgroup memory and no barrier at all.
//   block     4×16 outputs per thread in 16 vec4 registers, A and B read straight from
//             storage as vec4 along their stored rows: 256 multiply-adds per 20 loads, no
//             workgroup memory, no barrier (see blockBody for why that suits a CPU adapter).
//   broadcast 8×16 outputs per thread, every thread of a workgroup on the same 16 columns:
//             B's loads are the same for all of them, which a CPU adapter does once and
//             broadcasts to its SIMD lanes (see broadcastBody); no workgroup memory, no barrier.
//
// Every rung reads an operand transposed in its load (a transpose is never materialised),
// handles a batch with strides (stride 0 = the same matrix for every batch item), and checks
// bounds, so no size needs to be a multiple of a tile.
//
// A product may also store the column sums of B (a layer's db = Σ_rows dz beside its
// dW = xᵀ·dz): `broadcast` adds up the rows of B it reads anyway, in the order a column sum
// would; the other rungs leave them to reduce's kernel, dispatched after the product.
//
// 'auto' (see chooseRung) was fitted to measurements on lavapipe (Mesa's CPU Vulkan driver),
// where a workgroup barrier and every storage load are expensive: `broadcast` unless a side of
// the output is thinner than 16, then `small`. At start-up the backend times the rungs on the
// adapter it meets and may replace the rule's rung per shape class (matmul-tune.ts).

import { checkColumnSums, type FusedActivation, type KernelCall, type MatmulVariant, type Storage } from '../../engine/backend';
import { gridFor, type DispatchPlan, type Param, type PlanLimits, type Planner } from './plan';
import { GUARDS, header, type BufferDecl, type ParamDecl } from './wgsl';
import { planReduce, sumsInOrder } from './reduce.wgsl';
import { FUSED_ACTIVATIONS, unaryOps } from '../../engine/ops/unary-table';

type MatmulCall = Extract<KernelCall, { kernel: 'matmul' }>;
type LinearCall = Extract<KernelCall, { kernel: 'linear' }>;
type TransposeCall = Extract<KernelCall, { kernel: 'transpose' }>;

/** A concrete rung of the ladder ('auto' resolved). */
export type MatmulRung = Exclude<MatmulVariant, 'auto'> | 'block' | 'broadcast';
export const MATMUL_RUNGS: readonly MatmulRung[] = ['naive', 'tiled', 'register', 'small', 'block', 'broadcast'];

/** Everything baked into one kernel's WGSL text; `kernelKey` spells all of it. */
export interface KernelSpec {
  op: 'matmul' | 'linear';
  rung: MatmulRung;
  transA: boolean;
  transB: boolean;
  /** linear only: is there a bias buffer (binding 2)? */
  bias: boolean;
  /** linear only; 'none' for matmul. */
  activation: FusedActivation;
  /** matmul only: store p ⊙ act'(y), y from binding `ylayer` ('none': p). */
  activationGrad: FusedActivation;
  /** matmul only: add to what out holds (a gradient summed earlier in the pass) instead of overwriting it. */
  accumulate: boolean;
  /** small only: threads that share one output (a power of two, 1..64). */
  slices: number;
  /** block: read A and B as vec4 (every row starts on a multiple of 4 floats, see canVec4); broadcast: read B's stored rows as vec4 (canVec4B). */
  vec4: boolean;
  /** broadcast only: the block each invocation holds, when not BROADCAST_SHAPE. */
  broadcastShape?: BroadcastShape;
  /** broadcast only: also store B's column sums into `colsums` ('add': added to what it holds); absent: not. */
  columnSums?: 'set' | 'add';
}

// ---- Shape rules --------------------------------------------------------------------------

/** Outputs per workgroup side for each tiled rung. */
const TILE = { naive: 16, tiled: 16, register: 64 } as const;
/** Threads per workgroup of the small rung (outputs per workgroup = SMALL_GROUP / slices). */
const SMALL_GROUP = 64;
/** The small rung splits K only when there are fewer outputs than one workgroup's worth... */
const SMALL_SPLIT_MAX_OUTPUTS = SMALL_GROUP;
/** ...and then gives each thread about this many products. */
const SMALL_PRODUCTS_PER_THREAD = 1024;
/** 'auto' uses the broadcast rung when both output sides are at least 16 (the classes of matmulShapeClass). */
const AUTO_BLOCK_MIN_SIDE = 16;

/**
 * The 'auto' rule, by shape (m×k times k×n):
 *   - broadcast when m ≥ 16 and n ≥ 16;
 *   - small otherwise: thin products (the toy models' [128,32]·[32,1], the weight gradient
 *     [10,128]·[128,16]), where the start-up timing decides on each adapter.
 * Measured on lavapipe (2 cores under load, each kernel replayed alone, CPU time, the same
 * session): on the wide GAN's 512×64·64×64 broadcast takes 0.80 ms against block's 1.22 ms (its
 * dx, ·Wᵀ: 0.82 vs 1.29 ms; its dW, xᵀ·: 0.86 vs 1.31 ms); earlier, block 3.7 ms against
 * register's 7.9 ms, and at 512×4×64 block 0.35 ms against small's 1.2 ms. Earlier
 * measurements (`gradlab bench --webgpu`): register is 2-4× naive from 64×64×64 up, but
 * 3-20× slower than small when a side is small (n = 1: 4.5 ms vs 0.2 ms at 512×64×1); tiled
 * never wins there: barriers are costly on a CPU.
 */
export function chooseRung(m: number, k: number, n: number): MatmulRung {
  return RULE_RUNGS[matmulShapeClass(m, n)];
}

/** The rule's rung for each shape class. At start-up the backend may time the rungs and replace these (matmul-tune.ts). */
const RULE_RUNGS = { wide: 'broadcast', thin: 'small' } as const satisfies Record<string, MatmulRung>;

/** 'thin' when a side of the m×n output is thinner than 16, else 'wide': the classes 'auto' chooses a rung for. */
export type MatmulShapeClass = keyof typeof RULE_RUNGS;
export function matmulShapeClass(m: number, n: number): MatmulShapeClass {
  return m >= AUTO_BLOCK_MIN_SIDE && n >= AUTO_BLOCK_MIN_SIDE ? 'wide' : 'thin';
}

/**
 * How many threads of the small rung share one output. On lavapipe splitting K never paid
 * for its barriers except when the outputs do not even fill one workgroup, so: 1, unless
 * there are fewer than 64 outputs, then enough slices (a power of two, at most 64) that each
 * thread does about 1024 products. On a real GPU the split pays much earlier (a lone thread
 * looping over K = 1024 idles the machine): lower both thresholds there.
 */
export function smallSlices(outputs: number, k: number): number {
  if (outputs >= SMALL_SPLIT_MAX_OUTPUTS) return 1;
  let s = 1;
  while (s < SMALL_GROUP && s * SMALL_PRODUCTS_PER_THREAD < k) s *= 2;
  return s;
}

// ---- Validation ---------------------------------------------------------------------------

function checkDims(op: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${op}: ${name} must be a non-negative integer, got ${v}`);
  }
}

function checkBuffer(op: string, name: string, s: Storage, needed: number): void {
  if (s.dtype !== 'float32') throw new Error(`${op}: ${name} must be a float32 buffer on WebGPU, got ${s.dtype}`);
  if (s.size < needed) throw new Error(`${op}: ${name} holds ${s.size} elements, the shapes need ${needed}`);
}

/** Elements an operand spans: the last batch item starts at (batch - 1)·stride. */
const span = (batch: number, stride: number, matrix: number): number => (batch - 1) * stride + matrix;

// ---- WGSL generation ----------------------------------------------------------------------

/** The uniform parameters, in order (plan.ts: one 4-byte scalar each, same order as the struct). */
function paramFields(spec: KernelSpec): ParamDecl[] {
  const fields: ParamDecl[] = [
    ['m', 'u32'], ['k', 'u32'], ['n', 'u32'], ['batch', 'u32'], ['strideA', 'u32'], ['strideB', 'u32'],
  ];
  if (spec.op === 'linear' || spec.activationGrad !== 'none') fields.push(['alpha', 'f32']);
  return fields;
}

function kernelKey(spec: KernelSpec): string {
  const t = `${spec.transA ? 'T' : 'N'}${spec.transB ? 'T' : 'N'}`;
  const rung = spec.rung === 'small' ? `small${spec.slices}`
    : spec.rung === 'block' || spec.rung === 'broadcast' ? `${spec.rung}${spec.vec4 ? '4' : '1'}` : spec.rung;
  const epilogue = spec.op === 'linear' ? `.${spec.bias ? 'bias' : 'nobias'}.${spec.activation}`
    : spec.activationGrad !== 'none' ? `.dz-${spec.activationGrad}` : '';
  const sums = spec.columnSums === 'set' ? '.colsums' : spec.columnSums === 'add' ? '.colsums+' : '';
  return `${spec.op}.${rung}.${t}${epilogue}${spec.accumulate ? '.add' : ''}${sums}${shapeTag(spec)}`;
}

/** A broadcast kernel's block when not the default one, as a last segment of the key, e.g. '.8x4g8'. */
function shapeTag(spec: KernelSpec): string {
  const b = spec.broadcastShape;
  return b && (b.rows !== BROADCAST_SHAPE.rows || b.cols !== BROADCAST_SHAPE.cols || b.group !== BROADCAST_SHAPE.group) ? `.${b.rows}x${b.cols}g${b.group}` : '';
}

/** Which operands a kernel reads 4 floats at a time: block both (when vec4), broadcast B only. */
function vec4Operands(spec: KernelSpec): { a: boolean; b: boolean } {
  return { a: spec.vec4 && spec.rung === 'block', b: spec.vec4 };
}

/** Bindings in the layout of plan.ts (inputs, output, uniform) and the Params struct. */
function bindings(spec: KernelSpec): string {
  const inputs: BufferDecl[] = spec.bias ? [['a', 'f32'], ['b', 'f32'], ['bias', 'f32']] : [['a', 'f32'], ['b', 'f32']];
  if (spec.activationGrad !== 'none') inputs.push(['ylayer', 'f32']);
  const outputs: BufferDecl[] = spec.columnSums ? [['out', 'f32'], ['colsums', 'f32']] : [['out', 'f32']];
  let text = header(inputs, outputs, paramFields(spec)) + '\n';
  const vec4 = vec4Operands(spec);
  if (vec4.a) text = text.replace('a: array<f32>', 'aVec: array<vec4f>');
  if (vec4.b) text = text.replace('b: array<f32>', 'bVec: array<vec4f>');
  return text;
}

/**
 * readA(base, i, q) = op(A)[i, q] and readB(base, q, j) = op(B)[q, j], where base is the batch
 * item's offset. A transposed operand is read with swapped strides. loadA/loadB return 0
 * outside the matrix (the padding of a partial tile). An operand read as vec4s gets neither.
 */
function operandReads(spec: KernelSpec): string {
  const vec4 = vec4Operands(spec);
  const a = spec.transA
    ? 'a[base + q * p.m + i]; // A stored [k, m]'
    : 'a[base + i * p.k + q]; // A stored [m, k]';
  const b = spec.transB
    ? 'b[base + j * p.k + q]; // B stored [n, k]'
    : 'b[base + q * p.n + j]; // B stored [k, n]';
  const readsA = vec4.a ? '' : `
fn readA(base: u32, i: u32, q: u32) -> f32 { return ${a}
}
fn loadA(base: u32, i: u32, q: u32) -> f32 {
  if (i < p.m && q < p.k) { return readA(base, i, q); }
  return 0.0;
}
`;
  const readsB = vec4.b ? '' : `fn readB(base: u32, q: u32, j: u32) -> f32 { return ${b}
}
fn loadB(base: u32, q: u32, j: u32) -> f32 {
  if (q < p.k && j < p.n) { return readB(base, q, j); }
  return 0.0;
}
`;
  return readsA + readsB;
}

/**
 * finish(v, o, j): what is stored for the dot product v at output o, column j: bias and the op
 * table's activation for linear; v ⊙ act'(ylayer[o]) (the table's wgslGrad) for activationGrad;
 * then, for accumulate, the value out already holds plus that (a layer's second use in a pass).
 */
function epilogue(spec: KernelSpec): string {
  const lines: string[] = [];
  if (spec.bias) lines.push('  z = z + bias[j];');
  let helpers = '';
  if (spec.activation !== 'none') {
    lines.push(`  { let x = z; let alpha = p.alpha; let beta = 0.0; z = ${unaryOps[spec.activation].wgsl}; } // ${spec.activation}`);
    helpers = GUARDS;
  }
  if (spec.activationGrad !== 'none') {
    lines.push(`  { let dy = z; let y = ylayer[o]; let x = y; let alpha = p.alpha; let beta = 0.0; z = ${unaryOps[spec.activationGrad].wgslGrad}; } // ${spec.activationGrad}'`);
    helpers = GUARDS;
  }
  if (spec.accumulate) lines.push('  z = out[o] + z; // added to the sum out holds');
  lines.push('  return z;');
  return `${helpers}\nfn finish(v: f32, o: u32, j: u32) -> f32 {\n  var z = v;\n${lines.join('\n')}\n}\n`;
}

/** Shared start of the tile rungs: which batch item and which output tile this workgroup owns. */
function tilePrologue(tile: number): string {
  return `
  // The grid of workgroups is flat (see gridFor in plan.ts): tile = batch item, tile row, tile column.
  let tilesM = (p.m + ${tile}u - 1u) / ${tile}u;
  let tilesN = (p.n + ${tile}u - 1u) / ${tile}u;
  let flat = wg.y * nwg.x + wg.x;
  if (flat >= tilesM * tilesN * p.batch) { return; }
  let item = flat / (tilesM * tilesN);
  let tile = flat % (tilesM * tilesN);
  let row0 = (tile / tilesN) * ${tile}u;
  let col0 = (tile % tilesN) * ${tile}u;
  let aBase = item * p.strideA;
  let bBase = item * p.strideB;
  let oBase = item * p.m * p.n;
`;
}

const ENTRY_ARGS =
  '@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u';

/** naive: thread (x, y) of a 16×16 workgroup computes one output by a K-long dot product. */
function naiveBody(): string {
  return `
@compute @workgroup_size(16, 16)
fn main(${ENTRY_ARGS}) {${tilePrologue(TILE.naive)}
  let i = row0 + lid.y;
  let j = col0 + lid.x;
  if (i >= p.m || j >= p.n) { return; }
  // out[i, j] = sum over q of A[i, q] * B[q, j]
  var sum = 0.0;
  for (var q = 0u; q < p.k; q++) {
    sum += readA(aBase, i, q) * readB(bBase, q, j);
  }
  let o = oBase + i * p.n + j;
  out[o] = finish(sum, o, j);
}
`;
}

/**
 * tiled: per 16-wide step of K, the workgroup copies a 16×16 block of A and of B into
 * workgroup memory (one value per thread), waits, and every thread does 16 products from there.
 * Neighbouring threads (x) read neighbouring addresses: for a transposed operand the thread
 * roles are swapped in the load so the read still runs along the stored rows.
 */
function tiledBody(spec: KernelSpec): string {
  const loadA = spec.transA
    ? 'tileA[lid.x][lid.y] = loadA(aBase, row0 + lid.x, q0 + lid.y);'
    : 'tileA[lid.y][lid.x] = loadA(aBase, row0 + lid.y, q0 + lid.x);';
  const loadB = spec.transB
    ? 'tileB[lid.x][lid.y] = loadB(bBase, q0 + lid.x, col0 + lid.y);'
    : 'tileB[lid.y][lid.x] = loadB(bBase, q0 + lid.y, col0 + lid.x);';
  return `
var<workgroup> tileA: array<array<f32, 16>, 16>; // [row][q]
var<workgroup> tileB: array<array<f32, 16>, 16>; // [q][col]

@compute @workgroup_size(16, 16)
fn main(${ENTRY_ARGS}) {${tilePrologue(TILE.tiled)}
  let i = row0 + lid.y;
  let j = col0 + lid.x;
  var sum = 0.0;
  for (var q0 = 0u; q0 < p.k; q0 += 16u) {
    ${loadA}
    ${loadB}
    workgroupBarrier(); // the blocks are complete
    for (var q = 0u; q < 16u; q++) {
      sum += tileA[lid.y][q] * tileB[q][lid.x];
    }
    workgroupBarrier(); // everyone is done before the next blocks overwrite these
  }
  if (i < p.m && j < p.n) {
    let o = oBase + i * p.n + j;
    out[o] = finish(sum, o, j);
  }
}
`;
}

/** K-depth of one register-rung step: two 16×64 slices = 8 KiB of workgroup memory. */
const REGISTER_KSTEP = 16;

/**
 * register: a 64×64 output tile per workgroup of 16×16 threads. Thread (x, y) accumulates the
 * 4×4 outputs at rows y + 16r and columns x + 16c (r, c = 0..3) in registers, so neighbouring
 * threads write neighbouring columns. Per step of 16 along K, the 256 threads copy a 64×16
 * slice of A and a 16×64 slice of B (4 values each) into workgroup memory, reading each
 * along its stored rows; then each thread does 16 rank-1 updates of its 4×4 block: per q,
 * 4 values of A and 4 of B give 16 multiply-adds.
 */
function registerBody(spec: KernelSpec): string {
  const ks = REGISTER_KSTEP;
  // Element e (0..1023) of a slice: which (row, q) of A / (q, col) of B it is, chosen so that
  // consecutive threads read consecutive addresses of the stored matrix.
  const aCoord = spec.transA
    ? `let q = e / 64u; let r = e % 64u; // A stored [k, m]: contiguous along the rows r of op(A)`
    : `let r = e / ${ks}u; let q = e % ${ks}u; // A stored [m, k]: contiguous along q`;
  const bCoord = spec.transB
    ? `let c = e / ${ks}u; let q = e % ${ks}u; // B stored [n, k]: contiguous along q`
    : `let q = e / 64u; let c = e % 64u; // B stored [k, n]: contiguous along columns`;
  return `
const KSTEP = ${ks}u;
var<workgroup> tileA: array<f32, ${64 * ks}>; // op(A) slice, [q * 64 + row]
var<workgroup> tileB: array<f32, ${64 * ks}>; // op(B) slice, [q * 64 + col]

@compute @workgroup_size(16, 16)
fn main(${ENTRY_ARGS}) {${tilePrologue(TILE.register)}
  let thread = lid.y * 16u + lid.x;
  // acc[r][c] = out[row0 + lid.y + 16r, col0 + lid.x + 16c]
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  for (var q0 = 0u; q0 < p.k; q0 += KSTEP) {
    for (var s = 0u; s < ${(64 * ks) / 256}u; s++) {
      let e = thread + 256u * s;
      {
        ${aCoord}
        tileA[q * 64u + r] = loadA(aBase, row0 + r, q0 + q);
      }
      {
        ${bCoord}
        tileB[q * 64u + c] = loadB(bBase, q0 + q, col0 + c);
      }
    }
    workgroupBarrier(); // the slices are complete
    for (var q = 0u; q < KSTEP; q++) {
      let bq = vec4f(tileB[q * 64u + lid.x], tileB[q * 64u + lid.x + 16u],
                     tileB[q * 64u + lid.x + 32u], tileB[q * 64u + lid.x + 48u]);
      acc[0] += tileA[q * 64u + lid.y] * bq;
      acc[1] += tileA[q * 64u + lid.y + 16u] * bq;
      acc[2] += tileA[q * 64u + lid.y + 32u] * bq;
      acc[3] += tileA[q * 64u + lid.y + 48u] * bq;
    }
    workgroupBarrier(); // everyone is done before the next slices overwrite these
  }
  for (var r = 0u; r < 4u; r++) {
    let i = row0 + lid.y + 16u * r;
    if (i >= p.m) { break; }
    for (var c = 0u; c < 4u; c++) {
      let j = col0 + lid.x + 16u * c;
      if (j < p.n) { let o = oBase + i * p.n + j; out[o] = finish(acc[r][c], o, j); }
    }
  }
}
`;
}

/**
 * small: a workgroup of 64 threads covers 64/S outputs with S threads each. Thread `slice`
 * of an output sums products q = slice, slice + S, slice + 2S, ...; then the S partial sums
 * are added pairwise in log2(S) rounds through workgroup memory. S = 1 has no reduction.
 */
function smallBody(spec: KernelSpec): string {
  const s = spec.slices;
  const locate = `
  // Output o (flat over batch, row, column) and this thread's slice of its K loop.
  let o = (wg.y * nwg.x + wg.x) * ${SMALL_GROUP / s}u + lid.x / ${s}u;
  let slice = lid.x % ${s}u;
  let valid = o < p.batch * p.m * p.n;
  let item = o / (p.m * p.n);
  let i = (o % (p.m * p.n)) / p.n;
  let j = o % p.n;
  var sum = 0.0;
  if (valid) {
    let aBase = item * p.strideA;
    let bBase = item * p.strideB;
    for (var q = slice; q < p.k; q += ${s}u) {
      sum += readA(aBase, i, q) * readB(bBase, q, j);
    }
  }`;
  if (s === 1) {
    return `
@compute @workgroup_size(${SMALL_GROUP})
fn main(${ENTRY_ARGS}) {${locate}
  if (valid) { out[o] = finish(sum, o, j); }
}
`;
  }
  return `
var<workgroup> partial: array<f32, ${SMALL_GROUP}>;

@compute @workgroup_size(${SMALL_GROUP})
fn main(${ENTRY_ARGS}) {${locate}
  // Tree reduction over the ${s} slices: after the round with width w, slot slice (< w)
  // holds the sum of slots slice, slice + w, slice + 2w, ... of the round before.
  partial[lid.x] = sum;
  for (var w = ${s / 2}u; w > 0u; w = w / 2u) {
    workgroupBarrier();
    if (slice < w) { partial[lid.x] += partial[lid.x + w]; }
  }
  if (valid && slice == 0u) { out[o] = finish(partial[lid.x], o, j); }
}
`;
}

/**
 * The block and broadcast rungs' per-invocation origin (first row i0, first column col0, the
 * batch item's output offset; set first thing in main), and their rows and columns clamped.
 */
const ORIGIN_WGSL = `
var<private> i0: u32;
var<private> col0: u32;
var<private> oBase: u32;

// Row i0 + r and column col0 + c, clamped to the matrix (the sums of clamped ones are never written).
fn rowAt(r: u32) -> u32 { return min(i0 + r, p.m - 1u); }
fn colAt(c: u32) -> u32 { return min(col0 + c, p.n - 1u); }`;

/** The vec4 reads of the block rung (and broadcast's of B): where a vec4 of B's row (of a transposed A's column) starts. */
const VEC4_AT_WGSL = `
// First column of the vec4 v of B's row (first row of the h-th vec4 of a transposed A's column),
// clamped so the vec4 stays inside the matrix (n and m are multiples of 4 when vec4s are read).
fn colVec(v: u32) -> u32 { return min(col0 + 4u * v, p.n - 4u); }
fn rowVec(h: u32) -> u32 { return min(i0 + 4u * h, p.m - 4u); }`;

/** A vec4 of results written element by element, where each lies inside the matrix. */
const STORE_WGSL = `
// Write out[i0 + r, col0 + c .. c + 3] where it lies inside the matrix.
fn store(r: u32, c: u32, v: vec4f) {
  let i = i0 + r;
  if (i >= p.m) { return; }
  for (var t = 0u; t < 4u; t++) {
    let j = col0 + c + t;
    if (j < p.n) { let o = oBase + i * p.n + j; out[o] = finish(v[t], o, j); }
  }
}`;

/**
 * The vec4 reads of A for one K-step of 4 (q = q4 + t) in the block rung, pushed
 * onto `lines`; returns how to name op(A)[i0 + r, q4 + t] in the WGSL.
 */
function aVec4Reads(transA: boolean, R: number, lines: string[]): (r: number, t: number) => string {
  if (transA) { // A stored [k, m]: per t, the vec4s across rows i0 + 4h .. i0 + 4h + 3
    for (const t of [0, 1, 2, 3]) {
      for (let h = 0; h < R / 4; h++) lines.push(`    let a${t}_${h} = aVec[(aBase + (q4 + ${t}u) * p.m + rowVec(${h}u)) / 4u];`);
    }
    return (r, t) => `a${t}_${r >> 2}.${XYZW[r & 3]}`;
  }
  // A stored [m, k]: one vec4 along q for each row
  for (let r = 0; r < R; r++) lines.push(`    let a${r} = aVec[(aBase + rowAt(${r}u) * p.k + q4) / 4u]; // op(A)[i0+${r}, q4..q4+3]`);
  return (r, t) => `a${r}.${XYZW[t]}`;
}

/**
 * The start of main() in the block and broadcast rungs: which batch item, row tile of `tileM`
 * rows and column strip of `cols` columns this workgroup computes, and this invocation's first
 * row (`rows` rows an invocation) and column. The grid is flat (gridFor in plan.ts).
 */
function tileOriginWgsl(tileM: number, cols: number, rows: number): string {
  return `  // Grid (flat, see gridFor in plan.ts): batch item, row tile of ${tileM}, column strip of ${cols}.
  let tilesM = (p.m + ${tileM - 1}u) / ${tileM}u;
  let tilesN = (p.n + ${cols - 1}u) / ${cols}u;
  let flat = wg.y * nwg.x + wg.x;
  if (flat >= tilesM * tilesN * p.batch) { return; }
  let item = flat / (tilesM * tilesN);
  let tile = flat % (tilesM * tilesN);
  i0 = (tile / tilesN) * ${tileM}u + ${rows}u * lid.x;
  col0 = (tile % tilesN) * ${cols}u;
  oBase = item * p.m * p.n;
  let aBase = item * p.strideA;
  let bBase = item * p.strideB;`;
}

/** The block of outputs one invocation of the block rung keeps in registers: 4 rows × 16 columns. */
const BLOCK_ROWS = 4;
const BLOCK_COLS = 16;
/** Invocations per workgroup of the block rung (no workgroup memory: small groups are free). */
const BLOCK_GROUP = 16;
/** Output rows per workgroup of the block rung. */
const BLOCK_TILE_M = BLOCK_ROWS * BLOCK_GROUP;
const XYZW = ['x', 'y', 'z', 'w'];

/**
 * block: the rung for a CPU adapter. lavapipe (Mesa's Vulkan on the CPU) runs a workgroup on
 * one core, 8 invocations at a time in the lanes of a SIMD register; there every load from a
 * storage buffer is done lane by lane (bounds-checked), so it costs far more than a
 * multiply-add, and a workgroup barrier costs a switch of every group of 8 lanes. This rung
 * therefore uses no workgroup memory and no barrier, and gets as many multiply-adds out of
 * each load as the registers allow:
 *
 *   invocation x owns the 4×16 block  out[i0 + r, col0 + c],  i0 = row0 + 4x,  r < 4, c < 16,
 *   held in 16 vec4 accumulators acc{r}_{v} = out[i0 + r, col0 + 4v .. col0 + 4v + 3].
 *
 * Per step of 4 along K it reads a 4×4 block of op(A) and a 4×16 block of op(B) as 4 + 16
 * vec4 loads, each along the operand's stored rows (so a transposed operand is read just as
 * fast), and does 4·4·16 = 256 multiply-adds: acc{r}_{v} += op(A)[i0 + r, q] · op(B)[q, 4v..].
 * vec4 loads need every row of A and B to start on a multiple of 4 (m, k, n and the batch
 * strides divisible by 4, see canVec4); otherwise the same loop runs one q at a time with
 * 4 + 16 scalar loads for 64 multiply-adds. Rows and columns past the edge are clamped to the
 * last one while summing (every lane runs the same loop) and masked when writing.
 */
function blockBody(spec: KernelSpec): string {
  const R = BLOCK_ROWS;
  const V = BLOCK_COLS / 4;
  const rows = [...Array(R).keys()];
  const vecs = [...Array(V).keys()];
  const cols = [...Array(BLOCK_COLS).keys()];
  const lines: string[] = [];
  let kLoop: string;
  if (spec.vec4) {
    // Values of one K-step of 4 (q = q4 + t): aVal(r, t) = op(A)[i0 + r, q], bVec(t, v) = op(B)[q, 4v..4v+3].
    const aVal = aVec4Reads(spec.transA, R, lines);
    let bVec: (t: number, v: number) => string;
    if (spec.transB) { // B stored [n, k]: one vec4 along q for each column
      for (const c of cols) lines.push(`    let b${c} = bVec[(bBase + colAt(${c}u) * p.k + q4) / 4u]; // op(B)[q4..q4+3, col0+${c}]`);
      bVec = (t, v) => `vec4f(${[0, 1, 2, 3].map((c) => `b${4 * v + c}.${XYZW[t]}`).join(', ')})`;
    } else { // B stored [k, n]: one vec4 along the columns for each (q, v)
      for (const t of [0, 1, 2, 3]) {
        for (const v of vecs) lines.push(`    let b${t}_${v} = bVec[(bBase + (q4 + ${t}u) * p.n + colVec(${v}u)) / 4u];`);
      }
      bVec = (t, v) => `b${t}_${v}`;
    }
    for (const t of [0, 1, 2, 3]) {
      for (const r of rows) lines.push(`    ${vecs.map((v) => `acc${r}_${v} += ${aVal(r, t)} * ${bVec(t, v)};`).join(' ')}`);
    }
    kLoop = `  for (var q4 = 0u; q4 < p.k; q4 += 4u) {\n${lines.join('\n')}\n  }`;
  } else {
    for (const r of rows) lines.push(`    let a${r} = readA(aBase, rowAt(${r}u), q);`);
    for (const c of cols) lines.push(`    let b${c} = readB(bBase, q, colAt(${c}u));`);
    for (const r of rows) {
      lines.push(`    ${vecs.map((v) => `acc${r}_${v} += a${r} * vec4f(${[0, 1, 2, 3].map((c) => `b${4 * v + c}`).join(', ')});`).join(' ')}`);
    }
    kLoop = `  for (var q = 0u; q < p.k; q++) {\n${lines.join('\n')}\n  }`;
  }
  const decls = rows.map((r) => `  ${vecs.map((v) => `var acc${r}_${v} = vec4f(0.0);`).join(' ')}`).join('\n');
  const stores = rows.map((r) => vecs.map((v) => `  store(${r}u, ${4 * v}u, acc${r}_${v});`).join('\n')).join('\n');
  return `${ORIGIN_WGSL}
${VEC4_AT_WGSL}
${STORE_WGSL}

@compute @workgroup_size(${BLOCK_GROUP})
fn main(${ENTRY_ARGS}) {
${tileOriginWgsl(BLOCK_TILE_M, BLOCK_COLS, R)}
${decls}
${kLoop}
${stores}
}
`;
}

/** The block of outputs one invocation of the broadcast rung holds (rows × cols, cols a multiple of 4), and invocations per workgroup. */
export interface BroadcastShape { rows: number; cols: number; group: number }
/**
 * 8 rows × 16 columns, 8 invocations (one batch of lavapipe's 8 SIMD lanes, so a workgroup
 * covers 64 rows and a 64-row product such as the weight gradient [64, 512]·[512, 64] wastes no
 * lane). Measured on lavapipe (Mesa 25, AMD EPYC Zen 5, each product dispatched alone 40 times
 * in a row, CPU µs per product, median of 15 rounds alternating with the block before, 4 × 8
 * with vec4 reads): 512×64·64×64 with bias and ReLU 460 against 658, its dy·Wᵀ 427 against 568,
 * the weight gradient [64, 512]ᵀ·[512, 64] 375 against 516, this block reading A and B float
 * by float (B's rows as vec4s came after, see broadcastBody). Larger blocks (16 × 16, 12 × 12)
 * were no faster; smaller ones (8 × 4) slower.
 */
export const BROADCAST_SHAPE: BroadcastShape = { rows: 8, cols: 16, group: 8 };

/** An output at most 4 columns wide (a GAN's last layer, n = 1) gets 4 columns an invocation: 16 would compute 12 clamped ones for nothing. */
const BROADCAST_SHAPE_NARROW: BroadcastShape = { rows: 8, cols: 4, group: 8 };
function broadcastShapeFor(n: number): BroadcastShape {
  return n <= BROADCAST_SHAPE_NARROW.cols ? BROADCAST_SHAPE_NARROW : BROADCAST_SHAPE;
}

/**
 * broadcast: the second rung for a CPU adapter, built on how lavapipe runs a workgroup (8
 * invocations in the lanes of one SIMD register): a storage load whose address is the same for
 * every invocation of the workgroup (it depends on the workgroup id, the loop counter and the
 * uniforms only) is done once and broadcast to the lanes, while a load whose address differs
 * per invocation is a gather, lane by lane. So here all invocations of a workgroup share the
 * same C output columns, and each owns R consecutive rows (R × C = BROADCAST_SHAPE, 8 × 16):
 *
 *   invocation x owns out[i0 + r, col0 .. col0 + C - 1],  i0 = row0 + R·x,  r < R,
 *   held in R·C/4 vec4 accumulators acc{r}_{v} = out[i0 + r, col0 + 4v .. col0 + 4v + 3].
 *
 * Per step q along K it loads R values of op(A)'s column q (one per row, per invocation) and C
 * of op(B)'s row q (the same for the whole workgroup: broadcast), and does R·C multiply-adds:
 *   acc{r}_{v} += op(A)[i0 + r, q] · op(B)[q, col0 + 4v .. col0 + 4v + 3].
 * A is read one float at a time (a vec4 of A held per row would take 4 vector registers, not 1).
 * B, when stored [k, n] with n a multiple of 4 (canVec4B), is read as C/4 vec4s along its row:
 * fewer address computations than C floats (on lavapipe 8-10% less CPU time for the forward
 * product [512,64]·[64,64] and 10-17% for the weight gradient [64,512]ᵀ·[512,64]); stored [n, k]
 * (dy·Wᵀ) its row is not contiguous, so it is read float by float. Rows and columns past the
 * edge are clamped while summing and masked when writing.
 */
function broadcastBody(spec: KernelSpec, shape: BroadcastShape = BROADCAST_SHAPE): string {
  const { rows: R, cols: C, group: G } = shape;
  if (C % 4 !== 0) throw new Error(`matmul: the broadcast rung's block must be a multiple of 4 columns wide, got ${R}×${C}`);
  const rows = [...Array(R).keys()];
  const vecs = [...Array(C / 4).keys()];
  const lines: string[] = [];
  for (const r of rows) lines.push(`    let a${r} = readA(aBase, rowAt(${r}u), q);`);
  for (const v of vecs) {
    lines.push(spec.vec4
      ? `    let b${v} = bVec[(bBase + q * p.n + colVec(${v}u)) / 4u]; // op(B)[q, col0 + ${4 * v} .. col0 + ${4 * v + 3}]`
      : `    let b${v} = vec4f(${[0, 1, 2, 3].map((c) => `readB(bBase, q, colAt(${4 * v + c}u))`).join(', ')});`);
  }
  for (const r of rows) lines.push(`    ${vecs.map((v) => `acc${r}_${v} += a${r} * b${v};`).join(' ')}`);
  let stores = rows.map((r) => vecs.map((v) => `  store(${r}u, ${4 * v}u, acc${r}_${v});`).join('\n')).join('\n');
  let decls = rows.map((r) => `  ${vecs.map((v) => `var acc${r}_${v} = vec4f(0.0);`).join(' ')}`).join('\n');
  if (spec.columnSums) {
    // s{v} = Σ_q op(B)[q, col0 + 4v .. col0 + 4v + 3], from the rows of B just read, in q order (as reduce's loop sums).
    decls += `\n  ${vecs.map((v) => `var s${v} = vec4f(0.0);`).join(' ')} // B's column sums`;
    lines.push(`    ${vecs.map((v) => `s${v} += b${v};`).join(' ')}`);
    // Every workgroup of a column strip has the same sums; those of the first row tile write them.
    stores = `  if (lid.x == 0u && tile < tilesN) { ${vecs.map((v) => `storeSums(${4 * v}u, s${v});`).join(' ')} }\n${stores}`;
  }
  return `${ORIGIN_WGSL}
${spec.vec4 ? VEC4_AT_WGSL : ''}
${STORE_WGSL}
${spec.columnSums ? storeSumsWgsl(spec.columnSums) : ''}
@compute @workgroup_size(${G})
fn main(${ENTRY_ARGS}) {
${tileOriginWgsl(R * G, C, R)}
${decls}
  for (var q = 0u; q < p.k; q++) {
${lines.join('\n')}
  }
${stores}
}
`;
}

/** broadcast's column sums of B: colsums[col0 + c .. c + 3] stored (or added to, 'add') where they lie inside the matrix. */
function storeSumsWgsl(mode: 'set' | 'add'): string {
  return `
// Write colsums[col0 + c .. c + 3] (B's column sums) where they lie inside the matrix${mode === 'add' ? ', added to what colsums holds' : ''}.
fn storeSums(c: u32, v: vec4f) {
  for (var t = 0u; t < 4u; t++) {
    let j = col0 + c + t;
    if (j < p.n) { colsums[j] = ${mode === 'add' ? 'colsums[j] + ' : ''}v[t]; }
  }
}
`;
}

/** The full WGSL text of one kernel of the ladder. */
export function matmulWgsl(spec: KernelSpec): string {
  const intro = `// ${kernelKey(spec)}: out = ${spec.op === 'linear' ? 'act(x * W + bias)' : 'op(A) * op(B)'}, generated by kernels/webgpu/matmul.wgsl.ts\n`;
  const body = { naive: naiveBody, tiled: tiledBody, register: registerBody, small: smallBody, block: blockBody, broadcast: (s: KernelSpec) => broadcastBody(s, s.broadcastShape) }[spec.rung](spec);
  return intro + bindings(spec) + operandReads(spec) + epilogue(spec) + body;
}

// ---- Planners -------------------------------------------------------------------------------

interface ProductShape {
  batch: number; m: number; k: number; n: number; strideA: number; strideB: number;
}

/** The block rung reads vec4s when every row of A, B (either layout) and every batch item start on a multiple of 4 floats. */
function canVec4({ m, k, n, strideA, strideB }: ProductShape): boolean {
  return [m, k, n, strideA, strideB].every((d) => d % 4 === 0);
}

/** The broadcast rung reads B's rows as vec4s when B is stored [k, n] and every row and batch item of it starts on a multiple of 4 floats. */
function canVec4B(transB: boolean, { n, strideB }: ProductShape): boolean {
  return !transB && n % 4 === 0 && strideB % 4 === 0;
}

function planProduct(
  spec: Omit<KernelSpec, 'slices' | 'vec4'>, shape: ProductShape, inputs: Storage[], written: Storage[], alpha: number, limits: PlanLimits,
  forceSlices?: number,
): DispatchPlan[] {
  const { batch, m, k, n } = shape;
  if (batch * m * n === 0) return []; // nothing to write
  const outputs = batch * m * n;
  const slices = spec.rung !== 'small' ? 1 : forceSlices ?? smallSlices(outputs, k);
  if (!(Number.isInteger(Math.log2(slices)) && slices >= 1 && slices <= SMALL_GROUP)) {
    throw new Error(`matmul: the small rung's slices must be a power of two in 1..${SMALL_GROUP}, got ${slices}`);
  }
  const broadcastShape = spec.rung === 'broadcast' ? broadcastShapeFor(n) : undefined;
  const vec4 = spec.rung === 'block' ? canVec4(shape) : spec.rung === 'broadcast' ? canVec4B(spec.transB, shape) : false;
  const full: KernelSpec = { ...spec, slices, vec4, broadcastShape };
  const groups = spec.rung === 'small'
    ? Math.ceil(outputs / (SMALL_GROUP / slices))
    : spec.rung === 'block'
      ? batch * Math.ceil(m / BLOCK_TILE_M) * Math.ceil(n / BLOCK_COLS)
      : spec.rung === 'broadcast'
        ? batch * Math.ceil(m / (broadcastShape!.rows * broadcastShape!.group)) * Math.ceil(n / broadcastShape!.cols)
        : batch * Math.ceil(m / TILE[spec.rung]) * Math.ceil(n / TILE[spec.rung]);
  const values: Record<string, number> = { ...shape, alpha };
  const params: Param[] = paramFields(full).map(([name, type]) => (type === 'f32' ? { f32: values[name] } : { u32: values[name] }));
  const key = kernelKey(full);
  return [{
    key,
    wgsl: () => matmulWgsl(full),
    inputs,
    outputs: written,
    params,
    workgroups: gridFor(groups, 1, limits),
    label: key,
  }];
}

/** Plan a matmul on the rung its `variant` names ('auto' or absent: chooseRung). */
export const planMatmul: Planner<'matmul'> = (call: MatmulCall, limits: PlanLimits) => planMatmulWith(call, limits);

/**
 * planMatmul, with the small rung's slice count forced (for the bench and tests: on a GPU,
 * try small with 64 slices on [10,128]ᵀ·[128,16]).
 */
export function planMatmulWith(call: MatmulCall, limits: PlanLimits, smallSlicesOverride?: number): DispatchPlan[] {
  const variant = call.variant ?? 'auto';
  if (variant !== 'auto' && !MATMUL_RUNGS.includes(variant)) {
    throw new Error(`matmul: unknown variant '${String(variant)}' (expected auto, ${MATMUL_RUNGS.join(', ')})`);
  }
  return planMatmulOn(call, variant === 'auto' ? chooseRung(call.m, call.k, call.n) : variant, limits, smallSlicesOverride);
}

/** Plan a matmul on a given rung (the tests try every rung, including block, which 'auto' picks). */
export function planMatmulOn(call: MatmulCall, rung: MatmulRung, limits: PlanLimits, smallSlicesOverride?: number): DispatchPlan[] {
  const { batch, m, k, n, transA, transB, strideA, strideB } = call;
  checkDims('matmul', { batch, m, k, n, strideA, strideB });
  checkBuffer('matmul', 'A', call.a, batch * m * n === 0 ? 0 : span(batch, strideA, m * k));
  checkBuffer('matmul', 'B', call.b, batch * m * n === 0 ? 0 : span(batch, strideB, k * n));
  checkBuffer('matmul', 'out', call.out, batch * m * n);
  const grad = call.activationGrad;
  if (grad) {
    if (!FUSED_ACTIVATIONS.includes(grad.activation) || (grad.activation as FusedActivation) === 'none') throw new Error(`matmul: unknown activation gradient '${String(grad.activation)}'`);
    checkBuffer('matmul', 'y (the layer output of activationGrad)', grad.y, batch * m * n);
  }
  const sums = call.columnSums;
  if (sums) {
    checkColumnSums(call);
    checkBuffer('matmul', 'columnSums', sums, n);
  }
  // broadcast adds B's columns up as it reads B's rows, where reduce's kernel would sum them in that
  // same order (the same bits); otherwise reduce's kernel sums them after the product.
  const sumsInKernel = sums !== undefined && rung === 'broadcast' && m > 0 && sumsInOrder(k, n);
  const product = planProduct(
    {
      op: 'matmul', rung, transA, transB, bias: false, activation: 'none', activationGrad: grad ? grad.activation : 'none', accumulate: call.accumulate === true,
      ...(sumsInKernel ? { columnSums: call.accumulateColumnSums ? 'add' as const : 'set' as const } : {}),
    },
    { batch, m, k, n, strideA, strideB }, grad ? [call.a, call.b, grad.y] : [call.a, call.b], sumsInKernel ? [call.out, sums] : [call.out],
    grad && Number.isFinite(grad.alpha) ? grad.alpha : 0, limits, smallSlicesOverride,
  );
  if (!sums || sumsInKernel) return product;
  const columnSum = planReduce({
    kernel: 'reduce', op: 'sum', x: call.b, out: sums, outer: 1, axisSize: k, inner: n, scale: 1, accumulate: call.accumulateColumnSums === true,
  }, limits);
  return [...product, ...(Array.isArray(columnSum) ? columnSum : [columnSum])];
}


/** Plan the fused linear layer on a given rung (the bench and tests try every rung). */
export function planLinearOn(call: LinearCall, rung: MatmulRung | 'auto', limits: PlanLimits): DispatchPlan[] {
  const { m, k, n, activation, alpha } = call;
  checkDims('linear', { m, k, n });
  if (!FUSED_ACTIVATIONS.includes(activation)) throw new Error(`linear: unknown activation '${String(activation)}'`);
  if (activation === 'leakyRelu' && !Number.isFinite(alpha)) throw new Error(`linear: leakyRelu slope must be finite, got ${alpha}`);
  checkBuffer('linear', 'x', call.x, m * n === 0 ? 0 : m * k);
  checkBuffer('linear', 'W', call.w, m * n === 0 ? 0 : k * n);
  if (call.b) checkBuffer('linear', 'bias', call.b, n);
  checkBuffer('linear', 'out', call.out, m * n);
  const inputs = call.b ? [call.x, call.w, call.b] : [call.x, call.w];
  return planProduct(
    { op: 'linear', rung: rung === 'auto' ? chooseRung(m, k, n) : rung, transA: false, transB: false, bias: call.b !== null, activation, activationGrad: 'none', accumulate: false },
    { batch: 1, m, k, n, strideA: 0, strideB: 0 }, inputs, [call.out], Number.isFinite(alpha) ? alpha : 0, limits,
  );
}

/** out = act(x · W + bias) in one kernel, on the rung 'auto' picks for a matmul of this shape. */
export const planLinear: Planner<'linear'> = (call: LinearCall, limits: PlanLimits) => planLinearOn(call, 'auto', limits);

// ---- Transpose --------------------------------------------------------------------------------

const TRANSPOSE_GROUP = 256;

/**
 * One thread per output element: out[j, i] = x[i, j] with out [cols, rows]. Threads run along
 * the output rows, so writes are contiguous and reads stride by `cols`. (A tiled transpose
 * through workgroup memory makes both contiguous; on a CPU adapter its barriers cost more
 * than it saves, and the engine's transposes are small.)
 */
function transposeWgsl(): string {
  return `// transpose: out[j, i] = x[i, j], x is [rows, cols], out is [cols, rows]
struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(${TRANSPOSE_GROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) l: u32) {
  let o = (wg.y * nwg.x + wg.x) * ${TRANSPOSE_GROUP}u + l; // flat output index (see gridFor)
  if (o >= p.rows * p.cols) { return; }
  let j = o / p.rows; // output row = input column
  let i = o % p.rows; // output column = input row
  out[o] = x[i * p.cols + j];
}
`;
}

export const planTranspose: Planner<'transpose'> = (call: TransposeCall, limits: PlanLimits) => {
  const { rows, cols } = call;
  checkDims('transpose', { rows, cols });
  checkBuffer('transpose', 'x', call.x, rows * cols);
  checkBuffer('transpose', 'out', call.out, rows * cols);
  if (rows * cols === 0) return [];
  return {
    key: 'transpose',
    wgsl: transposeWgsl,
    inputs: [call.x],
    outputs: [call.out],
    params: [{ u32: rows }, { u32: cols }],
    workgroups: gridFor(rows * cols, TRANSPOSE_GROUP, limits),
    label: 'transpose',
  };
};
