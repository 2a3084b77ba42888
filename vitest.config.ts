import { defineConfig } from 'vitest/config';

// WebGPU tests run Dawn (the npm `webgpu` package) on a software Vulkan driver: each test file
// gets its own process (Dawn is not meant to share a process between worker threads), and
// timeouts are generous because a CPU-emulated GPU compiles and runs shaders slowly.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
