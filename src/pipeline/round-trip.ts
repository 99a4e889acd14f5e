/**
 * Re-importing what we exported: read the `_meta` sheet, compare each row with what was
 * exported, and decide what (if anything) to send. Pure functions except `readExportMeta`.
 *
 * - Only fields whose value differs from the exported one are sent; a row with none is
 *   "unchanged" and skipped.
 * - Before writing, the current record is read: if it changed in the CRM since the export
 *   (`updated_at` differs, or its exported values do), the row is a conflict and is not
 *   written unless the run says `--overwrite`.
 */
import { extname } from 'node:path';
import type { Entity, NormalisedRow } from '../entities/entity.js';
import { sameValue } from '../entities/record.js';
import { InputError } from '../errors.js';
import { openSheet } from '../io/read.js';
import type { CellValue } from '../io/rows.js';
import type { NormaliseOptions } from '../normalise/result.js';
import { cellOf, cellText, hashValues, readBackValues } from './export-cells.js';
import { readCsvSnapshot, type CsvSnapshotOptions } from './round-trip/csv-snapshot.js';

export const META_SHEET = '_meta';
export const META_HEADERS = ['Row', 'Key', 'Updated At', 'Hash', 'Values'] as const;

export interface MetaInfo {
  /** What wrote the file: an export, a plan, or an import's revert file. */
  readonly kind: 'export' | 'plan' | 'revert';
  readonly entity: string;
  readonly writtenAt: string;
  readonly toolVersion: string;
  readonly timezone: string;
  /** "Header → field; ..." as written. */
  readonly columns: string;
}

export interface MetaRow {
  /** Sheet row the record was written on (the user may have sorted since: lookups go by key). */
  readonly row: number;
  readonly updatedAt: string;
  readonly hash: string;
  /** The values as exported (as the import reads them back), or undefined if not recorded. */
  readonly values: Readonly<Record<string, unknown>> | undefined;
}

export interface ExportMeta {
  readonly info: Readonly<Record<string, string>>;
  readonly rows: ReadonlyMap<string, MetaRow>;
}

/**
 * The `_meta` sheet of a workbook we wrote, or the snapshot beside a CSV we wrote
 * (`<file>.meta.json`, round-trip/csv-snapshot.ts, which refuses one that belongs to another
 * file); undefined for any other file (a workbook without `_meta`, a CSV without a snapshot).
 * `options.entity`: the entity being imported (a CSV snapshot of another entity is refused).
 */
export async function readExportMeta(file: string, options: CsvSnapshotOptions = {}): Promise<ExportMeta | undefined> {
  if (extname(file).toLowerCase() === '.csv') return readCsvSnapshot(file, options);
  if (extname(file).toLowerCase() !== '.xlsx') return undefined;
  const info: Record<string, string> = {};
  const rows = new Map<string, MetaRow>();
  let found = false;
  // A big export's _meta goes on in "_meta (2)", "_meta (3)"... as its data sheet does (the
  // writer splits every sheet at 250,000 rows): every part is read, or the rows of the later
  // data parts would have no snapshot and be sent whole, past the conflict check.
  for (let part = 1; ; part += 1) {
    let sheet;
    try {
      sheet = await openSheet(file, { sheet: part === 1 ? META_SHEET : `${META_SHEET} (${part})` });
    } catch (error) {
      if (error instanceof InputError) break; // no (further) _meta sheet
      throw error;
    }
    if (sheet.headers[0] !== META_HEADERS[0] || sheet.headers[1] !== META_HEADERS[1]) break;
    found = true;
    for await (const source of sheet.rows) {
      const [row, key, updatedAt, hash, values] = source.cells.map(textOfCell);
      if (row === '#') {
        info[key ?? ''] = updatedAt ?? '';
        continue;
      }
      if (key === undefined || key === '') continue;
      rows.set(key, { row: Number(row), updatedAt: updatedAt ?? '', hash: hash ?? '', values: parseValues(values) });
    }
  }
  // A workbook without our _meta (an ordinary one) has no snapshot.
  return found ? { info, rows } : undefined;
}

function textOfCell(cell: CellValue): string {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString();
  return String(cell);
}

function parseValues(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Fields that name the record (and its path), never "changed". */
export function identityFields(entity: Entity): string[] {
  return [...(entity.pathFields ?? []), entity.keyField];
}

/** The row's values of the record's path fields, which a record read from the API does not carry. */
export function pathValues(entity: Entity, row: NormalisedRow): Record<string, unknown> {
  return Object.fromEntries((entity.pathFields ?? []).map((field) => [field, row[field]]));
}

/** Concurrency bookkeeping, not data: never a change on its own, never compared with a record. */
export function bookkeepingFields(entity: Entity): ReadonlySet<string> {
  const check = entity.concurrency;
  return new Set(check === undefined ? [] : [check.readAtField, check.overwriteField]);
}

/** Empty in any spelling (blank, null, empty list) compares equal. */
function comparable(value: unknown): unknown {
  if (value === '' || value === undefined || (Array.isArray(value) && value.length === 0)) return null;
  return value;
}

/**
 * The fields of a re-imported row whose value differs from the exported one. A blank cell
 * (absent from `row`) is never a change; `(clear)` (null) is one when there was a value.
 */
export function changedFields(entity: Entity, row: NormalisedRow, exported: Readonly<Record<string, unknown>>): string[] {
  const identity = new Set(identityFields(entity));
  const bookkeeping = bookkeepingFields(entity);
  return entity.columns
    .map((c) => c.field)
    .filter((field) => !identity.has(field) && !bookkeeping.has(field) && row[field] !== undefined)
    .filter((field) => !sameValue(comparable(row[field]), comparable(exported[field])));
}

function sameInstant(a: string, b: string): boolean {
  if (a === b) return true;
  const left = Date.parse(a);
  const right = Date.parse(b);
  return !Number.isNaN(left) && left === right;
}

/** The current record as the export would have written it: its key fields, read-back values and hash. */
export interface CurrentRecord {
  readonly updatedAt: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly hash: string;
}

/** `pathValuesOf`: the record's path fields (pathValues of the row it was read for). */
export function currentRecordOf(entity: Entity, record: unknown, pathValuesOf: Readonly<Record<string, unknown>>, options: NormaliseOptions): CurrentRecord {
  const values = readBackValues(entity, { ...entity.fromRecord(record), ...pathValuesOf }, 'xlsx', options);
  return { updatedAt: entity.updatedAtOf(record), values, hash: hashValues(entity, values) };
}

/** Whether the record changed in the CRM since it was exported. */
export function isConflict(meta: MetaRow, current: CurrentRecord): boolean {
  if (meta.updatedAt !== '' && current.updatedAt !== '' && !sameInstant(meta.updatedAt, current.updatedAt)) return true;
  return meta.hash !== '' && meta.hash !== current.hash;
}

/**
 * A value as a person reads it in a message ("(empty)" for nothing): its field type's display
 * (money as £1,234.56, as in the report) of the value the import would read back from its
 * cell; a value that does not read back (bad data already in the CRM) is shown as its cell.
 */
export function describeValue(entity: Entity, field: string, value: unknown, options: NormaliseOptions): string {
  const column = entity.columns.find((c) => c.field === field);
  if (column === undefined) return String(value);
  const cell = cellOf(column, value, 'csv', options);
  if (cell === null) return '(empty)';
  const readBack = column.type.normalise(cell, options);
  const text = readBack.ok && readBack.value !== null ? String(column.type.display(readBack.value)) : cellText(cell);
  return text === '' ? '(empty)' : text;
}

export type RoundTripDecision =
  | { readonly kind: 'unchanged' }
  /** The record changed in the CRM since the export; `message` shows both versions. */
  | { readonly kind: 'conflict'; readonly fields: readonly string[]; readonly message: string }
  /** Send these values (identity fields plus the changed ones). */
  | { readonly kind: 'update'; readonly fields: readonly string[]; readonly values: NormalisedRow };

/**
 * What to do with a re-imported row of an exported workbook, given the record now in the CRM
 * (undefined when it could not be read: the caller fails the row).
 */
export function decideRow(
  entity: Entity,
  row: NormalisedRow,
  meta: MetaRow,
  current: CurrentRecord,
  options: { readonly overwrite: boolean; readonly normalise: NormaliseOptions },
): RoundTripDecision {
  const exported = meta.values ?? current.values;
  const fields = changedFields(entity, row, exported);
  if (fields.length === 0) return { kind: 'unchanged' };
  if (isConflict(meta, current) && !options.overwrite) {
    return { kind: 'conflict', fields, message: conflictMessage(entity, row, fields, meta, current, options.normalise) };
  }
  return { kind: 'update', fields, values: reducedRow(entity, row, fields, meta, options.overwrite) };
}

/** The row cut down to what is sent: identity, the changed fields, and the entity's concurrency check. */
export function reducedRow(entity: Entity, row: NormalisedRow, fields: readonly string[], meta: MetaRow | undefined, overwrite: boolean): NormalisedRow {
  const values: Record<string, unknown> = {};
  for (const field of [...identityFields(entity), ...fields]) values[field] = row[field];
  const check = entity.concurrency;
  if (check !== undefined) {
    // The optimistic-concurrency check goes with every update; overwrite only when asked.
    values[check.readAtField] = row[check.readAtField] ?? (meta?.updatedAt !== '' ? meta?.updatedAt : undefined);
    if (overwrite) values[check.overwriteField] = true;
  }
  return values;
}

function conflictMessage(
  entity: Entity,
  row: NormalisedRow,
  fields: readonly string[],
  meta: MetaRow,
  current: CurrentRecord,
  options: NormaliseOptions,
): string {
  const exported = meta.values ?? {};
  const header = (field: string) => entity.columns.find((c) => c.field === field)?.header ?? field;
  const theirs = entity.columns
    .map((c) => c.field)
    .filter((field) => meta.values !== undefined && !sameValue(comparable(exported[field]), comparable(current.values[field])));
  const parts = [...new Set([...fields, ...theirs])].map((field) => {
    const yours = row[field] !== undefined ? `, yours ${describeValue(entity, field, row[field], options)}` : '';
    return `${header(field)}: exported ${describeValue(entity, field, exported[field], options)}, now ${describeValue(entity, field, current.values[field], options)}${yours}`;
  });
  const when = meta.updatedAt !== '' && current.updatedAt !== '' ? ` (updated ${meta.updatedAt} → ${current.updatedAt})` : '';
  return `conflict: the record changed in the CRM since it was exported${when}; not written (use --overwrite to write it anyway). ${parts.join('; ')}`;
}
