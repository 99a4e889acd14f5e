import type { DispatchPool } from '../api/pool.js';
import type { LookupRequest } from '../entities/entity.js';
import { asRecord } from '../entities/record.js';

/**
 * The records a lookup GET returns (a list's `data`, one record, or nothing), read through the
 * same rate-limited pool as the writes. A failed read yields no records: callers treat "not
 * found" as "not known to have landed" and never as proof of anything else.
 */
export async function lookup(pool: DispatchPool, request: LookupRequest): Promise<unknown[]> {
  const result = await pool.run({ method: 'GET', path: request.path, query: request.query }, { idempotent: true });
  if (result.kind !== 'response' || result.response.status >= 300) return [];
  let picked: unknown = result.response.body;
  for (const step of request.pick.split('.').filter(Boolean)) {
    picked = Array.isArray(picked) ? picked[Number(step)] : asRecord(picked)[step];
  }
  if (picked === undefined || picked === null) return [];
  return Array.isArray(picked) ? picked : [picked];
}

/**
 * A read that tells "found nothing" apart from "could not read": a read-back after a lost
 * answer must never take a failed read (5xx, timeout, a 401) for "not there".
 * `more`: the list has further pages, so what it did not show may still exist.
 */
export type ReadResult =
  | { readonly ok: true; readonly records: unknown[]; readonly more: boolean }
  /** `stopped`: the API refused the token (the pool sends nothing more); `aborted`: the run was stopped. */
  | { readonly ok: false; readonly error: string; readonly stopped: boolean; readonly aborted: boolean };

export async function readRecords(pool: DispatchPool, request: LookupRequest, options: { readonly maxRetries?: number } = {}): Promise<ReadResult> {
  const result = await pool.run({ method: 'GET', path: request.path, query: request.query }, { idempotent: true, maxRetries: options.maxRetries });
  if (result.kind !== 'response') {
    const kind: string = result.kind;
    const error = 'error' in result && typeof result.error === 'string' ? result.error : kind === 'aborted' ? 'the run was stopped' : `the read was ${kind}`;
    return { ok: false, error, stopped: kind === 'stopped', aborted: kind === 'aborted' };
  }
  const { status, body } = result.response;
  if (status < 200 || status >= 300) return { ok: false, error: `HTTP ${status}`, stopped: false, aborted: false };
  if (body === null || typeof body !== 'object') return { ok: false, error: `HTTP ${status} without a JSON body`, stopped: false, aborted: false };
  let picked: unknown = body;
  for (const step of request.pick.split('.').filter(Boolean)) {
    picked = Array.isArray(picked) ? picked[Number(step)] : asRecord(picked)[step];
  }
  const records = picked === undefined || picked === null ? [] : Array.isArray(picked) ? picked : [picked];
  return { ok: true, records, more: hasMorePages(body) };
}

/** Laravel (`links.next`, `meta.last_page`) or JSON:API (`meta.pagination.total_pages`) paging. */
function hasMorePages(body: unknown): boolean {
  const top = asRecord(body);
  const next = asRecord(top.links).next;
  if (typeof next === 'string' && next !== '') return true;
  const meta = asRecord(top.meta);
  if (typeof meta.current_page === 'number' && typeof meta.last_page === 'number') return meta.current_page < meta.last_page;
  const pagination = asRecord(meta.pagination);
  if (typeof pagination.page === 'number' && typeof pagination.total_pages === 'number') return pagination.page < pagination.total_pages;
  return false;
}

/** Records read in one list request at most (100 uuids keep the URL near 4 KB). */
export const RECORDS_PER_READ = 100;

interface WaitingRead {
  readonly uuid: string;
  readonly resolve: (records: unknown[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Reads one record per call, like `lookup(pool, entity.recordRequest(row))`, but merges the
 * reads that arrive together (within one turn of the event loop, up to RECORDS_PER_READ) into
 * one list request, `filter[uuid]=a,b,…`: under a 500/min limit, planning 10,000 rows then
 * costs about 100 requests instead of 10,000. A request that is not a single-uuid filter
 * (MPDX reads a record by its path) is sent alone. A list read that fails or throws
 * fails each of its records, exactly as their own reads would have: with
 * `failedReads: 'reject'` a failed read rejects (RecordReadError) instead of finding nothing,
 * for callers that must not take "could not read" for "not there".
 */
/** A read of a record failed (5xx, timeout, a refused token): not the same as "no such record". */
export class RecordReadError extends Error {
  override name = 'RecordReadError';
  constructor(
    message: string,
    /** The run was stopped (Ctrl-C): the read was never made. */
    readonly aborted: boolean,
  ) {
    super(message);
  }
}

export function createRecordReader(
  pool: DispatchPool,
  options: { readonly failedReads?: 'empty' | 'reject' } = {},
): (request: LookupRequest) => Promise<unknown[]> {
  const strict = options.failedReads === 'reject';
  const read = async (request: LookupRequest): Promise<unknown[]> => {
    if (!strict) return lookup(pool, request);
    const result = await readRecords(pool, request);
    if (!result.ok) throw new RecordReadError(result.error, result.aborted);
    return result.records;
  };
  const batches = new Map<string, WaitingRead[]>();

  const flush = async (batchKey: string, path: string, query: Readonly<Record<string, string>>): Promise<void> => {
    const batch = batches.get(batchKey);
    if (batch === undefined || batch.length === 0) return;
    batches.delete(batchKey);
    const uuids = [...new Set(batch.map((read) => read.uuid))];
    let records: unknown[];
    try {
      records = await read({
        path,
        query: { ...query, 'filter[uuid]': uuids.join(','), per_page: String(Math.max(15, uuids.length)) },
        pick: 'data',
      });
    } catch (error) {
      // e.g. the run was aborted: every read of the batch fails as its own would have.
      for (const read of batch) read.reject(error);
      return;
    }
    // Each row gets only the record carrying its own uuid: whatever else a list returns is ignored.
    const byUuid = new Map(records.map((record) => [String(asRecord(record).uuid).toLowerCase(), record] as const));
    for (const read of batch) {
      const record = byUuid.get(read.uuid.toLowerCase());
      read.resolve(record === undefined ? [] : [record]);
    }
  };

  return (request) => {
    const uuid = request.query?.['filter[uuid]'];
    if (request.pick !== 'data.0' || uuid === undefined || uuid === '' || uuid.includes(',')) return read(request);
    const { 'filter[uuid]': _single, ...query } = request.query ?? {};
    const batchKey = JSON.stringify([request.path, query]);
    return new Promise<unknown[]>((resolve, reject) => {
      let batch = batches.get(batchKey);
      if (batch === undefined) {
        batch = [];
        batches.set(batchKey, batch);
        setImmediate(() => void flush(batchKey, request.path, query));
      }
      batch.push({ uuid, resolve, reject });
      if (batch.length >= RECORDS_PER_READ) void flush(batchKey, request.path, query);
    });
  };
}
