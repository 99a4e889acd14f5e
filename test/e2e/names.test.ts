import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/pipeline/import.js';
import { runPlan } from '../../src/pipeline/plan.js';
import { runValidate } from '../../src/pipeline/validate.js';
import type { RunningSandbox } from '../../src/sandbox/server.js';
import { apiFor, column, normalise, readSheet, sandboxPerTest, tempDir, writeCsv } from './helpers.js';

const setUp = sandboxPerTest('plannr-names-');

function statusNamed(running: RunningSandbox, name: string) {
  return Object.values(running.state.caseStatuses).find((s) => s.name === name)!;
}
function typeNamed(running: RunningSandbox, name: string) {
  return Object.values(running.state.caseTypes).find((t) => t.name === name)!;
}

describe('names and emails instead of uuids', () => {
  it('a status and type by name, an adviser and a client by email, land as the right uuids', async () => {
    const { sandbox, dir } = await setUp();
    const target = Object.values(sandbox.state.cases).find((c) => statusNamed(sandbox, 'To Be Reviewed').uuid !== c.status_uuid)!;
    const adviser = Object.values(sandbox.state.accounts).find((a) => a.role === 'adviser')!;
    const client = Object.values(sandbox.state.accounts).find((a) => a.type === 'client')!;
    const file = await writeCsv(dir, 'cases.csv', [
      ['UUID', 'Name', 'Status', 'Type', 'Assigned To', 'Clients'],
      [target.uuid, '', '  to be REVIEWED ', 'MORTGAGE', adviser.email.toUpperCase(), ''],
      ['', 'New by email', 'Lead', '', '', client.email],
    ]);
    const result = await runImport({ file, entity: 'cases', api: apiFor(sandbox), normalise, journal: join(dir, 'j') });
    expect(result.counts).toMatchObject({ read: 2, sent: 2, invalid: 0, failed: 0 });
    const byMethod = Object.fromEntries(sandbox.writes.map((w) => [w.method, w.body]));
    expect(byMethod.PUT).toEqual({
      status: statusNamed(sandbox, 'To Be Reviewed').uuid,
      type: typeNamed(sandbox, 'Mortgage').uuid,
      assigned_to_uuids: [adviser.uuid],
    });
    expect(byMethod.POST).toEqual({ name: 'New by email', status: statusNamed(sandbox, 'Lead').uuid, participants: [client.uuid] });
  });

  it('a contact detail owned by an account given by email is sent with its uuid', async () => {
    const { sandbox, dir } = await setUp();
    const client = Object.values(sandbox.state.accounts).find((a) => a.type === 'client')!;
    const file = await writeCsv(dir, 'details.csv', [
      ['Name', 'Value', 'Accounts', 'Primary For'],
      ['Mobile', '07911 123457', client.email, client.uuid],
    ]);
    const result = await runImport({ file, entity: 'contact-details', api: apiFor(sandbox), normalise, journal: join(dir, 'j') });
    expect(result.counts.sent).toBe(1);
    expect(sandbox.writes[0]!.body).toMatchObject({ account_uuids: [client.uuid], primary_account_uuids: [client.uuid] });
  });

  it('a name matching nothing, or several records, is a row error naming the cell and the candidates; nothing is sent', async () => {
    const { sandbox, dir } = await setUp();
    // A second status called "lead" (another case), used by a case, makes "Lead" ambiguous.
    const lead = statusNamed(sandbox, 'Lead');
    const twin = { ...lead, uuid: '0f0f0f0f-0000-4000-8000-000000000001', name: 'lead' };
    sandbox.state.caseStatuses[twin.uuid] = twin;
    const [first, second, third] = Object.values(sandbox.state.cases);
    first!.status_uuid = twin.uuid;
    // Two accounts sharing an email.
    const [staffA, staffB] = Object.values(sandbox.state.accounts).filter((a) => a.type === 'employee');
    staffB!.email = staffA!.email;
    const file = await writeCsv(dir, 'cases.csv', [
      ['UUID', 'Status', 'Assigned To'],
      [second!.uuid, 'Waiting On Godot', ''],
      [third!.uuid, 'Lead', ''],
      [first!.uuid, '', staffA!.email],
    ]);
    const report = join(dir, 'report.xlsx');
    const result = await runImport({ file, entity: 'cases', api: apiFor(sandbox), normalise, report, journal: join(dir, 'j') });
    expect(result.counts).toMatchObject({ read: 3, invalid: 3, sent: 0 });
    expect(sandbox.writes).toEqual([]);
    const messages = column(await readSheet(report, 'Results'), 'Message');
    expect(messages[0]).toMatch(/^Status: no case status is named "Waiting On Godot" \(known case statuses: .*To Be Reviewed.*\)/);
    expect(messages[1]).toMatch(/^Status: "Lead" matches 2 case statuses: .+: give the UUID of the one you mean$/);
    expect(messages[1]).toContain(`Lead (${lead.uuid})`);
    expect(messages[1]).toContain(`lead (${twin.uuid})`);
    expect(messages[2]).toContain(`Assigned To: "${staffA!.email}" matches 2 accounts: ${staffA!.name} (${staffA!.uuid})`);
    expect(messages[2]).toContain(`${staffB!.name} (${staffB!.uuid})`);
  });

  it('validate accepts names and emails offline (their form only); a mistyped uuid is still an error', async () => {
    const dir = await tempDir('plannr-names-');
    const file = await writeCsv(dir, 'cases.csv', [
      ['UUID', 'Status', 'Type', 'Assigned To'],
      ['6ff8f7f6-1eb3-3525-be4a-3932c805afed', 'To Be Reviewed', 'Mortgage', 'jane.adviser@example.co.uk'],
      ['6ff8f7f6-1eb3-3525-be4a-3932c805afee', '38c8721a-6541-4e85-ab0c-4bab6fbec6', '', 'not an email'],
    ]);
    const report = join(dir, 'report.xlsx');
    const result = await runValidate({ file, entity: 'cases', normalise, report });
    expect(result.counts).toMatchObject({ valid: 1, invalid: 1 });
    const messages = column(await readSheet(report, 'Results'), 'Message');
    expect(messages[1]).toContain('Status: not a UUID');
    expect(messages[1]).toContain('Assigned To: item 1 ("not an email"): "not an email" is neither a UUID nor an email address');
  });

  it('plan resolves names too and shows them beside the uuids; importing the plan sends the uuids', async () => {
    const { sandbox, dir } = await setUp();
    const reviewed = statusNamed(sandbox, 'To Be Reviewed');
    const target = Object.values(sandbox.state.cases).find((c) => c.status_uuid !== reviewed.uuid)!;
    const before = sandbox.state.caseStatuses[target.status_uuid]!;
    const file = await writeCsv(dir, 'cases.csv', [
      ['UUID', 'Status'],
      [target.uuid, 'to be reviewed'],
    ]);
    const plan = join(dir, 'cases.plan.xlsx');
    const planned = await runPlan({ file, entity: 'cases', out: plan, api: apiFor(sandbox), normalise });
    expect(planned.actions.update).toBe(1);
    const rows = await readSheet(plan, 'Plan');
    expect(column(rows, 'Plan Changes')).toEqual([`Status: ${before.uuid} (${before.name}) → ${reviewed.uuid} (to be reviewed)`]);
    expect(column(rows, 'Status')).toEqual([reviewed.uuid]);
    const applied = await runImport({ file: plan, entity: 'cases', api: apiFor(sandbox), normalise });
    expect(applied.counts.sent).toBe(1);
    expect(sandbox.writes.map((w) => w.body)).toEqual([{ status: reviewed.uuid }]);
  });
});
