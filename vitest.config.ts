import { defineConfig } from 'vitest/config';

/**
 * Files that need a process of their own: end-to-end and CLI tests (children, signals, the
 * built CLI, process-wide handlers), any other test of the built CLI, and the few unit tests
 * that fake clocks or timers, spy on globals, mock modules or install process handlers (in a
 * process shared with other files, one that failed before undoing that would break the next
 * file) or that check what the process left in the temp folder (spools named by its pid).
 */
const OWN_PROCESS = [
  'test/e2e/**/*.test.ts',
  'test/cli/**/*.test.ts',
  'test/audit/verify.test.ts', // runs the built CLI
  'test/api/pool.test.ts',
  'test/api/rate-limiter.test.ts',
  'test/api/signals.test.ts',
  'test/io/read-xlsx.test.ts',
  'test/io/report.test.ts',
  'test/io/write-xlsx.test.ts',
  'test/pipeline/export-file.test.ts',
  'test/pipeline/check/parallel-check.test.ts',
  'test/pipeline/input/open-input-1904.test.ts',
  'test/pipeline/journal-repair.test.ts',
  'test/report-html/browser.test.ts',
  'test/sandbox/faults.test.ts',
  'test/sandbox/server.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Three files at a time, also on a 2-core CI runner (vitest's default there is cores - 1 = one):
    // many end-to-end files spend much of their time waiting (on a CLI child, the sandbox's
    // latency, a 429's Retry-After), and the CPU they leave idle runs the other files. The whole
    // suite on this 2-core machine, busy with other work (load 3.6-4.3): 255 s with two, 218 s with three.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: OWN_PROCESS,
          // Pure functions and files on disk: the files run one after another in the same child
          // process, which loads the sources once instead of once per file (a fresh process per
          // file cost more CPU than most of these files' tests).
          pool: 'forks',
          isolate: false,
          // First, while the 'process' project's set-up builds dist/ (which these files do not need).
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'process',
          include: OWN_PROCESS,
          // Builds dist/ once, in the background: the end-to-end tests run the real CLI from it,
          // and each file waits for the build before it starts.
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/dist-ready.ts'],
          sequence: { groupOrder: 1 },
          // A child process per file (the CLI, workers, signals and process.chdir need a real process).
          pool: 'forks',
        },
      },
    ],
  },
});
