/** Shared set-up for the sandbox's own tests: sandboxes closed after each test, and the headers a Plannr client sends. */
import { afterEach } from 'vitest';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/server.js';

/**
 * `const start = sandboxesPerTest({ ratePerMinute: 0 })`, then `const sandbox = await start({ faults })`:
 * each sandbox listens on a free loopback port and is closed after the test that started it.
 */
export function sandboxesPerTest(defaults: SandboxOptions = {}): (options?: SandboxOptions) => Promise<RunningSandbox> {
  const running: RunningSandbox[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
  });
  return async (options = {}) => {
    const sandbox = await startSandbox({ port: 0, ...defaults, ...options });
    running.push(sandbox);
    return sandbox;
  };
}

/** What a Plannr API client sends: the sandbox's token and account, JSON both ways. */
export const API_HEADERS: Readonly<Record<string, string>> = {
  Authorization: `Bearer ${SANDBOX_TOKEN}`,
  'X-PLANNR-ACCOUNT-UUID': SANDBOX_ACCOUNT_UUID,
  Accept: 'application/json',
  'Content-Type': 'application/json',
};
