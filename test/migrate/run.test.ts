/**
 * runMigration's rerun rules against the in-process sandbox: a rerun after a fix creates only
 * the fixed record; a changed file is refused while rows of its unfinished run are in doubt.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMigration } from '../../src/migrate/run.js';
import { apiFor, normalise, sandboxPerTest, writeCsv } from '../e2e/helpers.js';

const setUp = sandboxPerTest('plannr-migrate-run-');

describe('a migration run again', () => {
  it('after fixing an invalid client, creates that client and the contact detail held back for it, and nothing twice', async () => {
    const { sandbox, dir } = await setUp();
    const header = ['Legacy ID', 'Forename', 'Surname', 'NI No'];
    const clients = await writeCsv(dir, 'clients.csv', [header, ['C1', 'Ann', 'Lee', 'AB123456C'], ['C2', 'Raj', 'Patel', 'QQ123456C']]);
    const details = await writeCsv(dir, 'details.csv', [['Legacy ID', 'Client ID', 'Name', 'Value'], ['D1', 'C1', 'Email', 'ann@example.com'], ['D2', 'C2', 'Email', 'raj@example.com']]);
    const config = { files: [{ entity: 'clients', file: clients }, { entity: 'contact-details', file: details }] as const, state: join(dir, 'state'), api: apiFor(sandbox), normalise };
    const first = await runMigration(config);
    expect(first.exitCode).toBe(1);
    expect(first.files[1]!.held.map((h) => h.legacyId)).toEqual(['D2']);
    expect(sandbox.writes).toHaveLength(2);
    // The NI number fixed (HMRC never uses Q as a prefix letter): the file has changed since its run.
    await writeCsv(dir, 'clients.csv', [header, ['C1', 'Ann', 'Lee', 'AB123456C'], ['C2', 'Raj', 'Patel', 'AB654321C']]);
    const second = await runMigration(config);
    expect(second.exitCode).toBe(0);
    expect(second.files.map((f) => [f.alreadyInPlannr, f.imported.sent])).toEqual([[1, 1], [1, 1]]);
    const posts = sandbox.writes.map((w) => [w.path, (w.body as Record<string, unknown>).last_name ?? (w.body as Record<string, unknown>).value]);
    expect(posts.map(String).sort()).toEqual([
      ['/api/v1/client', 'Lee'], ['/api/v1/client', 'Patel'], ['/api/v2/contact-details', 'ann@example.com'], ['/api/v2/contact-details', 'raj@example.com'],
    ].map(String));
    const patel = sandbox.writes.find((w) => (w.body as Record<string, unknown>).last_name === 'Patel')!;
    expect((sandbox.writes.find((w) => (w.body as Record<string, unknown>).value === 'raj@example.com')!.body as Record<string, unknown>).account_uuids).toEqual([patel.uuid]);
  });

  it('refuses a changed file while a row of its unfinished run has an unknown outcome, naming its legacy id', async () => {
    const { sandbox, dir } = await setUp();
    const clients = await writeCsv(dir, 'clients.csv', [['Legacy ID', 'Forename', 'Surname'], ['C1', 'Ann', 'Lee'], ['C2', 'Raj', 'Patel']]);
    const state = join(dir, 'state');
    const config = { files: [{ entity: 'clients', file: clients }] as const, state, api: apiFor(sandbox), normalise };
    await runMigration(config);
    // As if killed with row 3's request in flight: its latest journal record is a send with no outcome.
    await appendFile(join(state, 'clients', 'gen-1.journal'), `${JSON.stringify({ t: 'send', row: 3, m: 'POST', at: new Date().toISOString() })}\n`);
    const meta = join(state, 'clients', 'gen-1.json');
    const generation = JSON.parse(await readFile(meta, 'utf8')) as Record<string, unknown>;
    await writeFile(meta, JSON.stringify({ ...generation, finished: undefined }));
    await writeCsv(dir, 'clients.csv', [['Legacy ID', 'Forename', 'Surname'], ['C1', 'Ann', 'Lee'], ['C2', 'Raj', 'Patel-Smith'], ['C3', 'Zoe', 'Kerr']]);
    const writes = sandbox.writes.length;
    await expect(runMigration(config)).rejects.toThrow(/clients\.csv has changed since .* 1 row of that run has an unknown outcome \(legacy ids C2 \(row 3\)\)/);
    expect(sandbox.writes).toHaveLength(writes);
  });
});
