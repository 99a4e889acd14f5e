/**
 * A worksheet's rows, streamed (ECMA-376 Part 1 §18.3.1: sheetData, row, c, v, is). Memory is
 * bounded by one inflated zip chunk's rows, whatever the sheet's size; past the first row's
 * (the header's) width a row holds only the cells written, not empty cells out to their columns.
 *
 * Cell rules (ST_CellType, §18.18.11), the same for a plain cell and a formula's cached result
 * (`<f>` is ignored, `<v>` is the value Excel last computed):
 *   n (or no t)  a number; a Date when the cell's style is a date format (1900 or 1904 system)
 *   s            the shared string at index v
 *   inlineStr    the text of `<is>` (rich text runs joined, phonetic runs left out)
 *   str          a formula's text result
 *   b            v 1/0 as true/false
 *   e            the error's text, e.g. '#N/A'
 *   d            an ISO 8601 date (a Date, never a serial)
 * Text is decoded once by the XML parser, then `_xHHHH_` escapes once. A cell's position is its
 * `r` reference when it has one, else the next column; a row's, its `r`, else the next row.
 */
import { MAX_COLUMNS } from '../read-common.js';
import type { CellValue } from '../rows.js';
import { columnLetters, columnOfReference, decodeXstring, excelSerialToDate, isDateSerial, parseIsoCellDate } from './cells.js';
import { stringItemCollector, type SharedStrings } from './shared-strings.js';
import type { DateStyles } from './styles.js';
import { XmlRefused, xmlFeed, type XmlFeed } from './xml.js';

export interface SheetRow {
  /** 1-based worksheet row number. */
  readonly number: number;
  /** Cells by column; trailing empty cells dropped. */
  readonly cells: CellValue[];
}

export interface SheetContext {
  readonly sharedStrings: SharedStrings;
  readonly dateStyles: DateStyles;
  readonly date1904: boolean;
}

/** A cell the reader cannot read truthfully: the caller names file, sheet, row and column. */
export class CellRefused extends Error {
  constructor(
    readonly row: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

const enum Capture {
  None,
  Value,
  Inline,
}

/**
 * Parses sheet XML text into rows. `onRow` is called for each finished row, synchronously,
 * inside `write`. Exposed for tests; the reader uses `sheetRows`.
 */
export function sheetParser(context: SheetContext, onRow: (row: SheetRow) => void): XmlFeed & { readonly row: () => number } {
  const { sharedStrings, dateStyles, date1904 } = context;
  let inSheetData = false;
  let rowNumber = 0;
  /** The first row's width (its last cell's column + 1): columns past it are not padded to. */
  let headerWidth = Number.POSITIVE_INFINITY;
  let cells: CellValue[] = [];
  let nextColumn = 0;
  // The current cell.
  let column = 0;
  let type = 'n';
  let style = 0;
  let value: string | undefined;
  let capture = Capture.None;
  const inline = stringItemCollector();
  let hasInline = false;

  function refuse(message: string): never {
    throw new CellRefused(rowNumber, column, message);
  }

  function cellValue(): CellValue {
    if (hasInline && type !== 'inlineStr') {
      // `<is>` only belongs to inline strings; a writer that left out t="inlineStr" still meant text.
      const text = inline.take();
      if (value === undefined) return text;
    }
    switch (type) {
      case 'n': {
        if (value === undefined || value === '') return null;
        const number = Number(value);
        if (!Number.isFinite(number)) refuse(`"${value}" is stored as a number but is not one: the workbook is damaged`);
        return dateStyles[style] === 1 && isDateSerial(number, date1904) ? excelSerialToDate(number, date1904) : number;
      }
      case 's': {
        if (value === undefined || value === '') return null;
        const text = sharedStrings.get(Number(value));
        if (text === undefined) refuse(`the cell points to shared string ${value}, which the workbook does not have: the workbook is damaged`);
        return text;
      }
      case 'inlineStr':
        return hasInline ? inline.take() : value === undefined ? null : decodeXstring(value);
      case 'str':
        return value === undefined ? null : decodeXstring(value);
      case 'b':
        if (value === undefined || value === '') return null;
        if (value === '1' || value === 'true') return true;
        if (value === '0' || value === 'false') return false;
        return refuse(`"${value}" is stored as TRUE/FALSE but is neither: the workbook is damaged`);
      case 'e':
        return value === undefined || value === '' ? null : value;
      case 'd': {
        if (value === undefined || value === '') return null;
        const date = parseIsoCellDate(value);
        if (date === undefined) refuse(`"${value}" is stored as a date but is not an ISO 8601 date Excel could show: the workbook is damaged`);
        return date;
      }
      default:
        return refuse(`the cell has type "${type}", which SpreadsheetML does not define: the workbook is damaged`);
    }
  }

  const feed = xmlFeed({
    open(name, attributes) {
      if (!inSheetData) {
        if (name === 'sheetData') inSheetData = true;
        return;
      }
      switch (name) {
        case 'c': {
          const reference = attributes.r;
          if (reference === undefined) column = nextColumn;
          else {
            column = columnOfReference(reference);
            if (column < 0) refuse(`the cell reference "${reference}" is not a cell address: the workbook is damaged`);
          }
          if (column >= MAX_COLUMNS) {
            refuse(`cell ${columnLetters(column)}${rowNumber} is past Excel's last column (XFD, ${MAX_COLUMNS.toLocaleString('en-GB')} columns)`);
          }
          type = attributes.t ?? 'n';
          const s = attributes.s;
          style = s === undefined ? 0 : Number(s);
          value = undefined;
          hasInline = false;
          return;
        }
        case 'v':
          capture = Capture.Value;
          value = '';
          return;
        case 'is':
          capture = Capture.Inline;
          hasInline = true;
          return;
        case 'row': {
          const r = attributes.r;
          rowNumber = r === undefined ? rowNumber + 1 : Number(r);
          if (!Number.isInteger(rowNumber) || rowNumber < 1) refuse(`the row number "${r}" is not a row number: the workbook is damaged`);
          cells = [];
          nextColumn = 0;
          return;
        }
        default:
          if (capture === Capture.Inline) inline.open(name);
      }
    },
    close(name) {
      if (!inSheetData) return;
      switch (name) {
        case 'c': {
          const cell = cellValue();
          if (cell !== null) {
            // Past the header's width a cell has no column: it goes straight after the row's
            // cells so far, never padded out to a far column (a cell at XFD on every row would
            // hold 16,384 cells a row in memory). The row is still wider than the header, and
            // refused as such; cells up to the header's width keep their columns.
            const at = column < headerWidth ? column : Math.min(column, Math.max(headerWidth, cells.length));
            while (cells.length < at) cells.push(null);
            cells[at] = cell;
          }
          nextColumn = column + 1;
          capture = Capture.None;
          return;
        }
        case 'v':
          capture = Capture.None;
          return;
        case 'is':
          capture = Capture.None;
          return;
        case 'row':
          while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
          // The first row is the header: cells past its width are not padded out to in later rows.
          if (headerWidth === Number.POSITIVE_INFINITY) headerWidth = cells.length;
          onRow({ number: rowNumber, cells });
          return;
        case 'sheetData':
          inSheetData = false;
          return;
        default:
          if (capture === Capture.Inline) inline.close(name);
      }
    },
    text(text) {
      if (capture === Capture.Value) value += text;
      else if (capture === Capture.Inline) inline.text(text);
    },
  });
  return { write: (text) => feed.write(text), end: () => feed.end(), row: () => rowNumber };
}

/** XML refused inside a sheet, with the row the parser was in (0 before the first row). */
export class SheetXmlRefused extends XmlRefused {
  constructor(
    cause: XmlRefused,
    readonly row: number,
  ) {
    super(cause.message, cause.damaged);
  }
}

/**
 * The rows of a sheet, from its XML as text chunks, in batches (the rows each chunk finished):
 * one async step per chunk, not per row.
 */
export async function* sheetRowBatches(texts: AsyncIterable<string>, context: SheetContext): AsyncGenerator<SheetRow[]> {
  let ready: SheetRow[] = [];
  const parser = sheetParser(context, (row) => ready.push(row));
  for await (const text of texts) {
    try {
      parser.write(text);
    } catch (error) {
      // The rows finished before the problem are good: give them first, so the problem is
      // reported when the reader reaches it (with the header row known), not before.
      if (ready.length > 0) yield ready;
      throw error instanceof XmlRefused ? new SheetXmlRefused(error, parser.row()) : error;
    }
    if (ready.length > 0) {
      yield ready;
      ready = [];
    }
  }
  parser.end();
  if (ready.length > 0) yield ready;
}

/** The rows of a sheet one by one (for tests and small uses). */
export async function* sheetRows(texts: AsyncIterable<string>, context: SheetContext): AsyncGenerator<SheetRow> {
  for await (const batch of sheetRowBatches(texts, context)) yield* batch;
}
