/**
 * Telling whether a write landed when its answer was lost (issue 9, rules 3 and 4).
 *
 * - `recordInResponse`: a 2xx counts only when its body is the record (a create's uuid; an
 *   update's record, its key, holding every value sent). An HTML page, a 204 or an empty body
 *   from a proxy proves nothing.
 * - `readBack`: reads the record again, with backoff, until the read-back window (counted from
 *   the attempt) has closed. Inside the window "not found" and a failed read prove nothing: a
 *   gateway may answer 504 while the backend commits seconds later, and a list may lag. Only a
 *   read that succeeds after the window closed and shows the write absent proves it did not land.
 * - `createClaims`: a record found by reading back belongs to one row of the journal only.
 */
import type { DispatchPool } from '../api/pool.js';
import type { Entity, PlannedRequest } from '../entities/entity.js';
import { asRecord, heldDifferently, recordHolds, sameValue } from '../entities/record.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { RowCheck } from './check/check-row.js';
import { sleepUnlessAborted } from '../api/signals.js';
import { readRecords } from './lookup.js';
import { bookkeepingFields, currentRecordOf, identityFields, pathValues } from './round-trip.js';

/** Read-back window when none is given: a gateway's late commit or a lagging list settles well within a minute. */
export const DEFAULT_READ_BACK_WINDOW_MS = 60_000;

/**
 * Each read-back read is retried once by the pool at most: the read-back loop is the retry, on
 * its own schedule within the window. With the pool's five retries a read that met 500s sat in
 * backoff for up to half a minute, whatever the window, holding one of the run's rows in flight.
 */
const READ_BACK_READ = { maxRetries: 1 } as const;

/** How far our clock and the API's may disagree when a created record's `created_at` is compared with the attempt. */
const CLOCK_SKEW_MS = 60_000;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: unknown): text is string {
  return typeof text === 'string' && uuidPattern.test(text);
}

/** The fields a request sets, as `entity.fromRecord` names them (JSON:API: the attributes). */
export function wantedOf(entity: Entity, planned: PlannedRequest): Record<string, unknown> {
  const body = asRecord(planned.contentType.includes('vnd.api') ? asRecord(asRecord(planned.body).data).attributes : planned.body);
  const bookkeeping = bookkeepingFields(entity);
  const writeOnly = new Set(entity.writeOnly ?? []);
  return Object.fromEntries(Object.entries(body).filter(([field]) => !bookkeeping.has(field) && !writeOnly.has(field) && field !== 'type'));
}

/** The record in a write's response: Plannr returns it bare or under `data`; JSON:API under `data`. */
export function landedRecord(entity: Entity, body: unknown): unknown {
  const top = asRecord(body);
  const data = top.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data;
  return top[entity.keyField] !== undefined ? body : undefined;
}

export type ResponseVerdict =
  | { readonly kind: 'record'; readonly key: string; readonly record: unknown }
  /** `why` is for a person: "the body was an HTML page", "the body was empty (HTTP 204)". */
  | { readonly kind: 'not-the-record'; readonly why: string };

/** Whether a 2xx body is the record the write made (rule 4). */
export function recordInResponse(entity: Entity, planned: PlannedRequest, check: RowCheck, status: number, body: unknown): ResponseVerdict {
  if (body === undefined || body === null || body === '') return { kind: 'not-the-record', why: `the body was empty (HTTP ${status})` };
  if (typeof body === 'string') {
    const html = /<\s*(!doctype|html|body|head)\b/i.test(body);
    return { kind: 'not-the-record', why: `the body was ${html ? 'an HTML page' : 'not JSON'} (HTTP ${status})` };
  }
  if (typeof body !== 'object' || Array.isArray(body)) return { kind: 'not-the-record', why: `the body was not a JSON object (HTTP ${status})` };
  const record = landedRecord(entity, body);
  if (planned.method === 'POST') {
    const top = asRecord(body);
    const data = asRecord(top.data);
    const key = top.uuid ?? data.uuid ?? data.id;
    if (!isUuid(key)) return { kind: 'not-the-record', why: `the body carried no record uuid (HTTP ${status})` };
    return { kind: 'record', key, record: record ?? body };
  }
  if (record === undefined) return { kind: 'not-the-record', why: `the body was not the ${entity.noun} (HTTP ${status})` };
  const values = entity.fromRecord(record);
  const key = values[entity.keyField];
  if (typeof key !== 'string' || key.toLowerCase() !== check.key.toLowerCase()) {
    return { kind: 'not-the-record', why: `the body was another record (${typeof key === 'string' ? key : 'no key'}), not ${check.key} (HTTP ${status})` };
  }
  const wanted = wantedOf(entity, planned);
  if (!recordHolds(wanted, values)) return { kind: 'not-the-record', why: `the record in the body does not hold the values sent (${heldDifferently(wanted, values)}; HTTP ${status})` };
  return { kind: 'record', key: check.key, record };
}

/** Records claimed by rows of this journal: a read-back never hands one record to two rows. */
export interface Claims {
  /** Takes `key` for `row`; false when another row holds it. */
  claim(key: string, row: number): boolean;
  /** Whether another row than `row` holds `key`. */
  heldByOther(key: string, row: number): boolean;
}

export function createClaims(seed: ReadonlyMap<string, number> = new Map()): Claims {
  const owners = new Map<string, number>(seed);
  return {
    claim(key, row) {
      const k = key.toLowerCase();
      const owner = owners.get(k);
      if (owner !== undefined && owner !== row) return false;
      owners.set(k, row);
      return true;
    },
    heldByOther(key, row) {
      const owner = owners.get(key.toLowerCase());
      return owner !== undefined && owner !== row;
    },
  };
}

/** What the record's sent fields held before the update, for the "did not land" proof and the revert. */
export type BeforeImage = {
  /** `entity.updatedAtOf` the record as read before the write. */
  readonly updatedAt: string;
  /** Identity fields and every field the update sets, as the import reads them back. */
  readonly values: Readonly<Record<string, unknown>>;
};

export type ReadBackVerdict =
  /** It landed: `record` is what the API now holds. */
  | { readonly kind: 'landed'; readonly key: string; readonly record: unknown }
  /** A read that succeeded after the window closed shows it absent (create) or the record still as before (update). */
  | { readonly kind: 'absent' }
  /** Could not be told; `why` says what the last read showed. */
  | { readonly kind: 'unknown'; readonly why: string };

export interface ReadBackInput {
  readonly entity: Entity;
  readonly pool: DispatchPool;
  readonly planned: PlannedRequest;
  readonly check: RowCheck;
  readonly row: number;
  /** When the write was sent (ISO): the window and the created_at test count from it. */
  readonly attemptAt: string;
  readonly windowMs: number;
  readonly claims: Claims;
  /** An update's before-image; without it, an update can be shown landed but never shown absent. */
  readonly before?: BeforeImage | undefined;
  readonly normalise: NormaliseOptions;
  readonly signal?: AbortSignal | undefined;
}

/** Reads back until it can tell, or the window has closed (at least one read after it closes). */
export async function readBack(input: ReadBackInput): Promise<ReadBackVerdict> {
  const deadline = Date.parse(input.attemptAt) + input.windowMs;
  let pause = Math.min(1000, Math.max(50, Math.floor(input.windowMs / 16)));
  for (;;) {
    const closedBeforeRead = Date.now() >= deadline;
    const seen = await readOnce(input);
    if (seen.kind === 'landed') return seen;
    if (seen.kind === 'stop') return { kind: 'unknown', why: seen.why };
    if (closedBeforeRead || input.signal?.aborted === true) {
      if (seen.kind === 'absent' && closedBeforeRead) return { kind: 'absent' };
      return { kind: 'unknown', why: seen.kind === 'absent' ? 'the run was stopped before the read-back window closed' : seen.why };
    }
    const wait = Math.max(0, Math.min(pause, deadline - Date.now()));
    await sleepUnlessAborted(wait, input.signal);
    pause = Math.min(pause * 2, 15_000);
  }
}

type ReadOnce =
  | { readonly kind: 'landed'; readonly key: string; readonly record: unknown }
  | { readonly kind: 'absent' }
  /** Nothing settled by this read: keep reading while the window is open. */
  | { readonly kind: 'unsure'; readonly why: string }
  /** Reading cannot help (the API refused the token, no way to look the record up). */
  | { readonly kind: 'stop'; readonly why: string };

async function readOnce(input: ReadBackInput): Promise<ReadOnce> {
  const { entity, planned, check } = input;
  const wanted = wantedOf(entity, planned);
  if (planned.method === 'PUT') {
    const read = await readRecords(input.pool, entity.recordRequest(check.values), READ_BACK_READ);
    if (!read.ok) return read.stopped ? { kind: 'stop', why: `reading it back was refused (${read.error})` } : { kind: 'unsure', why: `reading it back failed (${read.error})` };
    const record = read.records[0];
    if (record === undefined) return { kind: 'unsure', why: `reading it back found no ${entity.noun} ${check.key}` };
    const values = entity.fromRecord(record);
    if (recordHolds(wanted, values)) return { kind: 'landed', key: check.key, record };
    if (input.before !== undefined && stillAsBefore(input, record)) return { kind: 'absent' };
    const differences = heldDifferently(wanted, values);
    return { kind: 'unsure', why: input.before === undefined
      ? `the record does not hold the values sent (${differences}), and no before-image was recorded to show it unchanged`
      : `the record holds neither the values sent nor the values it had before (${differences}): changed by someone else, or stored differently by the API` };
  }
  const query = entity.findCreated?.(wanted);
  if (query === undefined) return { kind: 'stop', why: `a ${entity.noun} cannot be looked up by its values` };
  // Newest first, so records made since the attempt are on the first page however many the owner has.
  const read = await readRecords(input.pool, { ...query, query: { ...query.query, sort: '-created_at', per_page: '500' } }, READ_BACK_READ);
  if (!read.ok) return read.stopped ? { kind: 'stop', why: `reading it back was refused (${read.error})` } : { kind: 'unsure', why: `reading it back failed (${read.error})` };
  const earliest = Date.parse(input.attemptAt) - CLOCK_SKEW_MS;
  let oldestSeen = Number.POSITIVE_INFINITY;
  let newestFirst = true;
  let previous = Number.POSITIVE_INFINITY;
  const matches: Array<{ key: string; record: unknown }> = [];
  for (const candidate of read.records) {
    const createdAt = Date.parse(String(asRecord(candidate).created_at ?? ''));
    if (!Number.isNaN(createdAt)) {
      oldestSeen = Math.min(oldestSeen, createdAt);
      if (createdAt > previous) newestFirst = false;
      previous = createdAt;
    }
    // Without a creation time a record cannot be shown to be new: never taken for this row's.
    if (Number.isNaN(createdAt) || createdAt < earliest) continue;
    const values = entity.fromRecord(candidate);
    const key = values.uuid ?? values[entity.keyField];
    if (!isUuid(key) || !recordHolds(wanted, values) || input.claims.heldByOther(key, input.row)) continue;
    matches.push({ key, record: candidate });
  }
  if (matches.length > 1) {
    return { kind: 'unsure', why: `reading it back found ${matches.length} matching ${entity.noun}s made since the attempt (${matches.map((m) => m.key).join(', ')}); which one is this row's cannot be told` };
  }
  const match = matches[0];
  if (match !== undefined) {
    if (input.claims.claim(match.key, input.row)) return { kind: 'landed', key: match.key, record: match.record };
    return { kind: 'unsure', why: `the matching ${entity.noun} ${match.key} was just claimed by another row` };
  }
  // A further page may hold records made since the attempt unless this page, newest first,
  // already reached back past it. A server that ignores `sort` proves nothing by its first page.
  if (read.more && (!newestFirst || oldestSeen >= earliest)) return { kind: 'unsure', why: 'reading it back could not see every record made since the attempt' };
  return { kind: 'absent' };
}

function stillAsBefore(input: ReadBackInput, record: unknown): boolean {
  const before = input.before;
  if (before === undefined) return false;
  const identity = new Set(identityFields(input.entity));
  const now = currentRecordOf(input.entity, record, pathValues(input.entity, input.check.values), input.normalise);
  return Object.entries(before.values)
    .filter(([field]) => !identity.has(field))
    .every(([field, was]) => sameValue(emptyAsNull(was), emptyAsNull(now.values[field])));
}

function emptyAsNull(value: unknown): unknown {
  return value === '' || value === undefined || (Array.isArray(value) && value.length === 0) ? null : value;
}
