#!/usr/bin/env node
// webgpu-probe.mjs — does WebGPU work in Node on this machine?
//
//   node tests/setup/webgpu-probe.mjs [dawn flags...]
//
// Uses the npm package `webgpu` (Google's Dawn compiled as a Node add-on). It
// requests an adapter and a device, prints what it got, runs one tiny compute
// shader (c = a + b over 1000 floats), checks the answer, and cleans up.
// Exit code 0 = WebGPU works; 1 = it does not (the message says why).
//
// Optional arguments are passed straight to `create()`, e.g.
//   verbose=1                                      print the adapter Dawn picked
//   enable-dawn-features=disable_robustness        Dawn toggles, comma separated
//   disable-dawn-features=timestamp_quantization   (unknown toggles are ignored)
//   backend=vulkan   adapter=<name>                pick a backend / an adapter
//
// Without a GPU, Dawn runs on Mesa's software Vulkan driver ("llvmpipe", from
// mesa-vulkan-drivers >= 24): see tests/setup/install-system-deps.sh.
//
// Things worth knowing about `webgpu` 0.6.2, found while writing this probe:
//  * The process exits on its own once nothing is pending: neither
//    device.destroy() nor dropping the `gpu` object is needed for that.
//  * But a pending GPU promise does NOT keep Node alive. If the event loop
//    empties while a mapAsync or onSubmittedWorkDone promise is still unsettled
//    (nobody awaited it), Node starts exiting and Dawn crashes: "Segmentation
//    fault" or "terminate called ... Owner died" (exit 139 / 134). So: await every GPU promise, or call device.destroy(),
//    before you finish. (A plain queue.submit() with no promise is fine, and so
//    is an explicit process.exit().)
//  * device.destroy() resolves `device.lost` with reason "destroyed"; it waits
//    for submitted work to finish, and rejects any mapAsync still pending.
//  * On llvmpipe, Dawn prints two "Warning: max...PerPipelineLayout artificially
//    reduced" lines on stderr, once per create() (at the first requestAdapter).
//    They are harmless; create one `gpu` per process and reuse it.

import { create, globals } from 'webgpu';

// Put GPUBufferUsage, GPUMapMode, GPUShaderStage, ... on globalThis, the way a
// browser has them.
Object.assign(globalThis, globals);

const N = 1000; // number of floats in each array
const WORKGROUP_SIZE = 64;

// One invocation per element; the last workgroup has spare invocations, so guard.
const SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read>       a: array<f32>;
@group(0) @binding(1) var<storage, read>       b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i < arrayLength(&c)) {
    c[i] = a[i] + b[i];
  }
}`;

/** Milliseconds since t0, formatted. */
const since = (t0) => `${(performance.now() - t0).toFixed(1)} ms`;

/** Limits a compute engine cares about (the full list is adapter.limits). */
const LIMITS = [
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
];

async function main() {
  const gpu = create(process.argv.slice(2));

  // ---- Adapter and device. ---------------------------------------------------
  let t0 = performance.now();
  let adapter = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (err) {
    // Bad `backend=` / `adapter=` flags throw, with the list of valid ones.
    console.error(`webgpu-probe: requestAdapter failed: ${err.message}`);
  }
  if (!adapter) {
    console.error(
      'webgpu-probe: no WebGPU adapter found. Dawn needs a Vulkan driver: run\n' +
        '  bash tests/setup/install-system-deps.sh   (installs Mesa >= 24 from bookworm-backports)\n' +
        'and make sure XDG_RUNTIME_DIR is set (e.g. export XDG_RUNTIME_DIR=/tmp).',
    );
    return 1;
  }
  const adapterMs = since(t0);

  // adapter.info's fields are getters on the prototype, so console.log(info)
  // shows nothing useful: read them one by one.
  const { vendor, architecture, device: deviceName, description } = adapter.info;
  console.log(`adapter: ${description || deviceName} (vendor=${vendor}, architecture=${architecture}, fallback=${adapter.info.isFallbackAdapter})`);
  console.log(`limits:  ${LIMITS.map((k) => `${k}=${adapter.limits[k]}`).join(', ')}`);
  console.log(`features: ${[...adapter.features].sort().join(', ')}`);

  t0 = performance.now();
  const device = await adapter.requestDevice();
  const deviceMs = since(t0);
  // A device gets the spec's default limits (e.g. 8 storage buffers, 256
  // invocations per workgroup), not the adapter's, unless requestDevice() is
  // given { requiredLimits: { ... } } asking for more (up to adapter.limits).
  console.log(`device limits (defaults): ${LIMITS.map((k) => `${k}=${device.limits[k]}`).join(', ')}`);

  // Validation errors nobody caught with an error scope land here.
  device.onuncapturederror = (e) => console.error(`webgpu-probe: uncaptured GPU error: ${e.error.message}`);
  const lost = device.lost.then((info) => info.reason); // "destroyed" after destroy()

  // ---- Buffers, pipeline, bind group. ------------------------------------------
  const bytes = N * Float32Array.BYTES_PER_ELEMENT;
  const a = Float32Array.from({ length: N }, (_, i) => i);
  const b = Float32Array.from({ length: N }, (_, i) => 2 * i);

  const makeInput = (data) => {
    const buf = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buf, 0, data);
    return buf;
  };
  const bufA = makeInput(a);
  const bufB = makeInput(b);
  const bufC = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  // Storage buffers can't be mapped; results are copied into a MAP_READ buffer.
  const readback = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  t0 = performance.now();
  device.pushErrorScope('validation');
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: 'main' },
  });
  const pipelineError = await device.popErrorScope();
  if (pipelineError) throw new Error(`pipeline: ${pipelineError.message}`);
  const pipelineMs = since(t0);

  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [bufA, bufB, bufC].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });

  // ---- Dispatch and read back. ---------------------------------------------------
  // Timed from encoding to having the bytes on the CPU; run a few times, since
  // the first run also pays for first-use setup inside the driver.
  const times = [];
  let result;
  for (let run = 0; run < 5; run++) {
    t0 = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(N / WORKGROUP_SIZE));
    pass.end();
    encoder.copyBufferToBuffer(bufC, 0, readback, 0, bytes);
    device.queue.submit([encoder.finish()]);

    await readback.mapAsync(GPUMapMode.READ); // await it: see the notes at the top
    result = new Float32Array(readback.getMappedRange().slice(0)); // copy before unmap
    readback.unmap();
    times.push(performance.now() - t0);
  }

  const bad = result.findIndex((v, i) => v !== 3 * i);
  if (bad !== -1) {
    console.error(`webgpu-probe: wrong result at [${bad}]: got ${result[bad]}, expected ${3 * bad}`);
    device.destroy();
    return 1;
  }

  console.log(
    `timings: requestAdapter ${adapterMs}, requestDevice ${deviceMs}, pipeline ${pipelineMs}, ` +
      `dispatch+readback first ${times[0].toFixed(2)} ms, best of next ${times.length - 1} ` +
      `${Math.min(...times.slice(1)).toFixed(2)} ms`,
  );

  // ---- Clean up. -----------------------------------------------------------------
  // Not needed for Node to exit (see the notes at the top), but it frees GPU memory
  // at once, and it is what a long-lived process (a test runner) must do.
  for (const buf of [bufA, bufB, bufC, readback]) buf.destroy();
  device.destroy();
  console.log(`ok: ${N} floats added on the GPU; device.lost -> "${await lost}"`);
  return 0;
}

process.exitCode = await main().catch((err) => {
  console.error(`webgpu-probe: ${err.stack ?? err}`);
  return 1;
});
