import { describe, expect, it } from 'vitest';
import { dateTimeCell, dateTimeCellByLuxon } from '../../src/entities/cells.js';
import { defaultNormaliseOptions, type NormaliseOptions } from '../../src/normalise/result.js';

const london: NormaliseOptions = { ...defaultNormaliseOptions, timezone: 'Europe/London' };
const utcWall = (y: number, mo: number, d: number, h: number, mi: number, s = 0): Date => new Date(Date.UTC(y, mo - 1, d, h, mi, s));

describe('a date-time cell shows the instant in the run zone', () => {
  it('summer: 08:30Z is 09:30 in London (BST, +01:00)', () => {
    expect(dateTimeCell('2025-07-01T08:30:00Z', 'xlsx', london)).toEqual(utcWall(2025, 7, 1, 9, 30));
    expect(dateTimeCell('2025-07-01T08:30:00+00:00', 'csv', london)).toBe('2025-07-01T09:30:00+01:00');
  });

  it('winter: an instant given with another offset is shown at London time (GMT, +00:00)', () => {
    expect(dateTimeCell('2025-01-15T14:05:09+05:30', 'xlsx', london)).toEqual(utcWall(2025, 1, 15, 8, 35, 9));
    expect(dateTimeCell('2025-01-15T14:05:09+05:30', 'csv', london)).toBe('2025-01-15T08:35:09+00:00');
  });

  it('the hour repeated when the clocks go back is ISO text with its offset, so it reads back as the same instant', () => {
    // 26 Oct 2025: 01:00–02:00 BST (00:00–01:00Z) then 01:00–02:00 GMT (01:00–02:00Z).
    expect(dateTimeCell('2025-10-26T00:30:00Z', 'xlsx', london)).toBe('2025-10-26T01:30:00+01:00');
    expect(dateTimeCell('2025-10-26T01:30:00Z', 'xlsx', london)).toBe('2025-10-26T01:30:00+00:00');
    expect(dateTimeCell('2025-10-26T02:30:00Z', 'xlsx', london)).toEqual(utcWall(2025, 10, 26, 2, 30));
  });

  it('a half-hour zone: Kolkata is +05:30 all year', () => {
    expect(dateTimeCell('2024-02-29T23:45:00Z', 'csv', { ...london, timezone: 'Asia/Kolkata' })).toBe('2024-03-01T05:15:00+05:30');
  });

  it('text that is not a date-time stays as it was', () => {
    expect(dateTimeCell('next Tuesday', 'xlsx', london)).toBe('next Tuesday');
    expect(dateTimeCell('2025-02-30T10:00:00Z', 'csv', london)).toBe('2025-02-30T10:00:00Z');
  });
});

/**
 * dateTimeCell reads the API's plain form without luxon; every other form goes through luxon.
 * Both ways must give the same cell: checked every 15 minutes 7 seconds across a day either
 * side of each clock change of 2024–2026, and at random instants 1973–2100, in zones with
 * whole-hour, half-hour and 45-minute offsets, a 30-minute DST shift (Lord Howe), the
 * southern hemisphere, and the zones luxon treats as fixed ('UTC').
 */
describe('the fast path agrees with luxon', () => {
  const zones = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'UTC', 'Etc/UTC', 'America/Sao_Paulo'];
  const offsets = ['Z', '+00:00', '+01:00', '-05:00', '+05:45', '-09:30', '+14:00'];
  const isoAt = (ms: number, offset: string): string => {
    const minutes = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
    return `${new Date(ms + minutes * 60_000).toISOString().slice(0, 19)}${offset}`;
  };
  const instants: number[] = [];
  for (const year of [2024, 2025, 2026]) {
    for (const [month, day] of [[3, 31], [4, 7], [10, 27], [11, 3], [10, 6], [9, 29], [4, 6], [3, 9]] as const) {
      const middle = Date.UTC(year, month - 1, day);
      for (let ms = middle - 86_400_000; ms <= middle + 86_400_000; ms += 907_000) instants.push(ms);
    }
  }
  let seed = 7;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  for (let i = 0; i < 1500; i++) instants.push(Math.floor((Date.UTC(1973, 0, 1) + random() * (Date.UTC(2100, 0, 1) - Date.UTC(1973, 0, 1))) / 1000) * 1000);

  for (const timezone of zones) {
    it(`in ${timezone}`, () => {
      const options = { ...london, timezone };
      let compared = 0;
      for (const [i, ms] of instants.entries()) {
        const value = isoAt(ms, offsets[i % offsets.length]!);
        for (const format of ['xlsx', 'csv'] as const) {
          expect(dateTimeCell(value, format, options), `${value} ${format}`).toEqual(dateTimeCellByLuxon(value, format, options));
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(5_000);
    });
  }

  it('forms the fast path leaves to luxon give luxon cells', () => {
    for (const value of ['2025-07-01T08:30:00.250Z', '2025-07-01T08:30:00.000+01:00', '2025-07-01T08:30+01:00', '2025-07-01T08:30:00+0100', '1960-07-01T08:30:00Z', '2025-07-01']) {
      for (const format of ['xlsx', 'csv'] as const) expect(dateTimeCell(value, format, london)).toEqual(dateTimeCellByLuxon(value, format, london));
    }
  });
});
