import { describe, expect, it } from 'vitest';
import { cases } from '../../src/entities/cases.js';
import { contactDetails } from '../../src/entities/contact-details.js';
import { getEntity, entities } from '../../src/entities/index.js';
import { mpdxPhones } from '../../src/entities/mpdx-phones.js';
import { recordHolds, sameValue } from '../../src/entities/record.js';
import { UsageError } from '../../src/errors.js';

const A = '84059bfa-f95a-4d30-a586-e4d97834385c';
const B = '135c9cbb-ac96-431d-b2df-2baf9fd90f25';

describe('what a row becomes on the wire', () => {
  it('a contact detail update is a PUT with name, value and owners, never its type', () => {
    const request = contactDetails.toRequest({ uuid: A, type: 'phone_number', name: 'Work', value: '+447911123456', account_uuids: [B] });
    expect(request).toEqual({
      method: 'PUT',
      path: `/api/v2/contact-details/${A}`,
      contentType: 'application/json',
      body: { name: 'Work', value: '+447911123456', account_uuids: [B] },
    });
  });

  it('an MPDX phone update is a JSON:API document; overwrite only goes when true', () => {
    const row = { contact_id: A, person_id: B, id: A, number: '+447911123456', primary: true, updated_in_db_at: '2026-05-20T13:55:10+01:00', overwrite: false };
    const request = mpdxPhones.toRequest(row);
    expect(request.method).toBe('PUT');
    expect(request.path).toBe(`/api/v2/contacts/${A}/people/${B}/phones/${A}`);
    expect(request.contentType).toBe('application/vnd.api+json');
    expect(request.body).toEqual({
      data: { type: 'phone_numbers', id: A, attributes: { number: '+447911123456', primary: true, updated_in_db_at: '2026-05-20T13:55:10+01:00' } },
    });
    const forced = mpdxPhones.toRequest({ ...row, overwrite: true });
    expect((forced.body as { data: { attributes: Record<string, unknown> } }).data.attributes.overwrite).toBe(true);
  });

  it('accounts cannot be imported', () => {
    expect(() => entities.accounts.toRequest({ uuid: A })).toThrow(UsageError);
    expect(() => getEntity('widgets')).toThrow(/unknown entity "widgets": use one of contact-details, cases, mpdx-phones, accounts/);
  });
});

describe('reading records back', () => {
  it('a case record reads back in request terms: nested objects to uuids, money to pennies', () => {
    const record = {
      uuid: A, name: 'Annual review', status: { uuid: B, name: 'To Be Reviewed' }, type: { uuid: A, name: 'Mortgage' },
      value: { amount: '15099', currency: 'GBP', formatted: '£150.99' }, plans: [{ uuid: B }], participants: [{ uuid: A }],
      review_at: '2026-03-18T16:05:25+00:00', completed_at: null, assigned_to_uuids: [A], group_uuids: [],
    };
    expect(cases.fromRecord(record)).toMatchObject({ status: B, type: A, value: 15099, plans: [B], participants: [A] });
  });

  it('a record holds a body when lists match as sets and instants match whatever the offset', () => {
    expect(recordHolds({ plans: [A, B], review_at: '2026-07-01T10:00:00+01:00' }, { plans: [B, A], review_at: '2026-07-01T09:00:00+00:00', name: 'x' })).toBe(true);
    expect(recordHolds({ plans: null }, { plans: [] })).toBe(true);
    expect(recordHolds({ value: 100 }, { value: 101 })).toBe(false);
    expect(sameValue([A], [A, B])).toBe(false);
  });
});

describe('an MPDX phone record read back', () => {
  it('gives country_code as the number a request sends, whether the server answers 44 or "44"', () => {
    const record = (countryCode: unknown) => ({ id: 'p1', type: 'phone_numbers', attributes: { number: '+447911123456', country_code: countryCode } });
    expect(mpdxPhones.fromRecord(record('44')).country_code).toBe(44);
    expect(mpdxPhones.fromRecord(record(44)).country_code).toBe(44);
    expect(mpdxPhones.fromRecord(record(' 353 ')).country_code).toBe(353);
    // Anything that is not a plain calling code is left as the server gave it, never guessed.
    expect(mpdxPhones.fromRecord(record('+44')).country_code).toBe('+44');
    expect('country_code' in mpdxPhones.fromRecord({ id: 'p1', attributes: { number: '+447911123456' } })).toBe(false);
  });
});
