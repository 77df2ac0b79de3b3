import { defineConfig } from 'vitest/config';

/**
 * Browser tests: a real node (`concord init` + `concord serve`) driven by Debian's Chromium through playwright-core.
 * One file at a time in one fork: each file owns a node process and a browser.
 */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
