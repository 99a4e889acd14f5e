/**
 * Rules both readers apply to the header row and to every data row, so CSV and XLSX inputs
 * fail the same way with the same messages.
 */
import { InputError, type Location } from '../errors.js';
import { isBlankCell, type CellValue } from './rows.js';

/** Longest cell we accept (characters). Excel itself stops at 32,767; this catches runaways. */
export const MAX_CELL_CHARS = 1_048_576;
/** Excel's column limit (XFD). A wider "header" is a mis-read file, not a real sheet. */
export const MAX_COLUMNS = 16_384;

/** The column as Location.column wants it: its header, or its position when it has none. */
export function columnName(headers: readonly string[], index: number): string {
  const header = headers[index];
  return header === undefined || header === '' ? `column ${index + 1}` : header;
}

export function formatMegabytes(chars: number): string {
  return `${(chars / MAX_CELL_CHARS).toFixed(1)} MB`;
}

/** Header cell text: trimmed, and without a byte-order mark left over from a decoder. */
export function headerText(value: string): string {
  return value.replace(/^\uFEFF/, '').trim();
}

/**
 * Too many columns and duplicate names (case-insensitive, after trimming; blank headers are
 * not names) are errors: a duplicate would make one column silently shadow the other.
 */
export function checkHeaders(headers: readonly string[], where: Location): void {
  if (headers.length > MAX_COLUMNS) {
    throw new InputError(where, `the header row has ${headers.length.toLocaleString('en-GB')} columns; the limit is ${MAX_COLUMNS.toLocaleString('en-GB')}`);
  }
  const firstByName = new Map<string, number>();
  headers.forEach((header, index) => {
    if (header === '') return;
    const key = header.toLowerCase();
    const first = firstByName.get(key);
    if (first === undefined) firstByName.set(key, index);
    else {
      throw new InputError(where, `columns ${first + 1} and ${index + 1} are both "${headers[first]}": rename or delete one of them`);
    }
  });
}

/**
 * The per-row guards: width, cell size, and values under a blank header (a blank header over
 * an entirely blank column is fine; data there would have nowhere to go).
 */
export function checkRow(cells: readonly CellValue[], headers: readonly string[], where: Location): void {
  if (cells.length > MAX_COLUMNS) {
    throw new InputError(where, `the row has ${cells.length.toLocaleString('en-GB')} cells; the limit is ${MAX_COLUMNS.toLocaleString('en-GB')} columns`);
  }
  for (let index = 0; index < cells.length; index++) {
    const cell = cells[index] ?? null;
    if (typeof cell === 'string' && cell.length > MAX_CELL_CHARS) {
      throw new InputError(
        { ...where, column: columnName(headers, index) },
        `cell is ${formatMegabytes(cell.length)}; the limit is 1 MB`,
      );
    }
    if (headers[index] === '' && !isBlankCell(cell)) {
      throw new InputError(
        { ...where, column: `column ${index + 1}` },
        `column ${index + 1} has no header but has a value in this row: give the column a header, or delete it`,
      );
    }
  }
}

export function isBlankRow(cells: readonly CellValue[]): boolean {
  return cells.every(isBlankCell);
}
