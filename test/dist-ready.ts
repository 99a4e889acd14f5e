/** Set-up of every 'process' file (vitest.config.ts): waits until test/global-setup.ts has built dist/. */
import { existsSync, readFileSync } from 'node:fs';
import { inject } from 'vitest';

const status = inject('distBuild');
while (!existsSync(status)) await new Promise((resolve) => setTimeout(resolve, 50));
const ended = readFileSync(status, 'utf8');
if (ended !== '0') throw new Error(`dist/ was not built (${ended}): the tests that run the built CLI cannot run`);
