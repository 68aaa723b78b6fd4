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
    // Test files share their worker's loaded modules instead of evaluating the toolkit (schemas, Octokit, the
    // analyzers) afresh for each of ~90 files: that was a third of the suite's CPU. So files must leave shared
    // state as they found it: renders are cached by content, the CLI's --no-cache is set per run, each file
    // makes its own repositories, stand-ins and clients, the git environment is set once for all in
    // global-setup.ts, and a file that changes process.env puts the old value back.
    isolate: false,
    // Most tests wait on kustomize and git child processes; two files at a time keeps both cores busy.
    maxWorkers: 2,
  },
});
