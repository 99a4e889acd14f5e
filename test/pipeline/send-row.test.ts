/**
 * sendRow's decisions (issue 9, rules 3, 4, 5, 7) against a scripted pool: what is sent, how
 * often, and how each row ends. The pool here answers like the real one does for writes
 * (idempotent: false): 'unknown' for a lost answer or a 5xx, 'stopped' after a 401/403.
 */
import { describe, expect, it } from 'vitest';
import type { ApiRequest, ApiResponse } from '../../src/api/client.js';
import type { DispatchPool, DispatchResult } from '../../src/api/pool.js';
import { getEntity } from '../../src/entities/index.js';
import type { SourceRow } from '../../src/io/rows.js';
import type { RowCheck } from '../../src/pipeline/check/check-row.js';
import type { JournalDone, JsonObject } from '../../src/pipeline/journal.js';
import { createClaims, type BeforeImage, type Claims } from '../../src/pipeline/read-back.js';
import { sendRow, type SendContext } from '../../src/pipeline/send-row.js';
import { normalise } from '../e2e/helpers.js';

const cases = getEntity('cases');
const CLIENT = '5087850d-bf1b-4aad-8197-994d5f4e6ca0';
const CASE = '26477434-c4ea-4b35-993f-4ddb7c66d27c';
const NEW_X = '11111111-1111-4111-8111-111111111111';
const NEW_Y = '22222222-2222-4222-8222-222222222222';

type Answer = DispatchResult | ((request: ApiRequest) => DispatchResult);

/** A pool whose answers are scripted per method; every request is recorded. */
function scriptedPool(script: { POST?: Answer[]; PUT?: Answer[]; GET?: Answer }, options: { maxRetries?: number } = {}) {
  const sent: ApiRequest[] = [];
  const retries: string[] = [];
  let stop: { status: 401 | 403; message: string } | undefined;
  const pool = {
    client: undefined as never,
    maxRetries: options.maxRetries ?? 3,
    noteRetry: (reason: string) => void retries.push(reason),
    stopped: () => stop,
    stats: () => ({ requests: sent.length, responses: 0, retries: retries.length, rateLimited429: 0, transportErrors: 0, serverErrors: 0, inFlight: 0, queued: 0, pausedMs: 0 }),
    onIdle: () => Promise.resolve(),
    async run(request: ApiRequest): Promise<DispatchResult> {
      if (stop !== undefined) return { kind: 'stopped', reason: stop.message };
      sent.push(request);
      const queue = request.method === 'GET' ? undefined : script[request.method as 'POST' | 'PUT'];
      const answer = request.method === 'GET' ? script.GET : queue?.shift();
      if (answer === undefined) throw new Error(`no scripted answer for ${request.method} ${request.path}`);
      const result = typeof answer === 'function' ? answer(request) : answer;
      if (result.kind === 'response' && (result.response.status === 401 || result.response.status === 403)) {
        stop = { status: result.response.status, message: 'Unauthenticated.' };
      }
      return result;
    },
  } satisfies DispatchPool;
  return { pool, sent, retries, writes: () => sent.filter((r) => r.method !== 'GET') };
}

const response = (status: number, body: unknown): DispatchResult => ({ kind: 'response', response: { status, body } satisfies ApiResponse, attempts: 1 });
const lost = (status = 504): DispatchResult => ({ kind: 'unknown', error: `HTTP ${status}: Gateway Timeout; it may or may not have been applied`, attempts: 1, response: { status, body: '<html>Gateway Timeout</html>' } });
const list = (records: unknown[]): DispatchResult => response(200, { data: records, links: { next: null }, meta: { current_page: 1, last_page: 1 } });

function caseRecord(uuid: string, name: string, createdAt = new Date().toISOString()) {
  return { uuid, name, created_at: createdAt, updated_at: createdAt, participants: [{ uuid: CLIENT }], plans: [], groups: [], assigned_to: [] };
}

function journalSpy() {
  const events: Array<{ t: 'send'; row: number; method: string; before?: JsonObject } | ({ t: 'done' } & Omit<JournalDone, 't'>)> = [];
  return {
    events,
    journal: {
      sending: async (row: number, method: 'PUT' | 'POST', before?: JsonObject) => void events.push({ t: 'send', row, method, ...(before ? { before } : {}) }),
      done: async (entry: Omit<JournalDone, 't'>) => void events.push({ t: 'done', ...entry }),
    },
  };
}

function context(pool: DispatchPool, journal: SendContext['journal'], claims: Claims = createClaims(), windowMs = 200): SendContext {
  return { entity: cases, pool, journal, claims, readBackWindowMs: windowMs, normalise, sources: [] };
}

const rowAt = (n: number): SourceRow => ({ position: { file: 'cases.csv', row: n }, cells: [] });
const createCheck = (name = 'Annual review'): RowCheck => ({ key: '', action: 'create', values: { name, participants: [CLIENT] }, display: {}, problems: [] });
const updateCheck = (name: string): RowCheck => ({ key: CASE, action: 'update', values: { uuid: CASE, name }, display: {}, problems: [] });
const before: BeforeImage = { updatedAt: '2026-01-01T00:00:00+00:00', values: { uuid: CASE, name: 'Old name' } };

describe('a create read back from a list the server does not sort newest first', () => {
  it('is unknown, never re-sent, when the first page is oldest first and more pages follow', async () => {
    const longAgo = new Date(Date.now() - 3_600_000).toISOString();
    const older = (minutes: number) => new Date(Date.now() - 86_400_000 + minutes * 60_000).toISOString();
    // Ascending created_at: this page reaches back before the attempt, yet the record made after it may be on page 2.
    const page = response(200, {
      data: [caseRecord(NEW_X, 'Other', older(1)), caseRecord(NEW_Y, 'Other', older(2))],
      links: { next: 'http://127.0.0.1:9/api/v1/cases?page=2' },
      meta: { current_page: 1, last_page: 2 },
    });
    const { pool, writes } = scriptedPool({ POST: [response(201, { uuid: NEW_X })], GET: page });
    const { journal } = journalSpy();
    const outcome = await sendRow(context(pool, journal), { row: rowAt(7), check: createCheck(), earlier: { at: longAgo } });
    expect(writes()).toHaveLength(0);
    expect(outcome.status).toBe('unknown');
    expect(outcome.message).toMatch(/could not see every record made since the attempt/);
  });
});

describe('a create whose answer was lost', () => {
  it('is found by reading back when the record appears late, and is never sent twice', async () => {
    let reads = 0;
    const { pool, writes } = scriptedPool({
      POST: [lost(504)],
      // The list lags: the record shows up only on the third read.
      GET: () => (++reads < 3 ? list([]) : list([caseRecord(NEW_X, 'Annual review')])),
    });
    const { journal, events } = journalSpy();
    const outcome = await sendRow(context(pool, journal, createClaims(), 5_000), { row: rowAt(2), check: createCheck() });
    expect(writes()).toHaveLength(1);
    expect(outcome.status).toBe('sent');
    expect(outcome.key).toBe(NEW_X);
    expect(outcome.message).toMatch(/confirmed by reading it back/);
    expect(events.at(-1)).toMatchObject({ t: 'done', status: 'sent', key: NEW_X });
  });

  it('ends unknown, saying what to check, when every read-back fails: no second POST', async () => {
    const { pool, writes } = scriptedPool({ POST: [lost(504)], GET: () => response(500, { message: 'Server Error' }) });
    const { journal, events } = journalSpy();
    const outcome = await sendRow(context(pool, journal), { row: rowAt(12), check: createCheck('Pension transfer') });
    expect(writes()).toHaveLength(1);
    expect(outcome.status).toBe('unknown');
    expect(outcome.message).toMatch(/HTTP 504/);
    expect(outcome.message).toMatch(/check in Plannr whether case 'Pension transfer' \(row 12\) was created/);
    expect(outcome.message).toMatch(/--resume reads it back again first/);
    expect(events.at(-1)).toMatchObject({ t: 'done', row: 12, status: 'unknown' });
  });

  it('is never sent again in the run, even when every read made after the window shows it absent', async () => {
    const { pool, sent, writes } = scriptedPool({ POST: [lost(502)], GET: () => list([]) });
    const { journal, events } = journalSpy();
    const outcome = await sendRow(context(pool, journal, createClaims(), 300), { row: rowAt(2), check: createCheck() });
    expect(writes()).toHaveLength(1);
    // It kept reading until the window closed: empty reads inside it proved nothing.
    expect(sent.filter((r) => r.method === 'GET').length).toBeGreaterThan(1);
    expect(outcome.status).toBe('unknown');
    expect(outcome.message).toMatch(/did not find it applied/);
    expect(events.at(-1)).toMatchObject({ t: 'done', status: 'unknown' });
  });



  it('never takes a record made before the attempt for this row\'s', async () => {
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    // An identical case made ten minutes ago is all the list ever shows.
    const { pool, writes } = scriptedPool({ POST: [lost()], GET: () => list([caseRecord(NEW_X, 'Annual review', old)]) });
    const outcome = await sendRow(context(pool, journalSpy().journal), { row: rowAt(2), check: createCheck() });
    expect(writes()).toHaveLength(1);
    expect(outcome.status).toBe('unknown');
    expect(outcome.key).not.toBe(NEW_X);
  });

  it('two matching records made since the attempt are ambiguous: unknown, not a guess', async () => {
    const { pool } = scriptedPool({ POST: [lost()], GET: () => list([caseRecord(NEW_X, 'Annual review'), caseRecord(NEW_Y, 'Annual review')]) });
    const { journal } = journalSpy();
    const outcome = await sendRow(context(pool, journal), { row: rowAt(2), check: createCheck() });
    expect(outcome.status).toBe('unknown');
    expect(outcome.message).toMatch(/2 matching cases/);
  });
});

describe('two identical create rows', () => {
  it('never both end "sent" with one uuid: the second never claims the first row\'s record', async () => {
    const claims = createClaims();
    const first = scriptedPool({ POST: [response(201, caseRecord(NEW_X, 'Annual review'))], GET: () => list([]) });
    const a = await sendRow(context(first.pool, journalSpy().journal, claims), { row: rowAt(2), check: createCheck() });
    // Row 3's POST got a 500 that created nothing; the list shows only row 2's record.
    const second = scriptedPool({ POST: [lost(500)], GET: () => list([caseRecord(NEW_X, 'Annual review')]) });
    const b = await sendRow(context(second.pool, journalSpy().journal, claims), { row: rowAt(3), check: createCheck() });
    expect(a).toMatchObject({ status: 'sent', key: NEW_X });
    expect(b.status).toBe('unknown');
    expect(b.key).not.toBe(NEW_X);
    expect(second.writes()).toHaveLength(1);
  });

  it('a record claimed by a row of an earlier run of the journal is never taken either', async () => {
    const claims = createClaims(new Map([[NEW_X, 7]]));
    const { pool } = scriptedPool({ POST: [lost(500)], GET: () => list([caseRecord(NEW_X, 'Annual review')]) });
    const outcome = await sendRow(context(pool, journalSpy().journal, claims), { row: rowAt(2), check: createCheck() });
    expect(outcome.status).toBe('unknown');
    expect(outcome.key).not.toBe(NEW_X);
  });

});

describe('a 2xx counts only when its body is the record', () => {
  it.each([
    ['an HTML page', response(200, '<!doctype html><html><body>OK</body></html>')],
    ['an empty 204', response(204, null)],
    ['JSON without a uuid', response(201, { message: 'Created' })],
  ])('a create answered with %s is read back, not recorded as sent from the answer', async (_label, answer) => {
    let reads = 0;
    const { pool, writes } = scriptedPool({ POST: [answer], GET: () => (++reads < 2 ? list([]) : list([caseRecord(NEW_X, 'Annual review')])) });
    const outcome = await sendRow(context(pool, journalSpy().journal, createClaims(), 2_000), { row: rowAt(2), check: createCheck() });
    expect(writes()).toHaveLength(1);
    expect(outcome).toMatchObject({ status: 'sent', key: NEW_X });
    expect(outcome.message).toMatch(/confirmed by reading it back/);
  });

  it('an update answered with another record, or one not holding the values sent, is read back', async () => {
    for (const body of [caseRecord(NEW_X, 'New name'), caseRecord(CASE, 'Something else')]) {
      const { pool, writes } = scriptedPool({ PUT: [response(200, body)], GET: () => list([caseRecord(CASE, 'New name')]) });
      const outcome = await sendRow(context(pool, journalSpy().journal), { row: rowAt(2), check: updateCheck('New name'), before });
      expect(writes()).toHaveLength(1);
      expect(outcome.status).toBe('sent');
      expect(outcome.message).toMatch(/confirmed by reading it back/);
    }
  });
});

describe('an update', () => {
  it("carries its before-image into the journal before the PUT leaves", async () => {
    const { journal, events } = journalSpy();
    const { pool } = scriptedPool({
      PUT: [() => {
        // At the moment the request leaves, the intent and the before-image are already journaled.
        expect(events).toEqual([{ t: 'send', row: 2, method: 'PUT', before }]);
        return response(200, caseRecord(CASE, 'New name'));
      }],
    });
    const outcome = await sendRow(context(pool, journal), { row: rowAt(2), check: updateCheck('New name'), before });
    expect(outcome.status).toBe('sent');
    expect(events.at(-1)).toMatchObject({ t: 'done', status: 'sent', action: 'update', key: CASE });
  });

  it('is never sent without a before-image', async () => {
    const { pool, writes } = scriptedPool({});
    const outcome = await sendRow(context(pool, journalSpy().journal), { row: rowAt(2), check: updateCheck('New name') });
    expect(writes()).toHaveLength(0);
    expect(outcome).toMatchObject({ status: 'failed', retry: true });
  });

  it('whose answer was lost is not sent again in the run; --resume sends it once the record still holds the before-image', async () => {
    const { pool, writes } = scriptedPool({ PUT: [lost(502)], GET: () => list([caseRecord(CASE, 'Old name')]) });
    const outcome = await sendRow(context(pool, journalSpy().journal), { row: rowAt(2), check: updateCheck('New name'), before });
    expect(writes()).toHaveLength(1);
    expect(outcome.status).toBe('unknown');

    const resumed = scriptedPool({ PUT: [response(200, caseRecord(CASE, 'New name'))], GET: () => list([caseRecord(CASE, 'Old name')]) });
    const at = new Date(Date.now() - 10 * 60_000).toISOString();
    const again = await sendRow(context(resumed.pool, journalSpy().journal), { row: rowAt(2), check: updateCheck('New name'), before, earlier: { at, before } });
    expect(resumed.writes()).toHaveLength(1);
    expect(again.status).toBe('sent');
    expect(resumed.retries).toHaveLength(1);
  });

  it('whose answer was lost and whose record holds neither the new nor the old value ends unknown', async () => {
    const { pool, writes } = scriptedPool({ PUT: [lost(504)], GET: () => list([caseRecord(CASE, 'Changed by someone else')]) });
    const outcome = await sendRow(context(pool, journalSpy().journal), { row: rowAt(9), check: updateCheck('New name'), before });
    expect(writes()).toHaveLength(1);
    expect(outcome.status).toBe('unknown');
    expect(outcome.message).toMatch(new RegExp(`check in Plannr whether case ${CASE} \\(row 9\\) now holds the values sent`));
  });
});

describe('an earlier run left the row unconfirmed', () => {
  it('is read back first and not sent again when it landed', async () => {
    const { pool, writes } = scriptedPool({ GET: () => list([caseRecord(NEW_X, 'Annual review')]) });
    const at = new Date(Date.now() - 1000).toISOString();
    const outcome = await sendRow(context(pool, journalSpy().journal), { row: rowAt(2), check: createCheck(), earlier: { at } });
    expect(writes()).toHaveLength(0);
    expect(outcome).toMatchObject({ status: 'sent', key: NEW_X });
  });

  it('is sent when a read after the window shows it never landed', async () => {
    const { pool, writes } = scriptedPool({ POST: [response(201, caseRecord(NEW_Y, 'Annual review'))], GET: () => list([]) });
    const at = new Date(Date.now() - 10 * 60_000).toISOString();
    const outcome = await sendRow(context(pool, journalSpy().journal), { row: rowAt(2), check: createCheck(), earlier: { at } });
    expect(writes()).toHaveLength(1);
    expect(outcome).toMatchObject({ status: 'sent', key: NEW_Y });
  });

  it('an update with no journaled before-image is not re-sent on the strength of the record as it is now', async () => {
    const { pool, writes } = scriptedPool({ GET: () => list([caseRecord(CASE, 'Old name')]) });
    const at = new Date(Date.now() - 10 * 60_000).toISOString();
    // `before` is what the record looks like now: it cannot show that the earlier PUT did not land.
    const outcome = await sendRow(context(pool, journalSpy().journal), { row: rowAt(2), check: updateCheck('New name'), before, earlier: { at } });
    expect(writes()).toHaveLength(0);
    expect(outcome.status).toBe('unknown');
  });
});

describe('the API refuses the token', () => {
  it('fails the row for --resume, and nothing more is sent', async () => {
    const { pool, writes } = scriptedPool({ POST: [response(401, { message: 'Unauthenticated.' })] });
    const { journal, events } = journalSpy();
    const first = await sendRow(context(pool, journal), { row: rowAt(2), check: createCheck() });
    const second = await sendRow(context(pool, journal), { row: rowAt(3), check: createCheck('Second') });
    expect(writes()).toHaveLength(1);
    expect(first).toMatchObject({ status: 'failed', retry: true, httpStatus: 401 });
    expect(second).toMatchObject({ status: 'failed', retry: true });
    expect(second.message).toMatch(/not sent: the API refused the token \(HTTP 401/);
    expect(second.message).toMatch(/--resume/);
    expect(events.filter((e) => e.t === 'done').map((e) => (e as { retry?: boolean }).retry)).toEqual([true, true]);
  });
});
