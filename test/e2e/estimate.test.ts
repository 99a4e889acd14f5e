/**
 * Issue 13, before a run: the estimate `import` prints before its first write matches the
 * requests the run then makes, counted by a relay between the CLI and the sandbox.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import type { RunningSandbox } from '../../src/sandbox/server.js';
import { runCli, sandboxPerTest, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-estimate-');

/** A loopback relay in front of the sandbox that counts the API requests passing through it. */
async function countingRelay(sandbox: RunningSandbox): Promise<{ url: string; requests: () => number; server: Server }> {
  let requests = 0;
  const target = new URL(sandbox.url);
  const server = createServer((incoming, outgoing) => {
    if (incoming.url?.startsWith('/api') === true) requests++;
    const upstream = request(
      { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests, server };
}

let relay: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (relay === undefined ? resolve(undefined) : relay.close(resolve)));
  relay = undefined;
});

/** The fewest and the most requests an estimate's second line states: "42 to 81 requests, …" or "13 requests, …". */
function estimated(stdout: string): { most: number; least: number } {
  const match = /^([\d,]+)(?: to ([\d,]+))? requests/m.exec(stdout);
  if (match === null) throw new Error(`no estimate in:\n${stdout}`);
  const least = Number(match[1]!.replaceAll(',', ''));
  return { least, most: match[2] === undefined ? least : Number(match[2].replaceAll(',', '')) };
}

describe('the estimate before an import', () => {
  it('states rows to update and skip and the requests the run then makes (writes, before-image reads, the credential check)', async () => {
    const { sandbox, dir } = await setUp();
    const counting = await countingRelay(sandbox);
    relay = counting.server;
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 40);
    const file = await writeCsv(dir, 'cases.csv', [
      ['Case ID', 'Case Name'],
      ...caseIds.map((id, i) => [id, `Estimated ${i}`]),
      ['not-a-uuid', 'Invalid: never sent'],
    ]);
    const run = await runCli(
      ['import', file, '--entity', 'cases', '--journal', join(dir, 'cases.journal'), '--report', join(dir, 'report.xlsx'), '--revert', join(dir, 'revert.xlsx'), '--rate', '500/min'],
      { env: { PLANNR_BASE_URL: counting.url, PLANNR_TOKEN: SANDBOX_TOKEN, PLANNR_ACCOUNT_UUID: SANDBOX_ACCOUNT_UUID } },
    );
    expect(run.code, run.stdout + run.stderr).toBe(1); // the invalid row
    expect(run.stdout).toMatch(/^estimate: 0 to create, 40 to update, 1 to skip \(1 invalid\)$/m);
    const { most, least } = estimated(run.stdout);
    // 40 writes + up to 40 before-image reads + the credential check; the reads may merge (filter[uuid]=a,b,…).
    expect(most).toBe(81);
    expect(least).toBe(42);
    expect(run.stdout).toMatch(/at 500\/min/);
    expect(counting.requests()).toBeGreaterThanOrEqual(least);
    expect(counting.requests()).toBeLessThanOrEqual(most);
    expect(run.stdout.indexOf('estimate:'), 'the estimate comes before the summary').toBeLessThan(run.stdout.indexOf('rows read'));
  });

  it('counts a create as one request and says there is nothing to read', async () => {
    const { sandbox, dir } = await setUp();
    const counting = await countingRelay(sandbox);
    relay = counting.server;
    const client = Object.values(sandbox.state.accounts).find((a) => a.type === 'client')!.uuid;
    const file = await writeCsv(dir, 'details.csv', [
      ['Type', 'Name', 'Value', 'Accounts'],
      ...Array.from({ length: 12 }, (_, i) => ['email', 'Work', `estimate${i}@example.com`, client]),
    ]);
    const run = await runCli(
      ['import', file, '--entity', 'contact-details', '--journal', join(dir, 'd.journal'), '--report', join(dir, 'report.xlsx'), '--rate', 'off'],
      { env: { PLANNR_BASE_URL: counting.url, PLANNR_TOKEN: SANDBOX_TOKEN, PLANNR_ACCOUNT_UUID: SANDBOX_ACCOUNT_UUID } },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^estimate: 12 to create, 0 to update, 0 to skip \(0 invalid\)$/m);
    expect(estimated(run.stdout)).toEqual({ most: 13, least: 13 });
    expect(counting.requests()).toBe(13);
  });
});
