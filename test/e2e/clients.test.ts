/**
 * Clients end to end over loopback: a legacy export creates clients (no welcome email unless
 * asked), and an accounts export, edited in Excel, imports as clients sending only the edit.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExport } from '../../src/pipeline/export.js';
import { runImport } from '../../src/pipeline/import.js';
import { runPlan } from '../../src/pipeline/plan.js';
import { runValidate } from '../../src/pipeline/validate.js';
import { apiFor, column, editWorkbook, normalise, readSheet, runCli, sandboxPerTest, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-clients-');
const dmy = { ...normalise, dateOrder: 'dmy' } as const;

describe('clients', () => {
  it('a legacy client list creates clients: staff by email or name, NI numbers canonical, no welcome email unless a row says yes', async () => {
    const { sandbox, dir } = await setUp();
    const [helen, tom] = ['Helen Marsh', 'Tom Fairbairn'].map((name) => Object.values(sandbox.state.accounts).find((a) => a.name === name)!);
    const file = await writeCsv(dir, 'legacy-clients.csv', [
      ['Forename', 'Surname', 'DOB', 'NI No', 'Mobile', 'E-mail', 'Adviser', 'Paraplanner', 'Welcome Email'],
      ['Ann', 'Lee', '18/03/1961', 'ab 12 34 56 c', '07911 123456', 'ann.lee@example.com', helen!.email, 'tom fairbairn', ''],
      ['Raj', 'Patel', '02/11/1975', '', '', 'raj@example.com', 'Helen Marsh', '', 'yes'],
      ['Zoe', 'Kerr', '01/01/2999', 'GB123456A', '', '', '', '', ''],
    ]);
    const result = await runImport({ file, entity: 'clients', api: apiFor(sandbox), normalise: dmy, journal: join(dir, 'journal') });
    expect(result.counts).toMatchObject({ read: 3, sent: 2, invalid: 1 });
    // Rows are sent concurrently: compared in name order.
    const byLastName = (w: { body: unknown }) => String((w.body as { last_name?: unknown }).last_name);
    const writes = [...sandbox.writes].sort((a, b) => byLastName(a).localeCompare(byLastName(b)));
    expect(writes.map((w) => [w.method, w.path, w.body])).toEqual([
      ['POST', '/api/v1/client', {
        first_name: 'Ann', last_name: 'Lee', email: 'ann.lee@example.com', phone: '+447911123456', date_of_birth: '1961-03-18',
        ni_number: 'AB123456C', assigned_adviser_uuid: helen!.uuid, assigned_paraplanner_uuid: tom!.uuid, send_welcome_email: false,
      }],
      ['POST', '/api/v1/client', {
        first_name: 'Raj', last_name: 'Patel', email: 'raj@example.com', date_of_birth: '1975-11-02', assigned_adviser_uuid: helen!.uuid, send_welcome_email: true,
      }],
    ]);
  });

  it('validate and plan say how many welcome emails the run would send: creates that ask for one, never updates', async () => {
    const { sandbox, dir } = await setUp();
    const existing = Object.values(sandbox.state.accounts).find((a) => a.type === 'client')!;
    const file = await writeCsv(dir, 'welcome.csv', [
      ['UUID', 'First Name', 'Last Name', 'Email', 'Send Welcome Email'],
      ['', 'Ann', 'Lee', 'ann@example.com', 'yes'],
      ['', 'Raj', 'Patel', 'raj@example.com', 'Y'],
      ['', 'Zoe', 'Kerr', 'zoe@example.com', 'no'],
      ['', 'Max', 'Ford', 'max@example.com', ''],
      [existing.uuid, '', '', '', 'yes'],
    ]);
    const label = 'Welcome emails Plannr would send';
    const report = join(dir, 'validate.xlsx');
    const validated = await runValidate({ file, entity: 'clients', normalise, report });
    expect(validated.sideEffects).toEqual({ [label]: 2 });
    const summary = await readSheet(report, 'Summary');
    expect(summary.find((r) => r[0] === label)?.[1]).toBe('2');
    const planned = await runPlan({ file, entity: 'clients', out: join(dir, 'plan.xlsx'), api: apiFor(sandbox), normalise });
    expect(planned.sideEffects).toEqual({ [label]: 2 });
    // And the terminal says it, not only the report.
    const cli = await runCli(['validate', file, '--entity', 'clients', '--report', join(dir, 'cli.xlsx')]);
    expect(cli.stdout).toContain(`${label}: 2`);
    expect(sandbox.writes).toEqual([]);
  });

  it('two members of staff with one name: the Adviser cell is an error naming both, and nothing is sent', async () => {
    const { sandbox, dir } = await setUp();
    const helen = Object.values(sandbox.state.accounts).find((a) => a.name === 'Helen Marsh')!;
    const twin = { ...helen, uuid: '0b7f3a52-1d8e-4c61-9a3f-6e2d5c4b1a09', email: 'h.marsh@harbourvale.co.uk' };
    sandbox.state.accounts[twin.uuid] = twin;
    const file = await writeCsv(dir, 'one.csv', [['Forename', 'Surname', 'Adviser'], ['Ann', 'Lee', 'helen marsh']]);
    const report = join(dir, 'report.xlsx');
    const result = await runImport({ file, entity: 'clients', api: apiFor(sandbox), normalise, journal: join(dir, 'j'), report });
    expect(result.counts).toMatchObject({ read: 1, sent: 0 });
    expect(result.counts.invalid + result.counts.failed).toBe(1);
    expect(sandbox.writes).toEqual([]);
    const message = column(await readSheet(report, 'Results'), 'Message')[0];
    expect(message).toContain(helen.uuid);
    expect(message).toContain(twin.uuid);
  });

  it('an accounts export, edited in one field, imports as clients sending that field only', async () => {
    const { sandbox, dir } = await setUp();
    const file = await writeCsv(dir, 'new.csv', [
      ['First Name', 'Last Name', 'Email', 'Date of Birth', 'NI Number', 'Client Value'],
      ['Ann', 'Lee', 'ann.lee@example.com', '1961-03-18', 'AB123456C', '£12,500.50'],
      ['Raj', 'Patel', 'raj@example.com', '1975-11-02', '', ''],
    ]);
    const created = await runImport({ file, entity: 'clients', api: apiFor(sandbox), normalise, journal: join(dir, 'j1') });
    expect(created.counts.sent).toBe(2);
    const ann = Object.values(sandbox.state.accounts).find((a) => a.email === 'ann.lee@example.com')!;
    const writesBefore = sandbox.writes.length;

    const out = join(dir, 'accounts.xlsx');
    const exported = await runExport({ entity: 'accounts', out, api: apiFor(sandbox), normalise });
    expect(exported.records).toBe(Object.keys(sandbox.state.accounts).length);
    await editWorkbook(out, [{ key: ann.uuid, header: 'Nickname', value: 'Annie' }]);

    const result = await runImport({ file: out, entity: 'clients', api: apiFor(sandbox), normalise, journal: join(dir, 'j2') });
    expect(result.exitCode).toBe(0);
    expect(result.counts).toMatchObject({ read: exported.records, sent: 1, failed: 0, invalid: 0 });
    expect(sandbox.writes.slice(writesBefore).map((w) => [w.method, w.path, w.body])).toEqual([
      ['PUT', `/api/v1/client/${ann.uuid}`, { nickname: 'Annie' }],
    ]);
    expect(sandbox.state.accounts[ann.uuid]!.client).toMatchObject({ nickname: 'Annie', date_of_birth: '1961-03-18', ni_number: 'AB123456C', value: 1250050 });
  });

  it('a create whose answer was lost is found by reading it back, though the record never shows send_welcome_email', async () => {
    const { sandbox, dir } = await setUp({ faults: { lostResponseNext: 1 } });
    const file = await writeCsv(dir, 'one.csv', [['First Name', 'Last Name', 'Email'], ['Lost', 'Answer', 'lost.answer@example.com']]);
    const result = await runImport({ file, entity: 'clients', api: apiFor(sandbox), normalise, journal: join(dir, 'j'), readBackWindowMs: 500 });
    expect(sandbox.injected().lostResponse).toBe(1);
    expect(result.counts).toMatchObject({ read: 1, sent: 1, unknown: 0 });
    expect(sandbox.writes).toHaveLength(1);
    expect(Object.values(sandbox.state.accounts).filter((a) => a.email === 'lost.answer@example.com')).toHaveLength(1);
  });

  it('an update to a field the record does not show is refused: its undo would be a guess', async () => {
    const { sandbox, dir } = await setUp();
    // A client whose account resource carries none of the client fields (as Plannr's documented example).
    const client = Object.values(sandbox.state.accounts).find((a) => a.type === 'client')!;
    delete client.client;
    const file = await writeCsv(dir, 'updates.csv', [['UUID', 'Date of Birth'], [client.uuid, '1961-03-18']]);
    const edits = await writeCsv(dir, 'names.csv', [['UUID', 'Forename'], [client.uuid, 'Olly']]);
    const report = join(dir, 'report.xlsx');
    const refused = await runImport({ file, entity: 'clients', api: apiFor(sandbox), normalise, journal: join(dir, 'j1'), report });
    expect(refused.counts).toMatchObject({ sent: 0, failed: 1 });
    expect(column(await readSheet(report, 'Results'), 'Message')[0]).toContain('does not show Date of Birth');
    const shown = await runImport({ file: edits, entity: 'clients', api: apiFor(sandbox), normalise, journal: join(dir, 'j2') });
    expect(shown.counts).toMatchObject({ sent: 1 });
    expect(sandbox.writes.map((w) => w.body)).toEqual([{ first_name: 'Olly' }]);
  });

  it('a clients export imports back with no change at all', async () => {
    const { sandbox, dir } = await setUp();
    const out = join(dir, 'clients.xlsx');
    const exported = await runExport({ entity: 'clients', out, api: apiFor(sandbox), normalise });
    expect(exported.records).toBe(Object.values(sandbox.state.accounts).filter((a) => a.type === 'client').length);
    const result = await runImport({ file: out, entity: 'clients', api: apiFor(sandbox), normalise, journal: join(dir, 'j') });
    expect(result.counts).toMatchObject({ read: exported.records, sent: 0, failed: 0, invalid: 0 });
    expect(sandbox.writes).toEqual([]);
  });
});
