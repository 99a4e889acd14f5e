/**
 * One sheet row as SpreadsheetML (ECMA-376 Part 1 §18.3.1.73 row, §18.3.1.4 c): a pure
 * function of the values and their style, so the hot loop of the writer is testable alone.
 *
 * Safety: text is always an inline string cell (`t="inlineStr"`), which no spreadsheet
 * evaluates: `=1+1`, `+447911123456` and `-12.50` stay exact text with no prefix, and no cell
 * ever has an `<f>` (formula). Text that looks like a formula also gets the Text format (`@`),
 * so that editing the cell in Excel later does not turn it into a formula (or a number).
 */
import { BOLD, FILL_CHANGED, FILL_PROBLEM, FORMAT_DATE, FORMAT_DATE_TIME, FORMAT_GENERAL, FORMAT_MONEY, FORMAT_TEXT, type StyleTable } from './styles.js';
import { EXCEL_MAX_CELL_CHARS, EXCEL_MAX_COLUMNS } from './limits.js';
import { clampCellText, lettersOf, needsPreserve, xstring } from './text.js';

export type XlsxCellValue = string | number | boolean | Date | null;

/** Column indexes are 0-based, aligned with the `values` array. */
export interface RowStyle {
  /** Light yellow fill: "this value was changed". */
  readonly highlight?: readonly number[] | undefined;
  /** Light red fill: "this value has a problem". */
  readonly problem?: readonly number[] | undefined;
  /** Column index → note (comment) text. */
  readonly notes?: Readonly<Record<number, string>> | undefined;
  /** true: the whole row; an array: those columns only. */
  readonly bold?: boolean | readonly number[] | undefined;
  /** Font size for the whole row (titles). */
  readonly size?: number | undefined;
  /** Number cells shown as pounds and pence (£1,234.56); the value stays the exact number. */
  readonly money?: readonly number[] | undefined;
}

const DAY_MS = 86_400_000;
/** Serial 25569 is 1970-01-01 in the 1900 date system (as xlsx/cells.ts reads it back). */
const SERIAL_OF_UNIX_EPOCH = 25_569;
/** 9999-12-31 23:59:59.999, the last moment Excel can show. */
const LAST_SERIAL = 2_958_466 - 1 / DAY_MS;
/** A cell flag (not a style bit of its own): a number in this cell is money. */
const MONEY_CELL = 8;

/** Per-cell flags of the row being written; reset after each row. */
let cellFlags = new Uint8Array(64);

function markColumns(flags: Uint8Array, columns: readonly number[] | undefined, flag: number, width: number): void {
  if (columns === undefined) return;
  for (let i = 0; i < columns.length; i += 1) {
    const column = columns[i]!;
    if (column >= 0 && column < width) flags[column] = (flags[column] ?? 0) | flag;
  }
}

function flagsFor(width: number, style: RowStyle): Uint8Array {
  if (cellFlags.length < width) cellFlags = new Uint8Array(Math.max(width, cellFlags.length * 2));
  if (typeof style.bold === 'object') markColumns(cellFlags, style.bold, BOLD, width);
  markColumns(cellFlags, style.highlight, FILL_CHANGED, width);
  markColumns(cellFlags, style.problem, FILL_PROBLEM, width);
  markColumns(cellFlags, style.money, MONEY_CELL, width);
  return cellFlags;
}

/**
 * looksLikeFormula (safe-text.ts) by character code: the same triggers (= + - @ tab CR at the
 * start), without a regular expression on every text cell. A test holds the two together.
 */
export function startsLikeFormula(text: string): boolean {
  const first = text.charCodeAt(0);
  return first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13;
}

/** Dates hold Excel wall-clock time in their UTC fields (io/rows.ts): show a time only when there is one. */
function dateFormatOf(time: number): number {
  return time % DAY_MS === 0 ? FORMAT_DATE : FORMAT_DATE_TIME;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A date Excel cannot show as one (before 1900 or after 9999): written as ISO text instead of ####. */
function isoText(date: Date): string {
  const day = `${String(date.getUTCFullYear()).padStart(4, '0')}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}`;
  if (date.getTime() % DAY_MS === 0) return day;
  return `${day} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

/** ` s="N"` per style index, built once. */
const styleAttributes: string[] = [''];

function styleAttribute(styles: StyleTable, bits: number, format: number, size: number | undefined): string {
  if (bits === 0 && format === FORMAT_GENERAL && size === undefined) return '';
  const index = styles.xfIndex(bits, format, size);
  return (styleAttributes[index] ??= ` s="${index}"`);
}

/** `" s="N" t="inlineStr"><is><t>` per style index (and with xml:space="preserve"), built once: a text cell is then five pieces. */
const textOpeners: string[] = [];
const preservingTextOpeners: string[] = [];

function textCell(start: string, rowText: string, text: string, styles: StyleTable, bits: number, size: number | undefined): string {
  const clamped = text.length > EXCEL_MAX_CELL_CHARS ? clampCellText(text) : text;
  const format = startsLikeFormula(clamped) ? FORMAT_TEXT : FORMAT_GENERAL;
  const index = bits === 0 && format === FORMAT_GENERAL && size === undefined ? 0 : styles.xfIndex(bits, format, size);
  const opener = needsPreserve(clamped)
    ? (preservingTextOpeners[index] ??= `"${styleAttribute(styles, bits, format, size)} t="inlineStr"><is><t xml:space="preserve">`)
    : (textOpeners[index] ??= `"${styleAttribute(styles, bits, format, size)} t="inlineStr"><is><t>`);
  return start + rowText + opener + xstring(clamped) + '</t></is></c>';
}

/** `<c r="B` per 0-based column, built once: every cell starts with its column's. */
const cellStarts: string[] = [];

function cellStartOf(index: number): string {
  return (cellStarts[index] ??= `<c r="${lettersOf(index)}`);
}

/**
 * The `<row>` element for 1-based `rowNumber`. Null (and missing) values are left out, unless
 * the cell is styled (a problem fill on a blank cell still shows).
 */
export function rowXml(rowNumber: number, values: readonly (XlsxCellValue | undefined)[], style: RowStyle | undefined, styles: StyleTable): string {
  const width = values.length;
  if (width > EXCEL_MAX_COLUMNS) throw new RangeError(`a row of ${width} cells is wider than Excel's ${EXCEL_MAX_COLUMNS} columns`);
  const rowBits = style?.bold === true ? BOLD : 0;
  const size = style?.size;
  const flags = style === undefined ? undefined : flagsFor(width, style);
  const rowText = String(rowNumber);
  let xml = '<row r="' + rowText + '">';
  for (let index = 0; index < width; index += 1) {
    const value = values[index];
    const cellFlag = flags === undefined ? 0 : (flags[index] ?? 0);
    const bits = rowBits | (cellFlag & (BOLD | FILL_CHANGED | FILL_PROBLEM));
    const start = cellStartOf(index);
    if (typeof value === 'string') {
      xml += textCell(start, rowText, value, styles, bits, size);
    } else if (typeof value === 'number') {
      if (Number.isFinite(value)) {
        const format = (cellFlag & MONEY_CELL) !== 0 ? FORMAT_MONEY : FORMAT_GENERAL;
        xml += start + rowText + '"' + styleAttribute(styles, bits, format, size) + '><v>' + String(value) + '</v></c>';
      } else {
        // NaN and infinities have no cell form (Excel would "repair" the file): say what it was.
        xml += textCell(start, rowText, String(value), styles, bits, size);
      }
    } else if (typeof value === 'boolean') {
      xml += start + rowText + '"' + styleAttribute(styles, bits, FORMAT_GENERAL, size) + (value ? ' t="b"><v>1</v></c>' : ' t="b"><v>0</v></c>');
    } else if (value instanceof Date) {
      const time = value.getTime();
      const serial = time / DAY_MS + SERIAL_OF_UNIX_EPOCH;
      if (Number.isNaN(time)) {
        if (bits !== 0 || size !== undefined) xml += start + rowText + '"' + styleAttribute(styles, bits, FORMAT_GENERAL, size) + '/>';
      } else if (serial < 1 || serial > LAST_SERIAL) {
        xml += textCell(start, rowText, isoText(value), styles, bits, size);
      } else {
        xml += start + rowText + '"' + styleAttribute(styles, bits, dateFormatOf(time), size) + '><v>' + String(serial) + '</v></c>';
      }
    } else if (bits !== 0 || size !== undefined) {
      xml += start + rowText + '"' + styleAttribute(styles, bits, FORMAT_GENERAL, size) + '/>';
    }
  }
  if (flags !== undefined) flags.fill(0, 0, width);
  return `${xml}</row>`;
}
