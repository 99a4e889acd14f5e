import { describe, expect, it } from 'vitest';
import { normaliseDate, normaliseDateTime } from '../../src/normalise/date.js';

const london = { timezone: 'Europe/London', dateOrder: undefined };
const dmy = { timezone: 'Europe/London', dateOrder: 'dmy' as const };
const mdy = { timezone: 'Europe/London', dateOrder: 'mdy' as const };
const ymd = { timezone: 'Europe/London', dateOrder: 'ymd' as const };

/** An Excel date cell as the xlsx reader gives it: wall-clock fields in the Date's UTC fields. */
function excelCell(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}

describe('normaliseDateTime', () => {
  it.each([
    ['2025-07-01', '2025-07-01T00:00:00+01:00'],
    ['2025-07-01T09:30', '2025-07-01T09:30:00+01:00'],
    ['2025-07-01 09:30:00', '2025-07-01T09:30:00+01:00'],
    ['2025-07-01T09:30:15.999', '2025-07-01T09:30:15+01:00'], // seconds precision: fraction dropped
    ['2025-01-15', '2025-01-15T00:00:00+00:00'],
    ['2025/07/01', '2025-07-01T00:00:00+01:00'],
    ['13/07/2025', '2025-07-13T00:00:00+01:00'],
    ['13-07-2025', '2025-07-13T00:00:00+01:00'],
    ['13.07.2025', '2025-07-13T00:00:00+01:00'],
    ['13/07/2025 14:05', '2025-07-13T14:05:00+01:00'],
    ['13/07/2025 14:05:30', '2025-07-13T14:05:30+01:00'],
    ['13/07/2025 2:05 pm', '2025-07-13T14:05:00+01:00'],
    ['13/07/2025 12:00 am', '2025-07-13T00:00:00+01:00'],
    ['04/04/2025', '2025-04-04T00:00:00+01:00'], // both parts equal: no ambiguity
    ['04/13/2025', '2025-04-13T00:00:00+01:00'], // 13 cannot be a month: month first
    ['1 Jul 2025', '2025-07-01T00:00:00+01:00'],
    ['1 July 2025', '2025-07-01T00:00:00+01:00'],
    ['1st July 2025', '2025-07-01T00:00:00+01:00'],
    ['01-Jul-2025', '2025-07-01T00:00:00+01:00'],
    ['Jul 1, 2025', '2025-07-01T00:00:00+01:00'],
    ['July 1 2025 09:30', '2025-07-01T09:30:00+01:00'],
    ['Tuesday, 1 July 2025', '2025-07-01T00:00:00+01:00'],
    ['Sept 3 2025', '2025-09-03T00:00:00+01:00'],
    ['15 jan 2025', '2025-01-15T00:00:00+00:00'],
  ])('reads %j as %s', (input, expected) => {
    expect(normaliseDateTime(input, london)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['2025-07-01T09:30:00Z', '2025-07-01T09:30:00+00:00'], // 'Z' written as +00:00, never Z
    ['2025-07-01T09:30:00z', '2025-07-01T09:30:00+00:00'],
    ['2025-07-01T09:30:00+05:30', '2025-07-01T09:30:00+05:30'],
    ['2025-07-01T09:30:00-0400', '2025-07-01T09:30:00-04:00'],
    ['2025-01-15T09:30:00+01:00', '2025-01-15T09:30:00+01:00'], // kept even though London is +00:00 then
    ['2025-07-01 09:30+02', '2025-07-01T09:30:00+02:00'],
  ])('keeps the offset written in %j', (input, expected) => {
    expect(normaliseDateTime(input, london)).toEqual({ ok: true, value: expected });
  });

  describe('clock changes in London, 2025 (30 March and 26 October)', () => {
    it.each([
      ['2025-03-29 12:00', '2025-03-29T12:00:00+00:00'],
      ['2025-03-30 00:59:59', '2025-03-30T00:59:59+00:00'],
      ['2025-03-30 02:00', '2025-03-30T02:00:00+01:00'],
      ['2025-03-31 12:00', '2025-03-31T12:00:00+01:00'],
      ['2025-10-25 12:00', '2025-10-25T12:00:00+01:00'],
      ['2025-10-26 00:59', '2025-10-26T00:59:00+01:00'],
      ['2025-10-26 02:00', '2025-10-26T02:00:00+00:00'],
      ['2025-10-27 12:00', '2025-10-27T12:00:00+00:00'],
    ])('gives %j the offset in force: %s', (input, expected) => {
      expect(normaliseDateTime(input, london)).toEqual({ ok: true, value: expected });
    });

    it.each(['2025-03-30 01:00', '2025-03-30 01:30', '2025-03-30 01:59:59'])('rejects %j, which the clocks skipped', (input) => {
      expect(normaliseDateTime(input, london)).toEqual({ ok: false, error: expect.stringContaining('does not exist in Europe/London') });
    });

    it('refuses 01:30 on 26 October, which happened twice (00:30Z and 01:30Z), naming both instants', () => {
      expect(normaliseDateTime('26/10/2025 01:30', london)).toEqual({
        ok: false,
        error: '"26/10/2025 01:30" happens twice in Europe/London (the clocks go back): 2025-10-26T01:30:00+01:00 or 2025-10-26T01:30:00+00:00; add the UTC offset to say which',
      });
    });

    it.each(['2025-10-26 01:00', '2025-10-26 01:30', '2025-10-26 01:59:59', '26 October 2025 1:15 am'])('refuses %j, in the repeated hour', (input) => {
      expect(normaliseDateTime(input, london)).toEqual({ ok: false, error: expect.stringContaining('happens twice in Europe/London') });
    });

    it.each([
      ['2025-10-26T01:30:00+01:00', '2025-10-26T01:30:00+01:00'],
      ['2025-10-26T01:30:00+00:00', '2025-10-26T01:30:00+00:00'],
      ['2025-10-26 01:30Z', '2025-10-26T01:30:00+00:00'],
    ])('accepts %j: the offset says which of the two it is', (input, expected) => {
      expect(normaliseDateTime(input, london)).toEqual({ ok: true, value: expected });
    });

    it('refuses the repeated time as a date cell and as a serial number (45956.0625 = 2025-10-26 01:30)', () => {
      const both = '2025-10-26T01:30:00+01:00 or 2025-10-26T01:30:00+00:00';
      expect(normaliseDateTime(excelCell(2025, 10, 26, 1, 30), london)).toEqual({ ok: false, error: expect.stringContaining(`2025-10-26 01:30 happens twice in Europe/London (the clocks go back): ${both}`) });
      expect(normaliseDateTime(45956.0625, london)).toEqual({ ok: false, error: expect.stringContaining(`45956.0625 (2025-10-26 01:30) happens twice in Europe/London (the clocks go back): ${both}`) });
    });
  });

  describe('the repeated hour in other zones', () => {
    it.each([
      // US: first Sunday of November, 02:00 EDT -> 01:00 EST
      ['America/New_York', '2025-11-02 01:30', '2025-11-02T01:30:00-04:00 or 2025-11-02T01:30:00-05:00'],
      // New South Wales: first Sunday of April, 03:00 AEDT -> 02:00 AEST
      ['Australia/Sydney', '2025-04-06 02:30', '2025-04-06T02:30:00+11:00 or 2025-04-06T02:30:00+10:00'],
      // Lord Howe Island moves by half an hour: 02:00 -> 01:30
      ['Australia/Lord_Howe', '2025-04-06 01:45', '2025-04-06T01:45:00+11:00 or 2025-04-06T01:45:00+10:30'],
      // Chile: clocks go back at 24:00 on Saturday, so Saturday 23:00-23:59 repeats
      ['America/Santiago', '2025-04-05 23:30', '2025-04-05T23:30:00-03:00 or 2025-04-05T23:30:00-04:00'],
    ])('in %s refuses %j, naming %s', (timezone, input, both) => {
      expect(normaliseDateTime(input, { timezone })).toEqual({ ok: false, error: expect.stringContaining(`happens twice in ${timezone} (the clocks go back): ${both}`) });
    });

    it.each([
      ['America/New_York', '2025-11-02 00:59', '2025-11-02T00:59:00-04:00'],
      ['America/New_York', '2025-11-02 02:00', '2025-11-02T02:00:00-05:00'],
      ['Australia/Sydney', '2025-04-06 01:59', '2025-04-06T01:59:00+11:00'],
      ['Australia/Sydney', '2025-04-06 03:00', '2025-04-06T03:00:00+10:00'],
    ])('in %s accepts %j either side of the repeated hour as %s', (timezone, input, expected) => {
      expect(normaliseDateTime(input, { timezone })).toEqual({ ok: true, value: expected });
    });

    it.each([
      ['America/New_York', excelCell(2025, 11, 2, 1, 30)],
      ['Australia/Sydney', excelCell(2025, 4, 6, 2, 30)],
      ['America/New_York', 45963.0625], // 2025-11-02 01:30
      ['Australia/Sydney', 45753.104166666664], // 2025-04-06 02:30
    ])('in %s refuses the cell %o', (timezone, input) => {
      expect(normaliseDateTime(input, { timezone })).toEqual({ ok: false, error: expect.stringContaining(`happens twice in ${timezone}`) });
    });
  });

  describe('a date without a time, where a date-time is wanted (read as midnight)', () => {
    // Midnight is repeated only where the clocks go back from 01:00 to 00:00: Cuba changes at
    // 00:00 standard time (01:00 daylight time) on the first Sunday of November.
    it.each([
      ['Europe/London', '2025-10-26', '2025-10-26T00:00:00+01:00'], // change at 01:00 UTC, midnight is before it
      ['America/New_York', '2025-11-02', '2025-11-02T00:00:00-04:00'], // change at 02:00
      ['Australia/Sydney', '2025-04-06', '2025-04-06T00:00:00+11:00'], // change at 03:00
      ['America/Santiago', '2025-04-06', '2025-04-06T00:00:00-04:00'], // the repeat is Saturday 23:00-23:59, midnight is after it
    ])('in %s reads %j, whose midnight happened once, as %s', (timezone, input, expected) => {
      expect(normaliseDateTime(input, { timezone })).toEqual({ ok: true, value: expected });
    });

    it('in America/Havana refuses 2025-11-02, whose midnight happened twice', () => {
      expect(normaliseDateTime('2025-11-02', { timezone: 'America/Havana' })).toEqual({
        ok: false,
        error: expect.stringContaining('2025-11-02T00:00:00-04:00 or 2025-11-02T00:00:00-05:00'),
      });
    });

    it('in America/Havana still refuses 2025-03-09, whose midnight was skipped', () => {
      expect(normaliseDateTime('2025-03-09', { timezone: 'America/Havana' })).toEqual({ ok: false, error: expect.stringContaining('does not exist in America/Havana') });
    });

    it('never affects a date-only field: a calendar date has no time zone', () => {
      expect(normaliseDate('2025-11-02', { timezone: 'America/Havana' })).toEqual({ ok: true, value: '2025-11-02' });
      expect(normaliseDate('2025-10-26', london)).toEqual({ ok: true, value: '2025-10-26' });
    });
  });

  it.each([
    ['America/New_York', '2025-07-01 09:30', '2025-07-01T09:30:00-04:00'],
    ['Asia/Kolkata', '2025-07-01 12:00', '2025-07-01T12:00:00+05:30'],
    ['Europe/London', '1900-01-01', '1900-01-01T00:00:00+00:00'],
    ['Europe/London', '1850-06-01T12:00:00+00:00', '1850-06-01T12:00:00+00:00'], // early, but the offset is given
    ['Europe/London', '1971-01-01 12:00', '1971-01-01T12:00:00+01:00'], // British Standard Time experiment
    ['UTC', '2025-07-01 09:30', '2025-07-01T09:30:00+00:00'],
  ])('in %s reads %j as %s', (timezone, input, expected) => {
    expect(normaliseDateTime(input, { timezone })).toEqual({ ok: true, value: expected });
  });

  it('answers a repeated text afresh for another time zone or date order (results are cached per pair)', () => {
    expect(normaliseDateTime('2025-07-01 09:30', london)).toEqual({ ok: true, value: '2025-07-01T09:30:00+01:00' });
    expect(normaliseDateTime('2025-07-01 09:30', { timezone: 'UTC' })).toEqual({ ok: true, value: '2025-07-01T09:30:00+00:00' });
    expect(normaliseDateTime('2025-07-01 09:30', { ...london })).toEqual({ ok: true, value: '2025-07-01T09:30:00+01:00' });
    expect(normaliseDateTime('03/04/2025', london).ok).toBe(false);
    expect(normaliseDateTime('03/04/2025', dmy)).toEqual({ ok: true, value: '2025-04-03T00:00:00+01:00' });
    expect(normaliseDate('03/04/2025', mdy)).toEqual({ ok: true, value: '2025-03-04' });
    expect(normaliseDateTime('03/04/2025', london).ok).toBe(false);
  });

  it('rejects a time skipped in another zone', () => {
    expect(normaliseDateTime('2025-03-09 02:30', { timezone: 'America/New_York' }).ok).toBe(false);
  });

  it('rejects an unknown time zone', () => {
    expect(normaliseDateTime('2025-07-01 09:00', { timezone: 'Nowhere/Land' })).toEqual({ ok: false, error: expect.stringContaining('unknown time zone "Nowhere/Land"') });
  });

  describe('ambiguous day and month', () => {
    it('rejects 03/04/2025 without a date order, naming both readings', () => {
      expect(normaliseDateTime('03/04/2025', london)).toEqual({
        ok: false,
        error: '03/04/2025 could be 3 April or 4 March 2025: set --date-order dmy or mdy',
      });
    });

    it.each(['01/07/2025', '01-07-2025', '01.07.2025', '12/11/2025 10:00'])('rejects %j without a date order', (input) => {
      expect(normaliseDateTime(input, london)).toEqual({ ok: false, error: expect.stringContaining('set --date-order dmy or mdy') });
    });

    it.each([
      [dmy, '03/04/2025', '2025-04-03T00:00:00+01:00'],
      [dmy, '01/07/2025', '2025-07-01T00:00:00+01:00'],
      [dmy, '01.07.2025 14:05', '2025-07-01T14:05:00+01:00'],
      [dmy, '13/04/2025', '2025-04-13T00:00:00+01:00'],
      [mdy, '03/04/2025', '2025-03-04T00:00:00+00:00'],
      [mdy, '04/13/2025', '2025-04-13T00:00:00+01:00'],
      [dmy, '2025-04-03', '2025-04-03T00:00:00+01:00'], // year first is never ambiguous
      [mdy, '1 July 2025', '2025-07-01T00:00:00+01:00'], // neither is a month name
      [ymd, '2025-04-03', '2025-04-03T00:00:00+01:00'],
      [ymd, '2025/04/03 10:00', '2025-04-03T10:00:00+01:00'],
    ])('with %o reads %j as %s', (options, input, expected) => {
      expect(normaliseDateTime(input, options)).toEqual({ ok: true, value: expected });
    });

    it.each([
      [dmy, '04/13/2025', 'no month 13'],
      [mdy, '13/04/2025', 'no month 13'],
      [ymd, '03/04/2025', 'does not match the date order ymd'],
      [undefined, '13/13/2025', 'neither 13 nor 13 can be a month'],
    ])('with %o rejects %j saying %j', (options, input, reason) => {
      expect(normaliseDateTime(input, options ?? london)).toEqual({ ok: false, error: expect.stringContaining(reason) });
    });
  });

  it.each([
    ['2024-02-30', 'February 2024 has no day 30'],
    ['2025-02-29', 'February 2025 has no day 29'],
    ['31/04/2025', 'April 2025 has no day 31'],
    ['2025-13-01', 'no month 13'],
    ['2025-00-10', 'no month 0'],
    ['00/05/2025', 'has no day 0'],
    ['2025-01-01 24:00', 'impossible time'],
    ['2025-01-01 23:60', 'impossible time'],
    ['2025-01-01 12:00:60', 'impossible time'],
    ['13/07/2025 13:00 pm', 'impossible time'],
    ['2025-07-01T09:30:00+15:00', 'impossible UTC offset'],
    ['2025-07-01Z', 'offset but no time'],
    ['1/7/25', 'two-digit year'],
    ['01/07/25', 'two-digit year'],
    ['1 Jul 25', 'two-digit year'],
    ['1 Juli 2025', '"Juli" is not a month name'],
    ['tomorrow', 'is not a date'],
    ['2025-07-01 at 9', 'is not a date'],
    ['20250701', 'is not a date'],
    ['0202-05-01', 'has the year 202: check the year'],
    ['1899-12-31 10:00', 'before 1900'],
  ])('rejects %j saying %j', (input, reason) => {
    expect(normaliseDateTime(input, london)).toEqual({ ok: false, error: expect.stringContaining(reason) });
  });

  describe('Excel cells', () => {
    it.each([
      [excelCell(2025, 7, 1, 9, 30), '2025-07-01T09:30:00+01:00'],
      [excelCell(2025, 1, 15), '2025-01-15T00:00:00+00:00'],
      [excelCell(2025, 7, 1, 9, 29, 59, 999), '2025-07-01T09:30:00+01:00'], // Excel's float time, rounded
    ])('reads the date cell %o as wall-clock time in the zone: %s', (input, expected) => {
      expect(normaliseDateTime(input, london)).toEqual({ ok: true, value: expected });
    });

    it('rejects a date cell in the spring-forward gap', () => {
      expect(normaliseDateTime(excelCell(2025, 3, 30, 1, 30), london).ok).toBe(false);
    });

    it('rejects an invalid Date', () => {
      expect(normaliseDateTime(new Date(Number.NaN), london).ok).toBe(false);
    });

    it.each([
      [45658, '2025-01-01T00:00:00+00:00'],
      [45658.5, '2025-01-01T12:00:00+00:00'],
      [45839.395833333336, '2025-07-01T09:30:00+01:00'],
      [1, '1900-01-01T00:00:00+00:00'],
      [59, '1900-02-28T00:00:00+00:00'],
      [61, '1900-03-01T00:00:00+00:00'], // after Excel's fictitious 29 February 1900
      [2958465, '9999-12-31T00:00:00+00:00'],
      [2958465.99999, '9999-12-31T23:59:59+00:00'],
    ])('reads the serial number %d as %s', (input, expected) => {
      expect(normaliseDateTime(input, london)).toEqual({ ok: true, value: expected });
    });

    describe('in a workbook using the 1904 date system', () => {
      const mac = { ...london, date1904: true };
      it.each([
        [0, '1904-01-01T00:00:00+00:00'], // ECMA-376 18.17.4.1: serial 0 is 1 January 1904
        [1, '1904-01-02T00:00:00+00:00'],
        [59, '1904-02-29T00:00:00+00:00'], // 1904 was a leap year; no fictitious day in this system
        [44196, '2025-01-01T00:00:00+00:00'], // 45658 in the 1900 system, 1462 days later
        [44377.395833333336, '2025-07-01T09:30:00+01:00'],
        [2957003, '9999-12-31T00:00:00+00:00'],
      ])('reads the serial number %d as %s', (input, expected) => {
        expect(normaliseDateTime(input, mac)).toEqual({ ok: true, value: expected });
      });

      it('reads a date-only field with the 1904 epoch', () => {
        expect(normaliseDate(44196, mac)).toEqual({ ok: true, value: '2025-01-01' });
        expect(normaliseDate(44196, london)).toEqual({ ok: true, value: '2020-12-31' });
      });

      it('keeps serial 0 a date there (1904-01-01), in date and date-time fields', () => {
        expect(normaliseDate(0, mac)).toEqual({ ok: true, value: '1904-01-01' });
        expect(normaliseDateTime(0.5, mac)).toEqual({ ok: true, value: '1904-01-01T12:00:00+00:00' });
      });

      it.each([
        [-1, 'between 0 (1904-01-01) and 2957003'],
        [2957004, 'between 0 (1904-01-01) and 2957003'],
      ])('rejects the serial number %d saying %j', (input, reason) => {
        expect(normaliseDateTime(input, mac)).toEqual({ ok: false, error: expect.stringContaining(reason) });
      });

      it('refuses the repeated hour there too (44494.0625 = 2025-10-26 01:30)', () => {
        expect(normaliseDateTime(44494.0625, mac)).toEqual({ ok: false, error: expect.stringContaining('happens twice in Europe/London') });
      });

      it('leaves date cells alone: the reader has already applied the epoch to them', () => {
        expect(normaliseDateTime(excelCell(2025, 1, 1), mac)).toEqual({ ok: true, value: '2025-01-01T00:00:00+00:00' });
      });
    });

    it.each([
      [0, 'between 1 (1900-01-01) and 2958465'],
      [-1, 'between 1'],
      [2958466, 'between 1'],
      [60, '29 February 1900'],
      [Number.NaN, 'between 1'],
    ])('rejects the serial number %d saying %j', (input, reason) => {
      expect(normaliseDateTime(input, london)).toEqual({ ok: false, error: expect.stringContaining(reason) });
    });

    it('rejects a boolean cell', () => {
      expect(normaliseDateTime(true, london).ok).toBe(false);
    });

    it.each([
      [0.5, '0.5 is a time of day with no date (12:00)'],
      [0.75, '0.75 is a time of day with no date (18:00)'],
      [0, '0 is a time of day with no date (00:00)'],
      [0.0000115740740740741, 'is a time of day with no date (00:00:01)'],
    ])('refuses %d, a time of day with no date (a cell formatted h:mm), in date-time and date fields', (input, reason) => {
      // In the 1900 system serial 1 is 1900-01-01; below 1 is only the fraction of a day (ECMA-376 §18.17.4.1).
      expect(normaliseDateTime(input, london)).toEqual({ ok: false, error: expect.stringContaining(reason) });
      expect(normaliseDate(input, london)).toEqual({ ok: false, error: expect.stringContaining(reason) });
    });
  });
});

describe('normaliseDate', () => {
  it.each([
    ['2025-07-01', '2025-07-01'],
    ['2025-07-01 00:00:00', '2025-07-01'],
    ['13/07/2025', '2025-07-13'],
    ['1 July 2025', '2025-07-01'],
    ['2024-02-29', '2024-02-29'],
    ['2025-03-30', '2025-03-30'], // a clock-change day is still a date
    [45658, '2025-01-01'],
    [excelCell(1980, 5, 17), '1980-05-17'],
    ['1850-06-01', '1850-06-01'], // date-only fields need no zone, so early dates are fine
  ])('reads %j as %s', (input, expected) => {
    expect(normaliseDate(input, london)).toEqual({ ok: true, value: expected });
  });

  it('follows the date order', () => {
    expect(normaliseDate('03/04/2025', dmy)).toEqual({ ok: true, value: '2025-04-03' });
    expect(normaliseDate('03/04/2025', mdy)).toEqual({ ok: true, value: '2025-03-04' });
    expect(normaliseDate('03/04/2025', london).ok).toBe(false);
  });

  it.each([
    ['2025-07-01 09:30', 'has a time of day (09:30)'],
    [45658.5, 'has a time of day (12:00)'],
    [excelCell(2025, 7, 1, 9, 30), 'has a time of day'],
    ['2024-02-30', 'no day 30'],
    ['1/7/25', 'two-digit year'],
    ['0980-01-01', 'has the year 980'],
  ])('rejects %j saying %j', (input, reason) => {
    expect(normaliseDate(input, london)).toEqual({ ok: false, error: expect.stringContaining(reason) });
  });
});
