// The same loop without gradlab: Dawn alone, `steps` submits of one compute pass with
// `dispatches` tiny dispatches each, never awaiting. It shows how much memory the driver keeps per
// submit until the event loop turns, with no engine involved (README: Reliability).

import { nodeGpu } from '../../kernels/webgpu/node-gpu';

const SHADER = `@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) i: vec3u) {
  if (i.x < 256u) { a[i.x] = a[i.x] + 1.0; }
}`;

/** RSS in MB before and after `steps` submits that are never awaited. */
export async function dawnWithoutAwait(steps: number, dispatches: number): Promise<{ before: number; after: number }> {
  const adapter = await (await nodeGpu()).requestAdapter();
  if (!adapter) throw new Error('dawn-no-await: no WebGPU adapter');
  const device = await adapter.requestDevice();
  const buffer = device.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: 'main' } });
  const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer } }] });
  const step = (): void => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    for (let k = 0; k < dispatches; k++) pass.dispatchWorkgroups(4);
    pass.end();
    device.queue.submit([encoder.finish()]);
  };
  for (let i = 0; i < 100; i++) step();
  await device.queue.onSubmittedWorkDone();
  const before = process.memoryUsage().rss / 2 ** 20;
  for (let i = 0; i < steps; i++) step();
  const after = process.memoryUsage().rss / 2 ** 20;
  await device.queue.onSubmittedWorkDone();
  device.destroy();
  return { before, after };
}
