import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiUnavailableError } from '../../src/errors.js';
import { runImport } from '../../src/pipeline/import.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { apiFor, clientUuids, column, normalise, readSheet, summaryOf, tempDir, writeCsv } from './helpers.js';

const header = ['Case ID', 'Case Name', 'Case Value (£)', 'Review Date', 'Clients'];
let sandbox: RunningSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setUp(options: Parameters<typeof startSandbox>[0] = {}) {
  sandbox = await startSandbox({ port: 0, ratePerMinute: 0, ...options });
  const dir = await tempDir();
  const caseIds = Object.keys(sandbox.state.cases);
  return { sandbox, dir, caseIds, clients: clientUuids(sandbox.state) };
}

describe('import against the sandbox over loopback HTTP', () => {
  it('updates and creates land with the normalised values, and the report says so row by row', async () => {
    const { sandbox, dir, caseIds, clients } = await setUp();
    const rows = caseIds.slice(0, 10).map((id, i) => [id, `Renamed ${i}`, `£1,234.5${i}`, '18/03/2026 14:30', '']);
    rows.push(['', 'Brand new mortgage', '£99', '', clients[0]!]);
    const file = await writeCsv(dir, 'cases.csv', [header, ...rows]);
    const report = join(dir, 'report.xlsx');
    const result = await runImport({ file, entity: 'cases', report, api: apiFor(sandbox), normalise });

    expect(result.exitCode).toBe(0);
    expect(result.counts).toMatchObject({ read: 11, sent: 11, invalid: 0, failed: 0 });
    caseIds.slice(0, 10).forEach((id, i) => {
      const stored = sandbox.state.cases[id]!;
      expect(stored.name).toBe(`Renamed ${i}`);
      expect(stored.value).toBe(123450 + i);
      expect(Date.parse(stored.review_at!)).toBe(Date.parse('2026-03-18T14:30:00+00:00'));
    });
    const created = Object.values(sandbox.state.cases).filter((c) => c.name === 'Brand new mortgage');
    expect(created).toHaveLength(1);
    expect(created[0]!.participant_uuids).toEqual([clients[0]]);
    expect(sandbox.writes).toHaveLength(11);

    const results = await readSheet(report, 'Results');
    expect(column(results, 'Outcome')).toEqual(Array(11).fill('sent'));
    expect(column(results, 'Key').at(-1)).toBe(created[0]!.uuid);
    expect(column(results, 'Row')).toEqual(Array.from({ length: 11 }, (_, i) => String(i + 2)));
  });

  it("a blank cell never erases the record's value", async () => {
    const { sandbox, dir, caseIds } = await setUp();
    const before = structuredClone(sandbox.state.cases[caseIds[0]!]!);
    const file = await writeCsv(dir, 'cases.csv', [header, [caseIds[0]!, 'Only the name changes', '', '', '']]);
    await runImport({ file, entity: 'cases', api: apiFor(sandbox), normalise });
    const after = sandbox.state.cases[caseIds[0]!]!;
    expect(after.name).toBe('Only the name changes');
    expect({ ...after, name: before.name, updated_at: before.updated_at }).toEqual(before);
    expect(sandbox.writes[0]!.body).toEqual({ name: 'Only the name changes' });
  });

  it("the API's 422 and 404 come back in the report, tied to the spreadsheet column", async () => {
    const { sandbox, dir, caseIds } = await setUp();
    const unknownCase = '00000000-0000-4000-8000-000000000000';
    const file = await writeCsv(dir, 'cases.csv', [
      ['Case ID', 'Case Name', 'Case Status'],
      [caseIds[0]!, 'fine', ''],
      [unknownCase, 'missing case', ''],
      [caseIds[1]!, 'bad status', '11111111-1111-4111-8111-111111111111'],
    ]);
    const report = join(dir, 'report.xlsx');
    const before = Date.now() - 1000;
    const result = await runImport({ file, entity: 'cases', report, api: apiFor(sandbox), normalise });
    const after = Date.now() + 1000;
    expect(result.exitCode).toBe(1);
    expect(result.counts).toMatchObject({ read: 3, sent: 1, failed: 2 });
    // Started and Finished: local time with its offset (ISO 8601), to the second, within the run.
    const summary = await summaryOf(report);
    for (const label of ['Started', 'Finished']) {
      const shown = summary.get(label) ?? '';
      expect(shown, label).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
      expect(Date.parse(shown)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(shown)).toBeLessThanOrEqual(after);
    }
    const results = await readSheet(report, 'Results');
    expect(column(results, 'HTTP status')).toEqual(['200', '404', '422']);
    expect(column(results, 'Outcome')).toEqual(['sent', 'failed', 'failed']);
    // Our words in Message; the API's own words, as the sandbox (like Laravel) answers, in API message.
    expect(column(results, 'Message')[2]).toBe('Plannr refused a value (HTTP 422)');
    expect(column(results, 'API message')[2]).toBe('The selected status is invalid.');
    const errors = await readSheet(report, 'Errors');
    expect(errors[0]).toEqual(['Case ID', 'Case Name', 'Case Status', 'Source row', 'Error']);
    // Source row: the row in cases.csv, the header being row 1.
    expect(errors.slice(1).map((row) => [row[0], row[3]])).toEqual([[unknownCase, '3'], [caseIds[1]!, '4']]);
    // The API's text is said once, by its column.
    expect(errors[2]![4]).toBe('Plannr refused a value (HTTP 422)\nCase Status: The selected status is invalid.');
  });

  it('bad credentials stop the run before any row is sent (exit code 2)', async () => {
    const { sandbox, dir, caseIds } = await setUp();
    const file = await writeCsv(dir, 'cases.csv', [header, [caseIds[0]!, 'x', '', '', '']]);
    const run = runImport({ file, entity: 'cases', api: apiFor(sandbox, { token: 'wrong-token' }), normalise });
    await expect(run).rejects.toBeInstanceOf(ApiUnavailableError);
    await expect(run).rejects.toThrow(/HTTP 401/);
    expect(sandbox.writes).toHaveLength(0);
  });

  it('with 10% injected 500s and a burst of 429s every valid row lands exactly once: a 500 on a write ends unknown, and --resume settles it', async () => {
    const { sandbox, dir, caseIds, clients } = await setUp({ faults: { errorRate: 0.1, burst429: 15 } });
    const updates = caseIds.slice(0, 60).map((id, i) => [id, `Chaos ${i}`, `${i}.99`, '', '']);
    const creates = Array.from({ length: 20 }, (_, i) => ['', `Created under fire ${i}`, '', '', clients[i % clients.length]!]);
    const file = await writeCsv(dir, 'cases.csv', [header, ...updates, ...creates]);
    const options = {
      file, entity: 'cases', api: apiFor(sandbox), normalise,
      pool: { concurrency: 8, backoffBaseMs: 5, backoffMaxMs: 50 },
      // A 500 on a write may come after the write was applied: it is read back until this
      // window closes (the sandbox's lists never lag), and never sent again in the same run.
      readBackWindowMs: 300,
      // A flaky API on purpose: the canary and the error budget (issue 13) would rightly stop it.
      canary: 0,
      maxFailures: 1,
    } as const;
    const result = await runImport(options);
    expect(result.counts).toMatchObject({ read: 80, failed: 0 });
    expect(result.counts.sent + result.counts.unknown).toBe(80);
    expect(result.exitCode).toBe(result.counts.unknown > 0 ? 1 : 0);
    expect(result.pool?.rateLimited429).toBeGreaterThanOrEqual(15);
    expect(result.pool?.serverErrors).toBeGreaterThan(0);

    sandbox.setFaults({});
    const resumed = await runImport({ ...options, resume: true });
    expect(resumed.counts).toMatchObject({ read: 80, sent: 80 });
    expect(resumed.exitCode).toBe(0);
    const writesPerCase = new Map<string, number>();
    for (const w of sandbox.writes) writesPerCase.set(w.uuid, (writesPerCase.get(w.uuid) ?? 0) + 1);
    for (const id of caseIds.slice(0, 60)) expect(writesPerCase.get(id)).toBe(1);
    for (let i = 0; i < 20; i++) {
      expect(Object.values(sandbox.state.cases).filter((c) => c.name === `Created under fire ${i}`)).toHaveLength(1);
    }
  });

  it('dropped connections after the write never create a duplicate: the create is read back, and --resume settles the rest', async () => {
    const { sandbox, dir, clients } = await setUp({ faults: { dropRate: 0.3 } });
    const creates = Array.from({ length: 30 }, (_, i) => ['', `Lost response ${i}`, '£1', '', clients[i % clients.length]!]);
    const file = await writeCsv(dir, 'cases.csv', [header, ...creates]);
    // canary/maxFailures: a flaky API on purpose, which the canary and the error budget (issue 13) would rightly stop.
    const options = { file, entity: 'cases', api: apiFor(sandbox), normalise, pool: { backoffBaseMs: 5, backoffMaxMs: 50 }, readBackWindowMs: 300, canary: 0, maxFailures: 1 } as const;
    const result = await runImport(options);
    expect(result.counts.sent + result.counts.unknown).toBe(30);
    for (let i = 0; i < 30; i++) {
      expect(Object.values(sandbox.state.cases).filter((c) => c.name === `Lost response ${i}`).length).toBeLessThanOrEqual(1);
    }
    sandbox.setFaults({});
    const resumed = await runImport({ ...options, resume: true });
    expect(resumed.counts.sent).toBe(30);
    for (let i = 0; i < 30; i++) {
      expect(Object.values(sandbox.state.cases).filter((c) => c.name === `Lost response ${i}`)).toHaveLength(1);
    }
  });

  it('a revert workbook that cannot be written once updates landed still leaves the report, and says how --resume writes it from the journal', async () => {
    const { sandbox, dir, caseIds } = await setUp();
    const originals = caseIds.slice(0, 3).map((id) => sandbox.state.cases[id]!.name);
    const file = await writeCsv(dir, 'cases.csv', [header, ...caseIds.slice(0, 3).map((id, i) => [id, `Renamed ${i}`, '', '', ''])]);
    const report = join(dir, 'report.xlsx');
    const revert = join(dir, 'revert.xlsx');
    const options = { file, entity: 'cases', report, revert, api: apiFor(sandbox), normalise } as const;
    let blocked = false;
    const result = await runImport({
      ...options,
      // After the outputs were probed, something takes the revert file's name (a folder now stands there).
      onProgress: () => {
        if (!blocked) mkdirSync(revert);
        blocked = true;
      },
    });
    expect(blocked).toBe(true);
    expect(result.counts).toMatchObject({ read: 3, sent: 3 });
    expect(result.revertPath).toBeUndefined();
    expect(result.revertError).toMatch(/journal .*--resume to write it again/);
    expect(result.exitCode).toBe(1);
    expect((await summaryOf(report)).get('Revert file')).toMatch(/could not be written.*--resume/);

    rmdirSync(revert);
    const resumed = await runImport({ ...options, resume: true });
    expect(resumed.revertPath).toBe(revert);
    expect(sandbox.writes).toHaveLength(3);
    // The revert rebuilt from the journal holds every original name.
    expect(column(await readSheet(revert, `revert cases`), 'Name').sort()).toEqual([...originals].sort());
  });
});
