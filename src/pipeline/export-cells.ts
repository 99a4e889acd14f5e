/**
 * How a record's values become spreadsheet cells that import again unchanged: the layout of an
 * exported sheet (the entity's own import columns, plus its read-only display columns) and one
 * cell per value. Export, plan and revert files all write rows through here, so all three read
 * back through the same mapping and normalisers as any other input.
 */
import * as crypto from 'node:crypto';
import { textCell } from '../entities/cells.js';
import type { Cell, CellFormat, Column, Entity, ExportOnlyColumn } from '../entities/entity.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { CellValue } from '../io/rows.js';

export type ExportFormat = CellFormat;

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

/** A written cell: what the writers take. */
export type ExportCell = Cell;

/**
 * One value as a cell, as its field type writes it (field-types.ts: money as pounds, date-times
 * in the run's zone, lists joined with "; "). Empty values are blank cells, which an import
 * reads as "leave unchanged".
 */
export function cellOf(column: Column, value: unknown, format: ExportFormat, options: NormaliseOptions): ExportCell {
  if (value === undefined || value === null || value === '') return null;
  return column.type.toCell !== undefined ? column.type.toCell(value, format, options) : textCell(value);
}

/** The display text of a display-only column for a record. */
export function displayCellOf(display: ExportOnlyColumn, record: unknown): ExportCell {
  return display.value(record) ?? null;
}

/** Indexes (0-based) of the money columns of a layout, for the writer's £ format. */
export function moneyColumnsOf(layout: readonly ExportColumn[]): number[] {
  return layout.flatMap((c, i) => (c.kind === 'field' && c.column.type.numberFormat === 'money' ? [i] : []));
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
  for (const column of entity.columns) readBack[column.field] = readBackOf(column, cellOf(column, values[column.field], format, options), options);
  return readBack;
}

/**
 * readBackValues of a row from the cells rowCells made for it (the layout holds every entity
 * column, in the entity's order): the same values, without making each cell twice.
 */
export function readBackOfCells(layout: readonly ExportColumn[], cells: readonly ExportCell[], options: NormaliseOptions): Record<string, unknown> {
  const readBack: Record<string, unknown> = {};
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    if (c.kind === 'field') readBack[c.column.field] = readBackOf(c.column, cells[i] ?? null, options);
  }
  return readBack;
}

/** One cell put through its column's normaliser; a value our normaliser refuses (bad data already in the CRM) is kept as written. */
function readBackOf(column: Column, cell: ExportCell, options: NormaliseOptions): unknown {
  if (cell === null) return null;
  const result = column.type.normalise(cell, options);
  return result.ok ? result.value : cell;
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
  return sha256Hex(JSON.stringify(pairs)).slice(0, 32);
}

/** Node's one-shot hash where there is one (20.12+: no Hash object per row), else createHash. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The cells as the readers give them back (for tests and the plan's "before" text). */
export function cellText(cell: ExportCell | CellValue): string {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/ 00:00:00$/, '');
  return String(cell);
}

