import { defineConfig } from 'vitest/config';

// The site's browser tests run after the unit and notebook tests (see package.json "test"),
// on one fork: they build the site once and share one browser.
export default defineConfig({
  test: {
    include: ['tests/site/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    testTimeout: 300_000,
    hookTimeout: 1_800_000,
  },
});
