import { fail, ok, type Normalised, type NormaliseOptions, type RawValue } from './result.js';

type DateOptions = Pick<NormaliseOptions, 'timezone' | 'dateOrder' | 'date1904'>;

/** A calendar date and wall-clock time as written, plus an offset (minutes) if one was given. */
interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC as written ('Z' = 0); undefined = wall-clock time in the run's zone. */
  offset: number | undefined;
}

type Parsed = WallClock | string;

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_BY_NAME: ReadonlyMap<string, number> = new Map(
  MONTH_NAMES.flatMap((name, index) => [
    [name, index + 1],
    [name.slice(0, 3), index + 1],
    ...(name === 'september' ? [['sept', 9] as const] : []),
  ]),
);

const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([ap])\.?m\.?)?`;
/** 2025-07-01, 2025/07/01, with optional time and offset: 2025-07-01T09:30:00.000+01:00 */
const YEAR_FIRST = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:(?:T|\s+)${TIME})?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$`, 'i');
/** 01/07/2025, 1-7-2025, 01.07.2025, with optional time; the year may be (wrongly) two digits. */
const NUMERIC_DATE = new RegExp(String.raw`^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})(?:(?:T|\s+)${TIME})?$`, 'i');
/** 1 Jul 2025, 1st July 2025, 01-Jul-2025 */
const DAY_MONTH_NAME = new RegExp(String.raw`^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{2}|\d{4})(?:,?\s+${TIME})?$`, 'i');
/** Jul 1, 2025 ; July 1st 2025 */
const MONTH_NAME_DAY = new RegExp(String.raw`^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{2}|\d{4})(?:,?\s+${TIME})?$`, 'i');
/** Optional leading weekday: "Tue 1 July 2025", "Tuesday, 1 July 2025". */
const WEEKDAY_PREFIX = /^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+/i;

const FIRST_YEAR = 1000;
const LAST_YEAR = 9999;
const FIRST_ZONED_YEAR = 1900;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const EXCEL_SERIAL_MAX = 2_958_465; // 9999-12-31
/** Day 0 of the 1900 date system for serials after Excel's fictitious 1900-02-29 (serial 60). */
const EXCEL_EPOCH_AFTER_LEAP_BUG = Date.UTC(1899, 11, 30);
const EXCEL_EPOCH_BEFORE_LEAP_BUG = Date.UTC(1899, 11, 31);
/** Day 0 of the 1904 date system (ECMA-376 Part 1, 18.17.4.1): 0 = 1904-01-01, no leap-year bug. */
const EXCEL_EPOCH_1904 = Date.UTC(1904, 0, 1);
/** 9999-12-31 in the 1904 system: 1462 days fewer than in the 1900 system. */
const EXCEL_1904_SERIAL_MAX = EXCEL_SERIAL_MAX - 1462;

/**
 * A date-time as ISO 8601 with seconds and offset: 2025-07-01T09:30:00+01:00 (never 'Z').
 * Wall-clock inputs (text without an offset, date cells, serial numbers) are read in
 * `timezone`: a time skipped by a clock change is an error, and so is a time that happens
 * twice when the clocks go back (01:30 on 26 Oct 2025 in London is 00:30Z and 01:30Z): the
 * error names both instants, since picking one would be a guess. An offset written in the
 * input is kept, and settles which instant is meant.
 */
export function normaliseDateTime(value: RawValue, options: DateOptions): Normalised<string> {
  if (typeof value !== 'string') return dateTimeUncached(value, options);
  // Files repeat the same date-times (imports stamped with one time, meeting slots): cache text inputs.
  const cache = resultCacheFor(dateTimeCaches, options);
  const cached = cache.get(value);
  if (cached !== undefined) return cached;
  return remember(cache, value, dateTimeUncached(value, options));
}

function dateTimeUncached(value: RawValue, options: DateOptions): Normalised<string> {
  const parsed = parseWallClock(value, options);
  if (typeof parsed === 'string') return fail(parsed);
  let offset = parsed.offset;
  if (offset === undefined) {
    // Before 1900 many zones ran on local mean time (London: -00:01:15), which an ISO offset
    // in whole minutes cannot express.
    if (parsed.year < FIRST_ZONED_YEAR) return fail(`${describe(value)} is before ${FIRST_ZONED_YEAR}: date-times that early are not supported without a UTC offset`);
    const zoned = zoneOffsetOfWallClock(parsed, options.timezone);
    if (typeof zoned === 'string') return fail(zoned);
    if (typeof zoned !== 'number') {
      const [earlier, later] = zoned.repeated.map((candidate) => isoDateTime(parsed, candidate));
      return fail(`${describeWallClock(value, parsed)} happens twice in ${options.timezone} (the clocks go back): ${earlier} or ${later}; add the UTC offset to say which`);
    }
    offset = zoned;
  }
  return ok(isoDateTime(parsed, offset));
}

function isoDateTime(wall: WallClock, offset: number): string {
  return `${isoDate(wall)}T${pad2(wall.hour)}:${pad2(wall.minute)}:${pad2(wall.second)}${formatOffset(offset)}`;
}

/** Text as written; a cell or serial number as the wall-clock time it holds. */
function describeWallClock(value: RawValue, wall: WallClock): string {
  if (typeof value === 'string') return `"${value.trim()}"`;
  const time = `${isoDate(wall)} ${pad2(wall.hour)}:${pad2(wall.minute)}${wall.second === 0 ? '' : `:${pad2(wall.second)}`}`;
  return typeof value === 'number' ? `${value} (${time})` : time;
}

/**
 * A date-only field as YYYY-MM-DD, read in the date order given. A time of day other than
 * midnight is an error rather than silently dropped: it usually means the wrong column.
 */
export function normaliseDate(value: RawValue, options: DateOptions): Normalised<string> {
  if (typeof value !== 'string') return dateUncached(value, options);
  const cache = resultCacheFor(dateCaches, options);
  const cached = cache.get(value);
  if (cached !== undefined) return cached;
  return remember(cache, value, dateUncached(value, options));
}

function dateUncached(value: RawValue, options: DateOptions): Normalised<string> {
  const parsed = parseWallClock(value, options);
  if (typeof parsed === 'string') return fail(parsed);
  if (parsed.hour !== 0 || parsed.minute !== 0 || parsed.second !== 0) {
    return fail(`${describe(value)} has a time of day (${pad2(parsed.hour)}:${pad2(parsed.minute)}) but this field takes a date only`);
  }
  return ok(isoDate(parsed));
}

// ---- result caches ----------------------------------------------------------------------

type ResultCache = Map<string, Normalised<string>>;
const RESULT_CACHE_LIMIT = 20_000;
/** One cache per (time zone, date order); a run uses one pair, so look it up by the last used. */
const dateTimeCaches = new Map<string, ResultCache>();
const dateCaches = new Map<string, ResultCache>();
let lastOptions: DateOptions | undefined;
let lastDateTimeCache: ResultCache | undefined;
let lastDateCache: ResultCache | undefined;

function resultCacheFor(caches: Map<string, ResultCache>, options: DateOptions): ResultCache {
  if (options !== lastOptions) {
    lastOptions = options;
    lastDateTimeCache = undefined;
    lastDateCache = undefined;
  }
  const last = caches === dateTimeCaches ? lastDateTimeCache : lastDateCache;
  if (last !== undefined) return last;
  const key = `${options.timezone}|${options.dateOrder ?? ''}`;
  let cache = caches.get(key);
  if (cache === undefined) {
    cache = new Map();
    caches.set(key, cache);
  }
  if (caches === dateTimeCaches) lastDateTimeCache = cache;
  else lastDateCache = cache;
  return cache;
}

function remember(cache: ResultCache, text: string, result: Normalised<string>): Normalised<string> {
  if (cache.size >= RESULT_CACHE_LIMIT) cache.clear();
  cache.set(text, result);
  return result;
}

function parseWallClock(value: RawValue, options: DateOptions): Parsed {
  let parsed: Parsed;
  if (typeof value === 'string') parsed = parseDateText(value.trim(), options.dateOrder);
  else if (typeof value === 'number') parsed = options.date1904 === true ? fromExcel1904Serial(value) : fromExcelSerial(value);
  else if (typeof value === 'boolean') return 'a TRUE/FALSE cell is not a date';
  else parsed = fromExcelDate(value);
  // Years before 1000 are typing slips in this data (0202 for 2020), not history.
  if (typeof parsed !== 'string' && (parsed.year < FIRST_YEAR || parsed.year > LAST_YEAR)) {
    return `${describe(value)} has the year ${parsed.year}: check the year (${FIRST_YEAR} to ${LAST_YEAR} accepted)`;
  }
  return parsed;
}

/** Excel dates have no zone: the reader puts the wall-clock value in the Date's UTC fields. */
function fromExcelDate(date: Date): Parsed {
  const time = date.getTime();
  if (Number.isNaN(time)) return 'not a valid date';
  // Excel stores times as fractions of a day: 09:30 can come back as 09:29:59.999.
  return wallClockFromUtcMs(Math.round(time / 1000) * 1000);
}

/** Excel 1900 system: 1 = 1900-01-01, 60 = the fictitious 1900-02-29, fraction = time of day. */
function fromExcelSerial(serial: number): Parsed {
  if (serial >= 0 && serial < 1) {
    // A cell formatted as a time (h:mm) holds only the fraction of a day: 0.5 is 12:00. It is not
    // 1899-12-30 12:00 (Excel's day zero): there is no date to take.
    const seconds = Math.min(Math.round(serial * 86_400), 86_399);
    const clock = `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}${seconds % 60 === 0 ? '' : `:${pad2(seconds % 60)}`}`;
    return `${serial} is a time of day with no date (${clock}): as an Excel date number a date must be between 1 (1900-01-01) and ${EXCEL_SERIAL_MAX} (9999-12-31)`;
  }
  if (!Number.isFinite(serial) || serial < 1 || serial >= EXCEL_SERIAL_MAX + 1) {
    return `${serial} is not a date: as an Excel date number it must be between 1 (1900-01-01) and ${EXCEL_SERIAL_MAX} (9999-12-31)`;
  }
  const days = Math.floor(serial);
  if (days === 60) return '60 is Excel\'s 29 February 1900, a day that did not exist';
  const seconds = Math.round((serial - days) * 86_400);
  const epoch = days < 60 ? EXCEL_EPOCH_BEFORE_LEAP_BUG : EXCEL_EPOCH_AFTER_LEAP_BUG;
  return wallClockFromUtcMs(epoch + days * MS_PER_DAY + seconds * 1000);
}

/**
 * Excel 1904 system (Mac Excel before 2011, and any workbook with <workbookPr date1904="1"/>):
 * 0 = 1904-01-01, fraction = time of day. The same day is 1462 lower than in the 1900 system.
 */
function fromExcel1904Serial(serial: number): Parsed {
  if (!Number.isFinite(serial) || serial < 0 || serial >= EXCEL_1904_SERIAL_MAX + 1) {
    return `${serial} is not a date: in this workbook's 1904 date system an Excel date number must be between 0 (1904-01-01) and ${EXCEL_1904_SERIAL_MAX} (9999-12-31)`;
  }
  const days = Math.floor(serial);
  const seconds = Math.round((serial - days) * 86_400);
  return wallClockFromUtcMs(EXCEL_EPOCH_1904 + days * MS_PER_DAY + seconds * 1000);
}

function wallClockFromUtcMs(ms: number): WallClock {
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    offset: undefined,
  };
}

function parseDateText(text: string, dateOrder: DateOptions['dateOrder']): Parsed {
  let match = YEAR_FIRST.exec(text);
  if (match !== null) {
    // A four-digit year first is unambiguous (nobody writes year-day-month), whatever the order flag.
    return build(text, Number(match[1]), Number(match[3]), Number(match[4]), match, 5, match[9]);
  }
  match = NUMERIC_DATE.exec(text);
  if (match !== null) return parseNumericDate(text, match, dateOrder);

  const withoutWeekday = text.replace(WEEKDAY_PREFIX, '');
  match = DAY_MONTH_NAME.exec(withoutWeekday);
  if (match !== null) return parseNamedMonth(text, match[1] as string, match[2] as string, match[3] as string, match);
  match = MONTH_NAME_DAY.exec(withoutWeekday);
  if (match !== null) return parseNamedMonth(text, match[2] as string, match[1] as string, match[3] as string, match);
  return `"${text}" is not a date: use 2025-07-01 or 01/07/2025 (optionally with a time such as 14:05), or 1 July 2025`;
}

function parseNumericDate(text: string, match: RegExpExecArray, dateOrder: DateOptions['dateOrder']): Parsed {
  const first = Number(match[1]);
  const second = Number(match[3]);
  const yearText = match[4] as string;
  if (yearText.length === 2) return `"${text}" has a two-digit year, so the century is unclear: write the year in full (e.g. 20${yearText} or 19${yearText})`;
  const year = Number(yearText);
  if (dateOrder === 'ymd') return `"${text}" does not match the date order ymd: write the year first, as YYYY-MM-DD`;
  let day: number;
  let month: number;
  if (dateOrder === 'dmy') {
    [day, month] = [first, second];
  } else if (dateOrder === 'mdy') {
    [month, day] = [first, second];
  } else if (first > 12 && second <= 12) {
    [day, month] = [first, second];
  } else if (second > 12 && first <= 12) {
    [month, day] = [first, second];
  } else if (first !== second && first >= 1 && second >= 1 && first <= 12 && second <= 12) {
    return `${text} could be ${first} ${monthName(second)} or ${second} ${monthName(first)} ${year}: set --date-order dmy or mdy`;
  } else {
    [day, month] = [first, second];
  }
  if (month > 12 || month < 1) {
    return dateOrder === undefined
      ? `"${text}" is not a date: neither ${first} nor ${second} can be a month`
      : `"${text}" is not a date in the order ${dateOrder}: there is no month ${month}`;
  }
  return build(text, year, month, day, match, 5, undefined);
}

function parseNamedMonth(text: string, dayText: string, monthText: string, yearText: string, match: RegExpExecArray): Parsed {
  const month = MONTH_BY_NAME.get(monthText.toLowerCase());
  if (month === undefined) return `"${text}" is not a date: "${monthText}" is not a month name`;
  if (yearText.length === 2) return `"${text}" has a two-digit year, so the century is unclear: write the year in full (e.g. 20${yearText} or 19${yearText})`;
  return build(text, Number(yearText), month, Number(dayText), match, 4, undefined);
}

/** Checks the parts (no rollover: 31 April is an error, not 1 May) and reads the optional time. */
function build(text: string, year: number, month: number, day: number, match: RegExpExecArray, timeAt: number, offsetText: string | undefined): Parsed {
  if (month < 1 || month > 12) return `"${text}" is not a date: there is no month ${month}`;
  if (day < 1 || day > daysInMonth(year, month)) {
    return `"${text}" is not a date: ${monthName(month)} ${year} has no day ${day}`;
  }
  const hasTime = match[timeAt] !== undefined;
  let hour = hasTime ? Number(match[timeAt]) : 0;
  const minute = hasTime ? Number(match[timeAt + 1]) : 0;
  const second = match[timeAt + 2] === undefined ? 0 : Number(match[timeAt + 2]);
  const meridiem = match[timeAt + 3]?.toLowerCase();
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return `"${text}" has an impossible time: ${hour} o'clock with am/pm`;
    hour = (hour % 12) + (meridiem === 'p' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return `"${text}" has an impossible time: use 00:00 to 23:59:59`;
  let offset: number | undefined;
  if (offsetText !== undefined) {
    const parsedOffset = parseOffset(offsetText);
    if (parsedOffset === undefined) return `"${text}" has an impossible UTC offset (${offsetText})`;
    if (!hasTime) return `"${text}" has a UTC offset but no time`;
    offset = parsedOffset;
  }
  return { year, month, day, hour, minute, second, offset };
}

function parseOffset(text: string): number | undefined {
  if (text === 'Z' || text === 'z') return 0;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 14 || minutes > 59) return undefined;
  return (text[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

// ---- time zones -------------------------------------------------------------------------

/** A wall-clock time that happened twice: both offsets, the earlier instant's (larger) first. */
interface RepeatedTime {
  readonly repeated: readonly [number, number];
}

/**
 * The zone's offset (minutes) for a wall-clock time. Candidate offsets are those in force a
 * day either side (real zones change at most once in 48 hours); each is kept if it maps the
 * wall time to an instant that really has that offset. None: the time fell in a spring-forward
 * gap (an error message). Two: an autumn overlap, returned as both offsets for the caller to
 * refuse.
 */
function zoneOffsetOfWallClock(wall: WallClock, timezone: string): number | string | RepeatedTime {
  const offsetAt = offsetFunctionFor(timezone);
  if (offsetAt === undefined) return `unknown time zone "${timezone}": use an IANA name such as Europe/London`;
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const before = offsetAt(wallAsUtc - MS_PER_DAY);
  const after = offsetAt(wallAsUtc + MS_PER_DAY);
  const beforeFits = offsetAt(wallAsUtc - before * MS_PER_MINUTE) === before;
  if (before === after && beforeFits) return before;
  const afterFits = offsetAt(wallAsUtc - after * MS_PER_MINUTE) === after;
  if (beforeFits && afterFits) return { repeated: [Math.max(before, after), Math.min(before, after)] };
  if (beforeFits) return before;
  if (afterFits) return after;
  return `${isoDate(wall)} ${pad2(wall.hour)}:${pad2(wall.minute)} does not exist in ${timezone}: the clocks went forward then`;
}

type OffsetAt = (utcMs: number) => number;

/**
 * The zone's offset from UTC (minutes east) at an instant, as the import reads wall-clock times
 * with it; undefined for a zone Intl does not know. Cached per day, so cheap to ask per cell
 * (the export's date-time cells use it instead of a luxon DateTime each).
 */
export function zoneOffsetAt(timezone: string, utcMs: number): number | undefined {
  return offsetFunctionFor(timezone)?.(utcMs);
}

const offsetFunctions = new Map<string, OffsetAt | undefined>();

function offsetFunctionFor(timezone: string): OffsetAt | undefined {
  if (offsetFunctions.has(timezone)) return offsetFunctions.get(timezone);
  const made = makeOffsetFunction(timezone);
  offsetFunctions.set(timezone, made);
  return made;
}

/**
 * Most UTC days have one offset throughout, so cache per day: the offsets at the start,
 * middle and end of the day agree → that offset for the whole day (one entry, three Intl
 * calls). On a clock-change day, fall back to one Intl call per 15 minutes (offsets change
 * only on quarter-hour boundaries).
 */
const OFFSET_CACHE_BUCKET_MS = 15 * MS_PER_MINUTE;
const OFFSET_CACHE_LIMIT = 100_000;
const CHANGES_DURING_DAY = Number.NaN;

function makeOffsetFunction(timezone: string): OffsetAt | undefined {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    return undefined;
  }
  const byDay = new Map<number, number>();
  const byQuarterHour = new Map<number, number>();
  return (utcMs) => {
    const day = Math.floor(utcMs / MS_PER_DAY);
    let dayOffset = byDay.get(day);
    if (dayOffset === undefined) {
      const start = day * MS_PER_DAY;
      const atStart = offsetFromIntl(format, start);
      const steady = offsetFromIntl(format, start + MS_PER_DAY / 2) === atStart && offsetFromIntl(format, start + MS_PER_DAY - 1000) === atStart;
      dayOffset = steady ? atStart : CHANGES_DURING_DAY;
      if (byDay.size >= OFFSET_CACHE_LIMIT) byDay.clear();
      byDay.set(day, dayOffset);
    }
    if (!Number.isNaN(dayOffset)) return dayOffset;
    const bucket = Math.floor(utcMs / OFFSET_CACHE_BUCKET_MS);
    const cached = byQuarterHour.get(bucket);
    if (cached !== undefined) return cached;
    const offset = offsetFromIntl(format, bucket * OFFSET_CACHE_BUCKET_MS);
    if (byQuarterHour.size >= OFFSET_CACHE_LIMIT) byQuarterHour.clear();
    byQuarterHour.set(bucket, offset);
    return offset;
  };
}

function offsetFromIntl(format: Intl.DateTimeFormat, utcMs: number): number {
  const fields: Record<string, number> = {};
  let beforeChrist = false;
  for (const part of format.formatToParts(utcMs)) {
    if (part.type === 'era') beforeChrist = part.value.startsWith('B');
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = beforeChrist ? 1 - (fields['year'] ?? 0) : fields['year'] ?? 0;
  const asUtc = Date.UTC(year, (fields['month'] ?? 1) - 1, fields['day'] ?? 1, (fields['hour'] ?? 0) % 24, fields['minute'] ?? 0, fields['second'] ?? 0);
  // Date.UTC maps years 0-99 to 1900-1999; set the year explicitly for those.
  const wall = year >= 0 && year < 100 ? new Date(asUtc).setUTCFullYear(year) : asUtc;
  return Math.round((wall - utcMs) / MS_PER_MINUTE);
}

// ---- formatting -------------------------------------------------------------------------

function isoDate(wall: Pick<WallClock, 'year' | 'month' | 'day'>): string {
  return `${String(wall.year).padStart(4, '0')}-${pad2(wall.month)}-${pad2(wall.day)}`;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const magnitude = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(magnitude / 60))}:${pad2(magnitude % 60)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function monthName(month: number): string {
  const name = MONTH_NAMES[month - 1] ?? String(month);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function describe(value: RawValue): string {
  return typeof value === 'string' ? `"${value.trim()}"` : value instanceof Date ? 'the date' : String(value);
}
