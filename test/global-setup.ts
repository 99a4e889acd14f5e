/**
 * Builds dist/ once before the suite, so end-to-end tests can run the real CLI as
 * `node dist/cli/main.js` (starts in a fraction of the time tsx needs to compile the sources
 * in every child process) and never test a stale build.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
