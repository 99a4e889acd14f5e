/**
 * Import: validate each row, send the valid ones through the dispatch pool, journal every
 * outcome, and write the report. `runImport(config)` is what the CLI and the tests call.
 *
 * Safety rules this file keeps:
 * - a row's intent is on disk before its request leaves; its outcome before it counts as done;
 * - a request whose outcome is unknown (crash, lost response) is looked up before it is sent
 *   again, so resume never creates a record twice or re-applies an update;
 * - every row read ends in exactly one bucket, and the counts must add up.
 */
import { basename } from 'node:path';
import { createApiClient, type ApiRequest } from '../api/client.js';
import type { ApiConfig } from '../api/config.js';
import { describeApiError } from '../api/errors.js';
import { backoffDelay, createDispatchPool, type DispatchPool, type DispatchPoolOptions, type DispatchResult, type PoolStats } from '../api/pool.js';
import type { Entity, PlannedRequest } from '../entities/entity.js';
import { asRecord, recordHolds } from '../entities/record.js';
import { ApiUnavailableError, InputError, UsageError } from '../errors.js';
import { createReport } from '../io/report.js';
import type { CellProblem, RowOutcome, RowStatus } from '../io/report-types.js';
import type { SourceRow } from '../io/rows.js';
import type { Logger } from '../log.js';
import type { RowCheck } from './check-row.js';
import { assertAccountedFor, emptyCounts, equationOf, type RowCounts } from './counts.js';
import { fingerprintFile, openJournal, type Journal } from './journal.js';
import type { FieldSource } from './mapping.js';
import { openInput, type InputConfig, type OpenedInput } from './open-input.js';
import { inSequence } from './ordered.js';
import { lookup } from './lookup.js';
import { duplicateCheck, outcomeOf } from './outcome.js';
import { runValidate, type ValidateResult } from './validate.js';
import { openRoundTrip } from './round-trip-import.js';
import { apiDirectory, createNameResolver } from './names.js';

export interface ImportConfig extends InputConfig {
  /** Report workbook path; undefined writes none. */
  readonly report?: string | undefined;
  /** Journal path. Default: `<file>.journal` beside the input. */
  readonly journal?: string | undefined;
  /** Continue the run recorded in the journal (same file). Default false. */
  readonly resume?: boolean | undefined;
  /** Validate and report only; send nothing. Default false. */
  readonly dryRun?: boolean | undefined;
  /** With dryRun: worker threads for row checks (see ValidateConfig.threads). Sending is rate-bound and uses none. */
  readonly threads?: number | undefined;
  readonly api: ApiConfig;
  /** Concurrency, rate, retries: see DispatchPoolOptions for each default. */
  readonly pool?: Omit<DispatchPoolOptions, 'signal'> | undefined;
  /** Aborting stops sending new rows; rows in flight finish; the report and journal are written. */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Called once the file has been read through (before anything is sent), with its row count. */
  readonly onStart?: ((info: { rows: number }) => void) | undefined;
  readonly log?: Logger | undefined;
  /** Re-import of an export: write records changed in the CRM since the export anyway. Default false. */
  readonly overwrite?: boolean | undefined;
  /** Revert workbook (before-image of every field an update changed); undefined writes none. */
  readonly revert?: string | undefined;
}

export interface ImportProgress {
  readonly counts: Readonly<RowCounts>;
  readonly pool: PoolStats;
}

export interface ImportResult {
  readonly counts: Readonly<RowCounts>;
  readonly pool: PoolStats | undefined;
  readonly interrupted: boolean;
  readonly journalPath: string | undefined;
  readonly reportPath: string | undefined;
  readonly unknownHeaders: readonly string[];
  readonly durationMs: number;
  /** 0 every row sent (or already done); 1 some rows invalid, failed or not sent. */
  readonly exitCode: 0 | 1;
  /** The revert workbook, when updates landed and one was asked for. */
  readonly revertPath?: string | undefined;
  /** Rows of an exported workbook skipped because nothing in them was edited (part of `skipped`). */
  readonly unchanged?: number | undefined;
}

/** Tries for a write whose response was lost or was a 500/502/504 (each checked by reading back first). */
const UNKNOWN_OUTCOME_ATTEMPTS = 6;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fields that are concurrency bookkeeping, not data: a landed write changes them. */
const bookkeeping = new Set(['updated_in_db_at', 'overwrite']);

export async function runImport(config: ImportConfig): Promise<ImportResult> {
  if (config.dryRun) return fromValidate(await runValidate({ ...config, onProgress: undefined }));
  const started = Date.now();
  // First pass, read-only: a file that cannot be read to the end (an unclosed quote at row
  // 50,000, a damaged zip) stops here, before a single request, never as a partial import.
  const total = await countRows(config);
  config.onStart?.({ rows: total });
  const input = await openInput(config);
  const { entity } = input;
  if (!entity.canImport) throw new UsageError(`${entity.name} cannot be imported (export only)`);
  const log = config.log;
  const journalPath = config.journal ?? `${config.file}.journal`;
  const journal = await openJournal(journalPath, {
    fingerprint: await fingerprintFile(config.file),
    entity: entity.name,
    file: basename(config.file),
    resume: config.resume ?? false,
  });
  const pool = createDispatchPool(createApiClient(config.api), {
    ...config.pool,
    signal: config.signal,
    onEvent: (event) => log?.info({ event }, 'pool'),
  });
  try {
    await checkCredentials(entity, pool);
  } catch (error) {
    await journal.close();
    throw error;
  }
  log?.info({ file: basename(config.file), entity: entity.name, resume: config.resume ?? false }, 'import started');
  // Names and emails in reference columns become uuids before a row's request is built.
  const names = createNameResolver(entity, apiDirectory(pool, config.signal), input.mapping.sources);
  const roundTrip = await openRoundTrip({ file: config.file, entity, pool, normalise: config.normalise, overwrite: config.overwrite, revert: config.revert });

  const counts = emptyCounts();
  const report = config.report !== undefined ? await createReport(config.report, input.layout) : undefined;
  let lastProgress = 0;
  const ordered = inSequence<RowOutcome>(async (outcome) => {
    counts[outcome.status]++;
    await report?.add(outcome);
    if (config.onProgress !== undefined && Date.now() - lastProgress > 200) {
      lastProgress = Date.now();
      config.onProgress({ counts, pool: pool.stats() });
    }
  });
  const markDuplicates = duplicateCheck();
  const maxPending = Math.max(16, (config.pool?.concurrency ?? 8) * 4);
  const pending = new Set<Promise<void>>();
  let interrupted = false;
  let seq = 0;

  try {
    for await (const row of input.sheet.rows) {
      counts.read++;
      const mySeq = seq++;
      const check = markDuplicates(row, input.check(row));
      const earlier = journal.previous.done.get(row.position.row);
      if (check.problems.length > 0) {
        await ordered.put(mySeq, outcomeOf(row, check, 'invalid'));
      } else if (earlier !== undefined && earlier.retry !== true) {
        await ordered.put(mySeq, {
          ...outcomeOf(row, { ...check, key: earlier.key || check.key }, earlier.status as RowStatus, `${earlier.msg || earlier.status} (in an earlier run)`),
          httpStatus: earlier.http,
        });
      } else if (config.signal?.aborted) {
        interrupted = true;
        await ordered.put(mySeq, outcomeOf(row, check, 'skipped', 'not sent: the run was interrupted; run again with --resume to send it'));
      } else {
        while (pending.size >= maxPending) await Promise.race(pending);
        const task = names.resolveNames(check)
          .then((resolved) => resolved.problems.length > 0
            ? outcomeOf(row, resolved, 'invalid')
            : roundTrip.send(row, resolved, (toSend, onLanded) => sendRow(row, toSend, input, journal, pool, journal.previous.inFlight.get(row.position.row)?.at, log, onLanded)))
          .then((outcome) => {
            // Only a stop skips a row here by accident; unchanged rows of an export or plan are skipped on purpose.
            if (outcome.status === 'skipped' && config.signal?.aborted === true) interrupted = true;
            return ordered.put(mySeq, outcome);
          })
          .finally(() => pending.delete(task));
        pending.add(task);
      }
    }
    await Promise.all(pending);
    if (counts.read === 0) throw new InputError({ file: input.sheet.file, sheet: input.sheet.sheet }, 'the file has a header row but no data rows');
    assertAccountedFor(counts);
  } catch (error) {
    await Promise.allSettled(pending);
    await journal.close();
    await report?.discard();
    await roundTrip.discard();
    throw error;
  }
  await journal.close();
  const revertPath = await roundTrip.close();
  const stats = pool.stats();
  config.onProgress?.({ counts, pool: stats });
  const durationMs = Date.now() - started;
  log?.info({ counts, stats, durationMs }, 'import finished');
  await report?.close({
    title: `Import report: ${input.sheet.file} as ${entity.name}`,
    lines: [
      ['File', input.sheet.file],
      ...(input.sheet.sheet !== undefined ? [['Sheet', input.sheet.sheet] as const] : []),
      ['Entity', entity.name],
      ['API', config.api.baseUrl],
      ['Mode', config.resume ? 'import (resumed: rows done in earlier runs are included)' : 'import'],
      ['Started', new Date(started).toISOString()],
      ['Duration (s)', Math.round(durationMs / 100) / 10],
      ['Rows read', counts.read],
      ['Sent', counts.sent],
      ['Invalid (not sent)', counts.invalid],
      ['Failed', counts.failed],
      ['Skipped', counts.skipped],
      ['Unchanged since the export (skipped)', roundTrip.unchanged],
      ['Revert file', revertPath ?? '(none: no update landed, or none asked for)'],
      ['Rows add up', `${equationOf(counts)} ✓`],
      ['Requests', stats.requests],
      ['Retries', stats.retries],
      ['429 Too Many Requests', stats.rateLimited429],
      ['Network errors', stats.transportErrors],
      ['Server errors (5xx)', stats.serverErrors],
      ['Interrupted', interrupted ? 'yes: run the same command with --resume to finish' : 'no'],
      ['Journal', journalPath],
      ['Blank rows ignored', input.sheet.stats.blankRows],
      ['Columns ignored (unknown)', input.mapping.unknownHeaders.join('; ') || '(none)'],
    ],
  });
  return {
    counts,
    pool: stats,
    interrupted,
    journalPath,
    reportPath: config.report,
    unknownHeaders: input.mapping.unknownHeaders,
    durationMs,
    exitCode: counts.invalid + counts.failed + counts.skipped - roundTrip.unchanged > 0 ? 1 : 0,
    revertPath,
    unchanged: roundTrip.unchanged,
  };
}

async function countRows(config: InputConfig): Promise<number> {
  const input = await openInput(config);
  let rows = 0;
  for await (const _ of input.sheet.rows) rows++;
  if (rows === 0) throw new InputError({ file: input.sheet.file, sheet: input.sheet.sheet }, 'the file has a header row but no data rows');
  return rows;
}

function fromValidate(result: ValidateResult): ImportResult {
  return { ...result, pool: undefined, interrupted: false, journalPath: undefined };
}

/** Fail fast (exit 2) on bad credentials rather than failing every row. */
export async function checkCredentials(entity: Entity, pool: DispatchPool): Promise<void> {
  if (entity.name === 'mpdx-phones') return; // another system: its rows report their own 401s
  const result = await pool.run({ method: 'GET', path: '/api/v1/account', query: { per_page: '1' } }, { idempotent: true });
  if (result.kind === 'response' && (result.response.status === 401 || result.response.status === 403)) {
    throw new ApiUnavailableError(`the API refused the credentials (HTTP ${result.response.status}): ${describeApiError(result.response.status, result.response.body).message}`);
  }
  if (result.kind === 'failed' || result.kind === 'unknown') throw new ApiUnavailableError(`cannot reach the API: ${result.error}`);
}

async function sendRow(
  row: SourceRow,
  check: RowCheck,
  input: OpenedInput,
  journal: Journal,
  pool: DispatchPool,
  inFlightSince: string | undefined,
  log: Logger | undefined,
  onLanded?: (body: unknown) => void,
): Promise<RowOutcome> {
  const { entity } = input;
  const planned = entity.toRequest(check.values);
  const request: ApiRequest = { method: planned.method, path: planned.path, body: planned.body, contentType: planned.contentType };
  const rowNo = row.position.row;

  // The earlier run died with this row in flight: did it land?
  if (inFlightSince !== undefined) {
    const found = await findLanded(entity, planned, check, pool, inFlightSince);
    if (found !== undefined) return record(found, 'already applied (found after an interrupted run; not sent again)');
  }
  for (let attempt = 1; ; attempt++) {
    const sentAt = new Date().toISOString();
    await journal.sending(rowNo, planned.method);
    // Writes go as non-idempotent even when they are PUTs: after a lost response the pool hands
    // the row back ('unknown') instead of re-sending, and it is read back before any second try,
    // so a write is applied once, not merely to the same effect twice.
    const result: DispatchResult = await pool.run(request, { idempotent: false });
    if (result.kind === 'aborted') {
      return outcomeOf(row, check, 'skipped', 'not sent: the run was interrupted; run again with --resume to send it');
    }
    if (result.kind === 'unknown') {
      // The request may have landed (e.g. a dropped connection after the server wrote it).
      const found = await findLanded(entity, planned, check, pool, sentAt);
      if (found !== undefined) return record(found, 'applied (the response was lost; confirmed by reading it back)');
      if (attempt < UNKNOWN_OUTCOME_ATTEMPTS) {
        await delay(backoffDelay(attempt, 500, 10_000));
        continue;
      }
      return record({ status: 'failed', key: check.key, http: result.response?.status, message: `not applied after ${attempt} tries: ${result.error}`, retry: true });
    }
    if (result.kind === 'failed') {
      return record({ status: 'failed', key: check.key, message: `${result.error} (gave up after ${result.attempts} attempts)`, retry: true });
    }
    const response = result.response;
    if (response.status >= 200 && response.status < 300) {
      onLanded?.(response.body);
      const created = planned.method === 'POST' ? createdKey(response.body) : check.key;
      return record({ status: 'sent', key: created ?? check.key, http: response.status, message: planned.method === 'POST' ? `created ${created ?? ''}`.trim() : 'updated' });
    }
    const described = describeApiError(response.status, response.body);
    return record({
      status: 'failed',
      key: check.key,
      http: response.status,
      message: described.message,
      problems: fieldProblems(described.fieldErrors, input.mapping.sources),
      retry: response.status >= 500,
    });
  }

  async function record(
    result: { status: 'sent' | 'failed'; key: string; http?: number | undefined; message: string; problems?: CellProblem[]; retry?: boolean },
    note?: string,
  ): Promise<RowOutcome> {
    const message = note ?? result.message;
    await journal.done({ row: rowNo, status: result.status, action: check.action, key: result.key, http: result.http, msg: message, retry: result.retry });
    if (result.status === 'failed') log?.warn({ row: rowNo, http: result.http, message }, 'row failed');
    return {
      ...outcomeOf(row, { ...check, key: result.key, problems: result.problems ?? [] }, result.status, message),
      httpStatus: result.http,
    };
  }
}

/** Plannr returns the created record ({uuid}, or {data: {uuid}}); JSON:API returns {data: {id}}. */
function createdKey(body: unknown): string | undefined {
  const top = asRecord(body);
  const data = asRecord(top.data);
  const key = top.uuid ?? data.uuid ?? data.id;
  return typeof key === 'string' ? key : undefined;
}

/** Field errors from a 422 ("account_uuids.0") mapped back to the spreadsheet column they came from. */
function fieldProblems(fieldErrors: Readonly<Record<string, readonly string[]>>, sources: readonly FieldSource[]): CellProblem[] {
  return Object.entries(fieldErrors).map(([key, messages]) => {
    const field = key.split('.')[0] ?? key;
    const source = sources.find((s) => s.column.field === field);
    return { columnIndex: source?.columnIndex ?? -1, column: source?.header ?? key, message: messages.join(' ') };
  });
}

/**
 * Whether a write already landed: an update whose record already holds every value it sets,
 * or a create whose record exists (made since `since`, holding the row's values).
 * Returns how to record the row, or undefined when it did not land (or cannot be told).
 */
async function findLanded(
  entity: Entity,
  planned: PlannedRequest,
  check: RowCheck,
  pool: DispatchPool,
  since: string,
): Promise<{ status: 'sent'; key: string; message: string } | undefined> {
  const body = asRecord(planned.contentType.includes('vnd.api') ? asRecord(asRecord(planned.body).data).attributes : planned.body);
  const wanted = Object.fromEntries(Object.entries(body).filter(([k]) => !bookkeeping.has(k) && k !== 'type'));
  if (planned.method === 'PUT') {
    const records = await lookup(pool, entity.recordRequest(check.values));
    const current = records[0];
    if (current === undefined) return undefined;
    return recordHolds(wanted, entity.fromRecord(current)) ? { status: 'sent', key: check.key, message: 'already applied' } : undefined;
  }
  const query = entity.findCreated?.(body);
  if (query === undefined) return undefined;
  const earliest = Date.parse(since) - 60_000; // allow for clock skew between us and the API
  for (const candidate of await lookup(pool, { ...query, query: { ...query.query, per_page: '500' } })) {
    const createdAt = Date.parse(String(asRecord(candidate).created_at ?? ''));
    const values = entity.fromRecord(candidate);
    if ((Number.isNaN(createdAt) || createdAt >= earliest) && recordHolds(wanted, values) && typeof values.uuid === 'string') {
      return { status: 'sent', key: values.uuid, message: 'already created' };
    }
  }
  return undefined;
}

