/**
 * Text as SpreadsheetML holds it, for the writer: pure functions, no I/O.
 *
 * Cell and note text is ST_Xstring (ECMA-376 Part 1, §22.4.2.4): XML 1.0 cannot hold most
 * control characters (§2.2 of XML 1.0), so OOXML stores them as `_xHHHH_`, and a literal
 * `_xHHHH_` in the text has its underscore escaped as `_x005F_` so that it is not decoded.
 * Excel, LibreOffice, SheetJS and our reader (xlsx/cells.ts decodeXstring) all decode both, so
 * the value reads back exactly. A carriage return is valid XML but every XML reader turns it
 * into a line feed (end-of-line handling, XML 1.0 §2.11): a character reference keeps it.
 */

import { EXCEL_MAX_CELL_CHARS } from './limits.js';

const NEEDS_ESCAPE = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_/;
// The underscore is matched by lookahead, so `_x0041_x0042_` escapes both underscores that
// start an escape-shaped run (the middle one is shared by both).
const ESCAPED = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|_(?=x[0-9A-Fa-f]{4}_)/g;

/** XML's character references for what markup or line-end normalisation would change. */
const REFERENCES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

function escapeOne(match: string): string {
  if (match === '_') return '_x005F_';
  // Text keeps every character: one XML cannot hold goes as ST_Xstring's _xHHHH_.
  return REFERENCES[match] ?? `_x${match.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`;
}

/** Text for a `<t>` element: escaped for XML and for ST_Xstring, nothing dropped. */
export function xstring(text: string): string {
  // One test by the regular expression engine: on the report's cells it cost less than a loop
  // over character codes, and most text needs nothing.
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, escapeOne) : text;
}

/** Whether a `<t>` needs xml:space="preserve": leading or trailing whitespace would otherwise be trimmed by some readers. */
export function needsPreserve(text: string): boolean {
  return text.length > 0 && (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32);
}

/** A `<t>` element holding `text` exactly. */
export function textElement(text: string): string {
  return needsPreserve(text) ? `<t xml:space="preserve">${xstring(text)}</t>` : `<t>${xstring(text)}</t>`;
}

const ATTRIBUTE_ESCAPED = /[&<>"\t\n\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text for an attribute value in double quotes. Characters XML cannot hold are dropped (attributes have no _xHHHH_). */
export function attribute(text: string): string {
  // Attributes have no _xHHHH_: a character XML cannot hold is dropped.
  return text.replace(ATTRIBUTE_ESCAPED, (match) => REFERENCES[match] ?? '');
}

/** Text cut to Excel's cell limit (Excel "repairs", i.e. rejects, a file with a longer cell), never splitting a surrogate pair. */
export function clampCellText(text: string): string {
  if (text.length <= EXCEL_MAX_CELL_CHARS) return text;
  const last = text.charCodeAt(EXCEL_MAX_CELL_CHARS - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? EXCEL_MAX_CELL_CHARS - 1 : EXCEL_MAX_CELL_CHARS;
  return text.slice(0, end);
}

/** 1-based column number → letters (1 → A, 27 → AA). */
export function columnLetter(columnNumber: number): string {
  let letters = '';
  for (let n = columnNumber; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

const letterCache: string[] = [];

/** Letters of a 0-based column, cached (every cell's reference needs them). */
export function lettersOf(columnIndex: number): string {
  let letters = letterCache[columnIndex];
  if (letters === undefined) {
    letters = columnLetter(columnIndex + 1);
    letterCache[columnIndex] = letters;
  }
  return letters;
}

/**
 * Excel sheet names: 1 to 31 characters, none of : \ / ? * [ ], not starting or ending with
 * an apostrophe, no control characters.
 */
export function safeSheetName(name: string): string {
  const cleaned = name
    .replace(/[:\\/?*[\]\u0000-\u001F]/g, '_')
    .replace(/^'|'$/g, '_')
    .slice(0, 31)
    .replace(/'$/, '_');
  return cleaned === '' ? 'Sheet' : cleaned;
}

/** A sheet name as a formula refers to it: always quoted, apostrophes doubled. */
export function sheetReference(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}
