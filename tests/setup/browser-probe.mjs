#!/usr/bin/env node
// browser-probe.mjs — does WebGPU work in headless Chromium on this machine?
//
//   node tests/setup/browser-probe.mjs
//
// Serves an empty page from http://localhost (WebGPU exists only in "secure
// contexts": https, or http on localhost — never file://), opens it in Debian's
// chromium driven by playwright-core, and in the page requests an adapter and a
// device, runs one tiny compute shader (c = a + b over 1000 floats), checks the
// answer and reports back. Exit code 0 = WebGPU works in the browser.
//
// Without a GPU, Chromium runs WebGPU on SwiftShader, a software Vulkan driver
// it ships itself (/usr/lib/chromium/libvk_swiftshader.so), so no Mesa needed.
// Chromium itself comes from tests/setup/install-system-deps.sh
// (`npx playwright install` can't download browsers here).

import http from 'node:http';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox', // we run as root in CI; Chromium's sandbox refuses that
  '--enable-unsafe-webgpu', // WebGPU on Linux is still behind this flag
  // Keep a test browser from phoning home (nothing outside is reachable anyway,
  // and waiting on it only slows start-up).
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const since = (t0) => `${(performance.now() - t0).toFixed(1)} ms`;

/** Serve a blank page on a free port on the loopback interface. */
async function startServer() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset="utf-8"><title>gradlab WebGPU probe</title>');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve); // port 0: the OS picks a free port
  });
  return server;
}

/**
 * Runs INSIDE the page (playwright serializes this function's source and calls
 * it there), so it can use only browser APIs and its argument — nothing from
 * this file's scope.
 */
async function probeInPage({ n, workgroupSize }) {
  const now = () => performance.now();
  if (!('gpu' in navigator)) {
    return { error: `navigator.gpu is missing (isSecureContext=${isSecureContext})` };
  }
  let t0 = now();
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'navigator.gpu.requestAdapter() returned null' };
  const adapterMs = now() - t0;

  t0 = now();
  const device = await adapter.requestDevice();
  const deviceMs = now() - t0;

  const code = /* wgsl */ `
    @group(0) @binding(0) var<storage, read>       a: array<f32>;
    @group(0) @binding(1) var<storage, read>       b: array<f32>;
    @group(0) @binding(2) var<storage, read_write> c: array<f32>;

    @compute @workgroup_size(${workgroupSize})
    fn main(@builtin(global_invocation_id) id: vec3u) {
      let i = id.x;
      if (i < arrayLength(&c)) {
        c[i] = a[i] + b[i];
      }
    }`;
  const bytes = n * 4;
  const input = (f) => {
    const buf = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buf, 0, Float32Array.from({ length: n }, (_, i) => f(i)));
    return buf;
  };
  const bufA = input((i) => i);
  const bufB = input((i) => 2 * i);
  const bufC = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const readback = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  t0 = now();
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
  });
  const pipelineMs = now() - t0;
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [bufA, bufB, bufC].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });

  const times = [];
  let result;
  for (let run = 0; run < 5; run++) {
    t0 = now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(n / workgroupSize));
    pass.end();
    encoder.copyBufferToBuffer(bufC, 0, readback, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    result = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    times.push(now() - t0);
  }
  const bad = result.findIndex((v, i) => v !== 3 * i);

  const info = adapter.info;
  const limitNames = ['maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension',
    'maxStorageBuffersPerShaderStage', 'maxStorageBufferBindingSize', 'maxBufferSize'];
  // adapter.limits: what could be asked for; device.limits: what this device got
  // (the spec defaults, since requestDevice() was called without requiredLimits).
  const limits = Object.fromEntries(limitNames.map((k) => [k, adapter.limits[k]]));
  const deviceLimits = Object.fromEntries(limitNames.map((k) => [k, device.limits[k]]));
  device.destroy();
  return {
    info: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter,
    },
    limits,
    deviceLimits,
    features: [...adapter.features].sort(),
    adapterMs, deviceMs, pipelineMs, times,
    error: bad === -1 ? null : `wrong result at [${bad}]: got ${result[bad]}, expected ${3 * bad}`,
  };
}

async function main() {
  const server = await startServer();
  const url = `http://localhost:${server.address().port}/`;
  let browser;
  try {
    let t0 = performance.now();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    const launchMs = since(t0);

    const page = await browser.newPage();
    // Show the page's own errors (a WGSL compile error is logged here, for one).
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[page ${msg.type()}] ${msg.text()}`);
    });
    t0 = performance.now();
    await page.goto(url);
    const loadMs = since(t0);

    const r = await page.evaluate(probeInPage, { n: 1000, workgroupSize: 64 });
    if (!r.info) {
      console.error(`browser-probe: ${r.error}. Check that ${CHROMIUM} runs with --enable-unsafe-webgpu and the page is on http://localhost.`);
      return 1;
    }
    const { info } = r;
    const show = (limits) => Object.entries(limits).map(([k, v]) => `${k}=${v}`).join(', ');
    console.log(`browser: ${browser.version()} (${CHROMIUM}), page ${url}`);
    // Chrome leaves description/device empty (less fingerprinting); vendor and
    // architecture remain ("google" / "swiftshader" for the software adapter).
    console.log(`adapter: ${info.description || info.device || '(no description)'} (vendor=${info.vendor}, architecture=${info.architecture}, fallback=${info.isFallbackAdapter})`);
    console.log(`limits:  ${show(r.limits)}`);
    console.log(`device limits (defaults): ${show(r.deviceLimits)}`);
    console.log(`features: ${r.features.join(', ')}`);
    console.log(
      `timings: launch ${launchMs}, page load ${loadMs}, requestAdapter ${r.adapterMs.toFixed(1)} ms, ` +
        `requestDevice ${r.deviceMs.toFixed(1)} ms, pipeline ${r.pipelineMs.toFixed(1)} ms, ` +
        `dispatch+readback first ${r.times[0].toFixed(2)} ms, best of next ${r.times.length - 1} ` +
        `${Math.min(...r.times.slice(1)).toFixed(2)} ms`,
    );
    if (r.error) {
      console.error(`browser-probe: ${r.error}`);
      return 1;
    }
    console.log('ok: 1000 floats added on the GPU in Chromium');
    return 0;
  } finally {
    // Always close both, or the open server / browser keeps Node running.
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

process.exitCode = await main().catch((err) => {
  console.error(`browser-probe: ${err.message}`);
  if (/Executable doesn't exist|ENOENT/.test(err.message)) {
    console.error(`browser-probe: ${CHROMIUM} not found: run bash tests/setup/install-system-deps.sh`);
  }
  return 1;
});
