// Kernel parameters (sizes, alpha, learning rate...) reach a shader through a uniform buffer.
// Creating a small buffer per dispatch is slow, so all dispatches of one submit share a ring:
// dispatch k gets the 256-byte slot k (256 B is WebGPU's minUniformBufferOffsetAlignment), its
// params are packed into a CPU copy of the ring, and the bind group points at the slot through
// a dynamic offset. One writeBuffer uploads every slot just before the submit; the queue runs
// that write after the previous submit's work, so the ring is reused from slot 0 every submit.
// When a submit needs more slots than the ring has, the backend submits early and grows it.

import type { Param } from './plan';

export const SLOT_BYTES = 256;
/** Every param is a 4-byte scalar, so a slot holds this many. */
export const MAX_PARAMS = SLOT_BYTES / 4;

export class UniformRing {
  buffer: GPUBuffer;
  /** Bumped each time `buffer` is replaced (bind groups that point at the old one are stale). */
  generation = 0;
  private capacity: number;
  private used = 0;
  private staging: ArrayBuffer;
  private u32: Uint32Array;
  private i32: Int32Array;
  private f32: Float32Array;

  constructor(private readonly device: GPUDevice, slots: number, private readonly onCreate: () => void) {
    this.capacity = slots;
    this.buffer = this.makeBuffer();
    this.staging = new ArrayBuffer(slots * SLOT_BYTES);
    this.u32 = new Uint32Array(this.staging);
    this.i32 = new Int32Array(this.staging);
    this.f32 = new Float32Array(this.staging);
  }

  private makeBuffer(): GPUBuffer {
    this.onCreate();
    return this.device.createBuffer({
      size: this.capacity * SLOT_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: `uniform ring (${this.capacity} slots)`,
    });
  }

  get hasRoom(): boolean {
    return this.used < this.capacity;
  }

  /** Pack params into the next slot; returns its byte offset (the dynamic offset). */
  push(params: readonly Param[], label: string): number {
    if (params.length > MAX_PARAMS) throw new Error(`webgpu ${label}: ${params.length} params do not fit a ${SLOT_BYTES}-byte uniform slot`);
    const slot = this.used++;
    const base = (slot * SLOT_BYTES) / 4;
    for (let j = 0; j < params.length; j++) {
      const p = params[j];
      if ('f32' in p) this.f32[base + j] = p.f32;
      else if ('u32' in p) this.u32[base + j] = p.u32;
      else this.i32[base + j] = p.i32;
    }
    return slot * SLOT_BYTES;
  }

  /** Upload the used slots (call right before queue.submit) and start again at slot 0. */
  upload(queue: GPUQueue): void {
    if (this.used > 0) queue.writeBuffer(this.buffer, 0, this.staging, 0, this.used * SLOT_BYTES);
    this.used = 0;
  }

  /** Double the ring (only between submits: the current one must be empty). */
  grow(): void {
    if (this.used !== 0) throw new Error('UniformRing.grow: upload the pending slots first');
    this.buffer.destroy(); // deferred by WebGPU until submitted work using it has run
    this.capacity *= 2;
    this.buffer = this.makeBuffer();
    this.staging = new ArrayBuffer(this.capacity * SLOT_BYTES);
    this.u32 = new Uint32Array(this.staging);
    this.i32 = new Int32Array(this.staging);
    this.f32 = new Float32Array(this.staging);
    this.generation++;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
