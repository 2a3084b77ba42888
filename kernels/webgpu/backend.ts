// The WebGPU backend: tensors are GPUBuffers, kernels are WGSL compute shaders.
//
// How work flows (one training step = one submit):
//   run(call)   asks the kernel file for DispatchPlans (kernels/webgpu/*.wgsl.ts), and records
//               each one into the current compute pass: set the (cached) pipeline, the (cached)
//               bind group with this dispatch's uniform slot, dispatch. Nothing runs yet.
//   endStep()   (the optimizers call it at the end of step()) and flush() submit the recorded
//               work to the GPU queue in one command buffer.
//   read(t)     copies the buffer into a MAP_READ staging buffer, submits, waits for the map,
//               and returns a copy. Each read has its own staging buffer, so several reads can
//               be in flight at once.
//   write(t)    uses queue.writeBuffer, which the queue runs before the next submit. If work
//               recorded but not yet submitted uses that buffer, it is submitted first, so the
//               write cannot change what that earlier work sees.
//
// Reuse, so a warm step creates no GPU objects: buffers come from a pool (buffer-pool.ts),
// params go into a uniform ring (uniforms.ts), pipelines are cached by plan key, bind groups
// by (layout, buffers) with the uniform slot passed as a dynamic offset.

import { currentBackend, findBackend, useBackend, type Backend, type BackendStats, type DataArray, type DType, type KernelCall, type Storage } from '../../engine/backend';
import { CpuBackend } from '../cpu/backend';
import { BufferPool, type PooledBuffer } from './buffer-pool';
import { gpuWait, isNode, nodeGpu } from './node-gpu';
import { DEFAULT_LIMITS, WANTED_STORAGE_BUFFERS, type DispatchPlan, type PlanLimits } from './plan';
import { planCall } from './planners';
import { cachedMatmulTuning, planTuned, ruleTuning, tuningSwitchedOff, TUNE_SHAPES, type MatmulShapeClass, type MatmulTuning, type TuneOptions } from './matmul-tune';
import { planMatmulOn, type MatmulRung } from './matmul.wgsl';
import { SLOT_BYTES, UniformRing } from './uniforms';

/** A tensor's buffer on the GPU. `size` counts elements; the GPUBuffer may be larger (its size class). */
export class GpuStorage implements Storage {
  readonly backend = 'webgpu' as const;
  constructor(readonly size: number, readonly dtype: DType, public pooled: PooledBuffer | null, readonly owner: WebGpuBackend) {}
}

interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layoutKey: string;
  layout: GPUBindGroupLayout;
}

/** Bind groups kept at most (a warm training loop needs far fewer; the cache is cleared when full). */
const MAX_BIND_GROUPS = 4096;
/** Submits in one synchronous stretch after which a loop that never awaits is warned about. */
export const SUBMITS_WITHOUT_YIELD_WARNING = 2000;
/** Uniform slots in the ring at first (it doubles when one submit needs more). */
const INITIAL_UNIFORM_SLOTS = 1024;

/** WGSL source of every compiled kernel, by plan key and by label (for kernelSource()). */
const sources = new Map<string, string>();

/** The WGSL of a kernel that has run, by its label ('unary.exp') or pipeline key; undefined if none ran yet. */
export function kernelSource(labelOrKey: string): string | undefined {
  return sources.get(labelOrKey);
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly limits: PlanLimits;
  /** Why the device was lost, once it was (every later use throws with it). */
  lostReason: string | null = null;

  private readonly storagePool: BufferPool;
  private readonly stagingPool: BufferPool;
  private readonly uniforms: UniformRing;
  private readonly pipelines = new Map<string, CachedPipeline>();
  private readonly layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** Buffers that recorded-but-unsubmitted work reads or writes (see write()). */
  private readonly pendingUse = new Set<GPUBuffer>();
  private readonly errors: string[] = [];
  private destroyed = false;
  private lastPlanned: { call: KernelCall; plans: DispatchPlan[] } | null = null;
  private errorFlag: GpuStorage | null = null;
  private submitsWithoutYield = 0;
  private warnedNoYield = false;
  /** What 'auto' runs for each shape class of matmul and linear: the rule until tuneMatmul() times the rungs. */
  matmulTuning: MatmulTuning;
  /** Whether plans follow matmulTuning (false: chooseRung's rule, see setMatmulTuning). */
  private matmulTuned = true;
  private counters = { liveBuffers: 0, dispatches: 0, submits: 0, bindGroupCreations: 0, pipelineCreations: 0, uniformCreations: 0 };

  constructor(readonly device: GPUDevice, readonly adapterName: string) {
    this.limits = { ...DEFAULT_LIMITS, maxStorageBuffersPerShaderStage: device.limits.maxStorageBuffersPerShaderStage };
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.storagePool = new BufferPool(device, usage, 'tensor');
    this.stagingPool = new BufferPool(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'staging');
    this.uniforms = new UniformRing(device, INITIAL_UNIFORM_SLOTS, () => this.counters.uniformCreations++);
    this.matmulTuning = ruleTuning(adapterName);
    device.onuncapturederror = (e) => {
      const message = (e as GPUUncapturedErrorEvent).error.message;
      this.errors.push(message);
      console.error(`gradlab webgpu: ${message}`);
    };
    void device.lost.then((info) => this.onLost(info));
  }

  // ---- device loss ------------------------------------------------------------------------

  private onLost(info: GPUDeviceLostInfo): void {
    if (this.destroyed) return; // we destroyed it on purpose
    this.lostReason = `${info.reason}${info.message ? `: ${info.message}` : ''}`;
    console.warn(`gradlab: the WebGPU device was lost (${this.lostReason}). Switching to the CPU backend; tensors that lived on the GPU are gone.`);
    this.encoder = null;
    this.pass = null;
    if (currentBackend() === this) useBackend(findBackend('cpu') ?? new CpuBackend());
  }

  private assertAlive(op: string): void {
    if (this.lostReason !== null) {
      throw new Error(`${op}: the WebGPU device was lost (${this.lostReason}); tensors on it are gone; recreate them on the CPU backend`);
    }
    if (this.destroyed) throw new Error(`${op}: this WebGPU backend was destroyed`);
  }

  /** Lose the device on purpose, as a driver reset would (tests of the recovery path). */
  loseDeviceForTesting(): void {
    this.device.destroy();
  }

  /** Free everything and destroy the device (no warning, no switch). */
  destroy(): void {
    this.destroyed = true;
    this.storagePool.destroyFree();
    this.stagingPool.destroyFree();
    this.uniforms.destroy();
    this.device.destroy();
  }

  // ---- buffers ------------------------------------------------------------------------------

  alloc(size: number, dtype: DType): Storage {
    this.assertAlive('alloc');
    if (dtype === 'float64') {
      throw new Error('float64 tensors exist on the CPU backend only (gradcheck runs there); use float32 on webgpu');
    }
    const bytes = Math.max(size, 1) * 4;
    const max = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > max) throw new Error(`webgpu alloc: a tensor of ${size} elements (${bytes} bytes) exceeds the device's storage binding limit of ${max} bytes`);
    this.counters.liveBuffers++;
    return new GpuStorage(size, dtype, this.storagePool.acquire(bytes), this);
  }

  release(storage: Storage): void {
    const s = storage as GpuStorage;
    if (s.pooled === null) return; // released twice, or lost with the device
    this.counters.liveBuffers--;
    if (this.lostReason === null && !this.destroyed) this.storagePool.release(s.pooled);
    s.pooled = null;
  }

  /** The GPUBuffer behind a storage, checking it belongs here and is still live. */
  private bufferOf(s: Storage, op: string): GPUBuffer {
    const g = s as GpuStorage;
    if (!(g instanceof GpuStorage) || g.owner !== this) throw new Error(`${op}: the buffer does not live on this WebGPU backend (backend '${s.backend}')`);
    if (g.pooled === null) throw new Error(`${op}: the buffer was already released`);
    return g.pooled.buffer;
  }

  write(dst: Storage, data: ArrayLike<number>): void {
    this.assertAlive('write');
    const buffer = this.bufferOf(dst, 'write');
    if (data.length > dst.size) throw new Error(`webgpu write: ${data.length} values do not fit a buffer of ${dst.size} elements`);
    // Recorded work that uses this buffer must see the old contents: submit it first.
    if (this.pendingUse.has(buffer)) this.submit();
    const array = dst.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    this.device.queue.writeBuffer(buffer, 0, array);
  }

  async read(src: Storage): Promise<DataArray> {
    this.assertAlive('read');
    const buffer = this.bufferOf(src, 'read');
    const bytes = Math.max(src.size, 1) * 4;
    const flag = this.errorFlag?.pooled?.buffer ?? null;
    const flagAt = Math.ceil(bytes / 8) * 8; // mapped ranges start at multiples of 8
    const staging = this.stagingPool.acquire(flag ? flagAt + 16 : bytes);
    this.endPass();
    this.ensureEncoder().copyBufferToBuffer(buffer, 0, staging.buffer, 0, bytes);
    if (flag) this.ensureEncoder().copyBufferToBuffer(flag, 0, staging.buffer, flagAt, 16);
    this.pendingUse.add(buffer);
    this.submit();
    const mapped = flag ? flagAt + 16 : bytes;
    try {
      await gpuWait(() => staging.buffer.mapAsync(GPUMapMode.READ, 0, mapped));
    } catch (err) {
      this.assertAlive('read'); // a lost device explains itself
      throw err;
    }
    const copy = staging.buffer.getMappedRange(0, bytes).slice(0);
    const words = flag ? new Int32Array(staging.buffer.getMappedRange(flagAt, 16).slice(0)) : null;
    staging.buffer.unmap();
    this.stagingPool.release(staging);
    this.throwErrors();
    if (words) this.throwGatherError(words);
    const data = src.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return data.length === src.size ? data : data.subarray(0, src.size);
  }

  // ---- recording and submitting -------------------------------------------------------------

  run(call: KernelCall): void {
    this.assertAlive(call.kernel);
    // gather gets the error flag, so an out-of-range index is reported at the next read.
    const planned = call.kernel === 'gather' ? { ...call, errorFlag: this.gatherFlag() } : call;
    for (const plan of this.plan(planned)) this.record(plan);
  }

  /** 4 int32 words, zero until a gather meets a bad index: [1, index, rows, position]. Not counted as a live buffer. */
  private gatherFlag(): GpuStorage {
    if (this.errorFlag === null) {
      this.errorFlag = new GpuStorage(4, 'int32', this.storagePool.acquire(16), this);
      this.device.queue.writeBuffer(this.errorFlag.pooled!.buffer, 0, new Int32Array(4));
    }
    return this.errorFlag;
  }

  /** Throw the CPU's error for a bad gather index the GPU saw (and clear the flag). */
  private throwGatherError(words: Int32Array): void {
    if (words[0] === 0) return;
    this.device.queue.writeBuffer(this.errorFlag!.pooled!.buffer, 0, new Int32Array(4));
    throw new Error(`gather: index ${words[1]} at position ${words[3]} is out of range for ${words[2]} rows (found on the GPU, reported at this read)`);
  }

  /** Record plans made outside the kernel table (debug kernels such as the raw Philox words). */
  runPlans(plans: DispatchPlan[]): void {
    this.assertAlive('runPlans');
    for (const plan of plans) this.record(plan);
  }

  /** What run(call) will dispatch: labels and workgroup counts (for the trace and the debug log). */
  describe(call: KernelCall): { label: string; workgroups: [number, number, number][] } {
    const plans = this.plan(call);
    return { label: plans.map((p) => p.label).join(' + '), workgroups: plans.map((p) => p.workgroups) };
  }

  private plan(call: KernelCall): DispatchPlan[] {
    // describe() runs just before run() for the same call when tracing: plan once.
    if (this.lastPlanned?.call === call) return this.lastPlanned.plans;
    const tuned = this.matmulTuned && this.matmulTuning.tuned ? planTuned(call, this.matmulTuning.rungs, this.limits) : null;
    const plans = tuned ?? planCall(call, this.limits);
    this.lastPlanned = { call, plans };
    return plans;
  }

  private record(plan: DispatchPlan): void {
    const [x, y, z] = plan.workgroups;
    const maxGroups = this.limits.maxWorkgroupsPerDimension;
    if (x > maxGroups || y > maxGroups || z > maxGroups) {
      throw new Error(`webgpu ${plan.label}: ${plan.workgroups.join('x')} workgroups exceed ${maxGroups} per dimension`);
    }
    const cached = this.pipeline(plan);
    if (!this.uniforms.hasRoom) {
      // More dispatches than uniform slots in one submit: submit early, then grow the ring.
      this.submit();
      this.uniforms.grow();
      this.bindGroups.clear();
    }
    const offset = this.uniforms.push(plan.params, plan.label);
    const bindGroup = this.bindGroup(cached, plan);
    const pass = this.ensurePass();
    pass.setPipeline(cached.pipeline);
    pass.setBindGroup(0, bindGroup, [offset]);
    pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
  }

  private ensureEncoder(): GPUCommandEncoder {
    if (this.encoder === null) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private ensurePass(): GPUComputePassEncoder {
    if (this.pass === null) this.pass = this.ensureEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Send the recorded work to the GPU (no waiting). */
  submit(): void {
    if (this.encoder === null || this.lostReason !== null) return;
    this.endPass();
    this.uniforms.upload(this.device.queue); // queued before the command buffer that reads it
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pendingUse.clear();
    this.counters.submits++;
    this.noteSubmitWithoutYield();
  }

  /**
   * WebGPU has no synchronous wait: a loop that never awaits cannot be held back, and the GPU
   * driver keeps each finished submit's bookkeeping until the event loop turns (~20 KB a step
   * measured on lavapipe). Count submits until the caller next yields and say so, once, when a
   * loop runs far ahead without awaiting.
   */
  private noteSubmitWithoutYield(): void {
    if (this.submitsWithoutYield++ === 0) queueMicrotask(() => { this.submitsWithoutYield = 0; });
    if (this.submitsWithoutYield === SUBMITS_WITHOUT_YIELD_WARNING && !this.warnedNoYield) {
      this.warnedNoYield = true;
      console.warn(
        `[gradlab] webgpu: ${SUBMITS_WITHOUT_YIELD_WARNING} submits without an await; memory grows until the loop yields. ` +
          'Await something now and then (e.g. `await flush()` every 100 steps, or read a loss once per epoch).',
      );
    }
  }

  endStep(): void {
    if (this.lostReason === null) this.submit();
  }

  async flush(): Promise<void> {
    this.assertAlive('flush');
    this.submit();
    await gpuWait(() => this.device.queue.onSubmittedWorkDone());
    this.throwErrors();
  }

  /** GPU validation errors are reported asynchronously; surface them at the next read or flush. */
  private throwErrors(): void {
    if (this.errors.length === 0) return;
    const all = this.errors.splice(0);
    throw new Error(`webgpu: ${all.length} GPU error(s): ${all.join(' | ')}`);
  }

  // ---- caches -------------------------------------------------------------------------------

  /** Bind group layout for r read-only storage buffers, w read-write ones, and the uniform slot. */
  private layoutFor(r: number, w: number): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    const key = `${r}r${w}w`;
    let layout = this.layouts.get(key);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      for (let i = 0; i < r + w; i++) {
        entries.push({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: i < r ? 'read-only-storage' : 'storage' } });
      }
      entries.push({ binding: r + w, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } });
      const group = this.device.createBindGroupLayout({ entries, label: key });
      layout = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(key, layout);
    }
    return layout;
  }

  private pipeline(plan: DispatchPlan): CachedPipeline {
    let cached = this.pipelines.get(plan.key);
    if (!cached) {
      const r = plan.inputs.length;
      const w = plan.outputs.length;
      const layout = this.layoutFor(r, w);
      const code = plan.wgsl();
      sources.set(plan.key, code);
      sources.set(plan.label, code);
      const module = this.device.createShaderModule({ code, label: plan.label });
      const pipeline = this.device.createComputePipeline({ layout: layout.pipeline, compute: { module, entryPoint: 'main' }, label: plan.key });
      cached = { pipeline, layoutKey: `${r}r${w}w`, layout: layout.group };
      this.pipelines.set(plan.key, cached);
      this.counters.pipelineCreations++;
    }
    return cached;
  }

  /** Bind groups depend on the layout and on which buffers (and how many bytes of each) are bound. */
  private bindGroup(cached: CachedPipeline, plan: DispatchPlan): GPUBindGroup {
    const buffers = [...plan.inputs, ...plan.outputs];
    let key = `${cached.layoutKey}|${this.uniforms.generation}`;
    for (const s of buffers) key += `|${(s as GpuStorage).pooled?.id ?? 0}:${s.size}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      const entries: GPUBindGroupEntry[] = buffers.map((s, binding) => ({
        binding,
        resource: { buffer: this.bufferOf(s, plan.label), offset: 0, size: Math.max(s.size, 1) * 4 },
      }));
      entries.push({ binding: buffers.length, resource: { buffer: this.uniforms.buffer, offset: 0, size: SLOT_BYTES } });
      if (this.bindGroups.size >= MAX_BIND_GROUPS) this.bindGroups.clear();
      group = this.device.createBindGroup({ layout: cached.layout, entries, label: plan.label });
      this.bindGroups.set(key, group);
      this.counters.bindGroupCreations++;
    }
    for (const s of buffers) this.pendingUse.add(this.bufferOf(s, plan.label));
    return group;
  }

  // ---- the matmul that tunes itself (matmul-tune.ts) ---------------------------------------------

  /**
   * Time the matmul ladder's rungs on this adapter (once per adapter and session: cached) and
   * let 'auto' follow the fastest per shape class. The tuning's own dispatches and submits are
   * not counted in stats().
   */
  async tuneMatmul(options: TuneOptions = {}): Promise<MatmulTuning> {
    const { dispatches, submits } = this.counters;
    this.lastPlanned = null;
    try {
      this.matmulTuning = await cachedMatmulTuning(this.adapterName, (cls, rung, msLeft) => this.timeRung(cls, rung, msLeft), options);
    } finally {
      this.counters.dispatches = dispatches;
      this.counters.submits = submits;
    }
    return this.matmulTuning;
  }

  /** Follow the tuning (true) or chooseRung's fixed rule (false) in 'auto'. */
  setMatmulTuning(on: boolean): void {
    this.matmulTuned = on;
    this.lastPlanned = null;
  }

  /** Whether 'auto' follows the timed tuning now (it ran, and was not switched off). */
  get matmulTuningActive(): boolean {
    return this.matmulTuned && this.matmulTuning.tuned;
  }

  /**
   * Milliseconds per product of the class's representative shape on one rung: compiled and run
   * once untimed, then the fastest of up to 3 rounds (each of enough products to last about
   * 2 ms), fewer when msLeft runs out.
   */
  private async timeRung(cls: MatmulShapeClass, rung: MatmulRung, msLeft: number): Promise<number> {
    const start = performance.now();
    const { m, k, n } = TUNE_SHAPES[cls];
    const filled = (len: number, seed: number): Float32Array => Float32Array.from({ length: len }, (_, i) => Math.sin(seed + 0.37 * i));
    const a = this.alloc(m * k, 'float32');
    const b = this.alloc(k * n, 'float32');
    const out = this.alloc(m * n, 'float32');
    try {
      this.write(a, filled(m * k, 1));
      this.write(b, filled(k * n, 2));
      const plans = planMatmulOn({ kernel: 'matmul', a, b, out, batch: 1, m, k, n, transA: false, transB: false, strideA: 0, strideB: 0 }, rung, this.limits);
      this.runPlans(plans);
      await this.flush();
      let best = Infinity;
      let reps = 1;
      for (let round = 0; round < 3 && (round === 0 || performance.now() - start < msLeft); round++) {
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) this.runPlans(plans);
        await this.flush();
        const ms = (performance.now() - t0) / reps;
        best = Math.min(best, ms);
        reps = Math.max(1, Math.min(8, Math.ceil(2 / Math.max(ms, 0.01))));
      }
      return best;
    } finally {
      this.release(a);
      this.release(b);
      this.release(out);
    }
  }

  stats(): BackendStats {
    return {
      liveBuffers: this.counters.liveBuffers,
      bufferCreations: this.storagePool.creations + this.stagingPool.creations + this.counters.uniformCreations,
      dispatches: this.counters.dispatches,
      submits: this.counters.submits,
      bindGroupCreations: this.counters.bindGroupCreations,
      pipelineCreations: this.counters.pipelineCreations,
    };
  }
}

// ---- creating the backend ---------------------------------------------------------------------

let lastError: string | null = null;

/** Why the last createWebGpuBackend() returned null, with the fix; null if it did not fail. */
export function lastWebGpuError(): string | null {
  return lastError;
}

function fixHint(): string {
  return isNode()
    ? 'In Node, WebGPU runs on Dawn, an optional peer package: install it with `npm install webgpu`. On Linux it needs a Vulkan driver ' +
      '(without a GPU, Mesa >= 24 lavapipe: `apt install mesa-vulkan-drivers libvulkan1`, from bookworm-backports on Debian 12) ' +
      'and XDG_RUNTIME_DIR set (e.g. export XDG_RUNTIME_DIR=/tmp).'
    : 'In a browser, use a recent Chrome or Edge with WebGPU enabled; meanwhile the page runs on the CPU backend.';
}

export interface WebGpuBackendOptions {
  /** Time the matmul ladder's rungs at start-up and let 'auto' follow the fastest (default: on, unless GRADLAB_MATMUL_TUNE=off). */
  tuneMatmul?: boolean;
}

/**
 * A WebGPU backend on the first adapter found, or null (never throws) when there is none;
 * lastWebGpuError() then says why and how to fix it.
 * The matmul rungs are timed on the adapter before it returns (see tuneMatmul).
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend | null> {
  for (const key of Object.keys(options)) {
    if (key !== 'tuneMatmul') throw new Error(`createWebGpuBackend: unknown option '${key}' (known: tuneMatmul)`);
  }
  lastError = null;
  try {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    let gpu: GPU | undefined = nav?.gpu;
    if (!gpu && isNode()) {
      try {
        gpu = await nodeGpu();
      } catch (err) {
        lastError = `could not load the 'webgpu' package (${(err as Error).message}). ${fixHint()}`;
        return null;
      }
    }
    if (!gpu) {
      lastError = `this environment has no navigator.gpu. ${fixHint()}`;
      return null;
    }
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      lastError = `no WebGPU adapter was found. ${fixHint()}`;
      return null;
    }
    // More storage buffers per kernel lets multi-tensor Adam update more parameters per dispatch.
    const storageBuffers = Math.min(WANTED_STORAGE_BUFFERS, adapter.limits.maxStorageBuffersPerShaderStage);
    const device = await adapter.requestDevice({ requiredLimits: { maxStorageBuffersPerShaderStage: storageBuffers } });
    const info = adapter.info;
    const backend = new WebGpuBackend(device, info?.description || info?.device || info?.vendor || 'unknown adapter');
    if (options.tuneMatmul ?? !tuningSwitchedOff()) {
      try {
        await backend.tuneMatmul();
      } catch (err) {
        console.warn(`gradlab webgpu: timing the matmul rungs failed (${(err as Error).message}); 'auto' keeps the fixed rule`);
      }
    }
    return backend;
  } catch (err) {
    lastError = `WebGPU initialisation failed: ${(err as Error).message}. ${fixHint()}`;
    return null;
  }
}
