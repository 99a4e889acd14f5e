import { describe, expect, it } from 'vitest';
import { formatPennies, normaliseMoney } from '../../src/normalise/money.js';

const allowingNegatives = { allowNegative: true };
const positiveOnly = { allowNegative: false };

describe('normaliseMoney', () => {
  it.each([
    ['£1,234.56', 123456],
    ['1234.5', 123450],
    ['1,234', 123400],
    ['1234', 123400],
    ['1,234,567.89', 123456789],
    ['GBP 12.00', 1200],
    ['12.00 GBP', 1200],
    ['gbp 12', 1200],
    ['£ 12', 1200],
    ['£12.00 GBP', 1200],
    ['  £0.01  ', 1],
    ['0.1', 10],
    ['0.29', 29],
    ['1.15', 115],
    ['4.35', 435],
    ['.5', 50],
    ['12.', 1200],
    ['007.50', 750],
    ['0', 0],
    ['0.00', 0],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ])('reads %j as %d pennies', (input, expected) => {
    expect(normaliseMoney(input, positiveOnly)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['-£5.00', -500],
    ['£-5.00', -500],
    ['-5', -500],
    ['−5.00', -500], // Unicode minus sign
    ['(£5.00)', -500],
    ['(1,234.50)', -123450],
    ['-GBP 5', -500],
  ])('reads the negative %j as %d when negatives are allowed', (input, expected) => {
    expect(normaliseMoney(input, allowingNegatives)).toEqual({ ok: true, value: expected });
  });

  it.each(['-£5.00', '(£5.00)', '-0.01', -5])('rejects the negative %j when negatives are not allowed', (input) => {
    expect(normaliseMoney(input, positiveOnly)).toEqual({ ok: false, error: expect.stringContaining('negative amount') });
  });

  it('reads minus zero as zero, never -0', () => {
    const result = normaliseMoney('-0.00', positiveOnly);
    expect(result).toEqual({ ok: true, value: 0 });
    if (result.ok) expect(Object.is(result.value, -0)).toBe(false);
  });

  it.each([
    [1234.56, 123456],
    [1234.5, 123450],
    [0.29, 29],
    [1.15, 115],
    [4.35, 435],
    [1e13, 1e15],
  ])('reads the number cell %d as %d pennies, exactly', (input, expected) => {
    expect(normaliseMoney(input, positiveOnly)).toEqual({ ok: true, value: expected });
  });

  describe('a number cell holding a float artefact, read as Excel displays it (15 significant digits)', () => {
    it.each([
      [0.1 + 0.2, 30], // 0.30000000000000004, displayed 0.3
      [1234.5600000000002, 123456],
      [10 * 1.2, 1200], // =A2*1.2 with A2 = 10: 12.000000000000002
      [1.2 * 3.35, 402], // 4.0200000000000005
      [99.99 * 3, 29997], // 299.96999999999997
      [0.1 + 0.7, 80], // 0.7999999999999999
    ])('reads %d as %d pennies', (input, expected) => {
      expect(normaliseMoney(input, positiveOnly)).toEqual({ ok: true, value: expected });
    });

    it('keeps the sign of a negative artefact', () => {
      expect(normaliseMoney(-(0.1 + 0.2), allowingNegatives)).toEqual({ ok: true, value: -30 });
      expect(normaliseMoney(-(0.1 + 0.2), positiveOnly)).toEqual({ ok: false, error: expect.stringContaining('negative amount (-0.3)') });
    });

    it.each([
      [0.125, 'three decimal places (0.125)'], // a third decimal is ambiguous, artefact or not
      [19.99 * 1.2, 'three decimal places (23.988)'], // displayed 23.988: VAT on 19.99 needs rounding by the sheet, not by us
      [1 / 3, '15 decimal places (0.333333333333333)'],
      [1234567890123.456, 'three decimal places (1234567890123.456)'], // 15 digits would hide its real third decimal
    ])('refuses %d, whose display has more than two decimals, saying %j', (input, reason) => {
      expect(normaliseMoney(input, positiveOnly)).toEqual({ ok: false, error: expect.stringContaining(reason) });
    });

    it('reads text exactly, never through a float: "0.30000000000000004" is refused', () => {
      expect(normaliseMoney('0.30000000000000004', positiveOnly)).toEqual({ ok: false, error: expect.stringContaining('17 decimal places') });
    });
  });

  it.each([
    ['12.345', 'three decimal places (12.345): money must be in pounds and pence'],
    ['£1.2345', 'four decimal places'],
    ['1.234', 'three decimal places'],
    ['1 234,56', 'spaces inside the number'],
    ['1 234.56', 'spaces inside the number'],
    ['1.234,56', 'European number with a decimal comma'],
    ['12,50', 'comma for the decimal point'],
    ['1.234.567', 'dots between thousands'],
    ['1.2.3', 'more than one decimal point'],
    ['1,23,4', 'thousands separator in the wrong place'],
    ['12,34,567', 'thousands separator in the wrong place'],
    ['1234,567', 'thousands separator in the wrong place'],
    ['$5', 'currency USD, expected GBP'],
    ['€5.00', 'currency EUR, expected GBP'],
    ['USD 5', 'currency USD, expected GBP'],
    ['5 EUR', 'currency EUR, expected GBP'],
    ['£5 USD', 'mixed currencies (GBP and USD)'],
    ['£', 'no number'],
    ['GBP', 'no number'],
    ['.', 'no number'],
    ['12 apples', 'not an amount of money'],
    ['£1.2k', 'not an amount of money'],
    ['12p', 'not an amount of money'],
    ['--5', 'more than one sign'],
    ['(-5)', 'more than one sign'],
    ['9007199254740991', 'too large'],
    ['90071992547409.92', 'too large'],
    ['1000000000000000000000', 'too large'],
  ])('rejects %j saying %j', (input, reason) => {
    expect(normaliseMoney(input, allowingNegatives)).toEqual({ ok: false, error: expect.stringContaining(reason) });
  });

  it.each([
    [1e21, 'too large'],
    [1e-7, 'too many decimal places'],
    [12.345, 'three decimal places'],
    [Number.NaN, 'not an amount of money'],
    [Number.POSITIVE_INFINITY, 'not an amount of money'],
  ])('rejects the number cell %d saying %j', (input, reason) => {
    expect(normaliseMoney(input, allowingNegatives)).toEqual({ ok: false, error: expect.stringContaining(reason) });
  });

  it('rejects boolean and date cells', () => {
    expect(normaliseMoney(true, positiveOnly).ok).toBe(false);
    expect(normaliseMoney(new Date(0), positiveOnly).ok).toBe(false);
  });

  it('accepts another currency when that one is expected, and then rejects pounds', () => {
    expect(normaliseMoney('€1,234.00', { allowNegative: false, currency: 'EUR' })).toEqual({ ok: true, value: 123400 });
    expect(normaliseMoney('£5', { allowNegative: false, currency: 'EUR' })).toEqual({ ok: false, error: expect.stringContaining('currency GBP, expected EUR') });
  });
});

describe('formatPennies', () => {
  it.each([
    [123456, '1234.56'],
    [123450, '1234.50'],
    [5, '0.05'],
    [0, '0.00'],
    [-500, '-5.00'],
    [-1, '-0.01'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('formats %d pennies as %j', (pennies, expected) => {
    expect(formatPennies(pennies)).toBe(expected);
  });

  it('round-trips through normaliseMoney', () => {
    for (const pennies of [0, 1, 99, 100, 123456, 987654321, Number.MAX_SAFE_INTEGER]) {
      expect(normaliseMoney(formatPennies(pennies), positiveOnly)).toEqual({ ok: true, value: pennies });
    }
  });

  it('refuses fractions of a penny', () => {
    expect(() => formatPennies(1.5)).toThrow(RangeError);
  });
});
