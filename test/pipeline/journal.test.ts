import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalError } from '../../src/errors.js';
import { fingerprintFile, openJournal, readJournal } from '../../src/pipeline/journal.js';

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  const input = join(dir, 'in.csv');
  await writeFile(input, 'a,b\n1,2\n');
  return { dir, input, journalPath: join(dir, 'run.journal'), fingerprint: await fingerprintFile(input) };
}

describe('the import journal', () => {
  it('records intents and outcomes durably, and a send without an outcome reads back as in flight', async () => {
    const { journalPath, fingerprint } = await setup();
    const journal = await openJournal(journalPath, { fingerprint, entity: 'cases', file: 'in.csv', resume: false });
    await Promise.all([journal.sending(2, 'PUT'), journal.sending(3, 'POST')]);
    await journal.done({ row: 2, status: 'sent', action: 'update', key: 'k', http: 200, msg: '' });
    await journal.close();
    const { state } = await readJournal(journalPath);
    expect([...state.done.keys()]).toEqual([2]);
    expect(state.inFlight.get(3)?.method).toBe('POST');
  });

  it('a torn last line (killed mid-write) is ignored', async () => {
    const { journalPath, fingerprint } = await setup();
    const journal = await openJournal(journalPath, { fingerprint, entity: 'cases', file: 'in.csv', resume: false });
    await journal.done({ row: 2, status: 'sent', action: 'update', key: 'k', msg: '' });
    await journal.close();
    await appendFile(journalPath, '{"t":"done","row":3,"sta');
    const { state } = await readJournal(journalPath);
    expect(state.done.size).toBe(1);
  });

  it('refuses to resume a different file, and to overwrite a journal without --resume', async () => {
    const { dir, journalPath, fingerprint } = await setup();
    const journal = await openJournal(journalPath, { fingerprint, entity: 'cases', file: 'in.csv', resume: false });
    await journal.done({ row: 2, status: 'sent', action: 'update', key: 'k', msg: '' });
    await journal.close();
    const other = join(dir, 'other.csv');
    await writeFile(other, 'a,b\n9,9\n');
    await expect(openJournal(journalPath, { fingerprint: await fingerprintFile(other), entity: 'cases', file: 'other.csv', resume: true })).rejects.toThrow(/not the file journal/);
    await expect(openJournal(journalPath, { fingerprint, entity: 'cases', file: 'in.csv', resume: false })).rejects.toThrow(JournalError);
    const resumed = await openJournal(journalPath, { fingerprint, entity: 'cases', file: 'in.csv', resume: true });
    expect(resumed.previous.done.get(2)?.status).toBe('sent');
    await resumed.close();
  });
});
