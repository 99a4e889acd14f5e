/**
 * One sheet row as SpreadsheetML (ECMA-376 Part 1 §18.3.1.73 row, §18.3.1.4 c): a pure
 * function of the values and their style, so the hot loop of the writer is testable alone.
 *
 * Safety: text is always an inline string cell (`t="inlineStr"`), which no spreadsheet
 * evaluates: `=1+1`, `+447911123456` and `-12.50` stay exact text with no prefix, and no cell
 * ever has an `<f>` (formula). Text that looks like a formula also gets the Text format (`@`),
 * so that editing the cell in Excel later does not turn it into a formula (or a number).
 */
import type { RowStyle, XlsxCellValue } from './cell-values.js';
import { BOLD, FILL_CHANGED, FILL_PROBLEM, FORMAT_DATE, FORMAT_DATE_TIME, FORMAT_GENERAL, FORMAT_MONEY, FORMAT_TEXT, type StyleTable } from './styles.js';
import { EXCEL_MAX_CELL_CHARS, EXCEL_MAX_COLUMNS } from './limits.js';
import { bytesOf, putAsciiText, putBytes, putUtf8, putUtf8Xstring, putXstring, type ByteOutput } from './bytes.js';
import { RECORD_SAME_TEXT, RECORD_TEXT, recordValueAt, recordValueBytes, type RowRecord } from './row-records.js';
import { clampCellText, lettersOf, needsPreserve, xstring } from './text.js';

export type { RowStyle, XlsxCellValue } from './cell-values.js';

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

/**
 * What follows a cell's reference, as bytes, per style index and kind, built once: a cell is
 * then its column's start, the row number, one of these, and for text the text and its end.
 */
const textOpeners: Uint8Array[] = [];
const preservingTextOpeners: Uint8Array[] = [];
/** `"` + style + `><v>` per style index (numbers, dates). */
const valueOpeners: Uint8Array[] = [];
/** `"` + style + `/>` per style index (a styled blank cell). */
const blankCells: Uint8Array[] = [];
const booleanCells: Uint8Array[][] = [[], []];
const TEXT_END = bytesOf('</t></is></c>');
const VALUE_END = bytesOf('</v></c>');
const ROW_END = bytesOf('</row>');
const ROW_START = bytesOf('<row r="');
const ROW_START_END = bytesOf('">');

/** The style index of a cell (0: none). */
function xfOf(styles: StyleTable, bits: number, format: number, size: number | undefined): number {
  return bits === 0 && format === FORMAT_GENERAL && size === undefined ? 0 : styles.xfIndex(bits, format, size);
}

/** A text cell's start up to its text: `formulaLike` gets the Text format, `preserve` keeps edge whitespace. */
function putTextOpening(out: ByteOutput, start: Uint8Array, rowText: string, formulaLike: boolean, preserve: boolean, styles: StyleTable, bits: number, size: number | undefined): void {
  const format = formulaLike ? FORMAT_TEXT : FORMAT_GENERAL;
  const index = xfOf(styles, bits, format, size);
  const opener = preserve
    ? (preservingTextOpeners[index] ??= bytesOf(`"${styleAttribute(styles, bits, format, size)} t="inlineStr"><is><t xml:space="preserve">`))
    : (textOpeners[index] ??= bytesOf(`"${styleAttribute(styles, bits, format, size)} t="inlineStr"><is><t>`));
  putBytes(out, start);
  putAsciiText(out, rowText);
  putBytes(out, opener);
}

function putTextCell(out: ByteOutput, start: Uint8Array, rowText: string, text: string, styles: StyleTable, bits: number, size: number | undefined): void {
  const clamped = text.length > EXCEL_MAX_CELL_CHARS ? clampCellText(text) : text;
  putTextOpening(out, start, rowText, startsLikeFormula(clamped), needsPreserve(clamped), styles, bits, size);
  putXstring(out, clamped);
  putBytes(out, TEXT_END);
}

/** putTextCell for text given as UTF-8 (`from` to `to` of `source`): the same bytes. */
function putUtf8TextCell(out: ByteOutput, start: Uint8Array, rowText: string, source: Uint8Array, from: number, to: number, styles: StyleTable, bits: number, size: number | undefined): void {
  // Fewer bytes than the limit is fewer characters; more may still fit, which the text decides.
  if (to - from > EXCEL_MAX_CELL_CHARS) {
    putTextCell(out, start, rowText, Buffer.from(source.buffer, source.byteOffset + from, to - from).toString('utf8'), styles, bits, size);
    return;
  }
  const first = from < to ? source[from]! : 0;
  // As startsLikeFormula and needsPreserve: their characters are ASCII, one byte each.
  const formulaLike = first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13;
  const preserve = from < to && (first <= 32 || source[to - 1]! <= 32);
  putTextOpening(out, start, rowText, formulaLike, preserve, styles, bits, size);
  putUtf8Xstring(out, source, from, to);
  putBytes(out, TEXT_END);
}

/** A number cell; `number` is finite. */
function putValueCell(out: ByteOutput, start: Uint8Array, rowText: string, number: number, styles: StyleTable, bits: number, format: number, size: number | undefined): void {
  const index = xfOf(styles, bits, format, size);
  putBytes(out, start);
  putAsciiText(out, rowText);
  putBytes(out, (valueOpeners[index] ??= bytesOf(`"${styleAttribute(styles, bits, format, size)}><v>`)));
  putAsciiText(out, String(number));
  putBytes(out, VALUE_END);
}

function putBlankCell(out: ByteOutput, start: Uint8Array, rowText: string, styles: StyleTable, bits: number, size: number | undefined): void {
  const index = xfOf(styles, bits, FORMAT_GENERAL, size);
  putBytes(out, start);
  putAsciiText(out, rowText);
  putBytes(out, (blankCells[index] ??= bytesOf(`"${styleAttribute(styles, bits, FORMAT_GENERAL, size)}/>`)));
}

function putBooleanCell(out: ByteOutput, start: Uint8Array, rowText: string, value: boolean, styles: StyleTable, bits: number, size: number | undefined): void {
  const index = xfOf(styles, bits, FORMAT_GENERAL, size);
  const cells = booleanCells[value ? 1 : 0]!;
  putBytes(out, start);
  putAsciiText(out, rowText);
  putBytes(out, (cells[index] ??= bytesOf(`"${styleAttribute(styles, bits, FORMAT_GENERAL, size)} t="b"><v>${value ? 1 : 0}</v></c>`)));
}

/** `<c r="B` per 0-based column, built once: every cell starts with its column's. */
const cellStarts: Uint8Array[] = [];

function cellStartOf(index: number): Uint8Array {
  return (cellStarts[index] ??= bytesOf(`<c r="${lettersOf(index)}`));
}

/** A cell that is not text: a number, a boolean, a date, or blank (written only when styled). */
function putOtherCell(out: ByteOutput, index: number, rowText: string, value: XlsxCellValue | undefined, styles: StyleTable, bits: number, cellFlag: number, size: number | undefined): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) {
      putValueCell(out, cellStartOf(index), rowText, value, styles, bits, (cellFlag & MONEY_CELL) !== 0 ? FORMAT_MONEY : FORMAT_GENERAL, size);
    } else {
      // NaN and infinities have no cell form (Excel would "repair" the file): say what it was.
      putTextCell(out, cellStartOf(index), rowText, String(value), styles, bits, size);
    }
  } else if (typeof value === 'boolean') {
    putBooleanCell(out, cellStartOf(index), rowText, value, styles, bits, size);
  } else if (value instanceof Date) {
    const time = value.getTime();
    const serial = time / DAY_MS + SERIAL_OF_UNIX_EPOCH;
    if (Number.isNaN(time)) {
      if (bits !== 0 || size !== undefined) putBlankCell(out, cellStartOf(index), rowText, styles, bits, size);
    } else if (serial < 1 || serial > LAST_SERIAL) {
      putTextCell(out, cellStartOf(index), rowText, isoText(value), styles, bits, size);
    } else {
      putValueCell(out, cellStartOf(index), rowText, serial, styles, bits, dateFormatOf(time), size);
    }
  } else if (typeof value === 'string') {
    putTextCell(out, cellStartOf(index), rowText, value, styles, bits, size);
  } else if (bits !== 0 || size !== undefined) {
    putBlankCell(out, cellStartOf(index), rowText, styles, bits, size);
  }
}

/**
 * A packed row (row-records.ts) rendered from its bytes: the same XML putRow writes for the
 * values it holds, without making a string of each text first (on the writer's thread, that
 * decoding cost a third as much as the rendering).
 */
export function putRecordRow(out: ByteOutput, rowNumber: number, record: RowRecord, styles: StyleTable): void {
  const { bytes, count, style } = record;
  if (count > EXCEL_MAX_COLUMNS) throw new RangeError(`a row of ${count} cells is wider than Excel's ${EXCEL_MAX_COLUMNS} columns`);
  const rowBits = style?.bold === true ? BOLD : 0;
  const size = style?.size;
  const flags = style === undefined ? undefined : flagsFor(count, style);
  const rowText = String(rowNumber);
  putBytes(out, ROW_START);
  putAsciiText(out, rowText);
  putBytes(out, ROW_START_END);
  let pos = record.valuesAt;
  // Where the last text's bytes are: a value marked "the same text" is rendered from them.
  let textFrom = 0;
  let textTo = 0;
  for (let index = 0; index < count; index += 1) {
    const cellFlag = flags === undefined ? 0 : (flags[index] ?? 0);
    const bits = rowBits | (cellFlag & (BOLD | FILL_CHANGED | FILL_PROBLEM));
    const tag = bytes[pos]!;
    if (tag === RECORD_TEXT) {
      textFrom = pos + 5;
      textTo = textFrom + bytes.readUInt32LE(pos + 1);
      putUtf8TextCell(out, cellStartOf(index), rowText, bytes, textFrom, textTo, styles, bits, size);
      pos = textTo;
    } else if (tag === RECORD_SAME_TEXT) {
      putUtf8TextCell(out, cellStartOf(index), rowText, bytes, textFrom, textTo, styles, bits, size);
      pos += 1;
    } else {
      putOtherCell(out, index, rowText, recordValueAt(bytes, pos), styles, bits, cellFlag, size);
      pos += recordValueBytes(bytes, pos);
    }
  }
  if (flags !== undefined) flags.fill(0, 0, count);
  putBytes(out, ROW_END);
}

/**
 * The `<row>` element for 1-based `rowNumber`, as UTF-8 into `out`: rendered as a string, then
 * encoded once. For values in hand, V8's string building and Node's encoder beat writing bytes
 * one by one (bench/xlsx-writers.ts: 1.10 × the floor this way, 1.22 × byte by byte). Rows
 * packed for the writer's thread are rendered from their bytes instead (putRecordRow), which
 * spares making a string of every value there; a test holds the two byte for byte.
 */
export function putRow(out: ByteOutput, rowNumber: number, values: readonly (XlsxCellValue | undefined)[], style: RowStyle | undefined, styles: StyleTable): void {
  putUtf8(out, rowXml(rowNumber, values, style, styles));
}

/** `" s="N" t="inlineStr"><is><t>` per style index (and with xml:space="preserve"), as text, built once. */
const textOpenerTexts: string[] = [];
const preservingTextOpenerTexts: string[] = [];

function textCellXml(start: string, rowText: string, text: string, styles: StyleTable, bits: number, size: number | undefined): string {
  const clamped = text.length > EXCEL_MAX_CELL_CHARS ? clampCellText(text) : text;
  const format = startsLikeFormula(clamped) ? FORMAT_TEXT : FORMAT_GENERAL;
  const index = xfOf(styles, bits, format, size);
  const opener = needsPreserve(clamped)
    ? (preservingTextOpenerTexts[index] ??= `"${styleAttribute(styles, bits, format, size)} t="inlineStr"><is><t xml:space="preserve">`)
    : (textOpenerTexts[index] ??= `"${styleAttribute(styles, bits, format, size)} t="inlineStr"><is><t>`);
  return start + rowText + opener + xstring(clamped) + '</t></is></c>';
}

/** `<c r="B` per 0-based column, as text, built once. */
const cellStartTexts: string[] = [];

function cellStartTextOf(index: number): string {
  return (cellStartTexts[index] ??= `<c r="${lettersOf(index)}`);
}

/**
 * The `<row>` element for 1-based `rowNumber`, as text. Null (and missing) values are left out,
 * unless the cell is styled (a problem fill on a blank cell still shows).
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
    const start = cellStartTextOf(index);
    if (typeof value === 'string') {
      xml += textCellXml(start, rowText, value, styles, bits, size);
    } else if (typeof value === 'number') {
      if (Number.isFinite(value)) {
        const format = (cellFlag & MONEY_CELL) !== 0 ? FORMAT_MONEY : FORMAT_GENERAL;
        xml += start + rowText + '"' + styleAttribute(styles, bits, format, size) + '><v>' + String(value) + '</v></c>';
      } else {
        // NaN and infinities have no cell form (Excel would "repair" the file): say what it was.
        xml += textCellXml(start, rowText, String(value), styles, bits, size);
      }
    } else if (typeof value === 'boolean') {
      xml += start + rowText + '"' + styleAttribute(styles, bits, FORMAT_GENERAL, size) + (value ? ' t="b"><v>1</v></c>' : ' t="b"><v>0</v></c>');
    } else if (value instanceof Date) {
      const time = value.getTime();
      const serial = time / DAY_MS + SERIAL_OF_UNIX_EPOCH;
      if (Number.isNaN(time)) {
        if (bits !== 0 || size !== undefined) xml += start + rowText + '"' + styleAttribute(styles, bits, FORMAT_GENERAL, size) + '/>';
      } else if (serial < 1 || serial > LAST_SERIAL) {
        xml += textCellXml(start, rowText, isoText(value), styles, bits, size);
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
