import { defineConfig } from 'vitest/config';

// Tensor-heavy tests share two cores: run files in forks, a few at a time,
// with generous timeouts for training steps on the wasm backend.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/site/**', 'node_modules/**'],
    setupFiles: ['tests/setup-backend.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
