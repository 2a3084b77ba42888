// A minimal runner for DispatchPlans (kernels/webgpu/plan.ts), so kernel files can be tested
// without the WebGPU backend: it does the backend's stateful part the plain way. One device
// (Dawn via the npm package `webgpu`, on lavapipe without a GPU), a pipeline per plan key,
// an explicit bind group layout in the plan.ts order (inputs read-only, outputs read_write,
// then the uniform Params), a uniform buffer packed from `params`.
//
// Storages are fake: a Storage with the GPUBuffer inside. Every GPU promise is awaited (Dawn
// crashes the process if Node exits while one is pending).

import { create, globals } from 'webgpu';
import type { DType, Storage } from '../../engine/backend';
import type { DispatchPlan, Param } from '../../kernels/webgpu/plan';

export interface HarnessStorage extends Storage {
  readonly buffer: GPUBuffer;
}

/**
 * The GPU object from create() must stay referenced for as long as its devices are used:
 * found here, once it is garbage-collected Dawn aborts the process at the next awaited GPU
 * promise ("futex facility returned an unexpected error code", mutex assertions, segfaults).
 */
let gpu: GPU | null = null;
let devicePromise: Promise<GPUDevice> | null = null;

// Mesa's Vulkan loader wants a runtime dir; CI containers often have none.
process.env.XDG_RUNTIME_DIR ??= '/tmp';

/** The one device of this process (created on first use). */
export function harnessDevice(): Promise<GPUDevice> {
  devicePromise ??= (async () => {
    Object.assign(globalThis, globals);
    gpu ??= create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('plan-harness: no WebGPU adapter (see tests/setup/install-system-deps.sh)');
    const device = await adapter.requestDevice();
    device.onuncapturederror = (e) => console.error(`plan-harness: uncaptured GPU error: ${e.error.message}`);
    return device;
  })();
  return devicePromise;
}

/**
 * Destroy the device (call it in afterAll): a Dawn device still alive when a test worker
 * exits can crash the process.
 */
export async function closeHarnessDevice(): Promise<void> {
  if (!devicePromise) return;
  const device = await devicePromise;
  devicePromise = null;
  await device.queue.onSubmittedWorkDone();
  device.destroy();
}

/** A storage buffer of `size` float32 elements, filled with `data` when given. */
export function makeStorage(device: GPUDevice, size: number, data?: Float32Array, dtype: DType = 'float32'): HarnessStorage {
  const buffer = device.createBuffer({
    size: Math.max(4, size * 4), // a zero-size binding is invalid
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
  if (data) device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return { backend: 'webgpu', size, dtype, buffer };
}

export async function readStorage(device: GPUDevice, s: Storage): Promise<Float32Array> {
  const src = (s as HarnessStorage).buffer;
  const bytes = Math.max(4, s.size * 4);
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(src, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0, s.size * 4));
  staging.unmap();
  staging.destroy();
  return out;
}

/** Pack params as plan.ts says: one 4-byte scalar each, in order (size rounded up to 16 bytes). */
export function packParams(params: Param[]): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((params.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  params.forEach((param, i) => {
    if ('u32' in param) view.setUint32(i * 4, param.u32, true);
    else if ('i32' in param) view.setInt32(i * 4, param.i32, true);
    else view.setFloat32(i * 4, param.f32, true);
  });
  return bytes;
}

interface CompiledPlan {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const pipelines = new WeakMap<GPUDevice, Map<string, CompiledPlan>>();

/** Compile a plan's WGSL once per key, with the bind group layout of plan.ts. */
export async function compile(device: GPUDevice, plan: DispatchPlan): Promise<CompiledPlan> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  const hit = cache.get(plan.key);
  if (hit) return hit;
  const entries: GPUBindGroupLayoutEntry[] = [];
  for (let i = 0; i < plan.inputs.length; i++) {
    entries.push({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } });
  }
  for (let i = 0; i < plan.outputs.length; i++) {
    entries.push({ binding: plan.inputs.length + i, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } });
  }
  entries.push({ binding: plan.inputs.length + plan.outputs.length, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
  const layout = device.createBindGroupLayout({ entries });
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: plan.wgsl() });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    await device.popErrorScope();
    throw new Error(`plan-harness: WGSL of ${plan.key} does not compile:\n${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}`);
  }
  const pipeline = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main' },
  });
  const error = await device.popErrorScope();
  if (error) throw new Error(`plan-harness: pipeline ${plan.key}: ${error.message}`);
  const compiled = { pipeline, layout };
  cache.set(plan.key, compiled);
  return compiled;
}

/** What one dispatch needs: the pipeline and a bind group with its own uniform buffer. */
export interface PreparedDispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
  uniform: GPUBuffer;
}

export async function prepare(device: GPUDevice, plan: DispatchPlan): Promise<PreparedDispatch> {
  const { pipeline, layout } = await compile(device, plan);
  const packed = packParams(plan.params);
  const uniform = device.createBuffer({ size: packed.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniform, 0, packed);
  const buffers = [...plan.inputs, ...plan.outputs].map((s) => (s as HarnessStorage).buffer);
  buffers.push(uniform);
  const bindGroup = device.createBindGroup({
    layout,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { pipeline, bindGroup, workgroups: plan.workgroups, uniform };
}

/** Record prepared dispatches `repeat` times into one compute pass and submit once. */
export function submit(device: GPUDevice, dispatches: PreparedDispatch[], repeat = 1): void {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (let r = 0; r < repeat; r++) {
    for (const d of dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(...d.workgroups);
    }
  }
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/** Run plans in order (one pass, one submit) and wait for them; validation errors throw. */
export async function runPlans(device: GPUDevice, plans: DispatchPlan | DispatchPlan[]): Promise<void> {
  const list = Array.isArray(plans) ? plans : [plans];
  const prepared: PreparedDispatch[] = [];
  for (const plan of list) prepared.push(await prepare(device, plan));
  device.pushErrorScope('validation');
  submit(device, prepared);
  await device.queue.onSubmittedWorkDone();
  const error = await device.popErrorScope();
  for (const d of prepared) d.uniform.destroy();
  if (error) throw new Error(`plan-harness: ${list.map((p) => p.label).join(', ')}: ${error.message}`);
}
