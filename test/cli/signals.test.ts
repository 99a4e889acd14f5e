/**
 * One signal policy for every command that sends or serves (src/cli/stop.ts): the first SIGINT
 * or SIGTERM winds the run down (nothing new starts, the journal and report are written), a
 * second one quits at once with 128 + the signal's number, as shells report it.
 */
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli, sandboxEnv, sandboxPerTest, startCli, waitFor, writeCsv } from '../e2e/helpers.js';

const setUp = sandboxPerTest('plannr-cli-signals-');

describe('Ctrl-C and SIGTERM', () => {
  it('a second SIGINT during an import quits at once with 130, after the first said how it stops', async () => {
    const { sandbox, dir } = await setUp({ latencyMs: 50 });
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 200);
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Signalled ${i}`])]);
    const run = startCli(['import', file, '--entity', 'cases', '--rate', 'off', '--concurrency', '2'], { env: sandboxEnv(sandbox) });
    await waitFor('the first writes', () => sandbox.writes.length >= 5);
    run.child.kill('SIGINT');
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the stop notice', () => stderr.includes('stopping:'));
    run.child.kill('SIGINT');
    const ended = await run.done;
    expect(ended.code).toBe(128 + constants.signals.SIGINT);
    expect(ended.stderr).toMatch(/stopping: no new rows will be sent.*Ctrl-C again to quit at once/);
    expect(sandbox.writes.length).toBeLessThan(200);
  });

  it('SIGTERM closes the sandbox command cleanly: exit 0, no stack trace', async () => {
    const { dir } = await setUp();
    const run = startCli(['sandbox', '--port', '0'], { cwd: dir });
    let stdout = '';
    run.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await waitFor('the sandbox to listen', () => stdout.includes('listening on'));
    run.child.kill('SIGTERM');
    const ended = await run.done;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toMatch(/stopping: closing the sandbox/);
    expect(ended.stderr).not.toMatch(/^\s+at /m);
  });

  it('a run that finishes is not held open by the signal handlers', async () => {
    const { sandbox, dir } = await setUp();
    const caseId = Object.keys(sandbox.state.cases)[0]!;
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], [caseId, 'Renamed once']]);
    const ended = await runCli(['import', file, '--entity', 'cases'], { env: sandboxEnv(sandbox), guardMs: 60_000 });
    expect(ended.timedOut).toBe(false);
    expect(ended.code).toBe(0);
  });
});
