/**
 * How a record's values become spreadsheet cells that import again unchanged: the layout of an
 * exported sheet (the entity's own import columns, plus its read-only display columns) and one
 * cell per value. Export, plan and revert files all write rows through here, so all three read
 * back through the same mapping and normalisers as any other input.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Column, Entity, ExportOnlyColumn } from '../entities/entity.js';
import { formatPennies } from '../normalise/money.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { CellValue } from '../io/rows.js';
import { nameOf, sameValue, uuidOf } from '../entities/record.js';
import { normaliseDateTime } from '../normalise/date.js';

export type ExportFormat = 'xlsx' | 'csv';

/** One column of an exported sheet: an entity column (read back on import) or a display-only one. */
export type ExportColumn =
  | { readonly kind: 'field'; readonly header: string; readonly column: Column }
  | { readonly kind: 'display'; readonly header: string; readonly display: ExportOnlyColumn };

/** The entity's import columns in order, each display column right after the field it explains. */
export function exportColumnsOf(entity: Entity): ExportColumn[] {
  const layout: ExportColumn[] = [];
  for (const column of entity.columns) {
    layout.push({ kind: 'field', header: column.header, column });
    for (const display of entity.exportOnly ?? []) {
      if (display.after === column.field) layout.push({ kind: 'display', header: display.header, display });
    }
  }
  return layout;
}

/** A written cell: what the writers take (a Date holds wall-clock time in its UTC fields). */
export type ExportCell = string | number | boolean | Date | null;

/**
 * One value as a cell. XLSX: money as a number of pounds (the writer shows it with a £ format),
 * date-times as Excel dates in the run's zone; CSV: money as "1234.56", date-times as ISO 8601
 * with the zone's offset. Lists are joined with "; ". Empty values are blank cells, which an
 * import reads as "leave unchanged".
 */
export function cellOf(column: Column, value: unknown, format: ExportFormat, options: NormaliseOptions): ExportCell {
  if (value === undefined || value === null || value === '') return null;
  switch (column.type.name) {
    case 'money': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return textOf(value);
      // pennies / 100 is the double nearest the decimal, and String() of it gives that decimal back.
      return format === 'xlsx' ? value / 100 : formatPennies(value);
    }
    case 'date-time':
      return typeof value === 'string' ? dateTimeCell(value, format, options) : textOf(value);
    case 'date':
      return typeof value === 'string' && format === 'xlsx' && /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? new Date(`${value}T00:00:00Z`)
        : textOf(value);
    case 'yes/no':
      return typeof value === 'boolean' ? (value ? 'yes' : 'no') : textOf(value);
    case 'whole number':
      return typeof value === 'number' ? value : textOf(value);
    default:
      return textOf(value);
  }
}

/** Text of any value: lists joined with "; ", nested records by their uuid (or name). */
function textOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    const items = value.map((item) => textOf(item)).filter((t): t is string => t !== null && t !== '');
    return items.length === 0 ? null : items.join('; ');
  }
  if (typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    return uuidOf(value) ?? nameOf(value) ?? JSON.stringify(value);
  }
  return String(value);
}

/**
 * An instant as a cell in the run's zone. An Excel date has no zone, so the XLSX cell holds
 * the wall-clock time; when that wall-clock time would read back as another instant (the
 * repeated hour when clocks go back), the cell is ISO text with its offset instead.
 */
function dateTimeCell(text: string, format: ExportFormat, options: NormaliseOptions): ExportCell {
  const at = DateTime.fromISO(text, { setZone: true });
  if (!at.isValid) return text;
  const local = at.setZone(options.timezone);
  if (format === 'csv' || local.millisecond !== 0) return local.toISO({ suppressMilliseconds: true }) ?? text;
  const wall = new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
  // The import's own normaliser is the judge of what this cell will read back as.
  const readBack = normaliseDateTime(wall, options);
  const iso = local.toISO({ suppressMilliseconds: true }) ?? at.toISO();
  return readBack.ok && Date.parse(readBack.value) === at.toMillis() ? wall : iso;
}

/** The display text of a display-only column for a record. */
export function displayCellOf(display: ExportOnlyColumn, record: unknown): ExportCell {
  return display.value(record) ?? null;
}

/** Indexes (0-based) of the money columns of a layout, for the writer's £ format. */
export function moneyColumnsOf(layout: readonly ExportColumn[]): number[] {
  return layout.flatMap((c, i) => (c.kind === 'field' && c.column.type.name === 'money' ? [i] : []));
}

/**
 * A record's values as the import will read them back from the cells we write: each cell put
 * through its column's own normaliser. Comparing a re-imported row with these (not with the
 * API's raw values) means formatting alone can never look like an edit.
 */
export function readBackValues(
  entity: Entity,
  values: Readonly<Record<string, unknown>>,
  format: ExportFormat,
  options: NormaliseOptions,
): Record<string, unknown> {
  const readBack: Record<string, unknown> = {};
  for (const column of entity.columns) {
    const cell = cellOf(column, values[column.field], format, options);
    if (cell === null) {
      readBack[column.field] = null;
      continue;
    }
    const result = column.type.normalise(cell, options);
    // A value our normaliser refuses (bad data already in the CRM) is kept as written.
    readBack[column.field] = result.ok ? result.value : cell;
  }
  return readBack;
}

/** The cells of one exported row in layout order. */
export function rowCells(
  layout: readonly ExportColumn[],
  values: Readonly<Record<string, unknown>>,
  record: unknown,
  format: ExportFormat,
  options: NormaliseOptions,
): ExportCell[] {
  return layout.map((c) => (c.kind === 'field' ? cellOf(c.column, values[c.column.field], format, options) : displayCellOf(c.display, record)));
}

/** Canonical form for hashing: empty is null, lists are sorted, date-times are instants. */
function canonical(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value)) return value.length === 0 ? null : value.map(String).sort();
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  return value;
}

/** A short, stable hash of a row's values (field order = the entity's column order). */
export function hashValues(entity: Entity, values: Readonly<Record<string, unknown>>): string {
  const pairs = entity.columns.map((c) => [c.field, canonical(values[c.field])]);
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex').slice(0, 32);
}

/** Whether two value sets agree on every field (lists as sets, date-times as instants, empty = empty). */
export function sameValues(entity: Entity, a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  return entity.columns.every((c) => sameValue(canonical(a[c.field]), canonical(b[c.field])));
}

/** The cells as the readers give them back (for tests and the plan's "before" text). */
export function cellText(cell: ExportCell | CellValue): string {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/ 00:00:00$/, '');
  return String(cell);
}

