/** Excel's hard limits (Microsoft's "Excel specifications and limits"), and the split we choose below them. */

/** Rows in one sheet. */
export const EXCEL_MAX_ROWS = 1_048_576;

/** Columns in one sheet (XFD). */
export const EXCEL_MAX_COLUMNS = 16_384;

/** Characters (UTF-16 code units) in one cell. */
export const EXCEL_MAX_CELL_CHARS = 32_767;

/**
 * Rows per sheet before a sheet continues on "Name (2)", header included. Excel takes a
 * million, but a sheet that size is gigabytes of XML that common readers choke on (SheetJS
 * silently drops a 1.7 GB sheet); 250,000 rows of a wide report is a few hundred MB.
 */
export const DEFAULT_ROWS_PER_SHEET = 250_000;

/** Rows a sheet part holds (header included): the one asked for, else the fallback, never past Excel's limit. */
export function rowLimitOf(requested: number | undefined, fallback: number, hasHeader: boolean): number {
  const limit = requested ?? fallback;
  const minimum = hasHeader ? 2 : 1;
  if (!Number.isInteger(limit) || limit < minimum) {
    throw new RangeError(`maxRowsPerSheet must be a whole number of at least ${minimum}, not ${limit}`);
  }
  return Math.min(limit, EXCEL_MAX_ROWS);
}

