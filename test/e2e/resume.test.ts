import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { runExport } from '../../src/pipeline/export.js';
import { runImport } from '../../src/pipeline/import.js';
import { apiFor, clientUuids, column, editWorkbook, normalise, readSheet, runCli, sandboxEnv, startCli, tempDir, waitFor, writeCsv } from './helpers.js';

let sandbox: RunningSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
});

describe('a run killed with SIGKILL and resumed', () => {
  it('ends with every row applied exactly once and no duplicate creates', async () => {
    sandbox = await startSandbox({ port: 0, ratePerMinute: 0, latencyMs: 15 });
    const dir = await tempDir();
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 150);
    const clients = clientUuids(sandbox.state);
    const rows = [
      ...caseIds.map((id, i) => [id, `Resumed update ${i}`, '']),
      ...Array.from({ length: 40 }, (_, i) => ['', `Resumed create ${i}`, clients[i % clients.length]!]),
    ];
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name', 'Clients'], ...rows]);
    const journal = join(dir, 'cases.journal');
    const report = join(dir, 'report.xlsx');
    const env = sandboxEnv(sandbox);
    // A row killed in flight is read back on resume until the read-back window after its
    // attempt has closed: 2 s keeps a request that never left from holding the test for a minute.
    const args = ['import', file, '--entity', 'cases', '--journal', journal, '--report', report, '--revert', join(dir, 'revert.xlsx'), '--rate', 'off', '--concurrency', '8', '--read-back-window', '2'];

    const first = startCli(args, { env });
    const running = sandbox;
    await waitFor('60 writes from the first run', () => running.writes.length >= 60);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const writesBeforeResume = sandbox.writes.length;
    expect(writesBeforeResume).toBeGreaterThanOrEqual(60);
    expect(writesBeforeResume).toBeLessThan(rows.length);

    const second = await runCli([...args, '--resume'], { env });
    expect(second.stdout + second.stderr).toMatch(/190 rows read: 190 sent/);
    expect(second.code).toBe(0);

    const writesPerCase = new Map<string, number>();
    for (const w of sandbox.writes) writesPerCase.set(w.uuid, (writesPerCase.get(w.uuid) ?? 0) + 1);
    for (const id of caseIds) expect(writesPerCase.get(id), id).toBe(1);
    for (let i = 0; i < 40; i++) {
      expect(Object.values(sandbox.state.cases).filter((c) => c.name === `Resumed create ${i}`), `create ${i}`).toHaveLength(1);
    }
    expect(sandbox.writes).toHaveLength(190);
    const results = await readSheet(report, 'Results');
    expect(column(results, 'Outcome')).toEqual(Array(190).fill('sent'));
  });

  it('Ctrl-C stops sending, writes the report and journal, says how to resume, and resume finishes', async () => {
    sandbox = await startSandbox({ port: 0, ratePerMinute: 0, latencyMs: 20 });
    const dir = await tempDir();
    const caseIds = Object.keys(sandbox.state.cases).slice(0, 200);
    const file = await writeCsv(dir, 'cases.csv', [['Case ID', 'Case Name'], ...caseIds.map((id, i) => [id, `Interrupted ${i}`])]);
    const report = join(dir, 'report.xlsx');
    const env = sandboxEnv(sandbox);
    const args = ['import', file, '--entity', 'cases', '--report', report, '--no-revert', '--rate', 'off', '--concurrency', '4'];

    const first = startCli(args, { env });
    const running = sandbox;
    await waitFor('20 writes from the first run', () => running.writes.length >= 20);
    first.child.kill('SIGINT');
    const stopped = await first.done;
    const said = stopped.stdout + stopped.stderr;
    expect(stopped.code).toBe(1);
    expect(said).toMatch(/stopping: no new rows will be sent/);
    expect(said).toMatch(/to finish: plannr-bulk import .*cases\.csv --entity cases --resume/);
    const sentFirst = sandbox.writes.length;
    expect(sentFirst).toBeLessThan(200);
    const firstReport = await readSheet(report, 'Results');
    const statuses = column(firstReport, 'Outcome');
    expect(statuses).toHaveLength(200);
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(sentFirst);
    expect(statuses.filter((s) => s === 'skipped')).toHaveLength(200 - sentFirst);

    const second = await runCli([...args, '--resume'], { env });
    expect(second.code).toBe(0);
    expect(sandbox.writes).toHaveLength(200);
    expect(new Set(sandbox.writes.map((w) => w.uuid)).size).toBe(200);
  });
});

describe('an edited export whose update was answered by a proxy page', () => {
  it('ends unknown, and --resume sends only the edited field, once, after reading the record back unchanged', async () => {
    sandbox = await startSandbox({ port: 0, ratePerMinute: 0 });
    const dir = await tempDir();
    const picked = Object.values(sandbox.state.cases).slice(0, 3);
    const out = join(dir, 'cases.xlsx');
    await runExport({ entity: 'cases', out, api: apiFor(sandbox), normalise, filters: { uuid: picked.map((c) => c.uuid).join(',') } });
    const target = picked[1]!;
    await editWorkbook(out, [{ key: target.uuid, header: 'Name', value: 'Edited behind a proxy' }]);
    const options = { file: out, entity: 'cases', api: apiFor(sandbox), normalise, readBackWindowMs: 200 } as const;

    // A proxy answers the PUT with 200 and an HTML page; nothing is written.
    sandbox.setFaults({ htmlOkNext: 1 });
    const first = await runImport(options);
    expect(first.counts).toMatchObject({ read: 3, unknown: 1, skipped: 2 });
    expect(first.exitCode).toBe(1);
    expect(sandbox.writes).toHaveLength(0);

    sandbox.setFaults({});
    const resumed = await runImport({ ...options, resume: true });
    expect(resumed.counts).toMatchObject({ read: 3, sent: 1, skipped: 2 });
    expect(sandbox.writes.map((w) => [w.uuid, w.body])).toEqual([[target.uuid, { name: 'Edited behind a proxy' }]]);
    expect(sandbox.state.cases[target.uuid]!.name).toBe('Edited behind a proxy');
  });
});
