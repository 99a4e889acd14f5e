/**
 * Issue 13, during a run: the canary and the error budget stop a run whose rows fail, as an
 * ordinary resumable stop (journal and report written, exit 2 as for a refused token), and
 * `--resume` sends the rest once the cause is gone.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { column, readSheet, runCli, sandboxEnv, sandboxPerTest, updatesByUuid, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-canary-');

function argsFor(dir: string, file: string): string[] {
  return ['import', file, '--entity', 'cases', '--journal', join(dir, 'cases.journal'), '--report', join(dir, 'report.xlsx'),
    '--revert', join(dir, 'revert.xlsx'), '--rate', 'off', '--max-retries', '0', '--read-back-window', '0'];
}

describe('the canary', () => {
  it('stops a run whose rows all fail after at most the canary’s rows, with the reasons grouped; --resume sends the rest once fixed', async () => {
    // Every write answers 500 (nothing written). A write's 500 may have landed, so each row ends
    // unknown once its read-back window passes (a failure for the canary) and --resume reads it back first.
    const { sandbox, dir } = await setUp({ faults: { writeErrorRate: 1 } });
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 60);
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Canary ${i}`])]);
    const args = [...argsFor(dir, file), '--canary', '10'];

    const first = await runCli(args, { env: sandboxEnv(sandbox) });
    expect(first.code, first.stdout + first.stderr).toBe(2);
    expect(first.stdout).toMatch(/stopped by the canary: 10 of the first 10 rows failed/);
    expect(first.stdout).toMatch(/failures by reason: unknown outcome \(answer lost\) \(10 rows\)/);
    expect(sandbox.injected().writeError, 'writes tried: the canary rows only (no retries asked)').toBe(10);
    const outcomes = column(await readSheet(join(dir, 'report.xlsx'), 'Results'), 'Outcome');
    expect(outcomes).toHaveLength(60);
    expect(outcomes.filter((o) => o === 'unknown')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'skipped'), 'the rest not sent, left for --resume').toHaveLength(50);

    sandbox.setFaults({});
    const resumed = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const perCase = updatesByUuid(sandbox.writes);
    for (const id of caseIds) expect(perCase.get(id), id).toBe(1);
    expect(column(await readSheet(join(dir, 'report.xlsx'), 'Results'), 'Outcome')).toEqual(Array(60).fill('sent'));
  });

  it('lets a run go on when no more than half of the canary fails', async () => {
    // The first 5 writes fail, then none: 5 of 10 is not more than half.
    const { sandbox, dir } = await setUp({ faults: { writeErrorNext: 5 } });
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 30);
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Half ${i}`])]);
    const run = await runCli([...argsFor(dir, file), '--canary', '10', '--concurrency', '1', '--max-failures', '100%'], { env: sandboxEnv(sandbox) });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).not.toMatch(/stopped by/);
    expect(sandbox.writes).toHaveLength(25);
  });
});

describe('the error budget', () => {
  it('stops a run when every write starts failing midway, and --resume finishes it after the fault is lifted', async () => {
    // Writes 41 on answer 500: after a clean canary (20) and 20 more clean rows.
    const { sandbox, dir } = await setUp({ faults: { writeFaultsFrom: 41, writeErrorRate: 1 } });
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 200);
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Budget ${i}`])]);
    const args = [...argsFor(dir, file), '--concurrency', '2', '--max-failures', '5%'];

    const first = await runCli(args, { env: sandboxEnv(sandbox) });
    expect(first.code, first.stdout + first.stderr).toBe(2);
    expect(first.stdout).toMatch(/stopped by the error budget: 6 of the last \d+ rows sent failed/);
    expect(sandbox.writes).toHaveLength(40);
    const outcomes = column(await readSheet(join(dir, 'report.xlsx'), 'Results'), 'Outcome');
    const failed = outcomes.filter((o) => o === 'failed' || o === 'unknown').length;
    // The 6th failure stops it; rows already in flight (a handful) may still finish.
    expect(failed).toBeGreaterThanOrEqual(6);
    expect(failed, 'far fewer than the 160 rows left').toBeLessThan(6 + 40);
    expect(outcomes.filter((o) => o === 'skipped').length).toBe(200 - 40 - failed);
    expect(first.stdout).toMatch(/--resume/);

    sandbox.setFaults({});
    const resumed = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const perCase = updatesByUuid(sandbox.writes);
    for (const id of caseIds) expect(perCase.get(id), id).toBe(1);
    expect(column(await readSheet(join(dir, 'report.xlsx'), 'Results'), 'Outcome')).toEqual(Array(200).fill('sent'));
  });
});
