// Shapes, sizes and NumPy broadcasting.

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** A node of the trie of shared shapes: the shape that ends here, and the next dimensions. */
interface ShapeNode {
  shape: Shape | null;
  next: Map<number, ShapeNode> | null;
}

const sharedShapes: ShapeNode = { shape: null, next: null };
let sharedCount = 0;
const MAX_SHARED_SHAPES = 10_000;

/**
 * A frozen array equal to `shape`, the same one for every call with equal dimensions: tensors
 * of one shape share it (a tensor's shape never changes, and freezing a fresh copy for every
 * new tensor cost more than all the rest of making one). The shapes are kept in a trie, one
 * level per dimension; past MAX_SHARED_SHAPES distinct shapes, each call gets its own copy.
 */
export function frozenShape(shape: Shape): Shape {
  let node: ShapeNode | undefined = sharedShapes;
  for (let i = 0; i < shape.length && node !== undefined; i++) node = childOf(node, shape[i]);
  if (node === undefined) return Object.freeze([...shape]); // the trie is full
  return (node.shape ??= Object.freeze([...shape]));
}

/** The trie's node for dimension d after `node`, made if missing (undefined once the trie is full). */
function childOf(node: ShapeNode, d: number): ShapeNode | undefined {
  let child = node.next?.get(d);
  if (child === undefined && sharedCount < MAX_SHARED_SHAPES) {
    child = { shape: null, next: null };
    (node.next ??= new Map()).set(d, child);
    sharedCount++;
  }
  return child;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides: the step in the flat array for a step of 1 along each axis. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * NumPy broadcasting: align shapes on the right; each pair of dims must be equal or one of
 * them 1, and the result takes the larger. [8, 1, 3] with [4, 3] gives [8, 4, 3].
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading an input of shape `inShape` while walking an output of shape `outShape`
 * it broadcasts to: broadcast axes get stride 0, so the same element is read again.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    out[o] = inShape[i] === 1 && outShape[o] !== 1 ? 0 : inStrides[i];
  }
  return out;
}

/** Normalise a possibly negative axis; throws naming the op if out of range. */
export function normAxis(op: string, axis: number, rank: number): number {
  if (typeof axis !== 'number') {
    const what = Array.isArray(axis) ? `the array [${(axis as unknown[]).join(', ')}]` : typeof axis === 'object' && axis !== null ? `an object (${JSON.stringify(axis)})` : `${typeof axis} ${String(axis)}`;
    const advice = Array.isArray(axis)
      ? `; ${op} takes one axis: give one number (sum, mean, max, min, variance and std take a list of axes)`
      : `; give the axis as a number: ${op}(x, 1) or x.${op}(1)`;
    throw new Error(`${op}: axis must be a number, got ${what}${advice}`);
  }
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= Math.max(rank, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** View a shape as [outer, shape[axis], inner] around one axis. */
export function splitAtAxis(shape: Shape, axis: number): { outer: number; axisSize: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, axisSize: shape[axis] ?? 1, inner };
}

/** The largest tensor allocated: 4 GiB (a float32 tensor of 2^30 elements). */
export const MAX_TENSOR_BYTES = 4 * 2 ** 30;

/**
 * Refuse a tensor larger than MAX_TENSOR_BYTES before anything is allocated, naming the op, the
 * shape and the bytes: past it a typed array either cannot be made (a raw RangeError) or takes
 * the machine's memory and the process with it.
 */
export function checkAllocation(op: string, shape: Shape, dtype: 'float32' | 'float64' | 'int32'): void {
  const size = sizeOf(shape);
  const bytes = size * (dtype === 'float64' ? 8 : 4);
  if (bytes > MAX_TENSOR_BYTES) {
    throw new Error(`${op}: cannot allocate a ${dtype} tensor of shape ${formatShape(shape)} (${size} elements, ${bytes} bytes): the largest tensor is ${MAX_TENSOR_BYTES / 2 ** 30} GiB`);
  }
}
