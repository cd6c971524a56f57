import { defineConfig } from 'vitest/config';

// The browser tests run after the unit and notebook tests (see package.json "test"), on one
// fork: the site's test files share one build of the site (tests/site/shared-site.ts, kept
// on globalThis, which one fork keeps from file to file); the front-end tests
// (tests/frontend) drive Debian's Jupyter Notebook in their own.
export default defineConfig({
  test: {
    include: ['tests/site/**/*.test.ts', 'tests/frontend/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    testTimeout: 300_000,
    hookTimeout: 1_800_000,
  },
});
