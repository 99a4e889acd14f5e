/**
 * Accounts: export only (`GET /api/v1/account`, seed account-get.txt). An account export writes
 * the client columns (clients.ts), read from each account the same way, plus read-only Name,
 * Type, Groups, Tags, Created At and Updated At: so an accounts export, edited, imports with
 * `--entity clients` as a round trip (only edited fields sent, the conflict check, the revert
 * file), its `_meta` hashes agreeing field for field. Staff rows are exported too; a staff row
 * edited and imported as a client is refused by the API (404), never sent anywhere else.
 */
import { UsageError } from '../errors.js';
import { clientIncludes, clients } from './clients.js';
import type { Entity } from './entity.js';
import { plannr, plannrUpdatedAt } from './systems.js';

export const accounts: Entity = {
  name: 'accounts',
  noun: 'account',
  system: plannr,
  columns: clients.columns,
  labelField: clients.labelField,
  keyField: 'uuid',
  updatedAtOf: plannrUpdatedAt,
  list: { path: () => '/api/v1/account', include: clientIncludes },
  canCreate: false,
  canImport: false,
  check: () => [],
  toRequest() {
    throw new UsageError('accounts can be exported and validated, not imported: to update the clients of an accounts export, import it with --entity clients');
  },
  fromRecord: clients.fromRecord,
  recordRequest: (row) => ({ path: `/api/v1/account/${String(row.uuid)}`, pick: '' }),
  exportOnly: clients.exportOnly,
};
