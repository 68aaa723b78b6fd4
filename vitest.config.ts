// Vitest runs the suite in test/; tests spawn kustomize and git, so they get generous timeouts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A render cache for the run, shared across test files (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most tests wait on kustomize and git child processes; two files at a time keeps both cores busy.
    maxWorkers: 2,
  },
});
