import { defineConfig } from 'vitest/config';
import { watVitePlugin } from './kernels/cpu/wat-plugin.mjs';

// Two lanes (README "Tests"):
//   fast lane, `npm test` (GRADLAB_LANE=fast): unit tests, gradchecks, GPU-vs-CPU comparisons,
//     the CLI and the page's smoke tests; two files at a time;
//   full lane, `bash tests/run.sh` and `.ci/run`: every file, one at a time.
// The files below run in the full lane only: each trains models to a stated quality or drives
// several training runs through the page, and together they take most of the suite's time.
const FULL_LANE_ONLY = [
  'tests/**/*quality*.test.ts', // quality runs: GAN 5 seeds × 300 epochs, VAE/RBM/diffusion, binned and 2D
  'tests/page/compare.test.ts', // the page's Compare tab trains all four models, on both backends
  'tests/page/diagnostics.test.ts', // trains all four models in the page, then draws their diagnostics
  'tests/page/soak*.test.ts', // the page left training: 4 models × 2 backends × GRADLAB_SOAK_SECONDS (25 s)
];
const fast = process.env.GRADLAB_LANE === 'fast';

// WebGPU tests run Dawn (the npm `webgpu` package) on a software Vulkan driver: each test file
// gets its own process (Dawn is not meant to share a process between worker threads), and
// timeouts are generous because a CPU-emulated GPU compiles and runs shaders slowly.
export default defineConfig({
  // The WebAssembly kernels (kernels/cpu/*.wat) are assembled by wabt when imported.
  plugins: [watVitePlugin],
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    exclude: fast ? ['**/node_modules/**', ...FULL_LANE_ONLY] : ['**/node_modules/**'],
    maxWorkers: fast ? 2 : 1,
  },
});
