/**
 * Issue 9, row 8: SIGKILL during an update run, then `--resume`. Rule 5: the before-image of
 * every field an update changes is durable in the journal before the PUT, and the revert
 * workbook is built from the journal, so after any crash and resume it undoes every update of
 * every run of that journal.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { column, readSheet, runCli, sandboxEnv, sandboxPerTest, startCli, updatesByUuid, waitFor, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-faults-revert-');

describe('the revert workbook after a killed and resumed update run', () => {
  it('undoes every update of both runs: it holds each before-image, and importing it restores the original records', async () => {
    // Slow enough that the kill lands mid-run, well before the 60th update.
    const { sandbox, dir } = await setUp({ latencyMs: 40 });
    // Cases that hold a value: an empty before-value is a separate matter (the revert workbook
    // notes it must be cleared in Plannr); this test is about covering every update of every run.
    const caseIds = Object.values(sandbox.state.cases).filter((c) => c.value !== null).map((c) => c.uuid).slice(0, 60);
    expect(caseIds).toHaveLength(60);
    const original = new Map(caseIds.map((id) => [id, structuredClone(sandbox.state.cases[id]!)]));
    const file = await writeCsv(dir, 'cases.csv', [
      ['Case ID', 'Case Name', 'Case Value (£)'],
      ...caseIds.map((id, i) => [id, `Killed update ${i}`, `${100 + i}.25`]),
    ]);
    const revert = join(dir, 'revert.xlsx');
    const args = ['import', file, '--entity', 'cases', '--journal', join(dir, 'cases.journal'), '--report', join(dir, 'report.xlsx'), '--revert', revert,
      '--rate', 'off', '--concurrency', '4', '--read-back-window', '2'];

    const first = startCli(args, { env: sandboxEnv(sandbox) });
    await waitFor('25 updates', () => sandbox.writes.length >= 25);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const landedBeforeKill = sandbox.writes.length;
    expect(landedBeforeKill).toBeLessThan(60);

    const resumed = await runCli([...args, '--resume'], { env: sandboxEnv(sandbox) });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const perCase = updatesByUuid(sandbox.writes);
    for (const id of caseIds) expect(perCase.get(id), id).toBe(1);

    // The revert workbook names every updated record once, with the value it had before.
    const sheet = await readSheet(revert, (await firstSheetName(revert)));
    const uuids = column(sheet, 'UUID');
    expect(new Set(uuids), 'every update of both runs is in the revert workbook').toEqual(new Set(caseIds));
    expect(uuids).toHaveLength(60);
    const names = column(sheet, 'Name');
    uuids.forEach((id, i) => expect(names[i], `before-image of ${id}`).toBe(original.get(id)!.name));

    // Imported as it is, it restores every record.
    const back = await runCli(['import', revert, '--entity', 'cases', '--journal', join(dir, 'revert.journal'), '--report', join(dir, 'back.xlsx'), '--no-revert', '--rate', 'off'], { env: sandboxEnv(sandbox) });
    expect(back.code, back.stdout + back.stderr).toBe(0);
    for (const id of caseIds) {
      const now = sandbox.state.cases[id]!;
      const was = original.get(id)!;
      expect({ name: now.name, value: now.value }, id).toEqual({ name: was.name, value: was.value });
    }
  });
});

async function firstSheetName(path: string): Promise<string> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook.worksheets[0]!.name;
}
