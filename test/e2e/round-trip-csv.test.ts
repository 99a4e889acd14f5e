import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { readSheet, runCli, sandboxEnv, sandboxPerTest } from './helpers.js';

const setUp = sandboxPerTest('plannr-roundtrip-csv-');

/**
 * Opens a CSV as a spreadsheet program would, sets cells by key and header, saves it again
 * (every line re-quoted by the writer, so the file's bytes differ throughout, as after a save).
 */
async function editCsv(path: string, edits: ReadonlyArray<{ key: string; header: string; value: string }>, keyHeader = 'UUID'): Promise<void> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const rows = Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
  const headers = rows[0]!;
  for (const edit of edits) {
    const row = rows.find((r) => r[headers.indexOf(keyHeader)] === edit.key);
    if (row === undefined) throw new Error(`no row with ${keyHeader} ${edit.key} in ${path}`);
    row[headers.indexOf(edit.header)] = edit.value;
  }
  await writeFile(path, `\uFEFF${Papa.unparse(rows, { newline: '\r\n', quotes: true })}\r\n`);
}

describe('export → edit → import round trip of a CSV (snapshot beside it)', () => {
  it('an edited field of one row is the only thing sent, and the revert file (CSV too) undoes it', async () => {
    const { sandbox, dir } = await setUp();
    const env = sandboxEnv(sandbox);
    const out = join(dir, 'cases.csv');
    const exported = await runCli(['export', 'cases', '--out', out, '--rate', 'off'], { env });
    expect(exported.code).toBe(0);
    const snapshot = JSON.parse(await readFile(`${out}.meta.json`, 'utf8')) as { file: string; info: { entity: string }; rows: unknown[] };
    expect(snapshot).toMatchObject({ file: 'cases.csv', info: { entity: 'cases' } });
    const target = Object.values(sandbox.state.cases)[0]!;
    const originalName = target.name;
    expect(snapshot.rows).toHaveLength(Object.keys(sandbox.state.cases).length);

    // As exported: every row is unchanged, nothing is sent.
    const asExported = await runCli(['import', out, '--entity', 'cases', '--journal', join(dir, 'j0'), '--report', join(dir, 'r0.xlsx'), '--no-revert', '--rate', 'off'], { env });
    expect(asExported.code).toBe(0);
    expect(sandbox.writes).toEqual([]);

    await editCsv(out, [{ key: target.uuid, header: 'Name', value: 'Edited in a CSV' }]);
    // The revert file as a CSV too: it gets its own snapshot, so importing it back is a round trip.
    const revert = join(dir, 'cases.revert.csv');
    const run = await runCli(['import', out, '--entity', 'cases', '--journal', join(dir, 'j'), '--report', join(dir, 'report.xlsx'), '--revert', revert, '--rate', 'off'], { env });
    expect(run.stderr).not.toMatch(/snapshot .* not used/);
    expect(run.code).toBe(0);
    expect(sandbox.writes.map((w) => [w.method, w.uuid, w.body])).toEqual([['PUT', target.uuid, { name: 'Edited in a CSV' }]]);
    expect(sandbox.state.cases[target.uuid]!.name).toBe('Edited in a CSV');
    expect(JSON.parse(await readFile(`${revert}.meta.json`, 'utf8'))).toMatchObject({ file: 'cases.revert.csv', info: { kind: 'revert', entity: 'cases' } });

    const back = await runCli(['import', revert, '--entity', 'cases', '--journal', join(dir, 'j-back'), '--report', join(dir, 'back.xlsx'), '--no-revert', '--rate', 'off'], { env });
    expect(back.code).toBe(0);
    expect(sandbox.writes.map((w) => [w.method, w.uuid, w.body])).toEqual([
      ['PUT', target.uuid, { name: 'Edited in a CSV' }],
      ['PUT', target.uuid, { name: originalName }],
    ]);
    expect(sandbox.state.cases[target.uuid]!.name).toBe(originalName);
  });

  it('no false conflict: every record of an untouched CSV export, edited, passes the conflict check', async () => {
    const { sandbox, dir } = await setUp();
    const env = sandboxEnv(sandbox);
    const out = join(dir, 'cases.csv');
    expect((await runCli(['export', 'cases', '--out', out, '--rate', 'off'], { env })).code).toBe(0);
    const cases = Object.values(sandbox.state.cases);
    await editCsv(out, cases.map((c) => ({ key: c.uuid, header: 'Name', value: `${c.name} (checked)` })));
    const run = await runCli(['import', out, '--entity', 'cases', '--journal', join(dir, 'j'), '--report', join(dir, 'report.xlsx'), '--no-revert', '--rate', 'off'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.writes).toHaveLength(cases.length);
    for (const write of sandbox.writes) expect(Object.keys(write.body as object)).toEqual(['name']);
  });

  it('a record changed in the CRM since the CSV export is a conflict and is not written', async () => {
    const { sandbox, dir } = await setUp();
    const env = sandboxEnv(sandbox);
    const out = join(dir, 'cases.csv');
    expect((await runCli(['export', 'cases', '--out', out, '--rate', 'off'], { env })).code).toBe(0);
    const target = Object.values(sandbox.state.cases).find((c) => c.value !== null)!;
    await editCsv(out, [{ key: target.uuid, header: 'Name', value: 'My edit' }]);
    // Someone else changes the case in Plannr meanwhile.
    target.value = 777;
    target.updated_at = '2099-01-01T10:00:00+00:00';
    const report = join(dir, 'report.xlsx');
    const run = await runCli(['import', out, '--entity', 'cases', '--journal', join(dir, 'j'), '--report', report, '--no-revert', '--rate', 'off'], { env });
    expect(run.code).toBe(1);
    expect(sandbox.writes).toEqual([]);
    expect(sandbox.state.cases[target.uuid]!.name).not.toBe('My edit');
    const message = (await readSheet(report, 'Results')).flat().find((cell) => cell.includes('conflict'));
    expect(message).toContain('now £7.77');
    expect(message).toContain('yours My edit');

    const forced = await runCli(['import', out, '--entity', 'cases', '--journal', join(dir, 'j2'), '--report', join(dir, 'r2.xlsx'), '--no-revert', '--overwrite', '--rate', 'off'], { env });
    expect(forced.code).toBe(0);
    expect(sandbox.writes.map((w) => w.body)).toEqual([{ name: 'My edit' }]);
    expect(sandbox.state.cases[target.uuid]!.value).toBe(777);
  });

  it('a snapshot beside another CSV is not applied: the import is refused (exit 2) and nothing is sent', async () => {
    const { sandbox, dir } = await setUp();
    const env = sandboxEnv(sandbox);
    const first = join(dir, 'cases.csv');
    const second = join(dir, 'cases-copy.csv');
    for (const out of [first, second]) expect((await runCli(['export', 'cases', '--out', out, '--rate', 'off'], { env })).code).toBe(0);
    const target = Object.values(sandbox.state.cases)[0]!;
    await editCsv(second, [{ key: target.uuid, header: 'Name', value: 'Edited' }]);
    // The first export's snapshot, copied beside the second file.
    await copyFile(`${first}.meta.json`, `${second}.meta.json`);
    const copied = await runCli(['import', second, '--entity', 'cases', '--journal', join(dir, 'j1'), '--report', join(dir, 'r1.xlsx'), '--no-revert', '--rate', 'off'], { env });
    expect(copied.code).toBe(2);
    expect(copied.stderr).toContain('cases-copy.csv.meta.json');
    expect(copied.stderr).toContain('written for cases.csv');
    expect(copied.stderr).not.toMatch(/\n\s+at /);

    // The right name, but a row whose key the export never wrote: rows from elsewhere.
    await editCsv(first, [{ key: target.uuid, header: 'UUID', value: '00000000-0000-4000-8000-000000000001' }]);
    const stranger = await runCli(['import', first, '--entity', 'cases', '--journal', join(dir, 'j2'), '--report', join(dir, 'r2.xlsx'), '--no-revert', '--rate', 'off'], { env });
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('00000000-0000-4000-8000-000000000001');
    expect(sandbox.writes).toEqual([]);
  });
});
