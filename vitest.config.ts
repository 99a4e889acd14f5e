import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child processes per file (the CLI, workers, signals and process.chdir need a real process).
    pool: 'forks',
    // Two files at a time, also on a 2-core CI runner (vitest's default there is cores - 1 = one):
    // most end-to-end files spend their time waiting on a CLI child or the sandbox, and the CPU
    // they leave idle runs the other file.
    maxWorkers: 2,
  },
});
