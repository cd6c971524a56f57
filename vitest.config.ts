import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tensor-heavy tests share two cores: run files in forks, a few at a time,
// with generous timeouts for training steps on the wasm backend.
const forks = 2;

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/site/**', 'tests/frontend/**', 'node_modules/**'],
    setupFiles: ['tests/setup-backend.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: forks, minForks: 1 } },
    // The forks (and the notebook kernels they start) divide the cores between them:
    // wasm threads that outnumber the cores wait for each other.
    env: {
      COURSE_WASM_THREADS:
        process.env.COURSE_WASM_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / forks))),
    },
    // What a test prints (expected-failure runs' FAILED lines, TensorFlow.js's Node banner from
    // each fork) is shown for the tests that fail, with their failure, and not for those that pass.
    silent: 'passed-only',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
