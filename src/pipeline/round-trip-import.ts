/**
 * The import's round-trip step, between checking a row and sending it:
 * - a workbook we exported (it carries `_meta`): send only the changed fields, skip unchanged
 *   rows, and hold back rows whose record changed in the CRM since (conflicts);
 * - any update, when a revert file is asked for: read the record first and, once the write
 *   lands, write its before-image to the revert workbook (importable as it is).
 * Kept out of import.ts so the run loop only calls `send` and `close`.
 */
import type { DispatchPool } from '../api/pool.js';
import type { Entity, NormalisedRow } from '../entities/entity.js';
import { CLEAR_TOKEN } from '../entities/entity.js';
import { asRecord } from '../entities/record.js';
import type { RowOutcome } from '../io/report-types.js';
import type { SourceRow } from '../io/rows.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { RowCheck } from './check-row.js';
import { cellOf, exportColumnsOf, type ExportCell } from './export-cells.js';
import { formatOf, openExportFile, type ExportFileWriter } from './export-file.js';
import { createRecordReader } from './lookup.js';
import { currentRecordOf, decideRow, identityFields, readExportMeta, type CurrentRecord, type ExportMeta } from './round-trip.js';

export interface RoundTripConfig {
  readonly file: string;
  readonly entity: Entity;
  readonly pool: DispatchPool;
  readonly normalise: NormaliseOptions;
  /** Write records changed in the CRM since the export anyway. */
  readonly overwrite?: boolean | undefined;
  /** Revert workbook path; undefined writes none (and reads no record before an update). */
  readonly revert?: string | undefined;
}

/** Sends a (possibly reduced) row; calls `onLanded` with the response body of a 2xx. */
export type SendRow = (check: RowCheck, onLanded: (body: unknown) => void) => Promise<RowOutcome>;

export interface RoundTrip {
  readonly meta: ExportMeta | undefined;
  /** Rows skipped so far because nothing in them was edited. */
  readonly unchanged: number;
  send(row: SourceRow, check: RowCheck, sendRow: SendRow): Promise<RowOutcome>;
  /** Finishes the revert workbook; its path when one was written (some update landed). */
  close(): Promise<string | undefined>;
  discard(): Promise<void>;
}

const bookkeeping = new Set(['updated_in_db_at', 'overwrite']);

export async function openRoundTrip(config: RoundTripConfig): Promise<RoundTrip> {
  const { entity, pool } = config;
  const readRecord = createRecordReader(pool);
  const meta = await readExportMeta(config.file);
  const extraOf = (values: NormalisedRow) =>
    entity.name === 'mpdx-phones' ? { contact_id: values.contact_id, person_id: values.person_id } : {};
  let revert: ExportFileWriter | undefined;
  let reverts = 0;
  let unchanged = 0;
  const skipUnchanged = (row: SourceRow, check: RowCheck): RowOutcome => {
    unchanged += 1;
    return outcomeOf(row, check, 'skipped', 'unchanged since the export');
  };
  const layout = exportColumnsOf(entity);

  let opening: Promise<ExportFileWriter> | undefined;
  /** Opened on the first landed update; the promise is shared so concurrent rows open it once. */
  async function revertFile(): Promise<ExportFileWriter | undefined> {
    if (config.revert === undefined) return undefined;
    opening ??= openExportFile({
      path: config.revert,
      format: formatOf(config.revert),
      entity,
      layout,
      extraHeaders: ['Revert Note'],
      kind: 'revert',
      timezone: config.normalise.timezone,
      sheetName: `revert ${entity.name}`,
      notes: [['reverts', config.file]],
    });
    revert = await opening;
    return revert;
  }

  async function current(values: NormalisedRow): Promise<{ record: unknown; state: CurrentRecord } | undefined> {
    const record = (await readRecord(entity.recordRequest(values)))[0];
    return record === undefined ? undefined : { record, state: currentRecordOf(entity, record, extraOf(values), config.normalise) };
  }

  async function writeRevert(sent: NormalisedRow, before: { record: unknown; state: CurrentRecord }, landed: unknown): Promise<void> {
    const file = await revertFile();
    if (file === undefined) return;
    const identity = new Set(identityFields(entity));
    const after = landedRecord(entity, landed);
    const afterState = after === undefined ? undefined : currentRecordOf(entity, after, extraOf(sent), config.normalise);
    const format = formatOf(config.revert ?? '');
    const notes: string[] = [];
    const cells: ExportCell[] = layout.map((c) => {
      if (c.kind !== 'field') return null;
      const field = c.column.field;
      if (identity.has(field)) return cellOf(c.column, sent[field], format, config.normalise);
      if (field === 'updated_in_db_at') {
        // MPDX's check: the revert is written against the record as this import left it.
        return cellOf(c.column, afterState?.updatedAt ?? before.state.updatedAt, format, config.normalise);
      }
      if (sent[field] === undefined || bookkeeping.has(field) || c.column.createOnly || c.column.isPhoneRegion) return null;
      const was = before.state.values[field];
      const empty = was === null || was === undefined || (Array.isArray(was) && was.length === 0);
      if (!empty) return cellOf(c.column, was, format, config.normalise);
      if (c.column.clearable) return CLEAR_TOKEN;
      notes.push(`${c.column.header} was empty before and cannot be cleared by an import: clear it in Plannr`);
      return null;
    });
    cells.push(notes.join('; ') || null);
    reverts += 1;
    await file.addRow(
      cells,
      afterState === undefined ? undefined : { key: String(sent[entity.keyField]), ...afterState },
    );
  }

  return {
    meta,
    get unchanged() {
      return unchanged;
    },
    async send(row, check, sendRow) {
      if (check.action !== 'update') return sendRow(check, () => undefined);
      const metaRow = meta?.rows.get(check.key);
      if (metaRow === undefined && config.revert === undefined) return sendRow(check, () => undefined);
      let toSend = check;
      if (metaRow?.values !== undefined) {
        // Nothing edited: no need to read the record at all.
        const quick = decideRow(entity, check.values, metaRow, { updatedAt: metaRow.updatedAt, values: metaRow.values, hash: metaRow.hash }, { overwrite: true, normalise: config.normalise });
        if (quick.kind === 'unchanged') return skipUnchanged(row, check);
      }
      const before = await current(check.values);
      if (metaRow !== undefined) {
        if (before === undefined) return outcomeOf(row, check, 'failed', `the ${entity.noun} ${check.key} could not be read (deleted since the export?)`);
        const decision = decideRow(entity, check.values, metaRow, before.state, { overwrite: config.overwrite ?? false, normalise: config.normalise });
        if (decision.kind === 'unchanged') return skipUnchanged(row, check);
        if (decision.kind === 'conflict') return outcomeOf(row, check, 'failed', decision.message);
        const sent = withRequired(entity, decision.values, check.values);
        toSend = { ...check, values: sent, display: Object.fromEntries(Object.entries(check.display).filter(([field]) => field in sent)) };
      }
      let landed: unknown;
      const outcome = await sendRow(toSend, (body) => {
        landed = body;
      });
      if (outcome.status === 'sent' && before !== undefined) await writeRevert(toSend.values, before, landed);
      return outcome;
    },
    async close() {
      if (opening !== undefined) revert = await opening;
      if (revert === undefined) return undefined;
      await revert.close();
      return reverts > 0 ? config.revert : undefined;
    },
    async discard() {
      if (opening !== undefined) revert = await opening.catch(() => undefined);
      await revert?.discard();
    },
  };
}

/** A row decided here, without a request of its own (unchanged, conflict, unreadable record). */
function outcomeOf(row: SourceRow, check: RowCheck, status: 'skipped' | 'failed', message: string): RowOutcome {
  return { position: row.position, key: check.key, action: check.action, status, message, original: row.cells, normalised: check.display, problems: [] };
}

/** Fields the API requires on every update (contact details: name, value, accounts) go along unchanged. */
export function withRequired(entity: Entity, reduced: NormalisedRow, row: NormalisedRow): NormalisedRow {
  const values: Record<string, unknown> = { ...reduced };
  for (const column of entity.columns) {
    if (column.required === 'always' && values[column.field] === undefined && row[column.field] !== undefined) values[column.field] = row[column.field];
    if (column.isPhoneRegion && row[column.field] !== undefined) values[column.field] = row[column.field];
  }
  return values;
}

/** The record in a write's response: Plannr returns it bare or under `data`; JSON:API under `data`. */
function landedRecord(entity: Entity, body: unknown): unknown {
  const top = asRecord(body);
  const data = top.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data;
  return top[entity.keyField] !== undefined ? body : undefined;
}

