// GPU buffers are slow to create and are never garbage collected, so the backend keeps the ones
// tensors release and hands them out again. Buffers are bucketed by size class: the byte size
// rounded up to a power of two, at least MIN_BUCKET_BYTES. A tensor of 1000 floats (4000 B)
// gets a 4096 B buffer, and any later tensor of 2049 .. 4096 bytes can reuse it. The price is
// at most 2x the memory of the tensors themselves; the gain is that a training loop whose shapes
// repeat creates no buffer at all after its first steps.

/** The smallest buffer handed out: small tensors (scalars, biases) share one class. */
export const MIN_BUCKET_BYTES = 256;

/** The size class of a request: the next power of two >= bytes, and >= MIN_BUCKET_BYTES. */
export function bucketBytes(bytes: number): number {
  let size = MIN_BUCKET_BYTES;
  while (size < bytes) size *= 2;
  return size;
}

/** A pooled GPUBuffer with a small integer id (bind groups are cached by buffer ids). */
export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  readonly id: number;
}

let nextBufferId = 1;

export class BufferPool {
  private readonly free = new Map<number, PooledBuffer[]>();
  /** GPUBuffers created from scratch by this pool (cumulative). */
  creations = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly label: string,
  ) {}

  /**
   * A buffer of at least `bytes` bytes: a released one of the same class (the lowest id), else
   * a new one. Handing out the lowest id makes a repeated training step get the very same
   * buffers in the very same roles every time, so its bind groups are all found in the cache
   * from the second step on (a LIFO stack would cycle through arrangements for many steps).
   */
  acquire(bytes: number): PooledBuffer {
    const size = bucketBytes(bytes);
    const reused = this.free.get(size)?.pop();
    if (reused) return reused;
    this.creations++;
    const buffer = this.device.createBuffer({ size, usage: this.usage, label: `${this.label} ${size} B` });
    return { buffer, id: nextBufferId++ };
  }

  /** Give a buffer back for reuse (the caller no longer refers to it). */
  release(b: PooledBuffer): void {
    let list = this.free.get(b.buffer.size);
    if (!list) this.free.set(b.buffer.size, (list = []));
    // Keep each list sorted by descending id, so pop() returns the lowest id.
    let i = list.length;
    while (i > 0 && list[i - 1].id < b.id) i--;
    list.splice(i, 0, b);
  }

  /** Buffers waiting in the pool. */
  get pooled(): number {
    let n = 0;
    for (const list of this.free.values()) n += list.length;
    return n;
  }

  /** Destroy the pooled buffers (the ones handed out are the caller's). */
  destroyFree(): void {
    for (const list of this.free.values()) for (const b of list) b.buffer.destroy();
    this.free.clear();
  }
}
