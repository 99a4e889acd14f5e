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
 * fails each of its records, exactly as their own reads would have.
 */
export function createRecordReader(pool: DispatchPool): (request: LookupRequest) => Promise<unknown[]> {
  const batches = new Map<string, WaitingRead[]>();

  const flush = async (batchKey: string, path: string, query: Readonly<Record<string, string>>): Promise<void> => {
    const batch = batches.get(batchKey);
    if (batch === undefined || batch.length === 0) return;
    batches.delete(batchKey);
    const uuids = [...new Set(batch.map((read) => read.uuid))];
    let records: unknown[];
    try {
      records = await lookup(pool, {
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
    if (request.pick !== 'data.0' || uuid === undefined || uuid === '' || uuid.includes(',')) return lookup(pool, request);
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
