import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExport } from '../../src/pipeline/export.js';
import { runImport } from '../../src/pipeline/import.js';
import { runPlan } from '../../src/pipeline/plan.js';
import type { RunningSandbox } from '../../src/sandbox/server.js';
import { apiFor, column, editWorkbook, normalise, readSheet, sandboxPerTest, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-plan-');

/** Exports six cases (with a value and a review date), as a person would before editing them. */
async function exportSome(running: RunningSandbox, out: string) {
  const picked = Object.values(running.state.cases).filter((c) => c.value !== null && c.review_at !== null).slice(0, 6);
  await runExport({ entity: 'cases', out, api: apiFor(running), normalise, filters: { uuid: picked.map((c) => c.uuid).join(',') } });
  return picked;
}

/** The plan's rows by UUID: action and changes text. */
async function planRows(path: string): Promise<Map<string, { action: string; changes: string }>> {
  const rows = await readSheet(path, 'Plan');
  const uuids = column(rows, 'UUID');
  const actions = column(rows, 'Plan Action');
  const changes = column(rows, 'Plan Changes');
  return new Map(uuids.map((uuid, i) => [uuid, { action: actions[i] ?? '', changes: changes[i] ?? '' }]));
}

describe('plan', () => {
  it('shows before → after for each edited cell of an export, "no change" for the rest, and writes nothing', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'cases.xlsx');
    const [a, b] = await exportSome(sandbox, out);
    await editWorkbook(out, [
      { key: a!.uuid, header: 'Name', value: 'Edited in Excel' },
      { key: b!.uuid, header: 'Value', value: 1234.56 },
    ]);
    const plan = join(dir, 'cases.plan.xlsx');
    const result = await runPlan({ file: out, entity: 'cases', out: plan, api: apiFor(sandbox), normalise });
    expect(result.actions).toEqual({ create: 0, update: 2, 'no change': 4, conflict: 0, invalid: 0 });
    expect(result.exitCode).toBe(0);
    expect(sandbox.writes).toEqual([]);

    const rows = await planRows(plan);
    expect(rows.get(a!.uuid)).toEqual({ action: 'update', changes: `Name: ${a!.name} → Edited in Excel` });
    // Money as people read it (en-GB pounds and pence), though pennies are what is compared and sent.
    const pounds = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
    expect(rows.get(b!.uuid)).toEqual({ action: 'update', changes: `Value: ${pounds.format(b!.value! / 100)} → £1,234.56` });
    expect([...rows.values()].filter((r) => r.action === 'no change')).toHaveLength(4);
    const summary = await readSheet(plan, 'Summary');
    expect(summary.find((r) => r[0] === 'Rows add up')?.[1]).toBe('6 read = 0 create + 2 update + 4 no change + 0 conflict + 0 invalid ✓');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(plan);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Plan', 'Summary', '_meta']);
  });

  it('reads the records it compares in list requests of up to 100, not one request per row', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'all-cases.xlsx');
    await runExport({ entity: 'cases', out, api: apiFor(sandbox), normalise });
    const count = Object.keys(sandbox.state.cases).length;
    const result = await runPlan({ file: out, entity: 'cases', out: join(dir, 'all.plan.xlsx'), api: apiFor(sandbox), normalise });
    expect(result.actions['no change']).toBe(count);
    // One request to check the credentials, then the reads: ceil(count / 100) when rows arrive together.
    expect(result.pool.requests).toBeLessThanOrEqual(1 + Math.ceil(count / 100) + 2);
  });

  it('importing the plan applies exactly the changes it showed: the same bodies, the rest skipped', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'cases.xlsx');
    const [a, b, c] = await exportSome(sandbox, out);
    await editWorkbook(out, [
      { key: a!.uuid, header: 'Name', value: 'Planned name' },
      { key: b!.uuid, header: 'Value', value: 10.5 },
      { key: c!.uuid, header: 'Review At', value: '(clear)' },
    ]);
    const plan = join(dir, 'cases.plan.xlsx');
    await runPlan({ file: out, entity: 'cases', out: plan, api: apiFor(sandbox), normalise });
    const rows = await planRows(plan);
    expect(rows.get(c!.uuid)?.changes).toMatch(/^Review At: .+ → \(clear\)$/);

    const result = await runImport({ file: plan, entity: 'cases', api: apiFor(sandbox), normalise });
    expect(result.counts).toMatchObject({ read: 6, sent: 3, skipped: 3, failed: 0, invalid: 0 });
    expect(result.exitCode).toBe(0);
    expect(result.interrupted).toBe(false);
    const byUuid = (x: readonly unknown[], y: readonly unknown[]) => String(x[0]).localeCompare(String(y[0]));
    expect(sandbox.writes.map((w) => [w.uuid, w.body]).sort(byUuid)).toEqual([
      [a!.uuid, { name: 'Planned name' }],
      [b!.uuid, { value: 1050 }],
      [c!.uuid, { review_at: null }],
    ].sort(byUuid));
  });

  it('a record changed in the CRM after the plan is a conflict on import, and not written without --overwrite', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'cases.xlsx');
    const target = (await exportSome(sandbox, out))[5]!;
    await editWorkbook(out, [{ key: target.uuid, header: 'Name', value: 'My planned edit' }]);
    const plan = join(dir, 'cases.plan.xlsx');
    await runPlan({ file: out, entity: 'cases', out: plan, api: apiFor(sandbox), normalise });

    // Someone changes the case in Plannr after the plan was written.
    target.value = 4242;
    target.updated_at = '2099-01-01T10:00:00+00:00';
    const held = await runImport({ file: plan, entity: 'cases', api: apiFor(sandbox), normalise, report: join(dir, 'r.xlsx') });
    expect(held.counts).toMatchObject({ sent: 0, failed: 1 });
    expect(sandbox.writes).toEqual([]);
    const results = await readSheet(join(dir, 'r.xlsx'), 'Results');
    expect(results.flat().find((t) => t.startsWith('conflict'))).toContain('now £42.42');

    const forced = await runImport({ file: plan, entity: 'cases', api: apiFor(sandbox), normalise, overwrite: true, journal: join(dir, 'j2') });
    expect(forced.counts.sent).toBe(1);
    expect(sandbox.writes.map((w) => w.body)).toEqual([{ name: 'My planned edit' }]);
    expect(sandbox.state.cases[target.uuid]!.value).toBe(4242);
  });

  it('a record already changed since the export is planned as a conflict, and importing the plan holds it back too', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'cases.xlsx');
    const target = (await exportSome(sandbox, out))[2]!;
    await editWorkbook(out, [{ key: target.uuid, header: 'Name', value: 'Late edit' }]);
    target.name = 'Changed by a colleague';
    target.updated_at = '2099-02-02T10:00:00+00:00';
    const plan = join(dir, 'cases.plan.xlsx');
    const result = await runPlan({ file: out, entity: 'cases', out: plan, api: apiFor(sandbox), normalise });
    expect(result.actions.conflict).toBe(1);
    expect(result.exitCode).toBe(1);
    const row = (await planRows(plan)).get(target.uuid)!;
    expect(row.action).toBe('conflict');
    expect(row.changes).toContain('now Changed by a colleague, yours Late edit');

    const applied = await runImport({ file: plan, entity: 'cases', api: apiFor(sandbox), normalise });
    expect(applied.counts).toMatchObject({ sent: 0, failed: 1 });
    expect(sandbox.writes).toEqual([]);
  });

  it('plans a CSV that is not an export: creates, updates against the record as it is now, and invalid rows', async () => {
    const { sandbox, dir } = await setUp();
    const target = Object.values(sandbox.state.contactDetails).find((d) => d.type === 'phone_number')!;
    const client = Object.values(sandbox.state.accounts).find((a) => a.type === 'client')!;
    const file = await writeCsv(dir, 'details.csv', [
      ['UUID', 'Name', 'Value', 'Accounts'],
      [target.uuid, target.name, '07911 123456', target.account_uuids.join('; ')],
      ['', 'Mobile', '07911 123457', client.uuid],
      ['', 'Mobile', 'not a phone', client.uuid],
    ]);
    const plan = join(dir, 'details.plan.xlsx');
    const result = await runPlan({ file, entity: 'contact-details', out: plan, api: apiFor(sandbox), normalise });
    expect(result.actions).toMatchObject({ update: 1, create: 1, invalid: 1 });
    const rows = await readSheet(plan, 'Plan');
    const actions = column(rows, 'Plan Action');
    const changes = column(rows, 'Plan Changes');
    expect(actions).toEqual(['update', 'create', 'invalid']);
    expect(changes[0]).toBe(`Value: ${target.value} → +447911123456`);
    expect(changes[1]).toContain('Value: (new) → +447911123457');
    expect(changes[2]).toContain('not a phone');
    expect(column(rows, 'Plan Row')).toEqual(['2', '3', '4']);

    const applied = await runImport({ file: plan, entity: 'contact-details', api: apiFor(sandbox), normalise });
    expect(applied.counts).toMatchObject({ read: 3, sent: 2, invalid: 1 });
    expect(sandbox.writes.map((w) => [w.method, w.body]).sort().reverse()).toEqual([
      ['PUT', { name: target.name, value: '+447911123456', account_uuids: target.account_uuids }],
      ['POST', { name: 'Mobile', value: '+447911123457', account_uuids: [client.uuid], type: 'phone_number' }],
    ]);
  });
});
