/**
 * The APIs our resources live on. Plannr is the CRM; MPDX is another system (a donor CRM)
 * whose phone-number resource is reached through the same base URL and token.
 */
import type { ApiSystem } from './entity.js';
import { asRecord } from './record.js';

export const plannr: ApiSystem = {
  name: 'Plannr',
  // Any valid token may list accounts; one record is enough to see the token accepted.
  credentialCheck: { path: '/api/v1/account', query: { per_page: '1' } },
};

/** MPDX has no read we know to be open to every valid token, so a refused token shows row by row. */
export const mpdx: ApiSystem = { name: 'MPDX' };

/** `updated_at` of a Plannr record ('' when it has none). */
export function plannrUpdatedAt(record: unknown): string {
  const value = asRecord(record).updated_at;
  return typeof value === 'string' ? value : '';
}
