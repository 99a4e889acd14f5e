import { describe, expect, it } from 'vitest';
import { normaliseDateOfBirth, todayIn } from '../../src/normalise/date-of-birth.js';

const london = { timezone: 'Europe/London' } as const;
const today = '2026-03-18';

describe('normaliseDateOfBirth', () => {
  it.each([
    ['1980-05-01', '1980-05-01'],
    ['01 May 1980', '1980-05-01'],
    ['25/12/1961', '1961-12-25'],
    // Midnight with an offset is the day written: never shifted to the day before in UTC.
    ['1980-05-01T00:00:00+01:00', '1980-05-01'],
    ['2026-03-18', '2026-03-18'],
  ])('reads %j as the date %j', (input, expected) => {
    expect(normaliseDateOfBirth(input, london, today)).toEqual({ ok: true, value: expected });
  });

  it('keeps the day of an Excel date cell (wall-clock midnight in its UTC fields), in any zone', () => {
    const cell = new Date(Date.UTC(1975, 6, 4));
    expect(normaliseDateOfBirth(cell, london, today)).toEqual({ ok: true, value: '1975-07-04' });
    expect(normaliseDateOfBirth(cell, { timezone: 'Pacific/Auckland' }, today)).toEqual({ ok: true, value: '1975-07-04' });
  });

  it('refuses a two-digit year: 01/02/34 could be 1934 or 2034', () => {
    expect(normaliseDateOfBirth('01/02/34', { ...london, dateOrder: 'dmy' }, today)).toEqual({ ok: false, error: expect.stringContaining('two-digit year') });
  });

  it('refuses a date in the future', () => {
    expect(normaliseDateOfBirth('2026-03-19', london, today)).toEqual({ ok: false, error: expect.stringContaining('in the future') });
  });

  it('refuses a time of day: a date of birth is a date', () => {
    expect(normaliseDateOfBirth('1980-05-01 14:30', london, today)).toEqual({ ok: false, error: expect.stringContaining('time of day') });
  });

  it('refuses a year before 1900 as a typing slip', () => {
    expect(normaliseDateOfBirth('1880-05-01', london, today)).toEqual({ ok: false, error: expect.stringContaining('check the year') });
  });

  it('refuses 03/04/1980 when the date order is not known', () => {
    expect(normaliseDateOfBirth('03/04/1980', london, today).ok).toBe(false);
  });
});

describe('todayIn', () => {
  it('is the date in the given zone, not in UTC', () => {
    const lateEvening = new Date('2026-03-18T23:30:00Z');
    expect(todayIn('Europe/London', lateEvening)).toBe('2026-03-18');
    expect(todayIn('Pacific/Auckland', lateEvening)).toBe('2026-03-19');
  });
});
