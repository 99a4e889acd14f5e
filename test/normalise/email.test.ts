import { describe, expect, it } from 'vitest';
import { normaliseEmail } from '../../src/normalise/email.js';

describe('normaliseEmail', () => {
  it.each([
    ['jane@example.com', 'jane@example.com'],
    ['  jane@example.com  ', 'jane@example.com'],
    ['Jane.Smith@Example.CO.UK', 'Jane.Smith@example.co.uk'],
    ['mailto:jane@example.com', 'jane@example.com'],
    ['MAILTO:jane@example.com', 'jane@example.com'],
    ['jane+crm@example.com', 'jane+crm@example.com'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['first_last-1@sub.example-firm.com', 'first_last-1@sub.example-firm.com'],
    ['josé@exámple.es', 'josé@exámple.es'],
  ])('accepts %j as %j (domain lower-cased, local part kept)', (input, expected) => {
    expect(normaliseEmail(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['Jane Smith <jane@example.com>', 'give the address alone (jane@example.com)'],
    ['"Smith, Jane" <jane@example.com>', 'give the address alone'],
    ['a@b.com; c@d.com', 'more than one address'],
    ['a@b.com, c@d.com', 'more than one address'],
    ['a@b.com c@d.com', 'more than one address'],
    ['jane.example.com', 'no @'],
    ['jane@@example.com', 'more than one address'],
    ['jane smith@example.com', 'contains a space'],
    ['jane@example', 'has no dot'],
    ['jane..smith@example.com', 'two dots in a row'],
    ['jane@example..com', 'two dots in a row'],
    ['.jane@example.com', 'characters an email address cannot use'],
    ['jane.@example.com', 'characters an email address cannot use'],
    ['@example.com', 'nothing before the @'],
    ['jane@', 'nothing after the @'],
    ['jane@-example.com', 'not a valid domain'],
    ['jane@example.c', 'not a valid domain'],
    ['jane@exa_mple.com', 'not a valid domain'],
    ['ja(ne)@example.com', 'cannot use'],
    [`${'a'.repeat(65)}@example.com`, 'too long'],
  ])('rejects %j saying %j', (input, reason) => {
    expect(normaliseEmail(input)).toEqual({ ok: false, error: expect.stringContaining(reason) });
  });

  it('rejects non-text cells', () => {
    expect(normaliseEmail(42).ok).toBe(false);
  });
});
