import { describe, expect, it } from 'vitest';
import { describeApiError, fieldFromPointer } from '../../src/api/errors.js';

describe('describeApiError', () => {
  it('reads Laravel 422 field errors given as arrays', () => {
    const body = {
      message: 'The name field is required. (and 1 more error)',
      errors: { name: ['The name field is required.'], 'account_uuids.0': ['The selected account_uuids.0 is invalid.'] },
    };
    expect(describeApiError(422, body)).toEqual({
      message: 'The name field is required. (and 1 more error)',
      fieldErrors: { name: ['The name field is required.'], 'account_uuids.0': ['The selected account_uuids.0 is invalid.'] },
    });
  });

  it('reads the bare-string variant of Laravel field errors', () => {
    const described = describeApiError(422, { errors: { value: 'The value must be a valid phone number.' } });
    expect(described.fieldErrors).toEqual({ value: ['The value must be a valid phone number.'] });
    expect(described.message).toBe('The value must be a valid phone number.');
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
    expect(described.message).toBe(
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
    const { message } = describeApiError(502, html);
    expect(message.startsWith('502 Bad Gateway 502 Bad Gateway nginx')).toBe(true);
    expect(message).not.toContain('<');
    expect(message).not.toContain('color:red');
    expect(message.length).toBeLessThanOrEqual(201);
  });

  it('keeps a plain text body', () => {
    expect(describeApiError(500, 'upstream connect error').message).toBe('upstream connect error');
  });

  it('gives a message per status when the body says nothing', () => {
    expect(describeApiError(401, null).message).toBe('Unauthenticated: check PLANNR_TOKEN');
    expect(describeApiError(403, {}).message).toMatch(/Forbidden/);
    expect(describeApiError(404, '').message).toMatch(/Not found/);
    expect(describeApiError(409, { errors: [] }).message).toMatch(/Conflict/);
    expect(describeApiError(429, null).message).toMatch(/rate limit/);
    expect(describeApiError(503, null).message).toMatch(/Server error \(HTTP 503\)/);
  });

  it('adds the token hint to Laravel\'s bare "Unauthenticated."', () => {
    expect(describeApiError(401, { message: 'Unauthenticated.' }).message).toBe('Unauthenticated. (check PLANNR_TOKEN)');
  });

  it('reads Laravel field errors named like Object.prototype members (constructor, __proto__, toString)', () => {
    const body = JSON.parse(
      '{"message":"The given data was invalid.","errors":{"constructor":["The constructor field is required."],"__proto__":["Bad proto."],"toString":"Not a string.","hasOwnProperty":["Nope."]}}',
    ) as unknown;
    const described = describeApiError(422, body);
    expect(described.message).toBe('The given data was invalid.');
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
    expect(described.message).toBe('constructor: is invalid; is too long; __proto__: is reserved; valueOf: is missing');
  });

  it('gives no field errors for an error body without any', () => {
    expect(Object.entries(describeApiError(500, 'oops').fieldErrors)).toEqual([]);
    expect(Object.entries(describeApiError(404, { message: 'Not found' }).fieldErrors)).toEqual([]);
  });
});
