/**
 * Expected values come from HMRC's National Insurance Manual, NIM39110 ("What a NINO looks
 * like"): two prefix letters, six digits, a suffix A-D; D, F, I, Q, U, V never in the prefix;
 * O never second; BG, GB, KN, NK, NT, TN and ZZ not used.
 */
import { describe, expect, it } from 'vitest';
import { normaliseNiNumber } from '../../src/normalise/ni-number.js';

describe('normaliseNiNumber', () => {
  it.each([
    ['AB123456C', 'AB123456C'],
    ['AB 12 34 56 C', 'AB123456C'],
    ['ab 12 34 56 c', 'AB123456C'],
    ['  aB123456c  ', 'AB123456C'],
    ['AB-12-34-56-C', 'AB123456C'],
    ['AB.12.34.56.C', 'AB123456C'],
    ['JY 00 00 00 A', 'JY000000A'],
    // O may be the first letter; only the second position is barred.
    ['OA 12 34 56 D', 'OA123456D'],
    ['ZY123456B', 'ZY123456B'],
    ['YZ123456B', 'YZ123456B'],
  ])('accepts %j as %j', (input, expected) => {
    expect(normaliseNiNumber(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['D', 'F', 'I', 'Q', 'U', 'V'])('never takes %s as the first or second prefix letter', (letter) => {
    for (const prefix of [`${letter}A`, `A${letter}`]) {
      const result = normaliseNiNumber(`${prefix}123456A`);
      expect(result).toEqual({ ok: false, error: expect.stringContaining(`never uses ${letter}`) });
    }
  });

  it('refuses O as the second letter', () => {
    expect(normaliseNiNumber('AO123456A')).toEqual({ ok: false, error: expect.stringContaining('never uses O as the second letter') });
    // OO, the tax-credit administrative "prefix", is not a NINO.
    expect(normaliseNiNumber('OO123456A').ok).toBe(false);
  });

  it.each(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'])('refuses the unused prefix %s', (prefix) => {
    expect(normaliseNiNumber(`${prefix} 12 34 56 A`)).toEqual({ ok: false, error: expect.stringContaining(`does not use the prefix ${prefix}`) });
  });

  it.each(['E', 'F', 'M', 'P', 'Z'])('refuses the suffix %s (only A, B, C and D)', (suffix) => {
    expect(normaliseNiNumber(`AB123456${suffix}`)).toEqual({ ok: false, error: expect.stringContaining('always A, B, C or D') });
  });

  it('refuses a number without its suffix rather than guessing the letter', () => {
    expect(normaliseNiNumber('AB 12 34 56')).toEqual({ ok: false, error: expect.stringContaining('no final letter') });
  });

  it.each([
    ['AB12345C', 'five digits'],
    ['AB1234567C', 'seven digits'],
    ['A1234567C', 'one prefix letter'],
    ['123456789', 'digits only'],
    ['AB 12 34 5O C', 'a letter O among the digits'],
    ['AB123456CD', 'two suffix letters'],
  ])('refuses %j (%s)', (input) => {
    expect(normaliseNiNumber(input)).toEqual({ ok: false, error: expect.stringContaining('is not a National Insurance number') });
  });

  it('refuses a number cell: a NINO always has letters', () => {
    expect(normaliseNiNumber(123456).ok).toBe(false);
  });
});
