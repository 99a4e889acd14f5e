/**
 * Sending one valid row, exactly once (issue 9, rules 3, 4, 5 and 7):
 * - the intent (and an update's before-image) is durable in the journal before the request;
 * - a 2xx counts only when its body is the record; anything else is an unknown outcome;
 * - an unknown outcome is read back over the read-back window, never guessed: found → sent;
 *   otherwise the row ends `unknown`, saying what to check; in this run it is never sent again;
 * - `--resume` reads an unknown (or killed in-flight) row back first: found → sent; shown absent
 *   by a read after the window closed (a create not there, an update's record still as its
 *   journaled before-image) → sent again; otherwise unknown again;
 * - a request that certainly never reached the server is re-sent by the pool (--max-retries);
 * - after a 401/403 the pool sends nothing more: the row fails, to be retried by `--resume`.
 */
import type { ApiRequest } from '../api/client.js';
import { describeApiError } from '../api/errors.js';
import type { DispatchPool } from '../api/pool.js';
import type { Entity, PlannedRequest } from '../entities/entity.js';
import { outcomeOf, type CellProblem, type RowOutcome, type RowStatus } from '../outcome/row-outcome.js';
import type { SourceRow } from '../io/rows.js';
import type { Logger } from '../log.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { RowCheck } from './check/check-row.js';
import type { Journal, JsonObject } from './journal.js';
import type { FieldSource } from './input/mapping.js';
import { readBack, recordInResponse, type BeforeImage, type Claims, type ReadBackVerdict } from './read-back.js';
import { currentRecordOf, pathValues } from './round-trip.js';

const INTERRUPTED = 'not sent: the run was interrupted; run again with --resume to send it';

export interface SendContext {
  readonly entity: Entity;
  readonly pool: DispatchPool;
  readonly journal: Pick<Journal, 'sending' | 'done'>;
  readonly claims: Claims;
  readonly readBackWindowMs: number;
  readonly normalise: NormaliseOptions;
  readonly sources: readonly FieldSource[];
  readonly signal?: AbortSignal | undefined;
  readonly log?: Logger | undefined;
}

/** An earlier run's attempt at this row whose outcome was never told (journal.previous.inFlight). */
export interface EarlierAttempt {
  readonly at: string;
  /** Its before-image (updates), from the journal. */
  readonly before?: BeforeImage | undefined;
}

export interface RowToSend {
  readonly row: SourceRow;
  readonly check: RowCheck;
  /** An update's before-image, read just before: required to send a PUT (rule 5). */
  readonly before?: BeforeImage | undefined;
  readonly earlier?: EarlierAttempt | undefined;
}

/** A failed row's message when the pool stopped after a 401/403: the same for every row. */
export function refusedMessage(stop: { status: number; message: string }, sent: boolean): string {
  return `${sent ? 'refused' : 'not sent'}: the API refused the token (HTTP ${stop.status}: ${stop.message}); fix the token, then run the same command with --resume`;
}

export async function sendRow(ctx: SendContext, input: RowToSend): Promise<RowOutcome> {
  const { entity, pool, journal } = ctx;
  const { row, check } = input;
  const rowNo = row.position.row;
  const planned = entity.toRequest(check.values);
  const request: ApiRequest = { method: planned.method, path: planned.path, body: planned.body, contentType: planned.contentType };
  // The image of the record before this row's first attempt: a resumed row keeps the journal's.
  const before = input.earlier?.before ?? input.before;
  if (planned.method === 'PUT' && before === undefined) {
    return finish({ status: 'failed', key: check.key, message: `not sent: the ${entity.noun} could not be read first, so the change would have no undo`, retry: true });
  }
  if (input.earlier !== undefined) {
    // Only the journaled image can show the earlier attempt did not land: the record as read
    // now is the record after it, if it did.
    const verdict = await readBackFrom(input.earlier.at, input.earlier.before);
    if (verdict.kind === 'landed') return landed(verdict, 'already applied: found by reading it back after an earlier run left it unconfirmed; not sent again');
    if (verdict.kind === 'unknown') return unknown('an earlier run did not hear whether it was applied', verdict.why);
    // Shown absent by a read after the window closed: the earlier attempt never landed, so this
    // send is its first landing. Counted as a retry: it is one, from the API's side.
    pool.noteRetry('an earlier attempt was shown not applied by reading it back');
  }

  const stop = pool.stopped();
  if (stop !== undefined) return finish({ status: 'failed', key: check.key, message: refusedMessage(stop, false), retry: true });
  if (ctx.signal?.aborted === true) return { ...outcomeOf(row, check, 'skipped', INTERRUPTED), retry: true };
  const at = new Date().toISOString();
  await journal.sending(rowNo, planned.method, planned.method === 'PUT' ? before : undefined);
  // Writes go as non-idempotent, PUTs too: after a lost answer the pool hands the row back
  // ('unknown') instead of re-sending, so a write is applied once, not merely twice to the same effect.
  const result = await pool.run(request, { idempotent: false });
  if (result.kind === 'aborted') {
    // The pool stopped it before it left: journaled as not sent, so --resume sends it without reading back first.
    return finish({ status: 'skipped', key: check.key, message: INTERRUPTED, retry: true });
  }
  if (result.kind === 'stopped') {
    const why = pool.stopped() ?? { status: 401, message: result.reason };
    return finish({ status: 'failed', key: check.key, message: refusedMessage(why, false), retry: true });
  }
  if (result.kind === 'failed') {
    // It certainly never reached the server, and the pool already re-sent it --max-retries times.
    return finish({ status: 'failed', key: check.key, message: `not applied: ${result.error} (it never reached the API in ${result.attempts} tries); --resume sends it again`, retry: true });
  }
  /** What made the outcome unknown, for the row's message; the HTTP status when there was one. */
  let cause: string;
  let http: number | undefined;
  if (result.kind === 'unknown') {
    http = result.response?.status;
    cause = http !== undefined ? `the API's answer was lost (HTTP ${http})` : `the API's answer was lost (${result.error})`;
  } else {
    const { status, body } = result.response;
    http = status;
    if (status >= 200 && status < 300) {
      const verdict = recordInResponse(entity, planned, check, status, body);
      if (verdict.kind === 'record') {
        if (planned.method === 'POST' && !ctx.claims.claim(verdict.key, rowNo)) {
          return unknown(`the API answered with ${verdict.key}, a record another row of this journal already holds`, 'the two rows may share one record');
        }
        return landed({ key: verdict.key, record: verdict.record }, planned.method === 'POST' ? `created ${verdict.key}` : 'updated', status);
      }
      cause = `the API's answer was not the record: ${verdict.why}`;
    } else if (status >= 500) {
      cause = `the API's answer was lost (HTTP ${status})`;
    } else {
      return refused(status, body);
    }
  }
  // The answer was lost or was not the record: read it back, never guess (rule 3).
  const verdict = await readBackFrom(at, before);
  if (verdict.kind === 'landed') return landed(verdict, `${planned.method === 'POST' ? `created ${verdict.key}` : 'updated'} (${cause}; confirmed by reading it back)`, http);
  if (verdict.kind === 'unknown') return unknown(cause, verdict.why, http);
  // Shown absent after the window, but a list may lag longer than any window and a backend may
  // commit later still: in this run it is never sent again. --resume reads it back once more and
  // sends it only if it is still absent then.
  return unknown(cause, `reading it back for ${ctx.readBackWindowMs / 1000} s did not find it applied`, http);

  function readBackFrom(attemptAt: string, proof: BeforeImage | undefined): Promise<ReadBackVerdict> {
    return readBack({
      entity, pool, planned, check, row: rowNo, attemptAt, windowMs: ctx.readBackWindowMs, claims: ctx.claims,
      before: proof, normalise: ctx.normalise, signal: ctx.signal,
    });
  }

  function landed(found: { key: string; record: unknown }, message: string, http?: number): Promise<RowOutcome> {
    return finish({ status: 'sent', key: found.key, http, message, after: planned.method === 'PUT' ? afterImage(found.record) : undefined });
  }

  function unknown(what: string, why: string, http?: number): Promise<RowOutcome> {
    const label = describeRow(entity, planned, check);
    const question = planned.method === 'POST'
      ? `check in ${entity.system.name} whether ${entity.noun} ${label} (row ${rowNo}) was created`
      : `check in ${entity.system.name} whether ${entity.noun} ${check.key} (row ${rowNo}) now holds the values sent`;
    return finish({ status: 'unknown', key: check.key, http, message: `${what}; ${why}; ${question}; --resume reads it back again first` });
  }

  function refused(status: number, body: unknown): Promise<RowOutcome> {
    const described = describeApiError(status, body);
    // 401/403 and a 429 past its budget say nothing about the row: --resume sends it again.
    const retry = status === 401 || status === 403 || status === 429;
    return finish({
      status: 'failed',
      key: check.key,
      http: status,
      message: status === 401 || status === 403 ? refusedMessage({ status, message: described.message }, true) : described.message,
      problems: fieldProblems(described.fieldErrors, ctx.sources),
      apiMessage: described.apiText,
      retry,
    });
  }

  function afterImage(record: unknown): JsonObject | undefined {
    if (record === undefined) return undefined;
    const state = currentRecordOf(entity, record, pathValues(entity, check.values), ctx.normalise);
    return { updatedAt: state.updatedAt, hash: state.hash, values: state.values };
  }

  async function finish(result: {
    /** A row that reached sending is never valid or invalid: those are settled before. */
    status: Exclude<RowStatus, 'valid' | 'invalid'>;
    key: string;
    message: string;
    http?: number | undefined;
    problems?: CellProblem[];
    /** The API's own words when it refused the row ('' or absent when it said nothing). */
    apiMessage?: string;
    retry?: boolean;
    after?: JsonObject | undefined;
  }): Promise<RowOutcome> {
    await journal.done({
      row: rowNo, status: result.status, action: check.action, key: result.key, msg: result.message,
      ...(result.http !== undefined ? { http: result.http } : {}),
      ...(result.apiMessage !== undefined && result.apiMessage !== '' ? { api: result.apiMessage } : {}),
      ...(result.retry === true ? { retry: true } : {}),
      ...(result.after !== undefined ? { after: result.after } : {}),
    });
    if (result.status !== 'sent') ctx.log?.warn({ row: rowNo, http: result.http, status: result.status, message: result.message }, `row ${result.status}`);
    return {
      ...outcomeOf(row, { ...check, key: result.key, problems: result.problems ?? [] }, result.status, result.message),
      httpStatus: result.http,
      ...(result.apiMessage !== undefined && result.apiMessage !== '' ? { apiMessage: result.apiMessage } : {}),
      ...(result.retry === true ? { retry: true } : {}),
    };
  }
}

/** How a person finds a created record: the value of the entity's label field, quoted. */
function describeRow(entity: Entity, planned: PlannedRequest, check: RowCheck): string {
  const label = entity.labelField === undefined ? undefined : check.values[entity.labelField];
  return typeof label === 'string' || typeof label === 'number' ? `'${String(label)}'` : `made from ${planned.method} ${planned.path}`;
}

/** Field errors from a 422 ("account_uuids.0") mapped back to the spreadsheet column they came from. */
export function fieldProblems(fieldErrors: Readonly<Record<string, readonly string[]>>, sources: readonly FieldSource[]): CellProblem[] {
  return Object.entries(fieldErrors).map(([key, messages]) => {
    const field = key.split('.')[0] ?? key;
    const source = sources.find((s) => s.column.field === field);
    return { columnIndex: source?.columnIndex ?? -1, column: source?.header ?? key, message: messages.join(' ') };
  });
}

/** A before-image as the journal stored it, if it has the shape this module wrote. */
export function beforeImageOf(stored: JsonObject | undefined): BeforeImage | undefined {
  if (stored === undefined) return undefined;
  const values = stored.values;
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return undefined;
  return { updatedAt: typeof stored.updatedAt === 'string' ? stored.updatedAt : '', values: values as Record<string, unknown> };
}
