/**
 * The revert workbook, built from the journal (issue 9, rule 5): one row per update that landed
 * in any run of that journal, holding the before-image the journal recorded with the intent.
 * So after a crash and any number of resumes it still undoes every update, not only the last
 * run's. It imports as it is (an export of the entity, with `_meta` checking that each record
 * is still as this import left it).
 */
import { CLEAR_TOKEN, type Entity } from '../entities/entity.js';
import type { NormaliseOptions } from '../normalise/result.js';
import { cellOf, exportColumnsOf, type ExportCell } from './export-cells.js';
import { formatOf, openExportFile, type MetaEntry } from './export-file.js';
import { readJournal, type JsonObject } from './journal.js';
import { identityFields } from './round-trip.js';
import { beforeImageOf } from './send-row.js';

export interface RevertConfig {
  readonly journal: string;
  readonly path: string;
  readonly entity: Entity;
  /** The input file, named in the workbook's notes. */
  readonly file: string;
  readonly normalise: NormaliseOptions;
}

export interface RevertResult {
  /** Rows written: updates that can be undone. */
  readonly rows: number;
  /** Updates that landed but whose before-image the journal does not hold (written by an older version). */
  readonly withoutBefore: readonly number[];
  /** Updates whose outcome is still unknown: in the workbook too, each with a note saying so. */
  readonly unknown: number;
}

/** Writes the revert workbook when some update landed; undefined (no file) when none did. */
export async function writeRevertFromJournal(config: RevertConfig): Promise<RevertResult | undefined> {
  const { entity, normalise } = config;
  const { state } = await readJournal(config.journal);
  // An update whose answer was lost may have landed: its before-image goes in too, marked, so
  // no change that may have happened is left without its undo.
  const updates: Array<{ row: number; key: string; landed: boolean; after?: JsonObject | undefined }> = [
    ...[...state.done.values()]
      .filter((done) => done.status === 'sent' && done.action === 'update')
      .map((done) => ({ row: done.row, key: done.key, landed: true, after: done.after })),
    ...[...state.inFlight.entries()]
      .filter(([row]) => state.befores.has(row))
      .map(([row, attempt]) => ({ row, key: attempt.key ?? '', landed: false })),
  ].sort((a, b) => a.row - b.row);
  if (updates.length === 0) return undefined;
  let unknown = 0;
  const layout = exportColumnsOf(entity);
  const format = formatOf(config.path);
  const identity = new Set(identityFields(entity));
  const withoutBefore: number[] = [];
  const file = await openExportFile({
    path: config.path,
    format,
    entity,
    layout,
    extraHeaders: ['Revert Note'],
    kind: 'revert',
    timezone: normalise.timezone,
    sheetName: `revert ${entity.name}`,
    notes: [['reverts', config.file]],
  });
  let rows = 0;
  try {
    for (const done of updates) {
      const before = beforeImageOf(state.befores.get(done.row));
      if (before === undefined) {
        withoutBefore.push(done.row);
        continue;
      }
      const after = afterOf(done.after);
      const notes: string[] = [];
      if (!done.landed) {
        unknown += 1;
        notes.push(`row ${done.row}: the outcome of this update is unknown (its answer was lost); check the record in Plannr before importing this row, which puts back the values it had before`);
      }
      const cells: ExportCell[] = layout.map((c) => {
        if (c.kind !== 'field') return null;
        const field = c.column.field;
        if (identity.has(field)) return cellOf(c.column, before.values[field], format, normalise);
        if (field === 'updated_in_db_at') {
          // MPDX's check: the revert is written against the record as this import left it.
          return cellOf(c.column, after?.updatedAt ?? before.updatedAt, format, normalise);
        }
        if (!(field in before.values)) return null;
        const was = before.values[field];
        const empty = was === null || was === undefined || was === '' || (Array.isArray(was) && was.length === 0);
        if (!empty) return cellOf(c.column, was, format, normalise);
        if (c.column.clearable) return CLEAR_TOKEN;
        notes.push(`${c.column.header} was empty before and cannot be cleared by an import: clear it in Plannr`);
        return null;
      });
      cells.push(notes.join('; ') || null);
      await file.addRow(cells, after === undefined ? undefined : { key: done.key, ...after });
      rows += 1;
    }
  } catch (error) {
    await file.discard();
    throw error;
  }
  await file.close();
  return { rows, withoutBefore, unknown };
}

/** The record as the update left it, as send-row journaled it. */
function afterOf(stored: JsonObject | undefined): Omit<MetaEntry, 'key'> | undefined {
  if (stored === undefined) return undefined;
  const values = stored.values;
  if (typeof stored.updatedAt !== 'string' || typeof stored.hash !== 'string' || values === null || typeof values !== 'object' || Array.isArray(values)) return undefined;
  return { updatedAt: stored.updatedAt, hash: stored.hash, values: values as Record<string, unknown> };
}
