import { describe, expect, it } from 'vitest';
import { JournalError } from '../../src/errors.js';
import { ROW_ACTIONS, ROW_STATUSES } from '../../src/outcome/row-outcome.js';
import { parseJournal } from '../../src/pipeline/journal.js';

const RUN = { t: 'run', fingerprint: 'f', entity: 'cases', file: 'in.csv', at: '2026-12-01T09:15:02.000Z' };

async function* bytes(lines: readonly object[]): AsyncGenerator<Buffer> {
  yield Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
}

const parse = (lines: readonly object[]) => parseJournal(bytes([RUN, ...lines]), 'run.journal');

describe("the journal's schema is the row model's", () => {
  it('accepts an outcome with each of the row statuses and each of the row actions', async () => {
    const lines = ROW_STATUSES.flatMap((status, s) => ROW_ACTIONS.map((action, a) => ({ t: 'done', row: 2 + s * 10 + a, status, action, key: '', msg: '' })));
    const { state } = await parse(lines);
    // 'unknown' is not final: such a row is in flight, to be read back first.
    const final = ROW_STATUSES.filter((status) => status !== 'unknown');
    expect(new Set([...state.done.values()].map((done) => done.status))).toEqual(new Set(final));
    expect(new Set([...state.done.values()].map((done) => done.action))).toEqual(new Set(ROW_ACTIONS));
    expect(state.inFlight.size).toBe(ROW_ACTIONS.length);
  });

  it.each(['ok', 'Sent', 'done', 'error', ''])('refuses the status %j, which the row model does not have, as damage on its line', async (status) => {
    const attempt = parse([{ t: 'done', row: 2, status, action: 'update', key: '', msg: '' }, { t: 'done', row: 3, status: 'sent', action: 'update', key: 'k', msg: '' }]);
    await expect(attempt).rejects.toBeInstanceOf(JournalError);
    await expect(attempt).rejects.toThrow(/line 2 is damaged/);
  });

  it('refuses an action the row model does not have', async () => {
    const attempt = parse([{ t: 'done', row: 2, status: 'sent', action: 'delete', key: '', msg: '' }, { t: 'done', row: 3, status: 'sent', action: 'update', key: 'k', msg: '' }]);
    await expect(attempt).rejects.toThrow(/line 2 is damaged/);
  });

  it("keeps the API's own words with an outcome, so a resumed run's report still shows them", async () => {
    const { state } = await parse([{ t: 'done', row: 2, status: 'failed', action: 'create', key: '', http: 422, msg: 'Plannr refused a value (HTTP 422)', api: 'The name field is required.' }]);
    expect(state.done.get(2)).toMatchObject({ msg: 'Plannr refused a value (HTTP 422)', api: 'The name field is required.' });
  });
});
