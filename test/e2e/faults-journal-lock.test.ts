/**
 * Issue 9, row 5: two imports at once on one journal, or `--resume` while the first run still
 * runs. Rule 1: one run owns a journal; a second import or resume on a journal in use exits 2
 * naming the holder, and sends nothing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandboxEnv, sandboxPerTest, startCli, updatesByUuid, waitFor, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-lock-');

async function fortyUpdates(sandbox: Awaited<ReturnType<typeof setUp>>['sandbox'], dir: string) {
  const caseIds = Object.keys(sandbox.state.cases).slice(0, 40);
  const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Locked ${i}`])]);
  const journal = join(dir, 'cases.journal');
  const args = (name: string) => ['import', file, '--entity', 'cases', '--journal', journal, '--report', join(dir, `${name}.xlsx`), '--no-revert', '--rate', 'off', '--concurrency', '2', '--read-back-window', '2'];
  return { caseIds, args };
}

describe('one run owns a journal', () => {
  it('a second import and a --resume while the first still runs exit 2 naming the holder; no write is duplicated', async () => {
    // Slow enough (40 rows, 2 at a time, 400 ms each: about 8 s) that the others start while it runs, even on a busy machine.
    const { sandbox, dir } = await setUp({ latencyMs: 400 });
    const { caseIds, args } = await fortyUpdates(sandbox, dir);

    const first = startCli(args('first'), { env: sandboxEnv(sandbox) });
    await waitFor('the first run to start writing', () => sandbox.writes.length > 0);
    const [second, resumed] = await Promise.all([runCli(args('second'), { env: sandboxEnv(sandbox) }), runCli([...args('resumed'), '--resume'], { env: sandboxEnv(sandbox) })]);
    const stillRunning = first.child.exitCode === null;
    const done = await first.done;

    expect(stillRunning, 'the first run was still running while the others tried').toBe(true);
    for (const [name, run] of [['second import', second], ['--resume', resumed]] as const) {
      expect(run.code, `${name}: ${run.stdout}${run.stderr}`).toBe(2);
      // The holder: the process the user started (the lock holds its pid as the launcher of the
      // bounded-heap child that runs the import, with host and start time).
      expect(run.stderr, name).toContain(String(first.child.pid));
      expect(run.stderr, name).not.toMatch(/^\s+at /m);
    }
    expect(done.code, done.stdout + done.stderr).toBe(0);
    const perCase = updatesByUuid(sandbox.writes);
    for (const id of caseIds) expect(perCase.get(id), id).toBe(1);
    expect(sandbox.writes).toHaveLength(40);
  });

  it('two imports started at the same moment: one runs, the other exits 2; every row is written once', async () => {
    const { sandbox, dir } = await setUp({ latencyMs: 150 });
    const { caseIds, args } = await fortyUpdates(sandbox, dir);
    const [a, b] = await Promise.all([runCli(args('a'), { env: sandboxEnv(sandbox) }), runCli(args('b'), { env: sandboxEnv(sandbox) })]);
    expect([a.code, b.code].sort(), `${a.stdout}${a.stderr}\n---\n${b.stdout}${b.stderr}`).toEqual([0, 2]);
    const refused = a.code === 2 ? a : b;
    expect(refused.stderr).toMatch(/pid|process/i);
    const perCase = updatesByUuid(sandbox.writes);
    for (const id of caseIds) expect(perCase.get(id), id).toBe(1);
    expect(sandbox.writes).toHaveLength(40);
  });
});
