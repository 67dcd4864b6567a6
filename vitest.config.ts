import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    // Two test files at once: vitest's default on two cores is one (cores - 1), which leaves the
    // second core idle while a file waits on Retry-After pauses, request timeouts and child processes.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
