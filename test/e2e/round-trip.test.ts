import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExport } from '../../src/pipeline/export.js';
import { runImport } from '../../src/pipeline/import.js';
import { apiFor, editWorkbook, normalise, sandboxPerTest } from './helpers.js';

const setUp = sandboxPerTest('plannr-roundtrip-');

describe('export → edit → import round trip', () => {
  it('sends exactly the edited fields and nothing else; unchanged rows are skipped and counted', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'cases.xlsx');
    await runExport({ entity: 'cases', out, api: apiFor(sandbox), normalise });
    const [a, b] = Object.values(sandbox.state.cases);
    await editWorkbook(out, [
      { key: a!.uuid, header: 'Name', value: 'Edited in Excel' },
      { key: b!.uuid, header: 'Value', value: 1234.56 },
    ]);
    const result = await runImport({ file: out, entity: 'cases', api: apiFor(sandbox), normalise });
    expect(result.exitCode).toBe(0);
    expect(result.counts).toMatchObject({ read: 300, sent: 2, skipped: 298, failed: 0 });
    expect(result.unchanged).toBe(298);
    expect(sandbox.writes.map((w) => [w.uuid, w.body])).toEqual([
      [a!.uuid, { name: 'Edited in Excel' }],
      [b!.uuid, { value: 123456 }],
    ]);
  });

  it('an export of cases, and of contact details, imports back with zero changes', async () => {
    const { sandbox, dir } = await setUp();
    for (const entity of ['cases', 'contact-details'] as const) {
      const out = join(dir, `${entity}.xlsx`);
      const exported = await runExport({ entity, out, api: apiFor(sandbox), normalise });
      const result = await runImport({ file: out, entity, api: apiFor(sandbox), normalise });
      expect(result.counts.read).toBe(exported.records);
      expect(result.unchanged).toBe(exported.records);
      expect(result.exitCode).toBe(0);
    }
    expect(sandbox.writes).toEqual([]);
  });

  it('a record changed in the CRM since the export is a conflict, reported with both versions, and left alone', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'cases.xlsx');
    await runExport({ entity: 'cases', out, api: apiFor(sandbox), normalise });
    const target = Object.values(sandbox.state.cases).find((c) => c.value !== null)!;
    await editWorkbook(out, [{ key: target.uuid, header: 'Name', value: 'My edit' }]);
    // Someone else changes the case in Plannr meanwhile.
    target.value = 777;
    target.updated_at = '2099-01-01T10:00:00+00:00';
    const report = join(dir, 'report.xlsx');
    const result = await runImport({ file: out, entity: 'cases', api: apiFor(sandbox), normalise, report });
    expect(result.counts).toMatchObject({ sent: 0, failed: 1 });
    expect(sandbox.writes).toEqual([]);
    expect(sandbox.state.cases[target.uuid]!.name).not.toBe('My edit');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(report);
    const messages: string[] = [];
    workbook.getWorksheet('Results')!.eachRow((row) => messages.push(row.values!.toString()));
    const message = messages.find((m) => m.includes('conflict'))!;
    expect(message).toContain('now £7.77');
    expect(message).toContain('yours My edit');

    const forced = await runImport({ file: out, entity: 'cases', api: apiFor(sandbox), normalise, overwrite: true, journal: join(dir, 'j2') });
    expect(forced.counts.sent).toBe(1);
    expect(sandbox.writes.map((w) => w.body)).toEqual([{ name: 'My edit' }]);
    expect(sandbox.state.cases[target.uuid]!.value).toBe(777);
  });

  it('the revert workbook, imported as it is, restores the records exactly', async () => {
    const { sandbox, dir } = await setUp();
    const original = structuredClone(sandbox.state.cases);
    const out = join(dir, 'cases.xlsx');
    await runExport({ entity: 'cases', out, api: apiFor(sandbox), normalise });
    const [a, b, c] = Object.values(sandbox.state.cases).filter((x) => x.review_at !== null && x.value !== null && x.plan_uuids.length > 0);
    await editWorkbook(out, [
      { key: a!.uuid, header: 'Name', value: 'Changed A' },
      { key: a!.uuid, header: 'Value', value: 1 },
      { key: b!.uuid, header: 'Review At', value: '(clear)' },
      { key: c!.uuid, header: 'Plans', value: '(clear)' },
    ]);
    const revert = join(dir, 'cases.revert.xlsx');
    const result = await runImport({ file: out, entity: 'cases', api: apiFor(sandbox), normalise, revert });
    expect(result.counts.sent).toBe(3);
    expect(result.revertPath).toBe(revert);
    expect(sandbox.state.cases[b!.uuid]!.review_at).toBeNull();
    expect(sandbox.state.cases[c!.uuid]!.plan_uuids).toEqual([]);

    const back = await runImport({ file: revert, entity: 'cases', api: apiFor(sandbox), normalise });
    expect(back.counts).toMatchObject({ read: 3, sent: 3, failed: 0 });
    const strip = (cases: typeof original) => Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, { ...v, updated_at: '' }]));
    const restored = strip(sandbox.state.cases);
    const before = strip(original);
    for (const id of [a!.uuid, b!.uuid, c!.uuid]) {
      expect({ ...restored[id], review_at: Date.parse(restored[id]!.review_at ?? '') }).toEqual({ ...before[id], review_at: Date.parse(before[id]!.review_at ?? '') });
    }
    expect(Object.keys(restored)).toEqual(Object.keys(before));
  });

  it('MPDX: an edit sends updated_in_db_at with it; overwrite only with the flag', async () => {
    const { sandbox, dir } = await setUp();
    const person = Object.values(sandbox.state.mpdxPeople)[0]!;
    const out = join(dir, 'phones.xlsx');
    await runExport({ entity: 'mpdx-phones', out, api: apiFor(sandbox), normalise, scope: { contact: person.contact_id, person: person.id } });
    const phone = Object.values(sandbox.state.mpdxPhones).find((p) => p.person_id === person.id)!;
    const readAt = phone.updated_in_db_at;
    await editWorkbook(out, [{ key: phone.id, header: 'Location', value: 'cottage' }], 'Phone ID');
    const result = await runImport({ file: out, entity: 'mpdx-phones', api: apiFor(sandbox), normalise });
    expect(result.counts.sent).toBe(1);
    const attributes = (sandbox.writes[0]!.body as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect(attributes.location).toBe('cottage');
    expect(Date.parse(String(attributes.updated_in_db_at))).toBe(Date.parse(readAt));
    expect(attributes).not.toHaveProperty('overwrite');
    expect(Object.keys(attributes).sort()).toEqual(['location', 'updated_in_db_at']);

    // Edited again in MPDX after the export: a conflict unless --overwrite, which MPDX then gets told.
    await editWorkbook(out, [{ key: phone.id, header: 'Location', value: 'boat' }], 'Phone ID');
    const held = await runImport({ file: out, entity: 'mpdx-phones', api: apiFor(sandbox), normalise, journal: join(dir, 'j2') });
    expect(held.counts.failed).toBe(1);
    expect(sandbox.writes).toHaveLength(1);
    const forced = await runImport({ file: out, entity: 'mpdx-phones', api: apiFor(sandbox), normalise, journal: join(dir, 'j3'), overwrite: true });
    expect(forced.counts.sent).toBe(1);
    expect((sandbox.writes[1]!.body as { data: { attributes: Record<string, unknown> } }).data.attributes).toMatchObject({ location: 'boat', overwrite: true });
  });
});
