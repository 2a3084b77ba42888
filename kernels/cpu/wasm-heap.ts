// The CPU backend's float32 arrays inside the GEMM kernel's WebAssembly memory, so that a product
// passes the kernel its operands' byte addresses instead of copying them in and the result out.
//
// The memory is one region with a bump pointer: arrays are carved from the top and never handed
// back (the backend's pool, keyed by dtype and size, reuses them as it reuses any array), and the
// kernel's scratch for operands that must still be copied (a B that is stored transposed, a row
// length that is not a multiple of 8, arrays made outside the pool) is carved from it as well.
//
// Growth: a memory grows by whole pages of 64 KiB. A *shared* memory keeps every view made before
// a growth valid (the old view keeps its old length; the pages never move), while growing an
// unshared memory detaches all its views. So arrays are handed out only from a shared memory
// (gemm.wat?shared, the one the worker threads use too; in Node always, in a page when it is
// cross-origin isolated); elsewhere every array is an ordinary one and every product copies.
// Each growth makes a new SharedArrayBuffer object for the same memory, so an array is known to
// be inside by its buffer being one of those (`addressOf`).
//
// What is never handed back stays: tensors that are dropped without being released (disposed)
// leave their region unused. To bound that, at most ARRAY_BYTES_MAX bytes go to arrays; past it
// arrays are ordinary ones again (their products copy, as before).

/** Arrays of fewer floats are ordinary ones: their products are small, or they are not products' operands (biases). */
export const HEAP_MIN_FLOATS = 1024;
/** The most bytes handed out as arrays (scratch is apart). */
export const ARRAY_BYTES_MAX = 256 * 1024 * 1024;
const PAGE = 65536;
const ALIGN = 16; // a vector: the kernel's loads need no alignment, but aligned ones do not cross cache lines as often

export class WasmHeap {
  /** The memory as floats (refreshed on growth). */
  floats: Float32Array;
  private top: number;
  private arrayBytes = 0;
  private readonly buffers = new Set<ArrayBufferLike>();
  private scratchAt = 0;
  private scratchBytes = 0;

  constructor(readonly memory: WebAssembly.Memory, readonly shared: boolean) {
    this.floats = new Float32Array(memory.buffer);
    this.buffers.add(memory.buffer);
    this.top = ALIGN; // address 0 stays unused
  }

  /** Byte address of `bytes` fresh bytes (aligned), growing the memory; -1 where it cannot grow that far. */
  private carve(bytes: number): number {
    const at = this.top;
    const end = at + Math.ceil(bytes / ALIGN) * ALIGN;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        return -1;
      }
      this.buffers.add(this.memory.buffer);
      this.floats = new Float32Array(this.memory.buffer);
    }
    this.top = end;
    return at;
  }

  /** A fresh float32 array inside the memory, or null (an unshared memory, a small size, or past ARRAY_BYTES_MAX). */
  array(size: number): Float32Array | null {
    if (!this.shared || size < HEAP_MIN_FLOATS || this.arrayBytes + size * 4 > ARRAY_BYTES_MAX) return null;
    const at = this.carve(size * 4);
    if (at < 0) return null;
    this.arrayBytes += size * 4;
    return new Float32Array(this.memory.buffer, at, size);
  }

  /** Byte address of a[offset] when a lies inside this memory, else -1. */
  addressOf(a: Float32Array, offset: number): number {
    return this.buffers.has(a.buffer) ? a.byteOffset + offset * 4 : -1;
  }

  /**
   * Byte address of a scratch region of `bytes`, valid until the next call (the same region is
   * reused while it is large enough; a larger need carves a new one, at least twice the old).
   * With an unshared memory nothing else lives in it, so scratch starts again at the bottom.
   */
  scratch(bytes: number): number {
    if (bytes <= this.scratchBytes) return this.scratchAt;
    if (!this.shared) this.top = ALIGN;
    const size = Math.max(bytes, 2 * this.scratchBytes);
    const at = this.carve(size);
    if (at < 0) return -1;
    this.scratchAt = at;
    this.scratchBytes = size;
    return at;
  }
}
