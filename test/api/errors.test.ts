import { describe, expect, it } from 'vitest';
import { describeApiError, fieldFromPointer, missingModelNoun } from '../../src/api/errors.js';

describe('describeApiError', () => {
  it('reads Laravel 422 field errors given as arrays', () => {
    const body = {
      message: 'The name field is required. (and 1 more error)',
      errors: { name: ['The name field is required.'], 'account_uuids.0': ['The selected account_uuids.0 is invalid.'] },
    };
    expect(describeApiError(422, body)).toEqual({
      message: 'Plannr refused 2 values (HTTP 422)',
      apiText: 'The name field is required. (and 1 more error)',
      fieldErrors: { name: ['The name field is required.'], 'account_uuids.0': ['The selected account_uuids.0 is invalid.'] },
    });
  });

  it("says a 422's field texts once: the message counts them, each text is in its field error, the API's summary apart", () => {
    const body = { message: 'The name field is required.', errors: { name: ['The name field is required.'] } };
    const described = describeApiError(422, body);
    expect(described.message).toBe('Plannr refused a value (HTTP 422)');
    expect(described.message).not.toContain('The name field is required.');
    expect(described.fieldErrors).toEqual({ name: ['The name field is required.'] });
    expect(described.apiText).toBe('The name field is required.');
  });

  it("gives a 422 that names no field with the API's reason after our words", () => {
    expect(describeApiError(422, { message: 'The given data was invalid.' }).message).toBe('Plannr refused the values (HTTP 422): The given data was invalid.');
  });

  it("says Laravel's 404 for a model in the adviser's words, naming the record kind, and keeps the API's text apart", () => {
    const apiText = 'No query results for model [App\\Models\\Case] 6ff8a1c2-0d3b-4c5e-9f10-123456789abc';
    const described = describeApiError(404, { message: apiText });
    expect(described.message).toBe('No case with this key exists in Plannr (it may have been deleted)');
    expect(described.apiText).toBe(apiText);
    expect(describeApiError(404, { message: 'No query results for model [App\\Models\\ContactDetail].' }).message).toBe(
      'No contact detail with this key exists in Plannr (it may have been deleted)',
    );
  });

  it('reads the record kind from the model Laravel names', () => {
    expect(missingModelNoun('No query results for model [App\\Models\\Case] 1')).toBe('case');
    expect(missingModelNoun('No query results for model [ContactDetail]')).toBe('contact detail');
    expect(missingModelNoun('Not found')).toBeUndefined();
  });

  it('reads the bare-string variant of Laravel field errors', () => {
    const described = describeApiError(422, { errors: { value: 'The value must be a valid phone number.' } });
    expect(described.fieldErrors).toEqual({ value: ['The value must be a valid phone number.'] });
    expect(described.message).toBe('Plannr refused a value (HTTP 422)');
    expect(described.apiText).toBe('The value must be a valid phone number.');
  });

  it('reads JSON:API errors, turning pointers into field names', () => {
    const body = {
      errors: [
        { status: '400', title: 'Bad Request', detail: 'is not a number', source: { pointer: '/data/attributes/number' } },
        { detail: 'has been changed since you last read it', source: { pointer: '/data/attributes/updated_in_db_at' } },
        { detail: 'Something general went wrong' },
      ],
    };
    const described = describeApiError(409, body);
    expect(described.fieldErrors).toEqual({
      number: ['is not a number'],
      updated_in_db_at: ['has been changed since you last read it'],
    });
    // The field texts are told per field; the text naming no field follows our words.
    expect(described.message).toBe('Plannr refused 2 values (HTTP 409): Something general went wrong');
    expect(described.apiText).toBe(
      'Something general went wrong; number: is not a number; updated_in_db_at: has been changed since you last read it',
    );
  });

  it('maps JSON:API pointers', () => {
    expect(fieldFromPointer('/data/attributes/number')).toBe('number');
    expect(fieldFromPointer('/data/relationships/person/data')).toBe('person');
    expect(fieldFromPointer('/data')).toBe('');
  });

  it('summarises an HTML error page to its text, at most 200 characters', () => {
    const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>
      <body><h1>502 Bad Gateway</h1><p>${'nginx '.repeat(60)}</p></body></html>`;
    const { message, apiText } = describeApiError(502, html);
    expect(message).toBe('Plannr had a server error (HTTP 502): try again later');
    expect(apiText.startsWith('502 Bad Gateway 502 Bad Gateway nginx')).toBe(true);
    expect(apiText).not.toContain('<');
    expect(apiText).not.toContain('color:red');
    expect(apiText.length).toBeLessThanOrEqual(201);
  });

  it('keeps a plain text body as the API text, and quotes it after our words for a 400', () => {
    expect(describeApiError(500, 'upstream connect error')).toMatchObject({ message: 'Plannr had a server error (HTTP 500): try again later', apiText: 'upstream connect error' });
    expect(describeApiError(400, { message: 'The filter status is not allowed.' }).message).toBe(
      'Plannr could not accept the request (HTTP 400): The filter status is not allowed.',
    );
  });

  it('gives a message per status when the body says nothing', () => {
    expect(describeApiError(401, null).message).toBe('Unauthenticated: check PLANNR_TOKEN');
    expect(describeApiError(403, {}).message).toMatch(/Forbidden/);
    expect(describeApiError(404, '').message).toMatch(/^Plannr has nothing at this address \(HTTP 404\): the record may have been deleted/);
    expect(describeApiError(404, { message: 'Not found' }).message).toMatch(/^Plannr has nothing at this address/);
    expect(describeApiError(409, { errors: [] }).message).toMatch(/^Plannr refused the change: the record is in a state that does not allow it \(HTTP 409\)/);
    expect(describeApiError(429, null).message).toMatch(/rate limit/);
    expect(describeApiError(503, null).message).toBe('Plannr had a server error (HTTP 503): try again later');
    for (const status of [401, 403, 404, 409, 429, 503]) expect(describeApiError(status, null).apiText).toBe('');
  });

  it('adds the token hint to Laravel\'s bare "Unauthenticated."', () => {
    expect(describeApiError(401, { message: 'Unauthenticated.' }).message).toBe('Unauthenticated. (check PLANNR_TOKEN)');
  });

  it('reads Laravel field errors named like Object.prototype members (constructor, __proto__, toString)', () => {
    const body = JSON.parse(
      '{"message":"The given data was invalid.","errors":{"constructor":["The constructor field is required."],"__proto__":["Bad proto."],"toString":"Not a string.","hasOwnProperty":["Nope."]}}',
    ) as unknown;
    const described = describeApiError(422, body);
    expect(described.message).toBe('Plannr refused 4 values (HTTP 422)');
    expect(described.apiText).toBe('The given data was invalid.');
    expect(Object.entries(described.fieldErrors)).toEqual([
      ['constructor', ['The constructor field is required.']],
      ['__proto__', ['Bad proto.']],
      ['toString', ['Not a string.']],
      ['hasOwnProperty', ['Nope.']],
    ]);
    // Nothing leaked onto shared prototypes.
    expect(({} as Record<string, unknown>)['constructor']).toBe(Object);
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'Bad proto.')).toBe(false);
  });

  it('reads JSON:API errors whose pointers name prototype members, two messages for one field', () => {
    const body = {
      errors: [
        { detail: 'is invalid', source: { pointer: '/data/attributes/constructor' } },
        { detail: 'is too long', source: { pointer: '/data/attributes/constructor' } },
        { detail: 'is reserved', source: { pointer: '/data/attributes/__proto__' } },
        { detail: 'is missing', source: { pointer: '/data/attributes/valueOf' } },
      ],
    };
    const described = describeApiError(422, body);
    expect(Object.entries(described.fieldErrors)).toEqual([
      ['constructor', ['is invalid', 'is too long']],
      ['__proto__', ['is reserved']],
      ['valueOf', ['is missing']],
    ]);
    expect(described.message).toBe('Plannr refused 4 values (HTTP 422)');
    expect(described.apiText).toBe('constructor: is invalid; is too long; __proto__: is reserved; valueOf: is missing');
  });

  it('gives no field errors for an error body without any', () => {
    expect(Object.entries(describeApiError(500, 'oops').fieldErrors)).toEqual([]);
    expect(Object.entries(describeApiError(404, { message: 'Not found' }).fieldErrors)).toEqual([]);
  });
});
