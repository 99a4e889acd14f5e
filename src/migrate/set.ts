/**
 * What a migration is made of, as pure facts and decisions (no I/O): the files of a set in
 * dependency order, which column of a file refers to which other file's rows by legacy id,
 * and what happens to one row (already in Plannr, held back with a reason, or sent with its
 * references turned into Plannr uuids).
 */
import type { EntityName } from '../entities/index.js';
import type { CellValue } from '../io/rows.js';
import { equationOf, settled, type RowCounts } from '../pipeline/counts.js';
import { headerKey } from '../pipeline/input/mapping.js';

/**
 * The entities a migration runs, in the order they must land (a reference always points back).
 * A migration's own choice of resources (the legacy set it takes), each a registered entity.
 */
export const MIGRATION_ORDER = ['clients', 'contact-details', 'cases', 'mpdx-phones'] as const satisfies readonly EntityName[];
export type MigrationEntity = (typeof MIGRATION_ORDER)[number];

export interface MigrationFile {
  readonly entity: MigrationEntity;
  /** Path of the legacy CSV or XLSX file. */
  readonly file: string;
}

/** A column of legacy ids of another file's rows, and the entity field it becomes. */
export interface ReferenceRule {
  /** The entity whose legacy ids the column holds. */
  readonly to: MigrationEntity;
  /** The entity field the Plannr uuids go to, and the header the resolved file gives it. */
  readonly field: string;
  readonly header: string;
}

/** Contact details belong to client accounts; cases have client participants. */
export const REFERENCES: Readonly<Record<MigrationEntity, ReferenceRule | undefined>> = {
  clients: undefined,
  'contact-details': { to: 'clients', field: 'account_uuids', header: 'Accounts' },
  cases: { to: 'clients', field: 'participants', header: 'Clients' },
  'mpdx-phones': undefined,
};

/** The files in dependency order; one file per entity. */
export function inMigrationOrder(files: readonly MigrationFile[]): MigrationFile[] {
  const seen = new Set<MigrationEntity>();
  for (const file of files) {
    if (seen.has(file.entity)) throw new Error(`two files for ${file.entity}: a migration takes one file per entity`);
    seen.add(file.entity);
  }
  return [...files].sort((a, b) => MIGRATION_ORDER.indexOf(a.entity) - MIGRATION_ORDER.indexOf(b.entity));
}

/** Index of the header matching `name` (case, spaces and punctuation ignored), or -1. */
export function columnIndexOf(headers: readonly string[], name: string): number {
  const key = headerKey(name);
  return headers.findIndex((header) => headerKey(header) === key);
}

/** A cell as a legacy id: text trimmed; a whole number as its digits (Excel turns "1042" into 1042). */
export function legacyIdOf(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (value instanceof Date) return value.toISOString();
  return String(value).trim();
}

/** Several legacy ids in one cell, separated by ; or , (a case with two clients). */
export function legacyIdsIn(value: CellValue | undefined): string[] {
  return legacyIdOf(value).split(/[;,]/).map((id) => id.trim()).filter((id) => id !== '');
}

/** Where a referenced legacy id stands. */
export type TargetState =
  | { readonly kind: 'mapped'; readonly uuid: string }
  /** Dry run only: in its file and valid, so the real run will create it first. */
  | { readonly kind: 'will-create' }
  | { readonly kind: 'problem'; readonly message: string };

export type RowDecision =
  | { readonly kind: 'done'; readonly legacyId: string; readonly uuid: string }
  | { readonly kind: 'held'; readonly legacyId: string; readonly message: string }
  | { readonly kind: 'send'; readonly legacyId: string; readonly cells: readonly CellValue[] };

export interface RowContext {
  readonly fileName: string;
  readonly row: number;
  readonly cells: readonly CellValue[];
  readonly legacyIdIndex: number;
  /** Where this file's own legacy ids stand in the id map. */
  readonly mappedUuid: (legacyId: string) => string | undefined;
  /** Legacy ids already seen in this file, with their row (filled in as rows are decided). */
  readonly seen: Map<string, number>;
  /** The reference column, if the file has one. */
  readonly reference?: {
    readonly index: number;
    readonly header: string;
    readonly targetNoun: string;
    readonly state: (legacyId: string) => TargetState;
    /** Where the uuids go in the resolved row (an existing column of that field, or the appended one). */
    readonly outputIndex: number;
    /** Stands in for a uuid the real run will know (dry run: a record not created yet). */
    readonly placeholder: string;
  } | undefined;
}

/**
 * One row's fate. A legacy id already mapped is never sent again (whatever the row now says);
 * a blank or repeated legacy id, or a reference that cannot be resolved, holds the row back
 * with a message naming the file, row and legacy id.
 */
export function decideRow(ctx: RowContext): RowDecision {
  const legacyId = legacyIdOf(ctx.cells[ctx.legacyIdIndex]);
  const where = `${ctx.fileName} row ${ctx.row}`;
  if (legacyId === '') return { kind: 'held', legacyId, message: `${where}: the legacy id is blank, so the row could not be matched on a rerun; give it one` };
  const earlier = ctx.seen.get(legacyId);
  if (earlier !== undefined) return { kind: 'held', legacyId, message: `${where}: legacy id ${legacyId} is also on row ${earlier}; each record needs its own` };
  ctx.seen.set(legacyId, ctx.row);
  const mapped = ctx.mappedUuid(legacyId);
  if (mapped !== undefined) return { kind: 'done', legacyId, uuid: mapped };
  const ref = ctx.reference;
  if (ref === undefined) return { kind: 'send', legacyId, cells: ctx.cells };
  const targets = legacyIdsIn(ctx.cells[ref.index]);
  if (targets.length === 0) return { kind: 'held', legacyId, message: `${where} (legacy id ${legacyId}): ${ref.header} is blank; it needs the legacy id of its ${ref.targetNoun}` };
  const uuids: string[] = [];
  for (const target of targets) {
    const state = ref.state(target);
    if (state.kind === 'problem') return { kind: 'held', legacyId, message: `${where} (legacy id ${legacyId}): ${ref.header} ${target}: ${state.message}` };
    uuids.push(state.kind === 'mapped' ? state.uuid : ref.placeholder);
  }
  const cells = [...ctx.cells];
  while (cells.length <= ref.outputIndex) cells.push(null);
  const existing = legacyIdOf(cells[ref.outputIndex]);
  cells[ref.outputIndex] = [...(existing === '' ? [] : [existing]), ...uuids].join('; ');
  // The legacy reference itself is not sent: its column is emptied in the resolved file.
  cells[ref.index] = null;
  return { kind: 'send', legacyId, cells };
}

/** The row-accounting equation of one file in one migration run. */
export interface FileCounts {
  /** Data rows in the legacy file (blank rows not counted). */
  readonly rows: number;
  /** Rows whose legacy id an earlier run (or an earlier attempt of this one) mapped: never sent again. */
  readonly alreadyInPlannr: number;
  /** Rows held back before the import: a blank or repeated legacy id, or a reference that cannot be resolved. */
  readonly heldBack: number;
  /** The import's (or, in a dry run, the validation's) own counts for the rest. */
  readonly imported: Readonly<RowCounts>;
}

export function fileEquation(c: FileCounts): { readonly text: string; readonly holds: boolean } {
  const holds = c.rows === c.alreadyInPlannr + c.heldBack + c.imported.read && settled(c.imported) === c.imported.read;
  const text = `${c.rows} rows = ${c.alreadyInPlannr} already in Plannr + ${c.heldBack} held back + ${c.imported.read} imported; ${equationOf(c.imported)}`;
  return { text, holds };
}
