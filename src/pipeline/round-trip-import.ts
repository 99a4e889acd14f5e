/**
 * The import's round-trip step, between checking a row and sending it:
 * - a workbook we exported (it carries `_meta`): send only the changed fields, skip unchanged
 *   rows, and hold back rows whose record changed in the CRM since (conflicts);
 * - every update: read the record first, so the before-image of each field it changes goes into
 *   the journal with the intent (rule 5: no change without its undo; the revert workbook is built
 *   from the journal, see revert.ts).
 * It decides, and never sends: `prepare` says what to send (and the before-image to journal
 * with it) or how the row ends without a request; the row's task (send/row-task.ts) sends.
 */
import type { DispatchPool } from '../api/pool.js';
import type { Entity, NormalisedRow } from '../entities/entity.js';
import { outcomeOf, type RowOutcome } from '../outcome/row-outcome.js';
import type { ReadOptions, SourceRow } from '../io/rows.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { RowCheck } from './check/check-row.js';
import { createRecordReader, RecordReadError } from './lookup.js';
import type { BeforeImage } from './read-back.js';
import { bookkeepingFields, currentRecordOf, decideRow, identityFields, pathValues, readExportMeta, type CurrentRecord, type ExportMeta } from './round-trip.js';

export interface RoundTripConfig {
  readonly file: string;
  readonly entity: Entity;
  readonly pool: DispatchPool;
  readonly normalise: NormaliseOptions;
  /** Write records changed in the CRM since the export anyway. */
  readonly overwrite?: boolean | undefined;
  /** How the file is read (CSV encoding, delimiter): a CSV's snapshot check reads its key column the same way. */
  readonly read?: ReadOptions | undefined;
}

/**
 * What to do with a checked row: send it (possibly reduced to the edited fields; an update comes
 * with the before-image of the fields it sets), or end it here with an outcome and no request.
 */
export type Prepared =
  | { readonly kind: 'send'; readonly check: RowCheck; readonly before: BeforeImage | undefined }
  | { readonly kind: 'done'; readonly outcome: RowOutcome };

export interface RoundTrip {
  readonly meta: ExportMeta | undefined;
  /** Rows skipped so far because nothing in them was edited. */
  readonly unchanged: number;
  /**
   * `earlierBefore`: the before-image an earlier run journaled for this row, whose attempt is
   * still unconfirmed: it is read back against that image, not against the record as it is now.
   */
  prepare(row: SourceRow, check: RowCheck, earlierBefore?: BeforeImage): Promise<Prepared>;
}


export async function openRoundTrip(config: RoundTripConfig): Promise<RoundTrip> {
  const { entity, pool } = config;
  const readRecord = createRecordReader(pool, { failedReads: 'reject' });
  const meta = await readExportMeta(config.file, { entity: entity.name, read: config.read });
  const extraOf = (values: NormalisedRow) => pathValues(entity, values);
  const bookkeeping = bookkeepingFields(entity);
  let unchanged = 0;
  const skipUnchanged = (row: SourceRow, check: RowCheck): Prepared => {
    unchanged += 1;
    return done(outcomeOf(row, check, 'skipped', 'unchanged since the export'));
  };

  /** The record now; undefined when the API has none; a RecordReadError when it could not be read. */
  async function current(values: NormalisedRow): Promise<{ record: unknown; state: CurrentRecord } | undefined | RecordReadError> {
    try {
      const record = (await readRecord(entity.recordRequest(values)))[0];
      return record === undefined ? undefined : { record, state: currentRecordOf(entity, record, extraOf(values), config.normalise) };
    } catch (error) {
      if (error instanceof RecordReadError) return error;
      throw error;
    }
  }

  /**
   * Fields an update sets that the record, as the API returned it, does not carry at all
   * (`fromRecord` leaves them out): their before-image would be a guess (an empty one would
   * make the revert clear a value nobody saw), so such an update is refused.
   */
  function fieldsNotShown(sent: NormalisedRow, record: unknown): string[] {
    const shown = entity.fromRecord(record);
    const identity = new Set(identityFields(entity));
    const writeOnly = new Set(entity.writeOnly ?? []);
    return entity.columns
      .filter((c) => sent[c.field] !== undefined && !identity.has(c.field) && !bookkeeping.has(c.field) && !writeOnly.has(c.field) && c.createOnly !== true && c.isPhoneRegion !== true)
      .filter((c) => !(c.field in shown))
      .map((c) => c.field);
  }

  /** Identity fields and every field the update sets, as they were. */
  function beforeImage(sent: NormalisedRow, before: CurrentRecord): BeforeImage {
    const identity = new Set(identityFields(entity));
    const values: Record<string, unknown> = {};
    for (const column of entity.columns) {
      const field = column.field;
      if (identity.has(field)) values[field] = sent[field];
      else if (sent[field] !== undefined && !bookkeeping.has(field) && column.createOnly !== true && column.isPhoneRegion !== true) values[field] = before.values[field] ?? null;
    }
    return { updatedAt: before.updatedAt, values };
  }

  return {
    meta,
    get unchanged() {
      return unchanged;
    },
    async prepare(row, check, earlierBefore) {
      if (check.action !== 'update') return { kind: 'send', check, before: undefined };
      const metaRow = meta?.rows.get(check.key);
      if (metaRow?.values !== undefined && earlierBefore === undefined) {
        // Nothing edited: no need to read the record at all.
        const quick = decideRow(entity, check.values, metaRow, { updatedAt: metaRow.updatedAt, values: metaRow.values, hash: metaRow.hash }, { overwrite: true, normalise: config.normalise });
        if (quick.kind === 'unchanged') return skipUnchanged(row, check);
      }
      const before = await current(check.values);
      if (before instanceof RecordReadError && before.aborted) {
        return done({ ...outcomeOf(row, check, 'skipped', 'not sent: the run was interrupted; run again with --resume to send it'), retry: true });
      }
      if (before instanceof RecordReadError) {
        // Not journaled, so --resume sends it again.
        return done({ ...outcomeOf(row, check, 'failed', `not sent: the ${entity.noun} ${check.key} could not be read first (${before.message}), and an update is sent only once its undo is recorded; --resume tries again`), retry: true });
      }
      if (before === undefined) {
        const why = metaRow !== undefined ? ' (deleted since the export?)' : '';
        return done({ ...outcomeOf(row, check, 'failed', `not sent: there is no ${entity.noun} ${check.key} in this account${why} (HTTP 404 when read)`), httpStatus: 404 });
      }
      let toSend = check;
      if (metaRow !== undefined) {
        // An earlier run's unconfirmed attempt may have landed, so the record now would make the
        // row look unchanged: such a row is reduced against the export itself, as that attempt
        // was (it passed the conflict check then), and read back first.
        const compareWith = earlierBefore === undefined ? before.state : { updatedAt: metaRow.updatedAt, values: metaRow.values ?? before.state.values, hash: metaRow.hash };
        const decision = decideRow(entity, check.values, metaRow, compareWith, { overwrite: (config.overwrite ?? false) || earlierBefore !== undefined, normalise: config.normalise });
        if (decision.kind === 'unchanged' && earlierBefore === undefined) return skipUnchanged(row, check);
        if (decision.kind === 'conflict') return done(outcomeOf(row, check, 'failed', decision.message));
        if (decision.kind === 'update') {
          const sent = withRequired(entity, decision.values, check.values);
          toSend = { ...check, values: sent, display: Object.fromEntries(Object.entries(check.display).filter(([field]) => field in sent)) };
        }
      }
      const unseen = earlierBefore === undefined ? fieldsNotShown(toSend.values, before.record) : [];
      if (unseen.length > 0) {
        const headers = unseen.map((field) => entity.columns.find((c) => c.field === field)?.header ?? field).join(', ');
        return done(outcomeOf(row, check, 'failed', `not sent: ${entity.system.name}'s ${entity.noun} ${check.key} as read does not show ${headers}, so what it holds now is unknown: the change would have no undo and could hide a conflict`));
      }
      return { kind: 'send', check: toSend, before: earlierBefore ?? beforeImage(toSend.values, before.state) };
    },
  };
}

const done = (outcome: RowOutcome): Prepared => ({ kind: 'done', outcome });

/** Fields the API requires on every update (contact details: name, value, accounts) go along unchanged. */
export function withRequired(entity: Entity, reduced: NormalisedRow, row: NormalisedRow): NormalisedRow {
  const values: Record<string, unknown> = { ...reduced };
  for (const column of entity.columns) {
    if (column.required === 'always' && values[column.field] === undefined && row[column.field] !== undefined) values[column.field] = row[column.field];
    if (column.isPhoneRegion && row[column.field] !== undefined) values[column.field] = row[column.field];
  }
  return values;
}
