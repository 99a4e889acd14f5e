import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/api/client.js';
import { createDispatchPool } from '../../src/api/pool.js';
import { getEntity } from '../../src/entities/index.js';
import { asRecord } from '../../src/entities/record.js';
import { createRecordReader, lookup, readRecords, RecordReadError, RECORDS_PER_READ } from '../../src/pipeline/lookup.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { apiFor } from '../e2e/helpers.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, ratePerMinute: 0 });
});
afterAll(() => sandbox.close());

const cases = getEntity('cases');
const contactDetails = getEntity('contact-details');
const freshPool = () => createDispatchPool(createApiClient(apiFor(sandbox)), { ratePerMinute: 0 });
const uuidOf = (records: unknown[]) => (records[0] === undefined ? undefined : String(asRecord(records[0]).uuid));

describe('reading records for plan and round-trip import', () => {
  it('reads asked for together go out as one list request, and each gets its own record', async () => {
    const uuids = Object.keys(sandbox.state.cases).slice(0, 30);
    const pool = freshPool();
    const read = createRecordReader(pool);
    const found = await Promise.all(uuids.map((uuid) => read(cases.recordRequest({ uuid }))));
    expect(found.map(uuidOf)).toEqual(uuids);
    expect(pool.stats().requests).toBe(1);
    // The same record as a read of its own, includes and all.
    const alone = await lookup(freshPool(), cases.recordRequest({ uuid: uuids[7]! }));
    expect(found[7]).toEqual(alone);
  });

  it('a uuid the CRM does not have gets no record, and the others in its request still do', async () => {
    const [known] = Object.keys(sandbox.state.contactDetails);
    const missing = '00000000-0000-4000-8000-000000000000';
    const read = createRecordReader(freshPool());
    const [a, b] = await Promise.all([read(contactDetails.recordRequest({ uuid: missing })), read(contactDetails.recordRequest({ uuid: known! }))]);
    expect(a).toEqual([]);
    expect(uuidOf(b)).toBe(known);
  });

  it(`splits more than ${RECORDS_PER_READ} reads into requests of at most ${RECORDS_PER_READ}`, async () => {
    const uuids = Object.keys(sandbox.state.cases);
    const wanted = Array.from({ length: 2 * RECORDS_PER_READ + 5 }, (_, i) => uuids[i % uuids.length]!);
    const pool = freshPool();
    const read = createRecordReader(pool);
    const found = await Promise.all(wanted.map((uuid) => read(cases.recordRequest({ uuid }))));
    expect(found.map(uuidOf)).toEqual(wanted);
    expect(pool.stats().requests).toBe(3);
  });

  it('reads made in different turns of the event loop are not held back for each other', async () => {
    const [first, second] = Object.keys(sandbox.state.cases);
    const pool = freshPool();
    const read = createRecordReader(pool);
    expect(uuidOf(await read(cases.recordRequest({ uuid: first! })))).toBe(first);
    expect(uuidOf(await read(cases.recordRequest({ uuid: second! })))).toBe(second);
    expect(pool.stats().requests).toBe(2);
  });

  it('a failed list read fails every record in it, as their own reads would', async () => {
    const uuids = Object.keys(sandbox.state.cases).slice(0, 3);
    const pool = createDispatchPool(createApiClient(apiFor(sandbox, { token: 'wrong-token' })), { ratePerMinute: 0, maxRetries: 0 });
    const read = createRecordReader(pool);
    const found = await Promise.all(uuids.map((uuid) => read(cases.recordRequest({ uuid }))));
    expect(found).toEqual([[], [], []]);
  });
});

describe('reading back: a failed read is never "not there"', () => {
  it('with failedReads: reject, a read the API answers with 500 rejects, while a missing record is still an empty answer', async () => {
    const uuid = Object.keys(sandbox.state.cases)[0]!;
    const missing = '00000000-0000-4000-8000-000000000000';
    const strictPool = createDispatchPool(createApiClient(apiFor(sandbox)), { ratePerMinute: 0, maxRetries: 0 });
    const read = createRecordReader(strictPool, { failedReads: 'reject' });
    expect(await read(cases.recordRequest({ uuid: missing }))).toEqual([]);
    sandbox.setFaults({ errorRate: 1 });
    try {
      await expect(read(cases.recordRequest({ uuid }))).rejects.toBeInstanceOf(RecordReadError);
      const result = await readRecords(strictPool, cases.recordRequest({ uuid }));
      expect(result.ok).toBe(false);
    } finally {
      sandbox.setFaults({});
    }
  });

  it('a list with further pages says so, so "not on this page" is not taken for "not there"', async () => {
    const pool = freshPool();
    const paged = await readRecords(pool, { path: '/api/v1/cases', query: { per_page: '1' }, pick: 'data' });
    expect(paged).toMatchObject({ ok: true, more: true });
    const all = await readRecords(pool, { path: '/api/v1/cases', query: { per_page: '500' }, pick: 'data' });
    expect(all).toMatchObject({ ok: true, more: false });
  });
});
