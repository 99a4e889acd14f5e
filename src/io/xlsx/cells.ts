/**
 * The value rules of SpreadsheetML cells (ECMA-376 Part 1, §18.3.1.4 c, §18.18.11 ST_CellType,
 * §22.4.2.4 ST_Xstring, §18.17.4 dates), as small pure functions.
 */

const DAY_MS = 86_400_000;
/** Days between the 1900 and 1904 date systems' day zero. */
export const DAYS_1900_TO_1904 = 1462;
/** Serial 25569 is 1970-01-01 in the 1900 system (counting Excel's phantom 1900-02-29). */
const SERIAL_OF_UNIX_EPOCH = 25569;
/** 9999-12-31, the last day Excel can show, in the 1900 system. */
const LAST_SERIAL_1900 = 2_958_465;

/**
 * An Excel serial day number as a Date whose UTC fields are the wall-clock value. Serial 60,
 * Excel's phantom 1900-02-29 (a bug kept from Lotus 1-2-3), comes out as 1900-03-01 and every
 * serial below it a day early: nobody's CRM data lives in January 1900.
 */
export function excelSerialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - SERIAL_OF_UNIX_EPOCH + (date1904 ? DAYS_1900_TO_1904 : 0)) * DAY_MS));
}

/** Whether a serial is a day Excel can show as a date (otherwise it shows ####). */
export function isDateSerial(serial: number, date1904: boolean): boolean {
  return serial >= 0 && serial <= LAST_SERIAL_1900 - (date1904 ? DAYS_1900_TO_1904 : 0);
}

const ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * `_xHHHH_` is how OOXML stores a character XML cannot hold (a carriage return pasted into a
 * cell is `_x000D_`); `_x005F_` is an escaped underscore, so `_x005F_x000D_` is the literal text
 * `_x000D_`. One left-to-right pass gives exactly that.
 */
export function decodeXstring(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * A `t="d"` cell: an ISO 8601 date, date-time or time (§18.17.4.1), as the wall-clock value.
 * A trailing Z is accepted (it names no other wall clock); any other offset, or a date that
 * does not exist (2023-02-29), gives undefined: the caller refuses the cell.
 */
export function parseIsoCellDate(text: string): Date | undefined {
  const match = /^(?:(\d{4})-(\d{2})-(\d{2}))?(?:T?(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z)?$/.exec(text.trim());
  if (match === null || (match[1] === undefined && match[4] === undefined)) return undefined;
  // A time alone is a time of day on Excel's day zero (1899-12-30 in the 1900 system's arithmetic).
  const [year, month, day] = match[1] === undefined ? [1899, 12, 30] : [Number(match[1]), Number(match[2]), Number(match[3])];
  const hour = Number(match[4] ?? 0);
  const minute = Number(match[5] ?? 0);
  const second = Number(match[6] ?? 0);
  const millis = Math.round(Number(`0.${match[7] ?? '0'}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year, month - 1, day); // Date.UTC maps years 0-99 to 1900-1999
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined; // 2023-02-29
  return date;
}

/**
 * The 0-based column of a cell reference such as "C5" or "XFD1048576", or -1 when it has no
 * valid column letters. Columns past XFD give their index; the caller applies the limit.
 */
export function columnOfReference(reference: string): number {
  let column = 0;
  let letters = 0;
  for (let i = 0; i < reference.length; i++) {
    const code = reference.charCodeAt(i);
    const upper = code >= 97 && code <= 122 ? code - 32 : code;
    if (upper < 65 || upper > 90) break;
    column = column * 26 + (upper - 64);
    if (++letters > 4) return -1;
  }
  return letters === 0 ? -1 : column - 1;
}

/** "XFD" for 16383: a column's letters, for messages. */
export function columnLetters(column: number): string {
  let letters = '';
  for (let n = column + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}
