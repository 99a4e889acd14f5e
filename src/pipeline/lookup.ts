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
