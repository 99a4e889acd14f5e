import { describe, expect, it } from 'vitest';
import { normalisePhone, parsePhone } from '../../src/normalise/phone.js';

const gb = { defaultCountry: 'GB' };

describe('normalisePhone', () => {
  it.each([
    // national forms, every common separator
    ['07911 123456', '+447911123456'],
    ['07911123456', '+447911123456'],
    ['07911-123-456', '+447911123456'],
    ['07911.123.456', '+447911123456'],
    ['(07911) 123456', '+447911123456'],
    ['  020 7946 0123  ', '+442079460123'],
    ['(020) 7946 0123', '+442079460123'],
    ['020-7946-0123', '+442079460123'],
    ['0161 496 0000', '+441614960000'],
    ['0800 123 4567', '+448001234567'],
    // international forms
    ['+44 7911 123456', '+447911123456'],
    ['+447911123456', '+447911123456'],
    ['0044 7911 123456', '+447911123456'],
    ['0044 20 7946 0123', '+442079460123'],
    ['+44 (0) 20 7946 0123', '+442079460123'],
    ['+44 (0)20 7946 0123', '+442079460123'],
    ['+44(0)20-7946-0123', '+442079460123'],
    ['+44 (0) 7911 123456', '+447911123456'],
    ['tel:+442079460123', '+442079460123'],
    // the country code in brackets, as some CRMs and letterheads print it
    ['(+44) 7911 123456', '+447911123456'],
    ['(+44)7911123456', '+447911123456'],
    ['(0044) 7911 123456', '+447911123456'],
    ['(+44) (0)20 7946 0123', '+442079460123'],
    ['(+353) 1 234 5678', '+35312345678'],
    ['TEL:+44-20-7946-0123', '+442079460123'],
    // country code without + (Excel drops the +, or it was never typed)
    ['447911123456', '+447911123456'],
    // the leading 0 lost to Excel
    ['7911123456', '+447911123456'],
    ['2079460123', '+442079460123'],
    // other countries, written internationally
    ['+61 412 345 678', '+61412345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    ['+1 212 555 0100', '+12125550100'],
    ['+353 1 234 5678', '+35312345678'],
    // Crown dependencies share +44 but are not GB: still valid
    ['07797 712345', '+447797712345'], // Jersey mobile
    ['01534 123456', '+441534123456'], // Jersey landline
    ['07781 123456', '+447781123456'], // Guernsey mobile
    ['07624 123456', '+447624123456'], // Isle of Man mobile
    // extensions, kept as x + digits
    ['020 7946 0123 ext 12', '+442079460123x12'],
    ['020 7946 0123 ext. 12', '+442079460123x12'],
    ['020 7946 0123 extension 12', '+442079460123x12'],
    ['020 7946 0123 x12', '+442079460123x12'],
    ['020 7946 0123 x 12', '+442079460123x12'],
    ['020 7946 0123 #12', '+442079460123x12'],
    ['020 7946 0123#12', '+442079460123x12'],
    ['+44 20 7946 0123;ext=12', '+442079460123x12'],
  ])('reads %j as %s', (input, expected) => {
    expect(normalisePhone(input, gb)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [7911123456, '+447911123456'], // leading 0 lost
    [2079460123, '+442079460123'],
    [447911123456, '+447911123456'], // country code without +
    [7911123456.0, '+447911123456'],
  ])('reads the number cell %d as %s', (input, expected) => {
    expect(normalisePhone(input, gb)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['07700 900123', 'not a valid number for GB'], // Ofcom drama range
    ['+44 7700 900123', 'not a valid number for GB'],
    ['01632 960123', 'not a valid number for GB'], // Ofcom drama range, landline
    ['123', 'too short for a GB number (3 digits'],
    ['1234567', 'too short for a GB number (7 digits'],
    ['07911 1234', 'too short for a GB number (9 digits'],
    ['020 7946 01234', 'one digit too many for a UK number (12 digits'],
    ['+44 7911 1234', '8 digits after +44'],
    ['07911123456789', 'too long for a GB number (14 digits'],
    ['Call 020 7946 0123 now', 'has words in it ("Call")'],
    ['07911 123456 (mobile)', 'has words in it ("mobile")'],
    ['+44 7911 123456 (work)', 'has words in it ("work")'],
    ['abc', 'has words in it'],
    ['n/a', 'is not a phone number'],
    ['07911 123456; 07911 654321', 'more than one number'],
    ['07911 123456, 020 7946 0123', 'more than one number'],
    ['07911 123456 or 020 7946 0123', 'more than one number'],
    ['++447911123456', 'is not a phone number'],
    ['07911 123456 x', 'is not a phone number'],
    ['+999 123 456', 'unknown country calling code'],
    ['0', 'too short to be a phone number'],
    ['07911 123456 / 020 7946 0123', 'more than one number'],
    ['+44 7911 123456 7911 123456', 'too long'],
    ['7.7009E+9', 'shortened by Excel to scientific notation'],
    ['4.47911E+11', 'shortened by Excel to scientific notation'],
    ['7,7009E+9', 'format the column as Text'],
    ['4.47911e11', 'format the column as Text'],
  ])('rejects %j saying %j', (input, reason) => {
    expect(normalisePhone(input, gb)).toEqual({ ok: false, error: expect.stringContaining(reason) });
  });

  it.each([
    [7911123456.5, 'not a phone number'],
    [-7911123456, 'not a phone number'],
    [0, 'not a phone number'],
    [1e20, 'too long'],
    [Number.NaN, 'not a phone number'],
  ])('rejects the number cell %d saying %j', (input, reason) => {
    expect(normalisePhone(input, gb)).toEqual({ ok: false, error: expect.stringContaining(reason) });
  });

  describe('the "Excel dropped the leading 0" retry', () => {
    // Ofcom: a UK national number is 0 + 10 digits (a few 01 areas: 0 + 9). One digit more is
    // a typing slip; putting another 0 in front would make 00, the international prefix.
    it.each([
      ['079111234567', '(12 digits'],
      ['016149601237', '(12 digits'],
      ['07911 1234567', '(12 digits'],
    ])('refuses %j, a national number with one digit too many, instead of reading 00 as the international prefix', (input, digits) => {
      const result = normalisePhone(input, gb);
      expect(result).toEqual({ ok: false, error: expect.stringContaining('has one digit too many for a UK number') });
      expect(result).toEqual({ ok: false, error: expect.stringContaining(digits) });
    });

    it('refuses a Crown-dependency number with one digit too many the same way: they share the UK numbering plan', () => {
      expect(normalisePhone('076241234567', gb)).toEqual({ ok: false, error: expect.stringContaining('has one digit too many for a UK number (12 digits') });
    });

    it('refuses the number cell 79111234567 (eleven digits even without the lost 0)', () => {
      expect(normalisePhone(79111234567, gb)).toEqual({ ok: false, error: expect.stringContaining('has one digit too many for a UK number') });
    });

    it('still reads a number really written with the international prefix 00', () => {
      expect(normalisePhone('0079111234567', gb)).toEqual({ ok: true, value: '+79111234567' });
    });

    it('still puts back a 0 that Excel dropped, for a 9-digit 01 area too', () => {
      expect(normalisePhone('169772345', gb)).toEqual({ ok: true, value: '+44169772345' });
      expect(normalisePhone(1614960123, gb)).toEqual({ ok: true, value: '+441614960123' });
    });
  });

  it('rejects boolean and date cells', () => {
    expect(normalisePhone(true, gb).ok).toBe(false);
    expect(normalisePhone(new Date(0), gb).ok).toBe(false);
  });

  it('reads a US-style number as a GB number under a GB default: (555) 010-1234 is a valid UK UAN 0555 010 1234', () => {
    // Documented trap: nothing in the digits says "US". Callers with a country column must
    // pass that country as defaultCountry for the row.
    expect(normalisePhone('(555) 010-1234', gb)).toEqual({ ok: true, value: '+445550101234' });
    expect(normalisePhone('(212) 555-0100', { defaultCountry: 'US' })).toEqual({ ok: true, value: '+12125550100' });
  });

  it('uses the default country for national numbers', () => {
    expect(normalisePhone('0412 345 678', { defaultCountry: 'AU' })).toEqual({ ok: true, value: '+61412345678' });
    expect(normalisePhone('412345678', { defaultCountry: 'AU' })).toEqual({ ok: true, value: '+61412345678' });
  });

  it('rejects an unknown default country clearly', () => {
    expect(normalisePhone('07911 123456', { defaultCountry: 'XX' })).toEqual({ ok: false, error: expect.stringContaining('unknown default country "XX"') });
  });

  it('gives the same answer from the cache as on first parse, per default country', () => {
    const first = normalisePhone('0412 345 678', { defaultCountry: 'AU' });
    expect(normalisePhone('0412 345 678', { defaultCountry: 'AU' })).toEqual(first);
    // Same text, other default country: not served from the AU entry.
    expect(normalisePhone('0412 345 678', gb).ok).toBe(false);
  });
});

describe('parsePhone', () => {
  it.each([
    ['07911 123456', { e164: '+447911123456', countryCallingCode: '44', nationalNumber: '7911123456', extension: undefined }],
    ['020 7946 0123 ext 12', { e164: '+442079460123', countryCallingCode: '44', nationalNumber: '2079460123', country: 'GB', extension: '12' }],
    ['+61 412 345 678', { e164: '+61412345678', countryCallingCode: '61', nationalNumber: '412345678', country: 'AU', extension: undefined }],
  ])('splits %j into its parts', (input, expected) => {
    const result = parsePhone(input, gb);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toMatchObject(expected);
  });

  it.each([
    ['07797 712345', 'JE'],
    ['07781 123456', 'GG'],
    ['07624 123456', 'IM'],
    ['07400 123456', 'GB'],
  ])('gives the region of %j as %s without requiring GB', (input, country) => {
    const result = parsePhone(input, gb);
    expect(result.ok && result.value.country).toBe(country);
  });
});
