/**
 * Issue 9, row 9: the token is revoked mid-run (401 from the 9th request on). Rule 7: a 401/403
 * after the start stops sending, lets in-flight requests finish, writes journal and report and
 * exits 2; the rows it did not send are retried by `--resume` once the token works again.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { column, readSheet, runCli, sandboxEnv, sandboxPerTest, updatesByUuid, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-revoked-');

const CONCURRENCY = 2;

describe('a token revoked in the middle of a run', () => {
  it('stops sending at the first 401 (exit 2, journal and report written); after the token is fixed --resume sends the rest, each once', async () => {
    const { sandbox, dir } = await setUp({ faults: { revokeTokenFrom: 9 } });
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 30);
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Revoked ${i}`])]);
    const report = join(dir, 'report.xlsx');
    const journal = join(dir, 'cases.journal');
    const args = ['import', file, '--entity', 'cases', '--journal', journal, '--report', report, '--revert', join(dir, 'revert.xlsx'),
      '--rate', 'off', '--concurrency', String(CONCURRENCY), '--read-back-window', '2'];

    const first = await runCli(args, { env: sandboxEnv(sandbox) });
    expect(first.code, first.stdout + first.stderr).toBe(2);
    expect(first.stdout + first.stderr).toMatch(/401/);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    // Sending stopped: only requests already in flight met the revoked token after the first 401.
    expect(sandbox.injected().revokedToken).toBeGreaterThanOrEqual(1);
    expect(sandbox.injected().revokedToken, 'requests answered 401: the first plus those in flight').toBeLessThanOrEqual(CONCURRENCY);
    const sentFirst = sandbox.writes.length;
    expect(sentFirst).toBeLessThan(9);
    expect((await stat(journal)).size).toBeGreaterThan(0);
    const statuses = column(await readSheet(report, 'Results'), 'Outcome');
    expect(statuses).toHaveLength(30);
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(sentFirst);
    // The advice printed after the run is true: the rest is sent by --resume.
    expect(first.stdout + first.stderr).toMatch(/--resume/);

    sandbox.setFaults({});
    const resumed = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const perCase = updatesByUuid(sandbox.writes);
    for (const id of caseIds) expect(perCase.get(id), id).toBe(1);
    expect(sandbox.writes).toHaveLength(30);
    expect(column(await readSheet(report, 'Results'), 'Outcome')).toEqual(Array(30).fill('sent'));
  });
});
