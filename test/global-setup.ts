/**
 * Builds dist/ for the files that run the real CLI as `node dist/cli/main.js` (it starts in a
 * fraction of the time tsx needs to compile the sources in every child process), so they never
 * test a stale build. It runs only when files of the 'process' project run, and in the
 * background: the 'unit' files need no build and run first meanwhile (vitest.config.ts), and
 * each 'process' file waits for the build in test/dist-ready.ts. A failed build fails those files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The file that says how the build of dist/ ended ('0': built), once it has. */
    distBuild: string;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const folder = mkdtempSync(join(tmpdir(), 'plannr-dist-build-'));
  const status = join(folder, 'ended');
  const say = (text: string) => {
    // Whole or not at all: a file waiting for it never reads half of it.
    writeFileSync(`${status}.part`, text);
    renameSync(`${status}.part`, status);
  };
  const build = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const ended = new Promise<void>((resolve) => {
    build.on('error', (error) => {
      say(`tsc could not start: ${error.message}`);
      resolve();
    });
    build.on('exit', (code, signal) => {
      say(code === 0 ? '0' : `tsc exited with ${code ?? signal}; its errors are above`);
      resolve();
    });
  });
  project.provide('distBuild', status);
  // Never leave a half-written dist/ behind (a run of only unit files ends before the build does).
  return async () => {
    await ended;
    rmSync(folder, { recursive: true, force: true });
  };
}
