/**
 * Rule 4: a 2xx counts only when its body is the record. Shapes from the seeds: Plannr answers
 * a create or update with the record itself (contact-details-update.txt), MPDX (JSON:API) with
 * `{data: {id, type, attributes}}` (mpdx-phones.txt).
 */
import { describe, expect, it } from 'vitest';
import { getEntity } from '../../src/entities/index.js';
import type { RowCheck } from '../../src/pipeline/check/check-row.js';
import { createClaims, recordInResponse } from '../../src/pipeline/read-back.js';

const cases = getEntity('cases');
const phones = getEntity('mpdx-phones');
const CASE = '26477434-c4ea-4b35-993f-4ddb7c66d27c';
const check = (values: Record<string, unknown>, key = ''): RowCheck => ({ key, action: key === '' ? 'create' : 'update', values, display: {}, problems: [] });

describe('a 2xx body is the record only when it carries it', () => {
  const create = check({ name: 'Annual review', participants: ['5087850d-bf1b-4aad-8197-994d5f4e6ca0'] });
  const createRequest = cases.toRequest(create.values);

  it('a create answered with the record, bare or under data, gives the new uuid', () => {
    expect(recordInResponse(cases, createRequest, create, 201, { uuid: CASE, name: 'Annual review' })).toMatchObject({ kind: 'record', key: CASE });
    expect(recordInResponse(cases, createRequest, create, 201, { data: { uuid: CASE } })).toMatchObject({ kind: 'record', key: CASE });
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body>Service OK</body></html>', /HTML page/],
    ['an empty body', null, /empty/],
    ['plain text', 'OK', /not JSON/],
    ['a list', [{ uuid: CASE }], /not a JSON object/],
    ['JSON without a uuid', { message: 'Created' }, /no record uuid/],
    ['a uuid that is not one', { uuid: '12' }, /no record uuid/],
  ])('a create answered with %s is not the record', (_label, body, why) => {
    const verdict = recordInResponse(cases, createRequest, create, 200, body);
    expect(verdict.kind).toBe('not-the-record');
    expect(verdict.kind === 'not-the-record' ? verdict.why : '').toMatch(why);
  });

  it("an update's answer must be its own record holding every value sent", () => {
    const update = check({ uuid: CASE, name: 'New name' }, CASE);
    const request = cases.toRequest(update.values);
    expect(recordInResponse(cases, request, update, 200, { uuid: CASE, name: 'New name' }).kind).toBe('record');
    // Plannr's uuids in any case name the same record.
    expect(recordInResponse(cases, request, update, 200, { uuid: CASE.toUpperCase(), name: 'New name' }).kind).toBe('record');
    expect(recordInResponse(cases, request, update, 200, { uuid: '11111111-1111-4111-8111-111111111111', name: 'New name' }).kind).toBe('not-the-record');
    expect(recordInResponse(cases, request, update, 200, { uuid: CASE, name: 'Old name' }).kind).toBe('not-the-record');
    expect(recordInResponse(cases, request, update, 204, null).kind).toBe('not-the-record');
  });

  it('an update answered with its record holding another value says which field, as stored and as sent', () => {
    const update = check({ uuid: CASE, name: 'New name' }, CASE);
    const verdict = recordInResponse(cases, cases.toRequest(update.values), update, 200, { uuid: CASE, name: 'New nam' });
    expect(verdict.kind === 'not-the-record' ? verdict.why : '').toContain('name is "New nam", not "New name" as sent');
  });

  it('an MPDX update answered with the JSON:API document is the record; its concurrency stamp is not a value sent', () => {
    const values = { contact_id: 'c1', person_id: 'p1', id: 'ph1', number: '+447700900123', updated_in_db_at: '2026-01-01T00:00:00Z' };
    const update = check(values, 'ph1');
    const request = phones.toRequest(values);
    const body = { data: { id: 'ph1', type: 'phone_numbers', attributes: { number: '+447700900123', updated_in_db_at: '2026-03-01T10:00:00Z' } } };
    expect(recordInResponse(phones, request, update, 200, body).kind).toBe('record');
    const other = { data: { id: 'ph2', type: 'phone_numbers', attributes: { number: '+447700900123' } } };
    expect(recordInResponse(phones, request, update, 200, other).kind).toBe('not-the-record');
  });
});

describe('claims', () => {
  it('a record belongs to the first row that claims it, for this run and every earlier run of the journal', () => {
    const claims = createClaims(new Map([[CASE, 4]]));
    expect(claims.claim(CASE.toUpperCase(), 9)).toBe(false);
    expect(claims.claim(CASE, 4)).toBe(true);
    const other = '11111111-1111-4111-8111-111111111111';
    expect(claims.claim(other, 5)).toBe(true);
    expect(claims.heldByOther(other, 6)).toBe(true);
    expect(claims.heldByOther(other, 5)).toBe(false);
  });
});
