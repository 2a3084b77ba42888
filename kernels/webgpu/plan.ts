// The contract between the WebGPU backend and its kernel files.
//
// Each kernel family lives in kernels/webgpu/<family>.wgsl.ts, beside its CPU twin
// kernels/cpu/<family>.ts. A family exports planners: pure functions from a KernelCall (see
// engine/backend.ts) to one or more DispatchPlans. The backend (kernels/webgpu/backend.ts)
// does everything stateful: it compiles `wgsl()` once per `key` (the pipeline cache), packs
// `params` into the uniform buffer, binds the buffers, and records the dispatch.
//
// Binding layout, the same for every kernel (group 0):
//   @binding(0 .. r-1)      the `inputs`,  var<storage, read>
//   @binding(r .. r+w-1)    the `outputs`, var<storage, read_write>
//   @binding(r+w)           var<uniform> p: Params, whose fields are `params` in order
// Every param is one 4-byte scalar (u32, i32 or f32), so the WGSL struct `Params` lists them
// in the same order with the same types. Buffers hold f32 (float tensors) or i32 (indices).

import type { KernelCall, Storage } from '../../engine/backend';

export type Param = { u32: number } | { i32: number } | { f32: number };

export interface DispatchPlan {
  /**
   * Pipeline cache key: the kernel family plus everything baked into the WGSL text
   * (op, variant, workgroup size, transpose flags...). Same key, same WGSL.
   */
  key: string;
  /** The WGSL source; called only when the key is new. */
  wgsl: () => string;
  inputs: Storage[];
  outputs: Storage[];
  params: Param[];
  /** Workgroup counts; each at most limits.maxComputeWorkgroupsPerDimension (65535). */
  workgroups: [number, number, number];
  /** A name for the debug log and the "under the hood" view (e.g. 'matmul.register4x4'). */
  label: string;
}

/**
 * What planners may rely on: WebGPU's defaults, except the storage buffers one kernel may bind,
 * which the backend raises to what the adapter offers (up to 16) for multi-tensor Adam.
 */
export interface PlanLimits {
  maxWorkgroupSize: number; // 256
  maxWorkgroupsPerDimension: number; // 65535
  maxWorkgroupStorageBytes: number; // 16384
  maxStorageBuffersPerShaderStage: number; // 8 by default; 16 where the adapter allows
}

export const DEFAULT_LIMITS: PlanLimits = {
  maxWorkgroupSize: 256,
  maxWorkgroupsPerDimension: 65535,
  maxWorkgroupStorageBytes: 16384,
  maxStorageBuffersPerShaderStage: 8,
};

/** The most storage buffers the backend asks the adapter for (more would only lengthen the WGSL). */
export const WANTED_STORAGE_BUFFERS = 16;

export type Planner<K extends KernelCall['kernel']> = (
  call: Extract<KernelCall, { kernel: K }>,
  limits: PlanLimits,
) => DispatchPlan | DispatchPlan[];

/**
 * Spread `threads` invocations over a 2-D grid of workgroups of `size` threads (for large
 * element counts that exceed 65535 workgroups in x). The kernel recovers the flat index as
 *   i = (wg.y * num_workgroups.x + wg.x) * size + local_index   and returns if i >= n.
 */
export function gridFor(threads: number, size: number, limits: PlanLimits = DEFAULT_LIMITS): [number, number, number] {
  const groups = Math.max(1, Math.ceil(threads / size));
  if (groups <= limits.maxWorkgroupsPerDimension) return [groups, 1, 1];
  const y = Math.ceil(groups / limits.maxWorkgroupsPerDimension);
  return [Math.ceil(groups / y), y, 1];
}
