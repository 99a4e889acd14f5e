import { describe, expect, it } from 'vitest';
import { normaliseInteger, normaliseText } from '../../src/normalise/text.js';

describe('normaliseText', () => {
  it.each([
    ['  Smith  ', 'Smith'],
    ['line one\nline two', 'line one\nline two'],
    ['line one\r\nline two', 'line one\nline two'],
    ['tab\there', 'tab\there'],
    ['£ € “quotes” – dash', '£ € “quotes” – dash'],
  ])('accepts %j as %j', (input, expected) => {
    expect(normaliseText(input, {})).toEqual({ ok: true, value: expected });
  });

  it.each([
    [1234.5, '1234.5'],
    [7911123456, '7911123456'],
    [true, 'TRUE'],
    [new Date(Date.UTC(2025, 6, 1)), '2025-07-01'],
    [new Date(Date.UTC(2025, 6, 1, 9, 30)), '2025-07-01 09:30:00'],
  ])('turns the cell %j into text %j', (input, expected) => {
    expect(normaliseText(input, {})).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['nul\u0000byte', 'U+0000'],
    ['bell\u0007', 'U+0007'],
    ['escape\u001b[0m', 'U+001B'],
    ['c1\u0092control', 'U+0092'],
    ['del\u007f', 'U+007F'],
  ])('rejects control characters in %j naming %s', (input, code) => {
    expect(normaliseText(input, {})).toEqual({ ok: false, error: expect.stringContaining(code) });
  });

  it('rejects text over the maximum, saying its length', () => {
    expect(normaliseText('x'.repeat(256), { maxLength: 255 })).toEqual({ ok: false, error: 'too long: 256 characters, at most 255 allowed' });
  });

  it('counts characters, not UTF-16 units, against the maximum', () => {
    expect(normaliseText('😀'.repeat(5), { maxLength: 5 })).toEqual({ ok: true, value: '😀'.repeat(5) });
    expect(normaliseText('😀'.repeat(6), { maxLength: 5 }).ok).toBe(false);
  });

  it('accepts text exactly at the maximum', () => {
    expect(normaliseText('x'.repeat(255), { maxLength: 255 }).ok).toBe(true);
  });

  it('rejects an invalid date cell', () => {
    expect(normaliseText(new Date(Number.NaN), {}).ok).toBe(false);
  });
});

describe('normaliseInteger', () => {
  it.each([
    ['4', 4], [4, 4], ['4.0', 4], ['4.00', 4], [' 12 ', 12], ['-3', -3], ['+3', 3], ['0', 0], ['-0', 0], ['1,000', 1000], [4.0, 4],
  ])('accepts %j as %d', (input, expected) => {
    expect(normaliseInteger(input, {})).toEqual({ ok: true, value: expected });
  });

  it.each([
    [4.5, 'not a whole number'],
    ['4.5', 'not a whole number'],
    ['4 apples', 'not a whole number'],
    ['four', 'not a whole number'],
    ['1,00', 'not a whole number'],
    ['0x10', 'not a whole number'],
    ['1e3', 'not a whole number'],
    ['99999999999999999999', 'too large'],
    [true, 'not a whole number'],
  ])('rejects %j saying %j', (input, reason) => {
    expect(normaliseInteger(input, {})).toEqual({ ok: false, error: expect.stringContaining(reason) });
  });

  it('enforces the bounds, saying which', () => {
    expect(normaliseInteger('0', { min: 1 })).toEqual({ ok: false, error: '0 is below the minimum of 1' });
    expect(normaliseInteger('11', { max: 10 })).toEqual({ ok: false, error: '11 is above the maximum of 10' });
    expect(normaliseInteger('10', { min: 1, max: 10 })).toEqual({ ok: true, value: 10 });
  });
});

describe('numbers Excel may have cut short', () => {
  it('a number cell of more than 15 digits in a text field is refused, not sent as if exact', () => {
    const result = normaliseText(1234567890123450000, {});
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(/more than 15 digits: Excel keeps only 15/);
    expect(normaliseText(123456789012345, {})).toEqual({ ok: true, value: '123456789012345' });
  });
});
