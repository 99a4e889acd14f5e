/**
 * How values become cells of the files we write (export, plan, revert) and how they are shown
 * to people. Each field type (field-types.ts) picks one of these, so the pipeline never asks
 * what type a column is. Every cell reads back through its type's own normaliser as the same
 * value: that is what lets a re-import tell an edit from formatting.
 */
import { DateTime } from 'luxon';
import { normaliseDateTime, zoneOffsetAt } from '../normalise/date.js';
import { formatPennies } from '../normalise/money.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { Cell, CellFormat } from './entity.js';
import { nameOf, uuidOf } from './record.js';

/** Text of any value: lists joined with "; ", nested records by their uuid (or name); nothing is null. */
export function textCell(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    const items = value.map((item) => textCell(item)).filter((t): t is string => t !== null && t !== '');
    return items.length === 0 ? null : items.join('; ');
  }
  if (typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    return uuidOf(value) ?? nameOf(value) ?? JSON.stringify(value);
  }
  return String(value);
}

/**
 * Money for people: pounds and pence with a £, thousands grouped, the sign first: 123456 →
 * "£1,234.56", -1250 → "-£12.50". The report, messages and the sandbox's `formatted` all say
 * it this way; a workbook's money cell (a number of pounds) shows the same through the XLSX
 * writer's £ number format (io/write-xlsx.ts). The money normaliser reads it back as the same
 * pennies.
 */
export function showPounds(pennies: number): string {
  const plain = formatPennies(pennies);
  const negative = plain.startsWith('-');
  const [pounds = '0', pence = '00'] = (negative ? plain.slice(1) : plain).split('.');
  return `${negative ? '-' : ''}£${pounds.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${pence}`;
}

/**
 * Excel keeps 15 significant digits of a number: pennies from 10^15 up (£10 trillion) would
 * lose their last digits in a number cell.
 */
const EXACT_IN_A_NUMBER_CELL = 10 ** 15;

/**
 * Money (whole pennies) as a cell. XLSX: a number of pounds (the writer shows it with its £
 * format, as showPounds would); below 10^15 pennies, pennies / 100 is the double nearest a
 * decimal of at most 15 digits, and String() of it gives that decimal back. Larger amounts,
 * and CSV: "1234.56" as text, which any spreadsheet reads as a number and we read back exactly.
 */
export function moneyCell(value: unknown, format: CellFormat): Cell {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return textCell(value);
  return format === 'xlsx' && Math.abs(value) < EXACT_IN_A_NUMBER_CELL ? value / 100 : formatPennies(value);
}

/**
 * An instant as a cell in the run's zone. An Excel date has no zone, so the XLSX cell holds
 * the wall-clock time; when that wall-clock time would read back as another instant (the
 * repeated hour when clocks go back), the cell is ISO text with its offset instead. CSV: ISO
 * 8601 with the zone's offset.
 */
export function dateTimeCell(value: unknown, format: CellFormat, options: NormaliseOptions): Cell {
  if (typeof value !== 'string') return textCell(value);
  const instant = apiInstant(value, options.timezone);
  if (instant === undefined) return dateTimeCellByLuxon(value, format, options);
  const offset = zoneOffsetAt(options.timezone, instant);
  if (offset === undefined) return dateTimeCellByLuxon(value, format, options);
  const wall = new Date(instant + offset * MS_PER_MINUTE);
  // What luxon's toISO({ suppressMilliseconds: true }) writes for an IANA zone: never 'Z'.
  const iso = (): string => `${wall.toISOString().slice(0, 19)}${formatOffset(offset)}`;
  if (format === 'csv') return iso();
  // The import's own normaliser is the judge of what this cell will read back as.
  const readBack = normaliseDateTime(wall, options);
  return readBack.ok && Date.parse(readBack.value) === instant ? wall : iso();
}

/**
 * The API's date-times (2025-07-01T09:30:00+01:00, whole seconds, an offset) as epoch ms,
 * without a luxon DateTime per cell (a quarter of an export's CPU went there). Only the plain form,
 * from 1973 (when every zone's offset is a whole number of minutes) to 9998, shown in a zone
 * luxon treats as an IANA zone; anything else (fractions of a second, other ISO forms, 'UTC',
 * fixed offsets) is undefined and goes the luxon way, so the cells are the same either way.
 */
function apiInstant(value: string, timezone: string): number | undefined {
  const match = API_DATE_TIME.exec(value);
  if (match === null || !isIanaZone(timezone)) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1973 || year > 9998 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = match[7] ?? '';
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(4, 6));
    if (hours > 14 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * MS_PER_MINUTE;
}

const API_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.0+)?(Z|[+-]\d{2}:\d{2})$/;
const MS_PER_MINUTE = 60_000;

/** Whether luxon shows this zone as an IANA zone (offsets as ±hh:mm) rather than a fixed one ('UTC' → 'Z'). */
const ianaZones = new Map<string, boolean>();
function isIanaZone(timezone: string): boolean {
  let iana = ianaZones.get(timezone);
  if (iana === undefined) {
    const zone = DateTime.fromMillis(0).setZone(timezone);
    iana = zone.isValid && zone.zone.type === 'iana';
    ianaZones.set(timezone, iana);
  }
  return iana;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function formatOffset(minutes: number): string {
  const magnitude = Math.abs(minutes);
  const pad2 = (n: number): string => String(n).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(magnitude / 60))}:${pad2(magnitude % 60)}`;
}

/** dateTimeCell for any form luxon reads (the rule the fast path above must agree with). */
export function dateTimeCellByLuxon(value: string, format: CellFormat, options: NormaliseOptions): Cell {
  const at = DateTime.fromISO(value, { setZone: true });
  if (!at.isValid) return value;
  const local = at.setZone(options.timezone);
  if (format === 'csv' || local.millisecond !== 0) return local.toISO({ suppressMilliseconds: true }) ?? value;
  const wall = new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
  const readBack = normaliseDateTime(wall, options);
  const iso = local.toISO({ suppressMilliseconds: true }) ?? at.toISO();
  return readBack.ok && Date.parse(readBack.value) === at.toMillis() ? wall : iso;
}

/** A calendar date: an Excel date in XLSX, the ISO date as text otherwise. */
export function dateCell(value: unknown, format: CellFormat): Cell {
  return typeof value === 'string' && format === 'xlsx' && /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T00:00:00Z`)
    : textCell(value);
}

/** yes/no as the words our templates offer. */
export function yesNoCell(value: unknown): Cell {
  return typeof value === 'boolean' ? (value ? 'yes' : 'no') : textCell(value);
}

/** A whole number stays a number cell. */
export function numberCell(value: unknown): Cell {
  return typeof value === 'number' ? value : textCell(value);
}
