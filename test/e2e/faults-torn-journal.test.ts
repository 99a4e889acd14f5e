/**
 * Issue 9, row 6: SIGKILL or a full disk tears the journal's last line; then `--resume`, then
 * `--resume` again, then a plain run. Rule 2: a torn last record is cut back to the last whole
 * record before anything is appended, and said so; damage anywhere else stops the run (exit 2,
 * the line number); a plain run whose journal already records rows refuses. No row is re-sent.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandboxEnv, sandboxPerTest, startCli, updatesByUuid, waitFor, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-torn-');

async function killedRun(sandbox: Awaited<ReturnType<typeof setUp>>['sandbox'], dir: string) {
  const caseIds = Object.keys(sandbox.state.cases).slice(0, 60);
  const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Torn ${i}`])]);
  const journal = join(dir, 'cases.journal');
  const args = ['import', file, '--entity', 'cases', '--journal', journal, '--report', join(dir, 'report.xlsx'), '--revert', join(dir, 'revert.xlsx'),
    '--rate', 'off', '--concurrency', '2', '--read-back-window', '2'];
  const first = startCli(args, { env: sandboxEnv(sandbox) });
  await waitFor('20 writes', () => sandbox.writes.length >= 20);
  first.child.kill('SIGKILL');
  expect((await first.done).signal).toBe('SIGKILL');
  return { caseIds, journal, args };
}

/**
 * Tears the journal's last record as a kill or a full disk mid-write does: half of the last
 * whole line is appended again without its newline. Returns the torn line's number.
 */
async function tearLastRecord(journal: string): Promise<number> {
  const text = await readFile(journal, 'utf8');
  const lines = text.split('\n');
  // The kill itself may have torn it already (no newline at the end): that is the case under test too.
  if (!text.endsWith('\n')) return lines.length;
  const whole = lines.slice(0, -1);
  const last = whole.at(-1) ?? '';
  await appendFile(journal, last.slice(0, Math.floor(last.length / 2)));
  return whole.length + 1;
}

describe('a torn journal', () => {
  it('--resume cuts the torn record off and says so, a second --resume works, a plain run refuses (exit 2); no row is re-sent', async () => {
    const { sandbox, dir } = await setUp({ latencyMs: 20 });
    const { caseIds, journal, args } = await killedRun(sandbox, dir);
    const tornLine = await tearLastRecord(journal);

    const resumed = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout + resumed.stderr).toMatch(new RegExp(`line ${tornLine}\\b.*(incomplete|torn)|(incomplete|torn).*line ${tornLine}\\b`, 'i'));
    expect(resumed.stdout + resumed.stderr).toMatch(/cut|repair/i);
    const afterResume = sandbox.writes.length;
    const perCase = updatesByUuid(sandbox.writes);
    for (const id of caseIds) expect(perCase.get(id), `${id} written once`).toBe(1);

    const again = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout + again.stderr).not.toMatch(/damaged/i);
    expect(sandbox.writes).toHaveLength(afterResume);

    const plain = await runCli(args, { env: sandboxEnv(sandbox) });
    expect(plain.code, plain.stdout + plain.stderr).toBe(2);
    expect(plain.stderr).toContain(journal);
    expect(plain.stderr).not.toMatch(/^\s+at /m);
    expect(sandbox.writes, 'the plain run sent nothing').toHaveLength(afterResume);
    expect(afterResume).toBe(60);
  });

  it('damage before the last record stops --resume and a plain run with exit 2 and the line number; nothing is sent', async () => {
    const { sandbox, dir } = await setUp({ latencyMs: 20 });
    const { journal, args } = await killedRun(sandbox, dir);
    const lines = (await readFile(journal, 'utf8')).split('\n');
    lines[2] = `${lines[2]!.slice(0, 10)}#garbage#`;
    await writeFile(journal, lines.join('\n'));
    const writes = sandbox.writes.length;

    for (const extra of [['--resume'], []]) {
      const run = await runCli([...args, ...extra], { env: sandboxEnv(sandbox) });
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(run.stderr).toMatch(/line 3\b/);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
    expect(sandbox.writes).toHaveLength(writes);
  });
});
