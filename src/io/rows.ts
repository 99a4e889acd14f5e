/**
 * What the readers produce and everything downstream consumes.
 * Readers (read-csv.ts, read-xlsx.ts) stream rows; nothing holds a whole file.
 */

/**
 * One cell as read. CSV gives strings only. XLSX gives numbers as numbers, booleans,
 * real dates as Date (the UTC fields of the Date hold Excel's wall-clock value: Excel dates
 * have no time zone), formulas as their cached result, rich text flattened to a string.
 * `null` is an empty cell.
 */
export type CellValue = string | number | boolean | Date | null;

export interface SourcePosition {
  /** The file name as the user gave it (for messages and the report). */
  readonly file: string;
  /** XLSX sheet name; undefined for CSV. */
  readonly sheet?: string | undefined;
  /**
   * 1-based row number as the user sees it: the header is row 1, the first data row is 2.
   * For XLSX the worksheet row number; for CSV the record number + 1 (a quoted newline does
   * not add a row).
   */
  readonly row: number;
}

export interface SourceRow {
  readonly position: SourcePosition;
  /** Cells aligned with `headers`; may be longer (a row wider than the header) or shorter. */
  readonly cells: readonly CellValue[];
}

export interface ReadOptions {
  /** CSV text encoding: 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252'. Default: detected. */
  readonly encoding?: string | undefined;
  /** CSV delimiter: ',', ';', '\t', '|'. Default: detected from the header line. */
  readonly delimiter?: string | undefined;
  /** XLSX sheet name (case-insensitive). Default: the first visible worksheet. */
  readonly sheet?: string | undefined;
}

export interface OpenedSheet {
  readonly file: string;
  readonly format: 'csv' | 'xlsx';
  readonly sheet?: string | undefined;
  /** CSV only: what was used, detected or given. */
  readonly encoding?: string | undefined;
  readonly delimiter?: string | undefined;
  /** Header cells as text, trimmed, in file order (blank headers kept as ''). */
  readonly headers: readonly string[];
  /** Data rows, in order. Entirely blank rows are not yielded; they are counted in `stats`. */
  readonly rows: AsyncIterable<SourceRow>;
  /** Filled in as `rows` is consumed. */
  readonly stats: { blankRows: number };
  /**
   * XLSX only: the workbook uses the 1904 date system (Mac Excel before 2011, some exports).
   * Date-formatted cells already come back as Dates; a plain number in a date column is a
   * serial day number in this system.
   */
  readonly date1904?: boolean | undefined;
  /**
   * Things the user should know about how the file was read, one sentence each (e.g. a text
   * file named .xlsx read as CSV). Not errors: the run goes on. The CLI prints them.
   */
  readonly notices?: readonly string[] | undefined;
}

export function isBlankCell(value: CellValue): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}
